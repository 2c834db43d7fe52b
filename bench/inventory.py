"""Inventory memory: what the key inventory adds to one test that sends 1,000,000 commands over
100,000 distinct keys of 50 shapes.

Run: .venv/bin/python bench/inventory.py [--commands 1000000] [--keys 100000] [--shapes 50]
     (``PYTHONPATH=build/compiled`` after ``make compiled``: the compiled wheel)

One ``Recording`` (the plugin's per-test recorder: engine, call window, site counts and the
inventory) is fed the commands as the recorder's sink feeds them, then its call phase ends (the
TTLs are read into the inventory) and its entries are built, as at the end of a test. tracemalloc
measures what the recording holds after that, in a fresh process per variant: with the
inventory, and with an inventory that notes nothing. The difference is the inventory's own
memory; the goal is under 20 MB, growing with the shapes, not with the commands or the keys.
"""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys
import time
import tracemalloc

from pytest_redis_boundary.build import engine_build
from pytest_redis_boundary.core.events import CallSite
from pytest_redis_boundary.core.inventory import InventoryTally
from pytest_redis_boundary.core.policy import default_policy
from pytest_redis_boundary.pytest_plugin.recording import Recording

SITE = CallSite("app/service.py", 42, "handle")
GOAL_MB = 20.0


class _NoInventory(InventoryTally):
    """The baseline: an inventory that notes nothing."""

    def note(self, key: str, command: str, read: bool, write: bool, site: CallSite | None) -> None:
        pass

    def note_ttl(self, key: str, ttl_seconds: float | None) -> None:
        pass


def _measure(commands: int, keys: int, shapes: int, *, inventory: bool) -> tuple[int, int]:
    """(bytes the recording holds at the end of the test, entries in its inventory)."""
    # Built before measuring: the input is the application's, not the plugin's.
    names = [f"t:tenant{i % 7}:kind{i % shapes}x:{i}" for i in range(keys)]
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    recording = Recording("tests/test_bench.py::test_inventory", default_policy())
    if not inventory:
        recording.inventory = _NoInventory(lambda key: (key, None, False))
    recording.phase = "call"
    feed = recording.feed_parts
    for n in range(commands):
        key = names[n % keys]
        if n // keys % 2 == 0:
            feed(("SET", key, b"v", "EX", 300), b"OK", "fake", 0, 1, SITE, False, None)
        else:
            feed(("GET", key), b"v", "fake", 0, 1, SITE, False, None)
    recording.finish_call(time.time() * 1000.0, None)
    entries = recording.inventory_entries()
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return held, len(entries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=1_000_000)
    parser.add_argument("--keys", type=int, default=100_000)
    parser.add_argument("--shapes", type=int, default=50)
    parser.add_argument("--variant", choices=["inventory", "none"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.variant is not None:
        held, entries = _measure(
            args.commands, args.keys, args.shapes, inventory=args.variant == "inventory"
        )
        print(held, entries)
        return 0
    results: dict[str, tuple[int, int]] = {}
    for variant in ("none", "inventory"):  # each in a fresh process: no cache or memo carries
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                f"--variant={variant}",
                f"--commands={args.commands}",
                f"--keys={args.keys}",
                f"--shapes={args.shapes}",
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        results[variant] = (int(out[0]), int(out[1]))
    added = (results["inventory"][0] - results["none"][0]) / 1e6
    print(f"engine: {engine_build()}")
    print(
        f"inventory memory: {added:.1f} MB for {args.commands:,} commands over {args.keys:,} keys "
        f"of {results['inventory'][1]} shapes (the recording holds "
        f"{results['inventory'][0] / 1e6:.1f} MB with it, {results['none'][0] / 1e6:.1f} MB "
        f"without); goal under {GOAL_MB:.0f} MB: {'met' if added < GOAL_MB else 'NOT met'}"
    )
    return 0 if added < GOAL_MB else 1


if __name__ == "__main__":
    sys.exit(main())
