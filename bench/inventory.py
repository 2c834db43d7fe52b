"""Inventory memory: what the key inventory holds for one test that sends 1,000,000 commands over
100,000 distinct keys of 50 shapes.

Run: .venv/bin/python bench/inventory.py [--commands 1000000] [--keys 100000] [--shapes 50]
     (``PYTHONPATH=build/compiled`` after ``make compiled``: the compiled wheel)

A test's ``InventoryTally`` is fed each command's key as the judge loop feeds it (SET EX, then
GET, from one call site), then each written key's TTL as at the end of the call phase, and its
entries are built. tracemalloc measures the most it held. The keys are the application's and
built before measuring, and so are the policy's memos of each key, which the judge fills (and
the inventory shares) before the inventory sees a key. Run for ``--keys`` and for twice as
many: the inventory must grow with the shapes, not with the keys or the commands; the goal is
under 20 MB.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tracemalloc

from pytest_redis_boundary.build import engine_build
from pytest_redis_boundary.core.events import CallSite
from pytest_redis_boundary.core.inventory import describe_key
from pytest_redis_boundary.core.inventory_tally import InventoryTally
from pytest_redis_boundary.core.policy import default_policy

SITE = CallSite("app/service.py", 42, "handle")
GOAL_MB = 20.0


def held_by_inventory(commands: int, keys: int, shapes: int) -> tuple[int, int]:
    """(the most bytes the tally held during a test's commands and TTLs, entries it reports)."""
    policy = default_policy()
    names = [f"t:tenant{i % 7}:kind{i % shapes}x:{i}" for i in range(keys)]
    for key in names:  # the judge asks the policy about each key first: its memos are not ours
        policy.tenant_of(key)
        policy.classify(key)
        policy.is_business_key(key)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    tally = InventoryTally(lambda key: describe_key(policy, key))
    note = tally.note
    for n in range(commands):
        if n // keys % 2 == 0:
            note(names[n % keys], "SET", False, True, SITE)
        else:
            note(names[n % keys], "GET", True, False, SITE)
    for key in names:
        tally.note_ttl(key, 300.0)
    entries = tally.entries()
    gc.collect()
    held = tracemalloc.get_traced_memory()[1] - before  # the peak: the memo clears when full
    tracemalloc.stop()
    return held, len(entries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=1_000_000)
    parser.add_argument("--keys", type=int, default=100_000)
    parser.add_argument("--shapes", type=int, default=50)
    args = parser.parse_args()
    print(f"engine: {engine_build()}")
    met = True
    for keys in (args.keys, 2 * args.keys):
        held, entries = held_by_inventory(args.commands, keys, args.shapes)
        mb = held / 1e6
        met = met and mb < GOAL_MB
        print(
            f"inventory memory: {mb:.1f} MB for {args.commands:,} commands over {keys:,} keys "
            f"of {entries} shapes (goal: under {GOAL_MB:.0f} MB)"
        )
    print("goal met" if met else "goal NOT met")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
