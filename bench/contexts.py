"""What naming the endpoint behind each command costs, on a FastAPI TestClient workload.

Run: .venv/bin/python bench/contexts.py [--rounds 7] [--requests 1500] [--compiled]

Whole ``python -m pytest`` processes, timed from outside, over one test that sends
``--requests`` requests through FastAPI's TestClient to an endpoint that reads and writes a
tenant cache on fakeredis (a GET, a SET with EX and a pipelined HSET+EXPIRE per request).
Variants: ``off`` (``-p no:redis_boundary``), ``plugin`` (as users run it: the endpoint hook on,
every command stamped with its context) and ``no-contexts`` (the plugin with its context hooks
kept off by the benchmark's own conftest: the plugin's cost without contexts). Each round runs
the three in an order rotated from round to round; a figure is the median over rounds, a ratio
the median of each round's own ratio. ``--compiled`` runs the plugin from ``build/compiled``
(``make compiled``), the wheel users install.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COMPILED = REPO / "build" / "compiled"

APP_TEST = textwrap.dedent(
    """
    import os

    import fakeredis
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    REQUESTS = int(os.environ["BENCH_REQUESTS"])
    cache = fakeredis.FakeRedis(server=fakeredis.FakeServer(version=(7, 0)))
    app = FastAPI()


    @app.get("/tenants/{tenant}/items/{item_id}")
    def item(tenant: str, item_id: int) -> dict[str, int]:
        key = f"t:{tenant}:cache:item:{item_id % 100}"
        hit = cache.get(key)
        if hit is None:
            cache.set(key, b"v" * 16, ex=300)
        pipe = cache.pipeline(transaction=False)
        pipe.hset(f"t:{tenant}:cache:card:{item_id % 100}", "name", "v")
        pipe.expire(f"t:{tenant}:cache:card:{item_id % 100}", 300)
        pipe.execute()
        return {"item": item_id}


    def test_requests():
        with TestClient(app) as client:
            for i in range(REQUESTS):
                assert client.get(f"/tenants/acme/items/{i}").status_code == 200
    """
)

# Keeps the plugin's context hooks off: what the plugin costs without naming contexts.
NO_CONTEXTS_CONFTEST = textwrap.dedent(
    """
    import os

    if os.environ.get("BENCH_NO_CONTEXTS"):
        from pytest_redis_boundary.contexts import ContextHooks

        ContextHooks.hook_imported = lambda self: False
    """
)

VARIANTS = ("off", "plugin", "no-contexts")


def _time_run(folder: Path, variant: str, requests: int, compiled: bool) -> float:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env.pop("BENCH_NO_CONTEXTS", None)
    env["BENCH_REQUESTS"] = str(requests)
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"]
    if variant == "off":
        args += ["-p", "no:redis_boundary"]
    if variant == "no-contexts":
        env["BENCH_NO_CONTEXTS"] = "1"
    if compiled:
        env["PYTHONPATH"] = str(COMPILED)
    began = time.perf_counter()
    done = subprocess.run(
        [*args, str(folder)], env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(
            f"bench/contexts.py: the run failed under {variant} (exit {done.returncode}):\n"
            f"{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--compiled", action="store_true", help="the plugin from build/compiled")
    args = parser.parse_args()
    if args.compiled and not COMPILED.is_dir():
        parser.error(f"no compiled build in {COMPILED} (make compiled)")
    seconds: dict[str, list[float]] = {v: [] for v in VARIANTS}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "test_app.py").write_text(APP_TEST)
        (folder / "conftest.py").write_text(NO_CONTEXTS_CONFTEST)
        for round_number in range(args.rounds):
            shift = round_number % len(VARIANTS)
            for variant in VARIANTS[shift:] + VARIANTS[:shift]:
                seconds[variant].append(_time_run(folder, variant, args.requests, args.compiled))
    build = "compiled" if args.compiled else "pure Python"
    print(
        f"{args.requests} FastAPI TestClient requests (4 commands each), {build} plugin, "
        f"medians of {args.rounds} alternated rounds"
    )
    print("| variant | median of whole runs | ratio to off | ratio to no-contexts |")
    print("| --- | --- | --- | --- |")
    for variant in VARIANTS:
        runs = seconds[variant]
        to_off = statistics.median(
            run / base for run, base in zip(runs, seconds["off"], strict=True)
        )
        to_plain = statistics.median(
            run / base for run, base in zip(runs, seconds["no-contexts"], strict=True)
        )
        print(f"| {variant} | {statistics.median(runs):.3f} s | {to_off:.3f}x | {to_plain:.3f}x |")
    plugin = statistics.median(seconds["plugin"]) - statistics.median(seconds["off"])
    plain = statistics.median(seconds["no-contexts"]) - statistics.median(seconds["off"])
    if plain > 0:
        print(f"the plugin's added time with contexts / without: {plugin / plain:.3f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
