"""The command table: key positions and read/write flags of every command of a real server.

``command_table.json`` is generated from a real server's ``COMMAND INFO`` key specifications
(``scripts/gen_command_table.py``) and read once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = [
    "CommandInfo",
    "KeySpec",
    "command_table",
    "table_version",
]


@dataclass(frozen=True, slots=True)
class KeySpec:
    index: int  # begin-search index; 0 when a keyword search is used
    keyword: str | None
    startfrom: int
    lastkey: int  # range find
    keystep: int
    limit: int
    keynumidx: int  # keynum find (-1: range find)
    firstkey: int
    read: bool
    write: bool


@dataclass(frozen=True, slots=True)
class CommandInfo:
    name: str
    flags: frozenset[str]
    specs: tuple[KeySpec, ...]
    has_subcommands: bool


def _spec(raw: dict[str, Any]) -> KeySpec | None:
    begin, find, flags = raw["begin"], raw["find"], set(raw["flags"])
    if "unknown" in begin or "unknown" in find or "not_key" in flags:
        return None  # not_key: a shard channel (SPUBLISH), routed like a key but not one
    write = bool(flags & {"OW", "RM", "update", "insert", "delete"})
    read = "access" in flags  # the value is read (EXISTS, TTL, TYPE only look at the key)
    return KeySpec(
        index=begin.get("index", 0),
        keyword=begin.get("keyword"),
        startfrom=begin.get("startfrom", 0),
        lastkey=find.get("lastkey", 0),
        keystep=find.get("keystep", 1),
        limit=find.get("limit", 0),
        keynumidx=find.get("keynumidx", -1),
        firstkey=find.get("firstkey", 0),
        read=read,
        write=write,
    )


def _info(name: str, raw: dict[str, Any]) -> CommandInfo:
    specs = tuple(s for s in (_spec(r) for r in raw["key_specs"]) if s is not None)
    return CommandInfo(name, frozenset(raw["flags"]), specs, bool(raw.get("subcommands")))


@lru_cache(maxsize=1)
def command_table() -> dict[str, CommandInfo]:
    """Every command (and ``"PARENT SUB"`` subcommand) of the server the table came from."""
    raw = json.loads(
        resources.files(__package__).joinpath("command_table.json").read_text(encoding="utf-8")
    )
    table: dict[str, CommandInfo] = {}
    for name, entry in raw["commands"].items():
        table[name] = _info(name, entry)
        for sub, sub_entry in entry.get("subcommands", {}).items():
            table[sub] = _info(sub, sub_entry)
    return table


def table_version() -> str:
    raw = json.loads(
        resources.files(__package__).joinpath("command_table.json").read_text(encoding="utf-8")
    )
    return str(raw["redis_version"])
