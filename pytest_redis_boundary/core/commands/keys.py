"""Which keys a command touches, read or written: from the table's key specs, narrowed or curated.

Where the table's flags describe the worst case of an optional argument, ``narrow`` fits them to
what this call does; SORT and the RedisJSON commands are curated whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Final

from ..cache_limits import SINGLE_KEY_PLANS_LIMIT
from .arguments import text, upper
from .fields import JSON_WRITES
from .table import CommandInfo, KeySpec, command_table
from .use import KeyUse

__all__ = [
    "json_keys",
    "merge_uses",
    "narrow",
    "single_key_plan",
    "sort_keys",
    "spec_keys",
    "table_keys",
]


def spec_keys(spec: KeySpec, argv: Sequence[object]) -> list[str]:
    argc = len(argv)
    if spec.keyword is None:
        first = spec.index
    else:
        start = spec.startfrom if spec.startfrom > 0 else argc + spec.startfrom
        end = argc - 1 if spec.startfrom > 0 else 0
        step = 1 if start <= end else -1
        first = -1
        i = start
        while i != end and 1 <= i < argc:
            if upper(argv[i]) == spec.keyword:
                first = i + 1
                break
            i += step
        if first < 0:
            return []
    if first >= argc:
        return []
    if spec.keynumidx >= 0:
        try:
            numkeys = int(text(argv[first + spec.keynumidx]))
        except (IndexError, ValueError):
            return []
        first = first + spec.firstkey
        last = first + (numkeys - 1) * spec.keystep
    elif spec.lastkey >= 0:
        last = first + spec.lastkey
    elif spec.limit == 0:
        last = argc + spec.lastkey
    else:
        last = first + ((argc - first) // spec.limit + spec.lastkey)
    step = max(spec.keystep, 1)
    return [text(argv[i]) for i in range(first, min(last, argc - 1) + 1, step)]


def table_keys(info: CommandInfo, argv: Sequence[object]) -> list[KeyUse]:
    uses: list[KeyUse] = []
    for spec in info.specs:
        for key in spec_keys(spec, argv):
            uses.append((key, spec.read, spec.write))
    return uses


def merge_uses(uses: list[KeyUse]) -> tuple[KeyUse, ...]:
    if len(uses) < 2:
        return tuple(uses)
    merged: dict[str, KeyUse] = {}
    for use in uses:
        key, read, write = use
        seen = merged.get(key)
        merged[key] = use if seen is None else (key, seen[1] or read, seen[2] or write)
    return tuple(merged.values())


def sort_keys(argv: Sequence[object]) -> list[KeyUse]:
    if len(argv) < 2:
        return []
    uses = [(text(argv[1]), True, False)]
    for i in range(2, len(argv) - 1):
        if upper(argv[i]) == "STORE":
            uses.append((text(argv[i + 1]), False, True))
            break
    return uses


def json_keys(name: str, argv: Sequence[object]) -> list[KeyUse]:
    if len(argv) < 2:
        return []
    if name == "JSON.MGET":
        return [(text(k), True, False) for k in argv[1:-1]]
    if name == "JSON.MSET":
        return [(text(argv[i]), False, True) for i in range(1, len(argv) - 2, 3)]
    write = name in JSON_WRITES
    return [(text(argv[1]), not write or name == "JSON.ARRPOP", write)]


# Where the table's flags describe the worst case of an optional argument, narrow them to what
# this call does: SET reads only with GET, GETEX and BITFIELD write only with their options.
def narrow(name: str, argv: Sequence[object], uses: list[KeyUse]) -> list[KeyUse]:
    if name == "SET":
        reads = any(upper(a) == "GET" for a in argv[3:])
        return [(key, reads, True) for key, _, _ in uses]
    if name == "GETEX":
        writes = len(argv) > 2
        return [(key, True, writes) for key, _, _ in uses]
    if name == "BITFIELD":
        writes = any(upper(a) in ("SET", "INCRBY") for a in argv[2:])
        return [(key, True, writes) for key, _, _ in uses]
    if name == "HGETEX":
        options = {upper(a) for a in argv[2:] if isinstance(a, (str, bytes))}
        writes = bool(options & {"EX", "PX", "EXAT", "PXAT", "PERSIST"})
        return [(key, True, writes) for key, _, _ in uses]
    if name == "PFCOUNT":
        return [(key, True, False) for key, _, _ in uses]
    if name == "XREADGROUP":
        return [(key, True, True) for key, _, _ in uses]
    return uses


@lru_cache(maxsize=SINGLE_KEY_PLANS_LIMIT)
def single_key_plan(name: str) -> tuple[int, bool, bool] | None:
    """(index, read, write) for the many commands whose only key sits at a fixed index: they
    skip the general key-spec walk."""
    info = command_table().get(name)
    if info is None or len(info.specs) != 1 or name in ("SORT", "SORT_RO", "MIGRATE"):
        return None
    spec = info.specs[0]
    if spec.keyword is not None or spec.keynumidx >= 0 or spec.lastkey != 0:
        return None
    # The table flags TTL/PTTL as value access; they read the key's expiry, not its value.
    read = spec.read and name not in _EXPIRY_READS
    return spec.index, read, spec.write


_EXPIRY_READS: Final = frozenset({"TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"})
