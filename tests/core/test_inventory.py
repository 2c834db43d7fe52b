"""The key inventory's tallies, merging and validation (core.inventory)."""

from __future__ import annotations

from typing import Any

from pytest_redis_boundary.core.events import CallSite
from pytest_redis_boundary.core.inventory import (
    InventoryEntry,
    describe_key,
    entry_problem,
    merge_entries,
)
from pytest_redis_boundary.core.inventory_tally import InventoryTally
from pytest_redis_boundary.core.policy import parse_policy

POLICY = """
version: 1
tenant: {key_patterns: ["t:{tenant}:*"]}
classes:
  cache: {keys: ["t:{tenant}:cache:*"], max_ttl_seconds: 300}
"""


def tally_of(commands: list[tuple[str, str, bool, bool, CallSite | None]]) -> InventoryTally:
    policy = parse_policy(POLICY, "redis-boundary.yaml")
    tally = InventoryTally(lambda key: describe_key(policy, key))
    for key, command, read, write, site in commands:
        tally.note(key, command, read, write, site)
    return tally


def test_keys_of_one_shape_are_one_entry_with_their_counts_and_sites() -> None:
    here, there = CallSite("app/cache.py", 9, "get"), CallSite("app/cache.py", 30, "put")
    tally = tally_of(
        [
            ("t:acme:cache:1", "GET", True, False, here),
            ("t:beta:cache:2", "SET", False, True, there),
            ("t:acme:job:7", "HSET", False, True, here),
        ]
    )
    # what is left of EX 120 when the test ended: whole seconds, rounded up, whenever it ended
    tally.note_ttl("t:beta:cache:2", 119.998)
    tally.note_ttl("t:acme:job:7", None)
    cache, job = tally.entries()
    assert cache == InventoryEntry(
        shape="t:{tenant}:cache:*",
        key_class="cache",
        writes=1,
        reads=1,
        tenant=True,
        max_ttl_seconds=120,
        persistent=False,
        commands=("GET", "SET"),
        sites=("app/cache.py:9", "app/cache.py:30"),
        tests=1,
    )
    assert (job.shape, job.key_class, job.persistent, job.max_ttl_seconds) == (
        "t:{tenant}:job:*",
        "business",
        True,
        None,
    )


def test_an_entry_lists_the_first_five_sites_in_file_and_line_order() -> None:
    sites = [CallSite("app/a.py", line, "f") for line in (120, 3, 40, 9, 77, 2, 15)]
    tally = tally_of([("t:acme:cache:1", "GET", True, False, site) for site in sites])
    (entry,) = tally.entries()
    assert entry.sites == tuple(f"app/a.py:{n}" for n in (2, 3, 9, 15, 40))


def entry(**fields: Any) -> InventoryEntry:
    base: dict[str, Any] = {
        "shape": "cache:*",
        "key_class": "cache",
        "writes": 1,
        "reads": 0,
        "tenant": False,
        "max_ttl_seconds": 60.0,
        "persistent": False,
        "commands": ("SET",),
        "sites": ("app/a.py:1",),
        "tests": 1,
    }
    return InventoryEntry(**{**base, **fields})


def test_merging_sums_counts_and_does_not_depend_on_order() -> None:
    a = entry(sites=("app/a.py:10",), max_ttl_seconds=None, persistent=True)
    b = entry(commands=("GET",), reads=4, sites=("app/a.py:2",), max_ttl_seconds=30.0)
    c = entry(shape="alpha:*", key_class=None)
    d = entry(key_class="business")
    forward = merge_entries([[a, c], [b], [d]])
    backward = merge_entries([[d], [b], [c, a]])
    assert forward == backward
    assert [e.shape for e in forward] == ["alpha:*", "cache:*"]
    merged = forward[1]
    assert (merged.writes, merged.reads, merged.tests) == (3, 4, 3)
    assert merged.commands == ("GET", "SET")
    assert merged.sites == ("app/a.py:1", "app/a.py:2", "app/a.py:10")
    assert (merged.max_ttl_seconds, merged.persistent) == (60.0, True)
    assert merged.key_class == "business"  # what needs a decision first


def test_an_entry_survives_its_json_and_a_broken_one_is_named() -> None:
    good = entry().to_json()
    assert entry_problem(good) is None
    assert InventoryEntry.from_json(good) == entry()
    assert entry_problem({**good, "writes": -1}) == ".writes: expected an integer >= 0."
    assert entry_problem({**good, "tenant": "yes"}) == ".tenant: expected true or false."
    assert entry_problem({**good, "sites": "app/a.py:1"}) == ".sites: expected a list of strings."
    assert entry_problem([]) == ": expected an object."
