"""Reading one ``MONITOR`` line: ``<time> [<db> <source>] "arg" "arg" ...``.

Redis prints each argument with ``sdscatrepr``: between double quotes, ``"`` and ``\\`` behind a
backslash, ``\\n \\r \\t \\a \\b`` for those bytes, ``\\xHH`` for every other byte outside
printable ASCII, nothing else escaped. A script's lines are read on the application's thread
(when the script's reply arrives), and a script may push hundreds of values of kilobytes each,
so no byte is walked in Python: arguments are split and unescaped by ``bytes`` methods, a regular
expression and ``codecs.escape_decode`` (whose escapes are a superset of ``sdscatrepr``'s), and a
line with no backslash at all, the usual case, is split in one call.

:func:`judged_arguments` (the commands a script ran) leaves an argument longer than
:data:`DECODED_ARGUMENT_LIMIT` characters as MONITOR printed it, unless it may be a JSON object:
such an argument is a value, whose bytes the judge never reads, and the printed form is what it
needs of one (its position, and which values are equal, since printing is one-to-one).
docs/reference/recording.md says what that means for a key that long.
"""

from __future__ import annotations

import re
from codecs import escape_decode
from typing import Final, NamedTuple

__all__ = [
    "DECODED_ARGUMENT_LIMIT",
    "MonitorLine",
    "command_name",
    "every_argument",
    "judged_arguments",
    "parse_monitor_line",
    "split_monitor_line",
]

DECODED_ARGUMENT_LIMIT: Final = 4096
"""Longest argument, in MONITOR's printed characters, that ``judged_arguments`` unescapes (a JSON
object of any length is unescaped: the judge reads its field names)."""

_HEADER: Final = re.compile(rb"\+?(\d+\.\d+) \[(\d+) ([^\]]*)\] ?")
# A quoted argument: runs of plain bytes between escapes, matched without backtracking.
_ARGUMENT: Final = re.compile(rb'"([^"\\]*(?:\\.[^"\\]*)*)"', re.DOTALL)
# What a JSON object looks like printed: optional whitespace, then "{".
_JSON_OBJECT: Final = re.compile(rb"(?: |\\[nrt])*\{")


class MonitorLine(NamedTuple):
    db: int
    source: str
    """``"lua"`` for a command a script ran, else the client's address (``ip:port``)."""
    arguments: bytes
    """The arguments as MONITOR printed them."""


def split_monitor_line(line: bytes) -> MonitorLine | None:
    """The database, source and printed arguments of ``line``; None for anything else."""
    match = _HEADER.match(line)
    if match is None:
        return None
    return MonitorLine(int(match[2]), match[3].decode("ascii", "replace"), line[match.end() :])


def _unescape(printed: bytes) -> bytes:
    return escape_decode(printed)[0] if b"\\" in printed else printed


def _plain_split(arguments: bytes) -> list[bytes] | None:
    """The arguments of a line with no backslash (no argument holds a quote), else None."""
    if b"\\" in arguments or not arguments.startswith(b'"') or not arguments.endswith(b'"'):
        return None
    parts = arguments[1:-1].split(b'" "')
    # Anything unquoted between them (an argument MONITOR redacts) leaves quotes in a part.
    return parts if arguments.count(b'"') == 2 * len(parts) else None


def _arguments(arguments: bytes, *, long_values_printed: bool) -> tuple[bytes, ...]:
    if not arguments:
        return ()
    plain = _plain_split(arguments)
    if plain is not None:
        return tuple(plain)
    found = _ARGUMENT.findall(arguments)
    if not long_values_printed:
        return tuple([_unescape(printed) for printed in found])
    limit = DECODED_ARGUMENT_LIMIT
    json_object = _JSON_OBJECT.match
    return tuple(
        [
            escape_decode(printed)[0]
            if b"\\" in printed and (len(printed) <= limit or json_object(printed))
            else printed
            for printed in found
        ]
    )


def every_argument(arguments: bytes) -> tuple[bytes, ...]:
    """All the arguments, unescaped (unquoted text, such as ``(redacted)``, is skipped)."""
    return _arguments(arguments, long_values_printed=False)


def judged_arguments(arguments: bytes) -> tuple[bytes, ...]:
    """All the arguments, each unescaped unless it is a long value (see the module's doc)."""
    return _arguments(arguments, long_values_printed=True)


def command_name(arguments: bytes) -> bytes:
    """The first argument, upper-cased, without reading the others; b"" if there is none."""
    match = _ARGUMENT.match(arguments)
    return _unescape(match[1]).upper() if match is not None else b""


def parse_monitor_line(line: bytes | str) -> tuple[int, str, tuple[bytes, ...]] | None:
    """``(db, source, args)`` of one MONITOR line, every argument unescaped."""
    raw = line.encode("utf-8", "surrogateescape") if isinstance(line, str) else line
    parsed = split_monitor_line(raw)
    if parsed is None:
        return None
    return parsed.db, parsed.source, every_argument(parsed.arguments)
