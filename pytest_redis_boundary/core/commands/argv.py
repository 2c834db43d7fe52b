"""A command's canonical name and its argv as the server sees it (multi-word names split)."""

from __future__ import annotations

from collections.abc import Sequence

from ..cache_limits import COMMAND_HEADS_LIMIT
from .arguments import Args, upper
from .names import HOUSEKEEPING
from .table import command_table

__all__ = [
    "single_word_name",
    "split_argv",
]


# A command's head as sent -> its upper-cased text (b"set" -> "SET"): heads repeat, decoding
# them need not.
_UPPERCASED_HEADS: dict[str | bytes, str] = {}


def single_word_name(head: object) -> str | None:
    """The canonical name of a command sent as ``head`` when its argv needs no splitting (no
    subcommand, no space); "" for housekeeping; None when ``split_argv`` must decide."""
    if not isinstance(head, (str, bytes)):
        return None
    found = _SINGLE_WORD_NAMES.get(head)
    if found is not None:
        return found
    name = upper(head)
    if " " in name:
        return None
    info = command_table().get(name)
    if info is not None and info.has_subcommands:
        return None
    found = "" if name in HOUSEKEEPING else name
    if len(_SINGLE_WORD_NAMES) < COMMAND_HEADS_LIMIT:
        _SINGLE_WORD_NAMES[head] = found
    return found


_SINGLE_WORD_NAMES: dict[str | bytes, str] = {}


def split_argv(args: Args) -> tuple[str, Sequence[object]]:
    """The canonical command name and the argv as the server sees it.

    redis-py sends multi-word names as one argument ("CLIENT SETINFO", "XGROUP CREATE") and
    splits them when packing; key positions refer to the split form.
    """
    head = args[0]
    first = _UPPERCASED_HEADS.get(head) if isinstance(head, (str, bytes)) else None
    if first is None:
        first = upper(head)
        if isinstance(head, (str, bytes)) and len(_UPPERCASED_HEADS) < COMMAND_HEADS_LIMIT:
            _UPPERCASED_HEADS[head] = first
    if " " in first:
        words = first.split()
        argv: Sequence[object] = [*words, *args[1:]]
        return " ".join(words[:2]), argv
    argv = args
    if len(argv) > 1:
        info = command_table().get(first)
        if info is not None and info.has_subcommands:
            sub = f"{first} {upper(argv[1])}"
            if sub in command_table():
                return sub, argv
    return first, argv
