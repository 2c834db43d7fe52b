"""How list commands change keys: lengths from the replies, a list emptied by a pop deleted."""

from __future__ import annotations

from typing import Final

from pytest_redis_boundary.core.commands import text
from pytest_redis_boundary.core.keyspace.call import (
    Call,
    Handler,
    no_effect,
    reply_int,
)
from pytest_redis_boundary.core.keyspace.containers import (
    blocking_pop,
    grow,
    mpop,
    pop,
    range_length,
    shrink,
    store_after_keyword,
    upsert,
)

__all__ = ["LIST_HANDLERS"]


def _push(create: bool) -> Handler:
    def handler(call: Call) -> None:
        key = text(call.argv[1])
        length = reply_int(call.reply) if call.has_reply else None
        state = call.db.get(key, call.now)
        if state is None and (not create or length == 0):
            return
        if call.has_reply and length is None:
            return
        state = upsert(call, key, "list")
        if length is not None:
            state.size = length
        else:
            grow(state, len(call.argv) - 2)

    return handler


def _linsert(call: Call) -> None:
    key = text(call.argv[1])
    state = call.db.get(key, call.now)
    if state is None:
        return
    length = reply_int(call.reply) if call.has_reply else None
    if length is not None:
        if length > 0:
            state.size = length
    else:
        state.size = None  # the pivot may be missing


def _ltrim(call: Call) -> None:
    key = text(call.argv[1])
    state = call.db.get(key, call.now)
    if state is None:
        return
    if state.size is None:
        state.maybe_absent = True
        return
    kept = range_length(state.size, int(text(call.argv[2])), int(text(call.argv[3])))
    shrink(call, key, state.size - kept)


def _lrem(call: Call) -> None:
    shrink(call, text(call.argv[1]), reply_int(call.reply) if call.has_reply else None)


def _move_element(call: Call) -> None:
    """LMOVE/BLMOVE/RPOPLPUSH/BRPOPLPUSH."""
    src, dst = text(call.argv[1]), text(call.argv[2])
    if call.has_reply:
        if call.reply is None:
            return
    elif call.db.get(src, call.now) is None:
        return
    if src == dst:
        return
    shrink(call, src, 1)
    state = upsert(call, dst, "list")
    grow(state, 1)


LIST_HANDLERS: Final[dict[str, Handler]] = {
    "LPUSH": _push(True),
    "RPUSH": _push(True),
    "LPUSHX": _push(False),
    "RPUSHX": _push(False),
    "LINSERT": _linsert,
    "LSET": no_effect,
    "LREM": _lrem,
    "LTRIM": _ltrim,
    "LPOP": pop,
    "RPOP": pop,
    "BLPOP": blocking_pop,
    "BRPOP": blocking_pop,
    "LMPOP": mpop(2, False),
    "BLMPOP": mpop(3, False),
    "LMOVE": _move_element,
    "BLMOVE": _move_element,
    "RPOPLPUSH": _move_element,
    "BRPOPLPUSH": _move_element,
    "SORT": store_after_keyword("list"),
}
