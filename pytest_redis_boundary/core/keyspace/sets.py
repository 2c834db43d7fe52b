"""How set and sorted-set commands change keys: member counts, SMOVE, ZADD's flags, the *STORE
destinations."""

from __future__ import annotations

from typing import Final

from pytest_redis_boundary.core.commands import text, upper
from pytest_redis_boundary.core.keyspace.call import (
    Call,
    Handler,
    pair_count,
    reply_int,
)
from pytest_redis_boundary.core.keyspace.containers import (
    blocking_pop,
    grow,
    mpop,
    pop,
    range_length,
    shrink,
    store,
    store_after_keyword,
    upsert,
)

__all__ = ["SET_AND_ZSET_HANDLERS"]


def _add_members(kind: str, first: int, stride: int) -> Handler:
    """SADD/ZADD/GEOADD: the reply counts members added (ZADD CH/INCR: changed, so unknown)."""

    def handler(call: Call) -> None:
        argv = call.argv
        key = text(argv[1])
        i = first
        flags: set[str] = set()
        while kind != "set" and i < len(argv) and upper(argv[i]) in _ZADD_FLAGS:
            flags.add(upper(argv[i]))
            i += 1
        state = call.db.get(key, call.now)
        if call.has_reply and call.reply is None:
            return  # ZADD INCR whose condition failed
        if state is None and "XX" in flags:
            return
        counted = call.has_reply and "INCR" not in flags and ("CH" not in flags or state is None)
        if state is None:
            # Counting distinct members needs them only for this line; they are not kept.
            added = (
                reply_int(call.reply)
                if counted
                else len(set(map(text, argv[i + stride - 1 :: stride])))
            )
            if not added:
                return
            state = upsert(call, key, kind)
            state.size = 1 if "INCR" in flags else added
            return
        state = upsert(call, key, kind)
        grow(state, reply_int(call.reply) if counted else None)

    return handler


_ZADD_FLAGS: Final = frozenset({"NX", "XX", "GT", "LT", "CH", "INCR"})


def _zincrby(call: Call) -> None:
    key = text(call.argv[1])
    existed = call.db.get(key, call.now) is not None
    state = upsert(call, key, "zset")
    state.size = None if existed else 1  # an existing set may or may not gain the member


def _remove_members(call: Call) -> None:
    """SREM/ZREM/ZREMRANGEBY*: the reply counts members removed."""
    shrink(call, text(call.argv[1]), reply_int(call.reply) if call.has_reply else None)


def _zremrangebyrank(call: Call) -> None:
    if call.has_reply:
        _remove_members(call)
        return
    state = call.db.get(text(call.argv[1]), call.now)
    if state is not None and state.size is not None:
        size = state.size
        removed = range_length(size, int(text(call.argv[2])), int(text(call.argv[3])))
        shrink(call, text(call.argv[1]), removed)
    else:
        shrink(call, text(call.argv[1]), None)


def _spop(call: Call) -> None:
    pop(call)


def _zpop(call: Call) -> None:
    key = text(call.argv[1])
    if call.has_reply:
        shrink(call, key, pair_count(call.reply))
        return
    pop(call)


def _smove(call: Call) -> None:
    src, dst = text(call.argv[1]), text(call.argv[2])
    if call.has_reply:
        if reply_int(call.reply) != 1:
            return
    else:
        if src == dst or call.db.get(src, call.now) is None:
            return
        shrink(call, src, None)  # the member may not be there
        state = upsert(call, dst, "set")
        state.size = None
        state.maybe_absent = True  # created only if the member was there
        return
    if src == dst:
        return
    shrink(call, src, 1)
    existed = call.db.get(dst, call.now) is not None
    state = upsert(call, dst, "set")
    # The member may already have been in an existing destination.
    state.size = None if existed else 1


SET_AND_ZSET_HANDLERS: Final[dict[str, Handler]] = {
    "SADD": _add_members("set", 2, 1),
    "SREM": _remove_members,
    "SPOP": _spop,
    "SMOVE": _smove,
    "SINTERSTORE": store("set", 1),
    "SUNIONSTORE": store("set", 1),
    "SDIFFSTORE": store("set", 1),
    "ZADD": _add_members("zset", 2, 2),
    "GEOADD": _add_members("zset", 2, 3),
    "ZINCRBY": _zincrby,
    "ZREM": _remove_members,
    "ZREMRANGEBYSCORE": _remove_members,
    "ZREMRANGEBYLEX": _remove_members,
    "ZREMRANGEBYRANK": _zremrangebyrank,
    "ZPOPMIN": _zpop,
    "ZPOPMAX": _zpop,
    "BZPOPMIN": blocking_pop,
    "BZPOPMAX": blocking_pop,
    "ZMPOP": mpop(2, True),
    "BZMPOP": mpop(3, True),
    "ZUNIONSTORE": store("zset", 1),
    "ZINTERSTORE": store("zset", 1),
    "ZDIFFSTORE": store("zset", 1),
    "ZRANGESTORE": store("zset", 1),
    "GEOSEARCHSTORE": store("zset", 1),
    "GEORADIUS": store_after_keyword("zset"),
    "GEORADIUSBYMEMBER": store_after_keyword("zset"),
}
