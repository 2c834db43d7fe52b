"""How hash commands change keys: the field names a hash holds (names, never values), and a
hash emptied by HDEL or by field TTLs deleted."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

from pytest_redis_boundary.core.commands import text, upper
from pytest_redis_boundary.core.keyspace.call import (
    Call,
    Handler,
    no_effect,
    reply_int,
)
from pytest_redis_boundary.core.keyspace.containers import (
    shrink,
    upsert,
)

__all__ = ["HASH_HANDLERS"]


def _add_hash_fields(call: Call, fields: list[str]) -> None:
    state = upsert(call, text(call.argv[1]), "hash")
    if state.fields is not None:
        state.fields.update(fields)
        state.size = len(state.fields)


def _hash_add(fields_at: Callable[[Sequence[object]], list[str]]) -> Handler:
    def handler(call: Call) -> None:
        _add_hash_fields(call, fields_at(call.argv))

    return handler


def _hsetnx(call: Call) -> None:
    if call.has_reply and reply_int(call.reply) != 1:
        return
    _hash_add(lambda a: [text(a[2])])(call)


def _hash_remove(fields_at: Callable[[Sequence[object]], list[str]]) -> Handler:
    def handler(call: Call) -> None:
        key = text(call.argv[1])
        state = call.db.get(key, call.now)
        if state is None:
            return
        fields = fields_at(call.argv)
        if state.fields is not None:
            state.fields.difference_update(fields)
            state.size = len(state.fields)
            if not state.fields and not state.maybe_absent:
                call.db.delete(key)
            return
        removed = reply_int(call.reply) if call.has_reply else None
        shrink(call, key, removed)

    return handler


def _hexpire(unit: int, absolute: bool) -> Handler:
    """Field TTLs (7.4+): the key's TTL is untouched; a field expired at once is deleted."""

    def handler(call: Call) -> None:
        argv = call.argv
        key = text(argv[1])
        state = call.db.get(key, call.now)
        if state is None:
            return
        fields = _fields_after_keyword(argv)
        if isinstance(call.reply, (list, tuple)):
            gone = [f for f, r in zip(fields, call.reply, strict=False) if reply_int(r) == 2]
        elif call.has_reply:
            return
        else:
            gone = fields if call.past(call.deadline(argv[2], unit, absolute)) else []
        if gone:
            _hash_remove(lambda _a: gone)(call)

    return handler


def _fields_after_keyword(argv: Sequence[object]) -> list[str]:
    for i, arg in enumerate(argv):
        if upper(arg) == "FIELDS":
            count = int(text(argv[i + 1]))
            return [text(a) for a in argv[i + 2 : i + 2 + count]]
    return []


def _hsetex(call: Call) -> None:
    if call.has_reply and reply_int(call.reply) == 0:
        return
    argv = call.argv
    for i, arg in enumerate(argv):
        if upper(arg) == "FIELDS":
            count = int(text(argv[i + 1]))
            fields = [text(argv[i + 2 + 2 * j]) for j in range(count)]
            _add_hash_fields(call, fields)
            return


HASH_HANDLERS: Final[dict[str, Handler]] = {
    "HSET": _hash_add(lambda a: [text(x) for x in a[2::2]]),
    "HMSET": _hash_add(lambda a: [text(x) for x in a[2::2]]),
    "HSETNX": _hsetnx,
    "HINCRBY": _hash_add(lambda a: [text(a[2])]),
    "HINCRBYFLOAT": _hash_add(lambda a: [text(a[2])]),
    "HDEL": _hash_remove(lambda a: [text(x) for x in a[2:]]),
    "HGETDEL": _hash_remove(_fields_after_keyword),
    "HEXPIRE": _hexpire(1000, False),
    "HPEXPIRE": _hexpire(1, False),
    "HEXPIREAT": _hexpire(1000, True),
    "HPEXPIREAT": _hexpire(1, True),
    "HPERSIST": no_effect,
    "HGETEX": no_effect,
    "HSETEX": _hsetex,
}
