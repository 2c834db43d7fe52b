"""Plugin overhead: one workload with and without the plugin (and under OpenTelemetry), in one
process, as a ratio of the time the test's own Redis loop takes.

Run: .venv/bin/python bench/plugin.py [--commands 100000] [--rounds 7] [--url redis://...]
     (``PYTHONPATH=build/compiled`` after ``make compiled``: the compiled wheel users install)
     (``make bench`` installs the ``bench`` extra: opentelemetry-instrumentation-redis)

Each round runs the same generated test under ``pytest.main`` three times (every other round
in reverse order): ``-p no:redis_boundary`` (baseline), with the plugin, and with the plugin off
but ``opentelemetry-instrumentation-redis`` instrumenting redis-py. The test times only its loop
(pytest's start-up is not counted), in wall time and in this process's CPU time, and the fastest
of the loop's chunks of 1,000 commands, and writes them to a file. The minimum over rounds is
reported: the wall-time ratio, and the CPU time the instrumentation added per command, which
against the baseline's wall time per command estimates the ratio without the noise of the server
and the network (on a real server the wall ratio swings by several percent between identical
runs). Each round's own ratio (against the same round's baseline run) is printed too, as a
median and a range: on a shared machine one round can be 20% off. So is each round's ratio of
its fastest chunks: a pause of the machine (another tenant's burst, the host's scheduler) slows
the chunks it falls on, not the fastest one, so this median moves least between runs.
``--memory`` instead runs 1,000,000 commands over 1,000 keys in one test, with and without the
plugin, and reports how much resident memory grew after the first 10,000 commands.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import NamedTuple

import pytest

from pytest_redis_boundary.build import engine_build

WORKLOAD = textwrap.dedent(
    """
    import os
    import time

    import fakeredis
    import redis
    from workload import KEYS, cache_traffic  # copied beside this file by bench/plugin.py


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
            warm = min(10_000, commands // 10)
            chunk = int(os.environ["BENCH_CHUNK"])
            start = time.perf_counter()
            cpu_start = time.process_time()
            cache_traffic(client, warm)
            rss_after_warmup = _rss()
            fastest = float("inf")
            for first in range(warm, commands - chunk + 1, chunk):
                began = time.perf_counter()
                cache_traffic(client, chunk, first=first)
                fastest = min(fastest, time.perf_counter() - began)
            done = warm + (commands - warm) // chunk * chunk
            cache_traffic(client, commands - done, first=done)
            elapsed = time.perf_counter() - start
            cpu = time.process_time() - cpu_start
            rss_end = _rss()
            client.delete(*KEYS)
        finally:
            if instrumentor is not None:
                instrumentor.uninstrument()
        with open(os.environ["BENCH_OUT"], "w") as out:
            out.write(f"{elapsed} {cpu} {fastest} {rss_after_warmup} {rss_end}")
    """
)


class Run(NamedTuple):
    wall: float  # seconds, the test's whole loop
    cpu: float  # this process's CPU seconds in that loop
    fastest: float  # seconds, the fastest of the loop's chunks of CHUNK commands
    grown: int  # resident memory growth after the warm-up, bytes


CHUNK = 1_000


def _run(folder: Path, commands: int, *, plugin: bool, otel: bool, url: str | None) -> Run:
    """One run of the test under ``pytest.main``, timed by the test itself."""
    out = folder / "result.txt"
    os.environ.update(BENCH_COMMANDS=str(commands), BENCH_OUT=str(out), BENCH_CHUNK=str(CHUNK))
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
    elapsed, cpu, fastest, before, after = out.read_text().split()
    return Run(float(elapsed), float(cpu), float(fastest), int(after) - int(before))


def _spread(what: str, ratios: list[float]) -> None:
    """Prints the median and range of one ratio per round."""
    ratios.sort()
    print(
        f"{'':20}{what}: median {statistics.median(ratios):.3f}, "
        f"from {ratios[0]:.3f} to {ratios[-1]:.3f}"
    )


def _has_otel() -> bool:
    try:
        import opentelemetry.instrumentation.redis  # noqa: F401
    except ImportError:
        return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--url", help="a real redis-server instead of fakeredis")
    parser.add_argument("--memory", action="store_true")
    args = parser.parse_args()
    if args.commands < 2 * CHUNK:
        parser.error(f"--commands must be at least {2 * CHUNK:,}: a run times chunks of {CHUNK:,}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "test_workload.py").write_text(WORKLOAD)
        shutil.copy(Path(__file__).with_name("workload.py"), folder / "workload.py")
        backend = args.url or "fakeredis"
        if args.memory:
            grown = _run(folder, 1_000_000, plugin=True, otel=False, url=args.url).grown
            base = _run(folder, 1_000_000, plugin=False, otel=False, url=args.url).grown
            print(
                f"memory ({backend}): resident memory grew {grown / 1e6:.1f} MB with the plugin, "
                f"{base / 1e6:.1f} MB without, over 1,000,000 commands on 1,000 keys"
            )
            return 0
        otel = _has_otel()
        runs: dict[str, list[Run]] = {"baseline": [], "plugin": [], "otel": []}
        labels = ["baseline", "plugin", "otel"] if otel else ["baseline", "plugin"]
        for round_number in range(args.rounds):
            # Every other round in reverse order: a machine slowly speeding up or slowing down
            # favours neither run of a pair.
            for label in labels if round_number % 2 == 0 else labels[::-1]:
                runs[label].append(
                    _run(
                        folder,
                        args.commands,
                        plugin=label == "plugin",
                        otel=label == "otel",
                        url=args.url,
                    )
                )
        baseline = runs["baseline"]
        base_wall = min(run.wall for run in baseline)
        base_cpu = min(run.cpu for run in baseline)
        per_command = base_wall / args.commands * 1e6
        print(
            f"backend {backend}: {args.commands:,} commands, best of {args.rounds} rounds, "
            f"engine {engine_build()}"
        )
        print(f"  without plugin: {base_wall:.3f} s ({per_command:.1f} us/command)")
        for label, name in (("plugin", "with plugin:   "), ("otel", "opentelemetry: ")):
            if not runs[label]:
                print(
                    "  opentelemetry-instrumentation-redis not installed (make bench installs it)"
                )
                continue
            wall = min(run.wall for run in runs[label])
            added = (min(run.cpu for run in runs[label]) - base_cpu) / args.commands * 1e6
            # The added work is the client's CPU: against the baseline's wall time per command
            # it estimates the ratio without the server's and the network's noise.
            print(
                f"  {name} {wall:.3f} s  ratio {wall / base_wall:.3f}; "
                f"CPU added {added:.1f} us/command, estimated ratio {1 + added / per_command:.3f}"
            )
            # Each round's own ratio (its run against the round's baseline run) shows how much
            # the machine's noise moves one measurement.
            _spread(
                "one round against its own baseline",
                [run.wall / base.wall for run, base in zip(runs[label], baseline, strict=True)],
            )
            # The same with each run's fastest chunk: a pause of the machine that slows some
            # chunks of a run leaves its fastest chunk as it was.
            _spread(
                f"fastest {CHUNK:,}-command chunk against the round's baseline",
                [
                    run.fastest / base.fastest
                    for run, base in zip(runs[label], baseline, strict=True)
                ],
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
