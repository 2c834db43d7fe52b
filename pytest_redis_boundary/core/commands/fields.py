"""Field names a command writes or reads: hash fields from its arguments, JSON names from a value.

A JSON value is parsed transiently to name its top-level fields and never kept.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from .arguments import text, upper

__all__ = [
    "HASH_READS",
    "HASH_WRITES",
    "JSON_READS",
    "JSON_WRITES",
    "STRING_VALUE_WRITES",
    "FieldRule",
    "json_field_names",
    "json_fields",
    "json_path_field",
    "string_fields",
]


def json_field_names(value: object) -> tuple[str, ...]:
    """Top-level names of a JSON object value; () for anything else. The value is not kept."""
    if isinstance(value, str):
        head = value[:1]
        if head.isspace():
            head = value.lstrip()[:1]
    elif isinstance(value, (bytes, bytearray, memoryview)):
        value = bytes(value)
        head = value[:1].decode("latin-1")
        if head.isspace():
            head = value.lstrip()[:1].decode("latin-1")
    else:
        return ()
    if head != "{":
        return ()  # not a JSON object: the value is not parsed
    try:
        parsed = json.loads(value)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return ()  # not JSON the server could hold as an object we can name fields of
    if isinstance(parsed, dict):
        return tuple(str(k) for k in parsed)
    return ()


def json_path_field(path: object) -> str | None:
    """The top-level field a RedisJSON path addresses (``$.status``, ``.status``, ``status``,
    ``$['status']``); None for the root."""
    p = text(path).strip()
    if p.startswith("$"):
        p = p[1:]
    if p in ("", "."):
        return None
    if p.startswith("["):
        end = p.find("]")
        inner = p[1:end] if end > 0 else p[1:]
        return inner.strip("'\"") or None
    p = p.lstrip(".")
    for i, ch in enumerate(p):
        if ch in ".[":
            return p[:i] or None
    return p or None


def _pairs_from(argv: Sequence[object], start: int) -> list[str]:
    return [text(argv[i]) for i in range(start, len(argv), 2)]


def _after_fields_keyword(argv: Sequence[object], start: int, stride: int) -> list[str]:
    for i in range(start, len(argv)):
        if upper(argv[i]) == "FIELDS":
            try:
                count = int(text(argv[i + 1]))
            except (IndexError, ValueError):
                return []
            first = i + 2
            return [
                text(argv[j]) for j in range(first, min(len(argv), first + count * stride), stride)
            ]
    return []


FieldRule = Callable[[Sequence[object]], list[str]]

HASH_WRITES: dict[str, FieldRule] = {
    "HSET": lambda a: _pairs_from(a, 2),
    "HMSET": lambda a: _pairs_from(a, 2),
    "HSETNX": lambda a: [text(a[2])] if len(a) > 2 else [],
    "HINCRBY": lambda a: [text(a[2])] if len(a) > 2 else [],
    "HINCRBYFLOAT": lambda a: [text(a[2])] if len(a) > 2 else [],
    "HDEL": lambda a: [text(x) for x in a[2:]],
    "HEXPIRE": lambda a: _after_fields_keyword(a, 3, 1),
    "HPEXPIRE": lambda a: _after_fields_keyword(a, 3, 1),
    "HEXPIREAT": lambda a: _after_fields_keyword(a, 3, 1),
    "HPEXPIREAT": lambda a: _after_fields_keyword(a, 3, 1),
    "HPERSIST": lambda a: _after_fields_keyword(a, 2, 1),
    "HSETEX": lambda a: _after_fields_keyword(a, 2, 2),
    "HGETDEL": lambda a: _after_fields_keyword(a, 2, 1),
}

HASH_READS: dict[str, FieldRule] = {
    "HGET": lambda a: [text(a[2])] if len(a) > 2 else [],
    "HEXISTS": lambda a: [text(a[2])] if len(a) > 2 else [],
    "HSTRLEN": lambda a: [text(a[2])] if len(a) > 2 else [],
    "HMGET": lambda a: [text(x) for x in a[2:]],
    "HINCRBY": lambda a: [text(a[2])] if len(a) > 2 else [],
    "HINCRBYFLOAT": lambda a: [text(a[2])] if len(a) > 2 else [],
    "HGETDEL": lambda a: _after_fields_keyword(a, 2, 1),
    "HGETEX": lambda a: _after_fields_keyword(a, 2, 1),
    "HTTL": lambda a: _after_fields_keyword(a, 2, 1),
    "HPTTL": lambda a: _after_fields_keyword(a, 2, 1),
}

# Commands whose value argument may be a JSON object: (key index, value index, stride).
STRING_VALUE_WRITES: dict[str, tuple[int, int, int]] = {
    "SET": (1, 2, 0),
    "SETNX": (1, 2, 0),
    "GETSET": (1, 2, 0),
    "SETEX": (1, 3, 0),
    "PSETEX": (1, 3, 0),
    "MSET": (1, 2, 2),
    "MSETNX": (1, 2, 2),
}


def string_fields(name: str, argv: Sequence[object]) -> list[tuple[str, str]]:
    key_index, value_index, stride = STRING_VALUE_WRITES[name]
    out: list[tuple[str, str]] = []
    if stride == 0:
        if len(argv) > value_index:
            key = text(argv[key_index])
            out.extend((key, f) for f in json_field_names(argv[value_index]))
        return out
    for i in range(key_index, len(argv) - 1, stride):
        key = text(argv[i])
        out.extend((key, f) for f in json_field_names(argv[i + 1]))
    return out


def json_fields(
    name: str, argv: Sequence[object]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(written, read) field names of RedisJSON commands."""
    written: list[tuple[str, str]] = []
    read: list[tuple[str, str]] = []
    if len(argv) < 2:
        return written, read
    if name == "JSON.MGET":
        path = argv[-1]
        field = json_path_field(path)
        if field is not None:
            read.extend((text(k), field) for k in argv[1:-1])
        return written, read
    if name == "JSON.MSET":
        for i in range(1, len(argv) - 2, 3):
            written.extend(_json_set_fields(text(argv[i]), argv[i + 1], argv[i + 2]))
        return written, read
    key = text(argv[1])
    if name == "JSON.SET":
        if len(argv) > 3:
            written.extend(_json_set_fields(key, argv[2], argv[3]))
        return written, read
    if name == "JSON.GET":
        args = list(argv[2:])
        while len(args) >= 2 and upper(args[0]) in ("INDENT", "NEWLINE", "SPACE"):
            args = args[2:]  # formatting options, each with its argument, come before the paths
        for arg in args:
            field = json_path_field(arg)
            if field is not None:
                read.append((key, field))
        return written, read
    field = json_path_field(argv[2]) if len(argv) > 2 else None
    if field is None:
        return written, read
    is_read = name in JSON_READS
    (read if is_read else written).append((key, field))
    return written, read


def _json_set_fields(key: str, path: object, value: object) -> list[tuple[str, str]]:
    field = json_path_field(path)
    if field is not None:
        return [(key, field)]
    return [(key, f) for f in json_field_names(value)]


JSON_READS = frozenset(
    {
        "JSON.TYPE",
        "JSON.STRLEN",
        "JSON.ARRLEN",
        "JSON.ARRINDEX",
        "JSON.OBJKEYS",
        "JSON.OBJLEN",
        "JSON.RESP",
        "JSON.DEBUG",
    }
)

JSON_WRITES = frozenset(
    {
        "JSON.SET",
        "JSON.MSET",
        "JSON.MERGE",
        "JSON.DEL",
        "JSON.FORGET",
        "JSON.NUMINCRBY",
        "JSON.NUMMULTBY",
        "JSON.STRAPPEND",
        "JSON.ARRAPPEND",
        "JSON.ARRINSERT",
        "JSON.ARRPOP",
        "JSON.ARRTRIM",
        "JSON.CLEAR",
        "JSON.TOGGLE",
    }
)
