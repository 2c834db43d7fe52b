"""What one command touches: its keys (read or written) and field names, never a value."""

from __future__ import annotations

from typing import NamedTuple

__all__ = [
    "CommandUse",
    "KeyUse",
]


KeyUse = tuple[str, bool, bool]
"""(key, read, write): a bare tuple, not a NamedTuple. The engine keeps one per key and command
name, and the garbage collector stops walking a tuple of strings and booleans after its first
look, while it walks every instance of a tuple subclass on every full collection."""


# A NamedTuple, not a frozen dataclass: one is built for every recorded command, and a frozen
# dataclass's __init__ costs several times more.
class CommandUse(NamedTuple):
    """The keys and field names one command touches. Never holds a value."""

    name: str
    keys: tuple[KeyUse, ...]
    fields_written: tuple[tuple[str, str], ...] = ()
    fields_read: tuple[tuple[str, str], ...] = ()
    known: bool = True  # the command is in the table (or curated)
    declared_only: bool = False  # script keys: the script's own commands say what it does
