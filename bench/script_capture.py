"""Script capture on a real server: a test whose script writes large values, plugin on vs off.

Run: .venv/bin/python bench/script_capture.py --url redis://127.0.0.1:6379/0 [--rounds 7]
     [--scripts 5] [--binary]   (or set REDIS_BOUNDARY_TEST_URL; ``PYTHONPATH=build/compiled``
     after ``make compiled``: the compiled wheel users install)

Each round runs one generated test under ``pytest.main`` three ways, in alternating order:
``-p no:redis_boundary`` (``off``), with the plugin (``on``: script capture opens a MONITOR on
the server before the first script and reads it after each script's reply), and without the
plugin but with a bare MONITOR reader in another process (``monitor``: what the server itself
pays while any MONITOR is open, which no client can avoid). The test sends ``--scripts`` times a
script that LPUSHes a 10 kB value 200 times and deletes the list. Reported, as medians over the
rounds of each round's own ratios: the whole ``pytest.main`` run (start-up included) and the
test's script loop, ``on`` against ``off`` and ``on`` against ``monitor`` (the plugin's own
share), and the CPU time this process added per script (the application's thread: parsing what
the MONITOR showed, judging what the scripts ran).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlparse

import pytest
from plugin import _spread  # bench/, first on the path of a script run from it

from pytest_redis_boundary.build import engine_build

WORKLOAD = textwrap.dedent(
    """
    import os
    import time

    import redis

    SCRIPT = (
        "for i = 1, 200 do redis.call('LPUSH', KEYS[1], ARGV[1]) end "
        "redis.call('DEL', KEYS[1]) return 1"
    )


    def test_script_writing_large_values():
        client = redis.Redis.from_url(os.environ["BENCH_REDIS_URL"])
        if os.environ.get("BENCH_BINARY"):
            value = bytes(range(256)) * 40
        else:
            value = os.urandom(5_000).hex().encode()
        start = time.perf_counter()
        cpu_start = time.process_time()
        for _ in range(int(os.environ["BENCH_SCRIPTS"])):
            assert client.eval(SCRIPT, 1, "bench:script:list", value) == 1
        elapsed = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
        client.close()
        with open(os.environ["BENCH_OUT"], "w") as out:
            out.write(f"{elapsed} {cpu}")
    """
)

# A MONITOR client that reads and drops everything, in its own process: the server's share.
MONITOR_READER = textwrap.dedent(
    """
    import socket, sys
    sock = socket.create_connection((sys.argv[1], int(sys.argv[2])))
    sock.sendall(b"MONITOR\\r\\n")
    assert sock.recv(5) == b"+OK\\r\\n"
    print("ready", flush=True)
    while sock.recv(1 << 20):
        pass
    """
)


class Run(NamedTuple):
    whole: float  # seconds, the whole pytest.main call
    loop: float  # seconds, the test's script loop
    cpu: float  # this process's CPU seconds in that loop


def _run(folder: Path, url: str, *, plugin: bool) -> Run:
    out = folder / "result.txt"
    args = ["-q", "-p", "no:cacheprovider", "-p", "no:randomly", str(folder / "test_scripts.py")]
    # warn: the bench key is in no class of the default policy, and judging costs the same.
    args[0:0] = ["--redis-boundary=warn"] if plugin else ["-p", "no:redis_boundary"]
    os.environ["BENCH_OUT"] = str(out)
    began = time.perf_counter()
    code = pytest.main(args)
    whole = time.perf_counter() - began
    if code != 0:
        raise SystemExit(f"workload run failed with exit code {code} ({args})")
    loop, cpu = out.read_text().split()
    return Run(whole, float(loop), float(cpu))


def _with_monitor(folder: Path, url: str) -> Run:
    parsed = urlparse(url)
    reader = subprocess.Popen(
        [sys.executable, "-c", MONITOR_READER, parsed.hostname or "localhost", str(parsed.port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None and reader.stdout.readline().strip() == "ready"
        return _run(folder, url, plugin=False)
    finally:
        reader.kill()
        reader.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("REDIS_BOUNDARY_TEST_URL"))
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--scripts", type=int, default=5)
    parser.add_argument("--binary", action="store_true", help="values of every byte, not hex")
    args = parser.parse_args()
    if not args.url:
        parser.error("a real redis-server is needed: --url or REDIS_BOUNDARY_TEST_URL")
    parsed = urlparse(args.url)
    socket.create_connection((parsed.hostname or "localhost", parsed.port or 6379)).close()
    os.environ.update(BENCH_REDIS_URL=args.url, BENCH_SCRIPTS=str(args.scripts))
    os.environ.pop("BENCH_BINARY", None)
    if args.binary:
        os.environ["BENCH_BINARY"] = "1"
    runs: dict[str, list[Run]] = {"off": [], "on": [], "monitor": []}
    labels = list(runs)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "test_scripts.py").write_text(WORKLOAD)
        _run(folder, args.url, plugin=True)  # warm-up: imports, the server's script cache
        for round_number in range(args.rounds):
            # Alternating order: a machine slowly speeding up or slowing down favours no variant.
            for label in labels if round_number % 2 == 0 else labels[::-1]:
                if label == "monitor":
                    runs[label].append(_with_monitor(folder, args.url))
                else:
                    runs[label].append(_run(folder, args.url, plugin=label == "on"))
    off, on, monitor = runs["off"], runs["on"], runs["monitor"]
    values = "binary" if args.binary else "hex"
    print(
        f"{args.scripts} scripts of 200 LPUSH x 10 kB ({values}) per run, {args.rounds} rounds, "
        f"engine {engine_build()}"
    )
    for label, variant in runs.items():
        print(
            f"  {label:8} whole run median {statistics.median(r.whole for r in variant):.3f} s, "
            f"script loop median {statistics.median(r.loop for r in variant):.3f} s"
        )
    for what, field in (("whole run", "whole"), ("script loop", "loop")):
        print(f"  {what}:")
        pairs = {"on / off": (on, off), "on / monitor": (on, monitor)}
        for name, (these, those) in pairs.items():
            _spread(
                f"{name:12}",
                [getattr(a, field) / getattr(b, field) for a, b in zip(these, those, strict=True)],
            )
    added = statistics.median(a.cpu - b.cpu for a, b in zip(on, monitor, strict=True))
    print(f"  CPU the plugin added per script (on - monitor): {added / args.scripts * 1e3:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
