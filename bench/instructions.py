"""Instructions the plugin adds per Redis command, counted by valgrind: exact and repeatable.

Run: .venv/bin/python bench/instructions.py [--small 4000] [--large 12000]
     (needs ``valgrind``: ``apt-get install -y valgrind``)

Wall-time ratios swing by several percent between identical runs on a shared machine; the
number of instructions a run executes does not. Each variant runs the fakeredis workload of
``bench/plugin.py`` (SET EX, GET, EXPIRE, EXISTS over 1,000 keys) under
``valgrind --tool=callgrind`` twice, with ``--small`` and ``--large`` commands and the same
``PYTHONHASHSEED``; the difference divided by the difference in commands is the cost of one
command, without start-up and imports. The figure is the mean over ``--seeds``:

* ``base``: fakeredis alone;
* ``recorder``: the recorder installed, its commands dropped (capture and call sites only);
* ``plugin``: the recorder feeding a test's ``Recording`` (judging, held in batches).

Instructions are not time: the plugin's code runs between long stretches of fakeredis's, with
colder CPU caches, so its share of the wall time is larger than its share of instructions.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

VARIANTS = ("base", "recorder", "plugin")


def workload(variant: str, commands: int) -> None:
    """The commands ``bench/plugin.py`` times, with the plugin's parts set up by hand."""
    import fakeredis
    from workload import cache_traffic  # bench/, first on the path of a script run from it

    from pytest_redis_boundary.core.policy import default_policy
    from pytest_redis_boundary.pytest_plugin.recording import Recording
    from pytest_redis_boundary.recorder.hooks import Recorder

    recorder = Recorder(lambda event: None, rootdir=os.getcwd())
    recording = None
    if variant != "base":
        recorder.install()
        recorder.set_parts_sink(lambda *parts: None)
    if variant == "plugin":
        recording = Recording("bench::instructions", default_policy())
        recording.phase = "call"
        recorder.set_parts_sink(recording.feed_parts)
    client = fakeredis.FakeRedis(server=fakeredis.FakeServer(version=(7, 0)))
    cache_traffic(client, commands)
    if recording is not None:
        recording.finish_call(time.time() * 1000.0, None)
    recorder.uninstall()


def _count(variant: str, commands: int, out: str, seed: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={out}",
            sys.executable,
            __file__,
            "--inner",
            variant,
            str(commands),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # Both runs of a pair start alike only with the same hash seed: another seed moves
        # start-up (imports, dictionary layouts) by millions of instructions.
        env={**os.environ, "PYTHONHASHSEED": str(seed)},
    )


def _total(out: str) -> int:
    with open(out, encoding="utf-8") as handle:
        for line in handle:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise SystemExit(f"bench/instructions.py: no instruction total in {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=4_000)
    parser.add_argument("--large", type=int, default=12_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--inner", nargs=2, metavar=("VARIANT", "COMMANDS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        workload(args.inner[0], int(args.inner[1]))
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("bench/instructions.py needs valgrind: apt-get install -y valgrind")
    per_command: dict[str, float] = {}
    per_seed: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for variant in VARIANTS:
            counts = []
            for seed in args.seeds:
                outs = [
                    os.path.join(tmp, f"{variant}.{n}.{seed}.out") for n in (args.small, args.large)
                ]
                runs = [
                    _count(variant, n, out, seed)
                    for n, out in zip((args.small, args.large), outs, strict=True)
                ]
                for run in runs:
                    if run.wait() != 0:
                        raise SystemExit(f"bench/instructions.py: the {variant} run failed")
                small, large = (_total(out) for out in outs)
                counts.append((large - small) / (args.large - args.small))
            per_command[variant] = sum(counts) / len(counts)
            per_seed[variant] = counts
    base = per_command["base"]
    print(
        f"instructions per command, fakeredis workload ({args.large - args.small:,} commands, "
        f"mean over hash seeds {', '.join(map(str, args.seeds))}):"
    )
    for variant in VARIANTS:
        added = per_command[variant] - base
        extra = f"  (+{added:,.0f}, {per_command[variant] / base:.3f}x)" if added else ""
        seeds = ", ".join(
            f"{count - base_count:+,.0f}" if variant != "base" else f"{count:,.0f}"
            for count, base_count in zip(per_seed[variant], per_seed["base"], strict=True)
        )
        print(f"  {variant:<9} {per_command[variant]:>10,.0f}{extra}  per seed: {seeds}")


if __name__ == "__main__":
    main()
