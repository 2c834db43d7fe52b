"""The main job: record the example application's Redis traffic on fakeredis and judge it.

Run: python -m examples.demo   (``make demo`` installs what it needs first)

Each scenario runs real application code (examples/app) against a fakeredis server while the
recorder captures every command at the connection layer; the engine judges the stream against
the built-in default policy. The demo exits 0 when every scenario yields exactly the rules it
is expected to (clean scenarios: none), 1 otherwise.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import fakeredis
import redis

from examples.app import cache, jobs, locks
from examples.app.workers import legacy
from pytest_redis_boundary.core.events import CommandEvent
from pytest_redis_boundary.core.policy import default_policy
from pytest_redis_boundary.core.rules import Judge
from pytest_redis_boundary.recorder.hooks import Recorder

Scenario = tuple[str, Callable[[redis.Redis], object], set[str]]

SCENARIOS: list[Scenario] = [
    ("cache a profile with a TTL", lambda r: cache.cache_profile(r, "acme", 7, b"{}"), set()),
    ("count hits in a pipeline", lambda r: cache.count_hit(r, "acme", "home"), set()),
    ("a lease with timeout=10", lambda r: locks.build_report(r, "acme", 42), set()),
    (
        "PERSIST drops a cache TTL",
        lambda r: (cache.cache_profile(r, "acme", 8, b"{}"), cache.pin_profile(r, "acme", 8)),
        {"RB201"},
    ),
    ("a lock without timeout", lambda r: locks.hold_forever(r, "acme", 1), {"RB201"}),
    ("job status owned by Redis", lambda r: jobs.mark_done(r, "acme", 42), {"RB101", "RB201"}),
    ("job status read from Redis", lambda r: jobs.job_status(r, "acme", 42), {"RB102"}),
    ("legacy RQ enqueue", lambda r: legacy.send_report(r, 5), {"RB103"}),
]


def main() -> int:
    policy = default_policy()
    current: list[Judge] = []

    def sink(event: CommandEvent) -> None:
        if current:
            current[0].feed(event)

    recorder = Recorder(sink, rootdir=Path.cwd())
    recorder.install()
    failures = 0
    try:
        for name, run, expected in SCENARIOS:
            client = fakeredis.FakeRedis(server=fakeredis.FakeServer(version=(7, 0)))
            judge = Judge(policy, test=name)
            current[:] = [judge]
            run(client)
            judge.finish(time.time() * 1000)
            current.clear()
            found = judge.findings()
            rules = {f.rule for f in found}
            ok = rules == expected
            failures += not ok
            status = "ok " if ok else "BAD"
            print(f"{status} {name}: {judge.calls} calls, rules {sorted(rules) or '-'}")
            for finding in found:
                print(f"      {finding.line()}")
    finally:
        recorder.uninstall()
    passed = len(SCENARIOS) - failures
    print(f"redis-boundary demo: {passed} of {len(SCENARIOS)} scenarios as expected")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
