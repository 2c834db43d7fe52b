"""What container commands share: creating a key, counting its members up and down (an emptied
container is deleted), and the pops and *STORE destinations of several data types."""

from __future__ import annotations

from typing import Final

from pytest_redis_boundary.core.commands import text, upper
from pytest_redis_boundary.core.keyspace.call import (
    Call,
    Handler,
    element_count,
    pair_count,
    reply_int,
)
from pytest_redis_boundary.core.keyspace.state import TTL_UNKNOWN, KeyState


def new_state(kind: str, size: int | None = None, fields: set[str] | None = None) -> KeyState:
    return KeyState(kind, None, size, fields)


def upsert(call: Call, key: str, kind: str) -> KeyState:
    """A write that creates the key without TTL when absent and keeps an existing key's TTL."""
    state = call.db.get(key, call.now)
    if state is None:
        state = new_state(
            kind, 0 if kind in CONTAINER_KINDS else None, set() if kind == "hash" else None
        )
        call.db.put(key, state)
    elif state.maybe_absent:
        # Either it was gone (recreated without TTL) or it kept its TTL.
        state.maybe_absent = False
        if state.expires_at is not None:
            state.expires_at = TTL_UNKNOWN
        state.size = None
        state.fields = None
    return state


CONTAINER_KINDS: Final = frozenset({"hash", "list", "set", "zset"})


def shrink(call: Call, key: str, removed: int | None) -> None:
    """Members were removed from a container; an emptied container is deleted."""
    state = call.db.get(key, call.now)
    if state is None or removed == 0:
        return
    if removed is None or state.size is None:
        state.maybe_absent = True
        state.size = None
        return
    state.size = max(state.size - removed, 0)
    if state.size == 0:
        call.db.delete(key)


def grow(state: KeyState, added: int | None) -> None:
    if state.size is not None:
        state.size = None if added is None else state.size + added


def overwrite(call: Call, key: str, kind: str, size: int | None) -> None:
    """A *STORE destination: replaced without TTL, deleted when the result is empty."""
    if size == 0:
        call.db.delete(key)
        return
    state = new_state(kind, size)
    if size is None:
        state.maybe_absent = True
    call.db.put(key, state)


def pop(call: Call) -> None:
    key = text(call.argv[1])
    if call.has_reply:
        removed = element_count(call.reply)
    else:
        removed = int(text(call.argv[2])) if len(call.argv) > 2 else 1
        state = call.db.get(key, call.now)
        if state is not None and state.size is not None:
            removed = min(removed, state.size)
    shrink(call, key, removed)


def range_length(size: int, start: int, stop: int) -> int:
    """How many elements an inclusive index range selects (Redis LRANGE/LTRIM rules)."""
    if start < 0:
        start += size
    if stop < 0:
        stop += size
    start = max(start, 0)
    if start > stop or start >= size:
        return 0
    stop = min(stop, size - 1)
    return stop - start + 1


def blocking_pop(call: Call) -> None:
    """BLPOP/BRPOP/BZPOPMIN/BZPOPMAX: the reply names the key that gave one element."""
    if isinstance(call.reply, (list, tuple)) and call.reply:
        shrink(call, text(call.reply[0]), 1)
    elif not call.has_reply:
        for arg in call.argv[1:-1]:
            if call.db.get(text(arg), call.now) is not None:
                shrink(call, text(arg), 1)
                return


def mpop(keys_from: int, pairs: bool) -> Handler:
    """LMPOP/BLMPOP/ZMPOP/BZMPOP: the reply is [key, [elements]]."""

    def handler(call: Call) -> None:
        reply = call.reply
        if isinstance(reply, (list, tuple)) and len(reply) == 2:
            inner = reply[1]
            count = pair_count(inner) if pairs else element_count(inner)
            shrink(call, text(reply[0]), count)
            return
        if call.has_reply:
            return
        argv = call.argv
        numkeys = int(text(argv[keys_from - 1]))
        keys = [text(a) for a in argv[keys_from : keys_from + numkeys]]
        rest = [upper(a) for a in argv[keys_from + numkeys :]]
        wanted = int(rest[rest.index("COUNT") + 1]) if "COUNT" in rest else 1
        for key in keys:
            state = call.db.get(key, call.now)
            if state is not None:
                size = state.size
                shrink(call, key, min(wanted, size) if size is not None else None)
                return

    return handler


def store(kind: str, dst_at: int) -> Handler:
    """*STORE: the destination is overwritten without TTL; an empty result deletes it."""

    def handler(call: Call) -> None:
        dst = text(call.argv[dst_at])
        overwrite(call, dst, kind, reply_int(call.reply) if call.has_reply else None)

    return handler


def store_after_keyword(kind: str) -> Handler:
    """GEORADIUS ... STORE d, SORT ... STORE d."""

    def handler(call: Call) -> None:
        argv = call.argv
        for i in range(2, len(argv) - 1):
            if upper(argv[i]) in ("STORE", "STOREDIST"):
                size = reply_int(call.reply) if call.has_reply else None
                overwrite(call, text(argv[i + 1]), kind, size)
                return

    return handler
