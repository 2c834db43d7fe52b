"""Plugin overhead: one workload with and without the plugin (and under OpenTelemetry), in one
process, as a ratio of the time the test's own Redis loop takes.

Run: .venv/bin/python bench/plugin.py [--commands 200000] [--rounds 3] [--url redis://...]
     (``make bench`` installs the ``bench`` extra: opentelemetry-instrumentation-redis)

Each round runs the same generated test under ``pytest.main`` three times, in turn:
``-p no:redis_boundary`` (baseline), with the plugin, and with the plugin off but
``opentelemetry-instrumentation-redis`` instrumenting redis-py. The test times only its loop
(pytest's start-up is not counted) and writes the seconds to a file. The minimum over rounds is
reported. ``--memory`` instead runs 1,000,000 commands over 1,000 keys in one test, with and
without the plugin, and reports how much resident memory grew after the first 10,000 commands.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

WORKLOAD = textwrap.dedent(
    """
    import os
    import time

    import fakeredis
    import redis


    def _rss():
        # Resident memory now (not the peak): /proc/self/statm counts pages.
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


    def _client():
        url = os.environ.get("BENCH_REDIS_URL")
        if url:
            return redis.Redis.from_url(url)
        return fakeredis.FakeRedis(server=fakeredis.FakeServer(version=(7, 0)))


    def test_workload():
        commands = int(os.environ["BENCH_COMMANDS"])
        client = _client()
        instrumentor = None
        if os.environ.get("BENCH_OTEL"):
            from opentelemetry.instrumentation.redis import RedisInstrumentor

            instrumentor = RedisInstrumentor()
            instrumentor.instrument()
        try:
            keys = [f"t:acme:cache:item:{i}" for i in range(1000)]
            warm = min(10_000, commands // 10)
            start = time.perf_counter()
            rss_after_warmup = 0
            for i in range(commands // 4):
                key = keys[i % 1000]
                client.set(key, b"v" * 16, ex=300)
                client.get(key)
                client.expire(key, 300)
                client.exists(key)
                if i * 4 == warm:
                    rss_after_warmup = _rss()
            elapsed = time.perf_counter() - start
            rss_end = _rss()
            client.delete(*keys)
        finally:
            if instrumentor is not None:
                instrumentor.uninstrument()
        with open(os.environ["BENCH_OUT"], "w") as out:
            out.write(f"{elapsed} {rss_after_warmup} {rss_end}")
    """
)


def _run(
    folder: Path, commands: int, *, plugin: bool, otel: bool, url: str | None
) -> tuple[float, int]:
    out = folder / "result.txt"
    os.environ.update(BENCH_COMMANDS=str(commands), BENCH_OUT=str(out))
    os.environ.pop("BENCH_OTEL", None)
    os.environ.pop("BENCH_REDIS_URL", None)
    if otel:
        os.environ["BENCH_OTEL"] = "1"
    if url:
        os.environ["BENCH_REDIS_URL"] = url
    args = ["-q", "-p", "no:cacheprovider", "-p", "no:randomly", str(folder / "test_workload.py")]
    if not plugin:
        args[0:0] = ["-p", "no:redis_boundary"]
    code = pytest.main(args)
    if code != 0:
        raise SystemExit(f"workload run failed with exit code {code} ({args})")
    elapsed, before, after = out.read_text().split()
    return float(elapsed), int(after) - int(before)


def _has_otel() -> bool:
    try:
        import opentelemetry.instrumentation.redis  # noqa: F401
    except ImportError:
        return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--url", help="a real redis-server instead of fakeredis")
    parser.add_argument("--memory", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "test_workload.py").write_text(WORKLOAD)
        backend = args.url or "fakeredis"
        if args.memory:
            _, grown = _run(folder, 1_000_000, plugin=True, otel=False, url=args.url)
            _, base = _run(folder, 1_000_000, plugin=False, otel=False, url=args.url)
            print(
                f"memory ({backend}): resident memory grew {grown / 1e6:.1f} MB with the plugin, "
                f"{base / 1e6:.1f} MB without, over 1,000,000 commands on 1,000 keys"
            )
            return 0
        otel = _has_otel()
        times: dict[str, list[float]] = {"baseline": [], "plugin": [], "otel": []}
        for _ in range(args.rounds):
            times["baseline"].append(
                _run(folder, args.commands, plugin=False, otel=False, url=args.url)[0]
            )
            times["plugin"].append(
                _run(folder, args.commands, plugin=True, otel=False, url=args.url)[0]
            )
            if otel:
                times["otel"].append(
                    _run(folder, args.commands, plugin=False, otel=True, url=args.url)[0]
                )
        base = min(times["baseline"])
        per_command = base / args.commands * 1e6
        print(f"backend {backend}: {args.commands:,} commands, best of {args.rounds} rounds")
        print(f"  without plugin: {base:.3f} s ({per_command:.1f} us/command)")
        plugin = min(times["plugin"])
        print(f"  with plugin:    {plugin:.3f} s  ratio {plugin / base:.3f}")
        if otel:
            traced = min(times["otel"])
            print(f"  opentelemetry:  {traced:.3f} s  ratio {traced / base:.3f}")
        else:
            print("  opentelemetry-instrumentation-redis not installed (pip install -e '.[bench]')")
    return 0


if __name__ == "__main__":
    sys.exit(main())
