"""How the generic key commands change keys and TTLs: DEL, EXPIRE and PERSIST, RENAME, COPY,
MOVE, RESTORE, MIGRATE, the FLUSH commands and SWAPDB."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from pytest_redis_boundary.core.commands import text, upper
from pytest_redis_boundary.core.keyspace.call import (
    Call,
    Handler,
    reply_int,
)
from pytest_redis_boundary.core.keyspace.state import MAX_MS, TTL_UNKNOWN, UNKNOWN_KIND, KeyState

__all__ = ["KEY_HANDLERS"]


def _delete(call: Call) -> None:
    for arg in call.argv[1:]:
        call.db.delete(text(arg))


def _expire(unit: int, absolute: bool) -> Handler:
    def handler(call: Call) -> None:
        argv = call.argv
        key = text(argv[1])
        amount = int(text(argv[2]))
        if abs(amount * unit) + (call.now or 0) > MAX_MS:
            return  # refused: "invalid expire time" (the deadline overflows)
        deadline = call.deadline(argv[2], unit, absolute)
        state = call.db.get(key, call.now)
        if call.has_reply:
            if reply_int(call.reply) != 1:
                return
            if state is None:  # it existed after all (written before we watched)
                state = KeyState(UNKNOWN_KIND, TTL_UNKNOWN)
                call.db.put(key, state)
        else:
            if state is None or not _expire_applies(state, deadline, argv[3:]):
                return
        if call.past(deadline):
            call.db.delete(key)
            return
        state.expires_at = deadline
        state.maybe_absent = False

    return handler


def _expire_applies(state: KeyState, deadline: float | None, options: Sequence[object]) -> bool:
    current = state.expires_at
    for opt in (upper(o) for o in options):
        if current == TTL_UNKNOWN and opt in ("NX", "XX", "GT", "LT"):
            return True  # cannot tell; take the effect (the reply would say)
        if opt == "NX" and current is not None:
            return False
        if opt == "XX" and current is None:
            return False
        if opt == "GT" and (current is None or deadline is None or deadline <= current):
            return False
        if opt == "LT" and current is not None and deadline is not None and deadline >= current:
            return False
    return True


def _persist(call: Call) -> None:
    key = text(call.argv[1])
    state = call.db.get(key, call.now)
    if call.has_reply and reply_int(call.reply) == 1 and state is None:
        call.db.put(key, KeyState(UNKNOWN_KIND))
        return
    if state is not None:
        state.expires_at = None


def _rename(nx: bool) -> Handler:
    def handler(call: Call) -> None:
        src, dst = text(call.argv[1]), text(call.argv[2])
        if call.has_reply:
            if nx and reply_int(call.reply) != 1:
                return
        elif nx and call.db.get(dst, call.now) is not None:
            return
        if src == dst:
            return
        state = call.db.get(src, call.now)
        if state is None:
            if not call.has_reply:
                return
            state = KeyState(UNKNOWN_KIND, TTL_UNKNOWN)
        call.db.delete(src)
        moved = state.copy()
        moved.maybe_absent = False
        call.db.put(dst, moved)

    return handler


def _copy(call: Call) -> None:
    argv = call.argv
    src, dst = text(argv[1]), text(argv[2])
    target = call.db
    replace = False
    i = 3
    while i < len(argv):
        opt = upper(argv[i])
        if opt == "DB":
            target = call.databases.get(call.server, int(text(argv[i + 1])))
            i += 1
        elif opt == "REPLACE":
            replace = True
        i += 1
    state = call.db.get(src, call.now)
    if call.has_reply:
        if reply_int(call.reply) != 1:
            return
    elif state is None or (target.get(dst, call.now) is not None and not replace):
        return
    twin = state.copy() if state is not None else KeyState(UNKNOWN_KIND, TTL_UNKNOWN)
    twin.maybe_absent = False
    target.put(dst, twin)


def _move(call: Call) -> None:
    key = text(call.argv[1])
    target = call.databases.get(call.server, int(text(call.argv[2])))
    state = call.db.get(key, call.now)
    if call.has_reply:
        if reply_int(call.reply) != 1:
            return
    elif state is None or target.get(key, call.now) is not None:
        return
    call.db.delete(key)
    target.put(key, state if state is not None else KeyState(UNKNOWN_KIND, TTL_UNKNOWN))


def _restore(call: Call) -> None:
    argv = call.argv
    key = text(argv[1])
    ttl = int(text(argv[2]))
    options = {upper(a) for a in argv[4:]}
    if not call.has_reply and "REPLACE" not in options and call.db.get(key, call.now) is not None:
        return
    if ttl == 0:
        deadline = None
    elif "ABSTTL" in options:
        deadline = float(ttl)
    else:
        deadline = call.now + ttl if call.now is not None else TTL_UNKNOWN
    if deadline is not None and call.past(deadline):
        call.db.delete(key)
        return
    call.db.put(key, KeyState(UNKNOWN_KIND, deadline))


def _migrate(call: Call) -> None:
    argv = call.argv
    if call.has_reply and upper(call.reply) != "OK":
        return
    options = [upper(a) for a in argv[6:]]
    if "COPY" in options:
        return
    keys: Sequence[object] = [argv[3]] if text(argv[3]) else []
    if "KEYS" in options:
        keys = argv[6 + options.index("KEYS") + 1 :]
    for key in keys:
        call.db.delete(text(key))


def _flushdb(call: Call) -> None:
    call.db.keys.clear()


def _flushall(call: Call) -> None:
    for (server, _), db in call.databases.items():
        if server == call.server:
            db.keys.clear()


def _swapdb(call: Call) -> None:
    call.databases.swap(call.server, int(text(call.argv[1])), int(text(call.argv[2])))


KEY_HANDLERS: Final[dict[str, Handler]] = {
    "DEL": _delete,
    "UNLINK": _delete,
    "EXPIRE": _expire(1000, False),
    "PEXPIRE": _expire(1, False),
    "EXPIREAT": _expire(1000, True),
    "PEXPIREAT": _expire(1, True),
    "PERSIST": _persist,
    "RENAME": _rename(False),
    "RENAMENX": _rename(True),
    "COPY": _copy,
    "MOVE": _move,
    "RESTORE": _restore,
    "MIGRATE": _migrate,
    "FLUSHDB": _flushdb,
    "FLUSHALL": _flushall,
    "SWAPDB": _swapdb,
}
