"""The benchmark table: whole pytest runs of each workload under each variant, as a user runs them.

Run: .venv/bin/python bench/run.py [--quick] [--rounds 5] [--commands 40000] [--url redis://...]
     [--json PATH]   (``make bench`` builds the compiled engine and installs the ``bench`` extra)

Every figure is a whole ``python -m pytest`` process timed from outside, start-up included, so it
is what a user waits for. Variants: ``off`` (``-p no:redis_boundary``), ``pure`` (the plugin on
the source tree), ``compiled`` (the plugin from ``build/compiled``, the wheel users install) and
``otel`` (the plugin off, OpenTelemetry's redis instrumentation exporting spans to memory: what
teams already pay for tracing, on the same workload). Each round runs every variant once, in an
order rotated from round to round, so a machine that slowly speeds up or slows down favours no
variant; a variant's figure is the median over rounds, and its ratio is the median of each
round's own ratio against that round's ``off`` run. Workloads: ``start-up`` (one test that sends
nothing: what the plugin adds before the first test), ``fakeredis`` (cache SET EX/GET and a
pipelined HSET+EXPIRE, ``--commands`` in all) and, with ``--url`` or REDIS_BOUNDARY_TEST_URL, the
same on that redis-server. ``--quick`` (one round, 2,000 commands) keeps the script working in
CI; it asserts nothing about speed. The table goes to stdout and, with the machine's
description, to ``--json`` (default ``build/bench-run.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from importlib import metadata
from pathlib import Path
from typing import Any, NamedTuple

REPO = Path(__file__).resolve().parents[1]
COMPILED = REPO / "build" / "compiled"

WORKLOAD = textwrap.dedent(
    """
    import os

    import fakeredis
    import redis

    COMMANDS = int(os.environ["BENCH_COMMANDS"])
    URL = os.environ.get("BENCH_REDIS_URL")


    def _client():
        if URL:
            return redis.Redis.from_url(URL)
        return fakeredis.FakeRedis(server=fakeredis.FakeServer(version=(7, 0)))


    def test_workload():
        provider = None
        if os.environ.get("BENCH_OTEL"):
            from opentelemetry.instrumentation.redis import RedisInstrumentor
            from opentelemetry.sdk.trace import TracerProvider
            from opentelemetry.sdk.trace.export import SimpleSpanProcessor
            from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
                InMemorySpanExporter,
            )

            provider = TracerProvider()
            provider.add_span_processor(SimpleSpanProcessor(InMemorySpanExporter()))
            RedisInstrumentor().instrument(tracer_provider=provider)
        client = _client()
        # Six commands a round: a cache write and read, then a hash written with its TTL in one
        # pipeline (two commands and the pipeline's round trip), and a read of it.
        for i in range(COMMANDS // 6):
            key = f"t:acme:cache:item:{i % 1000}"
            client.set(key, b"v" * 16, ex=300)
            client.get(key)
            pipe = client.pipeline(transaction=False)
            pipe.hset(f"t:acme:cache:card:{i % 1000}", "name", "v")
            pipe.expire(f"t:acme:cache:card:{i % 1000}", 300)
            pipe.execute()
            client.hget(f"t:acme:cache:card:{i % 1000}", "name")
            client.exists(key)
        client.flushdb()
        if provider is not None:
            RedisInstrumentor().uninstrument()
    """
)

START_UP = "def test_nothing():\n    pass\n"

VARIANTS = ("off", "pure", "compiled", "otel")


class Workload(NamedTuple):
    name: str
    test_file: str
    commands: int
    url: str | None


def _has(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def _variant_problem(variant: str) -> str | None:
    """Why ``variant`` cannot run here (None: it can)."""
    if variant == "compiled" and not COMPILED.is_dir():
        return f"no compiled build in {COMPILED.relative_to(REPO)} (make compiled)"
    if variant == "otel" and not (
        _has("opentelemetry.instrumentation.redis") and _has("opentelemetry.sdk")
    ):
        return "OpenTelemetry not installed (make bench installs the bench extra)"
    return None


def _command(test_file: Path, variant: str) -> tuple[list[str], dict[str, str]]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env.pop("BENCH_OTEL", None)
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"]
    if variant in ("off", "otel"):
        args += ["-p", "no:redis_boundary"]
    if variant == "compiled":
        env["PYTHONPATH"] = str(COMPILED)
    if variant == "otel":
        env["BENCH_OTEL"] = "1"
    return [*args, str(test_file)], env


def _time_run(test_file: Path, variant: str, workload: Workload) -> float:
    """Seconds one whole pytest process takes, from exec to exit."""
    args, env = _command(test_file, variant)
    env["BENCH_COMMANDS"] = str(workload.commands)
    env.pop("BENCH_REDIS_URL", None)
    if workload.url:
        env["BENCH_REDIS_URL"] = workload.url
    began = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(
            f"bench/run.py: the {workload.name} workload failed under {variant} "
            f"(exit {done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    return elapsed


def _machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions: dict[str, str | None] = {}
    for name in ("pytest", "redis", "fakeredis"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "platform": platform.platform(),
        "cpu": model or platform.processor(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        **versions,
    }


def measure(workloads: list[Workload], rounds: int, folder: Path) -> list[dict[str, Any]]:
    variants = [v for v in VARIANTS if _variant_problem(v) is None]
    rows: list[dict[str, Any]] = []
    for workload in workloads:
        test_file = folder / workload.test_file
        seconds: dict[str, list[float]] = {v: [] for v in variants}
        for round_number in range(rounds):
            shift = round_number % len(variants)
            for variant in variants[shift:] + variants[:shift]:
                seconds[variant].append(_time_run(test_file, variant, workload))
        off = seconds["off"]
        for variant in VARIANTS:
            problem = _variant_problem(variant)
            row: dict[str, Any] = {"workload": workload.name, "variant": variant}
            if problem is not None:
                rows.append({**row, "not_run": problem})
                continue
            runs = seconds[variant]
            ratios = [run / base for run, base in zip(runs, off, strict=True)]
            rows.append(
                {
                    **row,
                    "commands": workload.commands,
                    "rounds": rounds,
                    "median_s": statistics.median(runs),
                    "ratio": statistics.median(ratios),
                    "ratio_range": [min(ratios), max(ratios)],
                    "added_ms": (statistics.median(runs) - statistics.median(off)) * 1000,
                }
            )
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| workload | variant | median of whole runs | ratio to off (range) | added |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        if "not_run" in row:
            lines.append(
                f"| {row['workload']} | {row['variant']} | not run: {row['not_run']} | | |"
            )
            continue
        low, high = row["ratio_range"]
        lines.append(
            f"| {row['workload']} | {row['variant']} | {row['median_s']:.3f} s | "
            f"{row['ratio']:.3f}x ({low:.3f}-{high:.3f}) | {row['added_ms']:+.0f} ms |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one round of 2,000 commands")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--commands", type=int, default=40_000)
    parser.add_argument("--url", default=os.environ.get("REDIS_BOUNDARY_TEST_URL"))
    parser.add_argument("--json", type=Path, default=REPO / "build" / "bench-run.json")
    args = parser.parse_args()
    rounds, commands = (1, 2_000) if args.quick else (args.rounds, args.commands)
    if rounds < 1 or commands < 6:
        parser.error("--rounds must be at least 1 and --commands at least 6")
    workloads = [
        Workload("start-up", "test_start_up.py", 0, None),
        Workload("fakeredis", "test_workload.py", commands, None),
    ]
    if args.url:
        workloads.append(Workload("redis-server", "test_workload.py", commands, args.url))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "test_workload.py").write_text(WORKLOAD)
        (folder / "test_start_up.py").write_text(START_UP)
        rows = measure(workloads, rounds, folder)
    machine = _machine()
    print(
        f"{machine['cpu']}, {machine['cores']} cores, {machine['platform']}, Python "
        f"{machine['python']}, pytest {machine['pytest']}, redis-py {machine['redis']}, "
        f"fakeredis {machine['fakeredis']}; medians of {rounds} alternated round(s)"
    )
    print(table(rows))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    partial = args.json.with_name(args.json.name + ".tmp")
    partial.write_text(json.dumps({"machine": machine, "rows": rows}, indent=2) + "\n")
    os.replace(partial, args.json)
    print(f"written: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
