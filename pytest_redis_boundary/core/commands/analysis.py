"""What one command touches, from its arguments as sent: the engine's entry point to this package.

The commands applications send most (SET, HSET, HGET) and single-key commands that are not curated
take short paths; the rest go through the key specs, the curated rules and the field rules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

from ..cache_limits import SINGLE_KEY_USES_LIMIT
from .arguments import Args, text, upper
from .argv import split_argv
from .fields import (
    HASH_READS,
    HASH_WRITES,
    STRING_VALUE_WRITES,
    json_field_names,
    json_fields,
    string_fields,
)
from .keys import json_keys, merge_uses, narrow, single_key_plan, sort_keys, table_keys
from .names import SCRIPT_COMMANDS
from .table import command_table
from .use import CommandUse, KeyUse

__all__ = [
    "analyse",
    "analyse_argv",
    "curated_names",
]


_EMPTY: tuple[Any, ...] = ()

# (name, key as sent) -> the CommandUse of a single-key command that is not curated.
_SINGLE_KEY_USES: dict[tuple[str, str | bytes], CommandUse] = {}


def analyse_argv(name: str, argv: Sequence[object]) -> CommandUse:
    """The keys and fields of one command, from its canonical name and split argv."""
    plan = single_key_plan(name)
    if plan is not None:
        index, reads, writes = plan
        if index >= len(argv):
            return CommandUse(name, ())
        raw = argv[index]
        if name not in _CURATED:
            # Depends on the name and the key only (never a value), and both repeat.
            if not isinstance(raw, (str, bytes)):
                return CommandUse(name, ((text(raw), reads, writes),))
            use = _SINGLE_KEY_USES.get((name, raw))
            if use is None:
                use = CommandUse(name, ((text(raw), reads, writes),))
                if len(_SINGLE_KEY_USES) >= SINGLE_KEY_USES_LIMIT:
                    _SINGLE_KEY_USES.clear()
                _SINGLE_KEY_USES[(name, raw)] = use
            return use
        key = text(raw)
        fast = _FAST.get(name)
        if fast is not None:
            return fast(key, argv)
        uses = narrow(name, argv, [(key, reads, writes)])
        return _with_fields(name, argv, tuple(uses))
    info = command_table().get(name)
    if name.startswith("JSON."):
        keys = json_keys(name, argv)
        written, read = json_fields(name, argv)
        return CommandUse(name, merge_uses(keys), tuple(written), tuple(read), known=True)
    if name in ("SORT", "SORT_RO"):
        return CommandUse(name, merge_uses(sort_keys(argv)))
    if info is None and (name in HASH_WRITES or name in HASH_READS) and len(argv) > 1:
        # Hash field-TTL commands of Redis 7.4/8.0: newer than the generated table.
        uses = [(text(argv[1]), name in HASH_READS, name in HASH_WRITES)]
    elif info is None:
        return CommandUse(name, (), known=False)
    else:
        uses = table_keys(info, argv) if info.specs else []
    if name in SCRIPT_COMMANDS:
        return CommandUse(name, merge_uses(uses), declared_only=True)
    if name == "MIGRATE":
        uses = [u for u in uses if u[0]]  # "" stands in for the key when KEYS lists them
    uses = narrow(name, argv, uses)
    return _with_fields(name, argv, merge_uses(uses))


def _with_fields(name: str, argv: Sequence[object], uses: tuple[KeyUse, ...]) -> CommandUse:
    fields_written: tuple[tuple[str, str], ...] = _EMPTY
    fields_read: tuple[tuple[str, str], ...] = _EMPTY
    if len(argv) > 1:
        rule = HASH_WRITES.get(name)
        if rule is not None:
            key = text(argv[1])
            fields_written = tuple((key, f) for f in rule(argv))
        rule = HASH_READS.get(name)
        if rule is not None:
            key = text(argv[1])
            fields_read = tuple((key, f) for f in rule(argv))
        if name in STRING_VALUE_WRITES:
            fields_written = tuple(string_fields(name, argv))
    return CommandUse(name, uses, fields_written, fields_read)


def _is_option(arg: object, option: str) -> bool:
    return isinstance(arg, (str, bytes)) and len(arg) == len(option) and upper(arg) == option


def _fast_set(key: str, argv: Sequence[object]) -> CommandUse:
    # SET's keys and fields only; its TTL effect is keyspace.strings._set's, and fast_judge._set
    # does both for redis-py's shape (why three: see there).
    reads = len(argv) > 3 and any(_is_option(a, "GET") for a in argv[3:])
    names = json_field_names(argv[2]) if len(argv) > 2 else ()
    fields = tuple((key, f) for f in names) if names else _EMPTY
    return CommandUse("SET", ((key, reads, True),), fields)


def _fast_hset(key: str, argv: Sequence[object]) -> CommandUse:
    fields = tuple((key, text(f)) for f in argv[2::2])
    return CommandUse("HSET", ((key, False, True),), fields)


def _fast_hget(key: str, argv: Sequence[object]) -> CommandUse:
    fields = ((key, text(argv[2])),) if len(argv) > 2 else _EMPTY
    return CommandUse("HGET", ((key, True, False),), _EMPTY, fields)


# The commands applications send most, analysed without the general machinery.
_FAST: Final[dict[str, Callable[[str, Sequence[object]], CommandUse]]] = {
    "SET": _fast_set,
    "HSET": _fast_hset,
    "HGET": _fast_hget,
}


# Commands whose analysis needs more than the key spec: fields, narrowed flags, special keys.
_CURATED: Final = frozenset(
    {
        *HASH_WRITES,
        *HASH_READS,
        *STRING_VALUE_WRITES,
        *SCRIPT_COMMANDS,
        "SET",
        "GETEX",
        "HGETEX",
        "BITFIELD",
        "PFCOUNT",
        "XREADGROUP",
        "MIGRATE",
        "SORT",
        "SORT_RO",
    }
)


def curated_names() -> frozenset[str]:
    """Commands whose analysis needs more than their key spec (fields, narrowed flags)."""
    return _CURATED


def analyse(args: Args) -> CommandUse:
    """The keys and fields of one command as a client sent it (``args[0]`` is the name)."""
    if not args:
        return CommandUse("", (), known=False)
    name, argv = split_argv(args)
    return analyse_argv(name, argv)
