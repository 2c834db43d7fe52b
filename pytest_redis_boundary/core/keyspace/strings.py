"""How string commands change keys and TTLs (SET and its relatives, counters, BITOP)."""

from __future__ import annotations

from typing import Final

from pytest_redis_boundary.core.commands import text, upper
from pytest_redis_boundary.core.keyspace.call import (
    Call,
    Handler,
    reply_int,
)
from pytest_redis_boundary.core.keyspace.containers import (
    new_state,
    upsert,
)
from pytest_redis_boundary.core.keyspace.state import TTL_UNKNOWN, KeyState

__all__ = ["STRING_HANDLERS"]


def _set(call: Call) -> None:
    # Every option of SET; fast_judge._set repeats the common shape on its own path (see there).
    argv = call.argv
    key = text(argv[1])
    nx = xx = get = keepttl = False
    deadline: float | None = None
    i = 3
    while i < len(argv):
        opt = upper(argv[i])
        if opt == "NX":
            nx = True
        elif opt == "XX":
            xx = True
        elif opt == "GET":
            get = True
        elif opt == "KEEPTTL":
            keepttl = True
        elif opt in _EXPIRY_OPTIONS:
            unit, absolute = _EXPIRY_OPTIONS[opt]
            if int(text(argv[i + 1])) <= 0:
                return  # "invalid expire time": the server refuses the whole command
            deadline = call.deadline(argv[i + 1], unit, absolute)
            i += 1
        i += 1
    current = call.db.get(key, call.now) if keepttl or not call.has_reply else None
    if call.has_reply:
        if get:
            written = call.reply is None if nx else (call.reply is not None if xx else True)
        else:
            written = call.reply is not None
    else:
        exists = current is not None
        written = not (nx and exists) and not (xx and not exists)
    if not written:
        return
    if deadline is not None and call.past(deadline):
        call.db.delete(key)
        return
    if keepttl:
        expires = current.expires_at if current is not None else None
        if current is not None and current.maybe_absent and expires is not None:
            expires = TTL_UNKNOWN
    else:
        expires = deadline
    call.db.put(key, KeyState("string", expires))


_EXPIRY_OPTIONS: Final = {
    "EX": (1000, False),
    "PX": (1, False),
    "EXAT": (1000, True),
    "PXAT": (1, True),
}


def _setex(unit: int) -> Handler:
    def handler(call: Call) -> None:
        if int(text(call.argv[2])) <= 0:
            return  # refused: "invalid expire time"
        deadline = call.deadline(call.argv[2], unit, False)
        call.db.put(text(call.argv[1]), KeyState("string", deadline))

    return handler


def _setnx(call: Call) -> None:
    key = text(call.argv[1])
    if call.has_reply:
        if reply_int(call.reply) != 1:
            return
    elif call.db.get(key, call.now) is not None:
        return
    call.db.put(key, new_state("string"))


def _mset(call: Call) -> None:
    for i in range(1, len(call.argv) - 1, 2):
        call.db.put(text(call.argv[i]), new_state("string"))


def _msetnx(call: Call) -> None:
    keys = [text(call.argv[i]) for i in range(1, len(call.argv) - 1, 2)]
    if call.has_reply:
        if reply_int(call.reply) != 1:
            return
    elif any(call.db.get(k, call.now) is not None for k in keys):
        return
    for key in keys:
        call.db.put(key, new_state("string"))


def _getset(call: Call) -> None:
    call.db.put(text(call.argv[1]), new_state("string"))


def _getex(call: Call) -> None:
    argv = call.argv
    key = text(argv[1])
    state = call.db.get(key, call.now)
    if state is None or (call.has_reply and call.reply is None) or len(argv) < 3:
        return
    opt = upper(argv[2])
    if (opt == "PERSIST" and len(argv) > 3) or (
        opt in _EXPIRY_OPTIONS and len(argv) > 3 and int(text(argv[3])) <= 0
    ):
        return  # refused: PERSIST takes no other option, an expiry must be positive
    if opt == "PERSIST":
        state.expires_at = None
    elif opt in _EXPIRY_OPTIONS:
        unit, absolute = _EXPIRY_OPTIONS[opt]
        deadline = call.deadline(argv[3], unit, absolute)
        if call.past(deadline):
            call.db.delete(key)
        else:
            state.expires_at = deadline
    state.maybe_absent = False


def _string_upsert(call: Call) -> None:
    upsert(call, text(call.argv[1]), "string")


def _setrange(call: Call) -> None:
    key = text(call.argv[1])
    if len(call.argv) > 3 and len(text(call.argv[3])) == 0 and call.db.get(key, call.now) is None:
        return  # an empty value does not create the key
    upsert(call, key, "string")


def _bitfield(call: Call) -> None:
    if any(upper(a) in ("SET", "INCRBY") for a in call.argv[2:]):
        upsert(call, text(call.argv[1]), "string")


def _getdel(call: Call) -> None:
    call.db.delete(text(call.argv[1]))


def _bitop(call: Call) -> None:
    dst = text(call.argv[2])
    if call.has_reply:
        size = reply_int(call.reply)
    else:
        sources = [call.db.get(text(a), call.now) for a in call.argv[3:]]
        size = None if any(s is not None for s in sources) else 0
    if size == 0:
        call.db.delete(dst)
    else:
        call.db.put(dst, new_state("string"))


STRING_HANDLERS: Final[dict[str, Handler]] = {
    "SET": _set,
    "SETEX": _setex(1000),
    "PSETEX": _setex(1),
    "SETNX": _setnx,
    "MSET": _mset,
    "MSETNX": _msetnx,
    "GETSET": _getset,
    "GETEX": _getex,
    "GETDEL": _getdel,
    "APPEND": _string_upsert,
    "INCR": _string_upsert,
    "DECR": _string_upsert,
    "INCRBY": _string_upsert,
    "DECRBY": _string_upsert,
    "INCRBYFLOAT": _string_upsert,
    "SETBIT": _string_upsert,
    "SETRANGE": _setrange,
    "BITFIELD": _bitfield,
    "BITOP": _bitop,
}
