"""The key/TTL state model: what a stream of commands leaves behind, per server and database.

For every key it knows whether the key exists and when it expires. The effect of each command on
TTLs is curated by hand (``COMMAND INFO`` does not say it) and checked against a real
redis-server 7.0 by ``tests/core/test_differential.py``. Where it matters, the command's reply
decides what happened (a ``SET NX`` that lost, a WATCH-aborted ``EXEC``, how many members a pop
removed); without a reply (commands run inside a Lua script) the model infers it from the state.

Container sizes are tracked as counts (hashes by field name, which are not values), so the model
knows when a container is emptied and deleted. Where a count cannot be known (``SREM`` inside a
script, ``SMOVE`` into an existing set) the key's existence becomes uncertain (``maybe_absent``) and
its TTL class ``unknown``; the recorder resolves those at the end of a test by asking the server.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, Generic, Literal, TypeVar

from pytest_redis_boundary.core.commands import text, upper
from pytest_redis_boundary.core.events import NO_REPLY

TTL_UNKNOWN: Final = float("-inf")  # an expiry deadline nobody can know (never parsed from a reply)

TtlClass = Literal["absent", "persistent", "ttl", "unknown"]


class KeyState:
    """One existing key. ``expires_at`` is epoch milliseconds, None (persistent) or TTL_UNKNOWN."""

    __slots__ = ("expires_at", "fields", "kind", "maybe_absent", "size")

    def __init__(
        self,
        kind: str,
        expires_at: float | None = None,
        size: int | None = None,
        fields: set[str] | None = None,
    ) -> None:
        self.kind = kind
        self.expires_at = expires_at
        self.size = size  # members of a container when known; None: unknown (non-empty)
        self.fields = fields  # a hash's field names when known
        self.maybe_absent = False

    def copy(self) -> KeyState:
        twin = KeyState(
            self.kind,
            self.expires_at,
            self.size,
            set(self.fields) if self.fields is not None else None,
        )
        twin.maybe_absent = self.maybe_absent
        return twin

    def __repr__(self) -> str:
        return (
            f"KeyState({self.kind!r}, expires_at={self.expires_at!r}, size={self.size!r}, "
            f"maybe_absent={self.maybe_absent!r})"
        )


class Database:
    """The keys of one database of one server. Keys never seen are taken to be absent."""

    __slots__ = ("keys",)

    def __init__(self) -> None:
        self.keys: dict[str, KeyState] = {}

    def get(self, key: str, now: float | None) -> KeyState | None:
        state = self.keys.get(key)
        if state is None:
            return None
        deadline = state.expires_at
        if deadline is not None and deadline != TTL_UNKNOWN and now is not None and deadline <= now:
            del self.keys[key]  # lazily expired, as on the server
            return None
        return state

    def put(self, key: str, state: KeyState) -> None:
        self.keys[key] = state

    def delete(self, key: str) -> None:
        self.keys.pop(key, None)


_Value = TypeVar("_Value")


class PerDatabase(Generic[_Value]):
    """One value per database of a server, made on first use. The one found last is
    remembered by the identity of its server's name (a connection names its server with one
    string object on every command), so finding it again builds and hashes no tuple."""

    __slots__ = ("_by_place", "_last", "_last_db", "_last_server", "_make")

    def __init__(self, make: Callable[[], _Value]) -> None:
        self._by_place: dict[tuple[str, int], _Value] = {}
        self._make = make
        self._last_server: str | None = None
        self._last_db = 0
        self._last: _Value | None = None

    def get(self, server: str, db: int) -> _Value:
        last = self._last
        if server is self._last_server and db == self._last_db and last is not None:
            return last
        found = self._by_place.get((server, db))
        if found is None:
            found = self._by_place[(server, db)] = self._make()
        self._last_server = server
        self._last_db = db
        self._last = found
        return found

    def items(self) -> list[tuple[tuple[str, int], _Value]]:
        return list(self._by_place.items())

    def swap(self, server: str, a: int, b: int) -> None:
        first, second = self.get(server, a), self.get(server, b)
        self._by_place[(server, a)], self._by_place[(server, b)] = second, first
        self._last_server = None


@dataclass(slots=True)
class _Connection:
    db: int | None = None  # set by SELECT on this connection
    queue: list[tuple[str, Sequence[object]]] | None = None  # inside MULTI
    failed: bool = False  # a queued command was rejected: EXEC will abort


Handler = Callable[["_Call"], None]


class _Call:
    """One command being applied (plain slots: built for every write, so kept cheap)."""

    __slots__ = ("argv", "db", "has_reply", "keyspace", "now", "reply", "server")

    def __init__(
        self,
        keyspace: Keyspace,
        server: str,
        db: Database,
        argv: Sequence[object],
        reply: object,
        now: float | None,
    ) -> None:
        self.keyspace = keyspace
        self.server = server
        self.db = db
        self.argv = argv
        self.reply = reply
        self.now = now
        self.has_reply = reply is not NO_REPLY

    def deadline(self, amount: object, unit_ms: int, absolute: bool) -> float | None:
        value = int(text(amount))
        if absolute:
            return float(value * unit_ms)
        if self.now is None:
            return TTL_UNKNOWN
        return self.now + value * unit_ms

    def past(self, deadline: float | None) -> bool:
        if deadline is None or deadline == TTL_UNKNOWN or self.now is None:
            return False
        return deadline <= self.now


def _int(reply: object) -> int | None:
    if isinstance(reply, bool):
        return int(reply)
    if isinstance(reply, int):
        return reply
    if isinstance(reply, (bytes, str)):
        try:
            return int(reply)
        except ValueError:
            return None
    return None


def _count(reply: object) -> int | None:
    """How many elements a pop reply carries (one element, a list, or nil)."""
    if reply is None:
        return 0
    if isinstance(reply, (list, tuple)):
        return len(reply)
    if reply is NO_REPLY:
        return None
    return 1


def _pair_count(reply: object) -> int | None:
    """Members in a ZPOP reply: RESP2 flat [m, s, ...] or RESP3 [[m, s], ...]."""
    if reply is None:
        return 0
    if not isinstance(reply, (list, tuple)):
        return None
    if reply and isinstance(reply[0], (list, tuple)):
        return len(reply)
    return len(reply) // 2


def _new(kind: str, size: int | None = None, fields: set[str] | None = None) -> KeyState:
    return KeyState(kind, None, size, fields)


def _upsert(call: _Call, key: str, kind: str) -> KeyState:
    """A write that creates the key without TTL when absent and keeps an existing key's TTL."""
    state = call.db.get(key, call.now)
    if state is None:
        state = _new(kind, 0 if kind in _CONTAINERS else None, set() if kind == "hash" else None)
        call.db.put(key, state)
    elif state.maybe_absent:
        # Either it was gone (recreated without TTL) or it kept its TTL.
        state.maybe_absent = False
        if state.expires_at is not None:
            state.expires_at = TTL_UNKNOWN
        state.size = None
        state.fields = None
    return state


_CONTAINERS = frozenset({"hash", "list", "set", "zset"})


def _shrink(call: _Call, key: str, removed: int | None) -> None:
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


def _grow(state: KeyState, added: int | None) -> None:
    if state.size is not None:
        state.size = None if added is None else state.size + added


def _overwrite(call: _Call, key: str, kind: str, size: int | None) -> None:
    """A *STORE destination: replaced without TTL, deleted when the result is empty."""
    if size == 0:
        call.db.delete(key)
        return
    state = _new(kind, size)
    if size is None:
        state.maybe_absent = True
    call.db.put(key, state)


# --- strings ---------------------------------------------------------------------------------


def _set(call: _Call) -> None:
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
    def handler(call: _Call) -> None:
        if int(text(call.argv[2])) <= 0:
            return  # refused: "invalid expire time"
        deadline = call.deadline(call.argv[2], unit, False)
        call.db.put(text(call.argv[1]), KeyState("string", deadline))

    return handler


def _setnx(call: _Call) -> None:
    key = text(call.argv[1])
    if call.has_reply:
        if _int(call.reply) != 1:
            return
    elif call.db.get(key, call.now) is not None:
        return
    call.db.put(key, _new("string"))


def _mset(call: _Call) -> None:
    for i in range(1, len(call.argv) - 1, 2):
        call.db.put(text(call.argv[i]), _new("string"))


def _msetnx(call: _Call) -> None:
    keys = [text(call.argv[i]) for i in range(1, len(call.argv) - 1, 2)]
    if call.has_reply:
        if _int(call.reply) != 1:
            return
    elif any(call.db.get(k, call.now) is not None for k in keys):
        return
    for key in keys:
        call.db.put(key, _new("string"))


def _getset(call: _Call) -> None:
    call.db.put(text(call.argv[1]), _new("string"))


def _getex(call: _Call) -> None:
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


def _string_upsert(call: _Call) -> None:
    _upsert(call, text(call.argv[1]), "string")


def _setrange(call: _Call) -> None:
    key = text(call.argv[1])
    if len(call.argv) > 3 and len(text(call.argv[3])) == 0 and call.db.get(key, call.now) is None:
        return  # an empty value does not create the key
    _upsert(call, key, "string")


def _bitfield(call: _Call) -> None:
    if any(upper(a) in ("SET", "INCRBY") for a in call.argv[2:]):
        _upsert(call, text(call.argv[1]), "string")


# --- keyspace --------------------------------------------------------------------------------


def _delete(call: _Call) -> None:
    for arg in call.argv[1:]:
        call.db.delete(text(arg))


def _getdel(call: _Call) -> None:
    call.db.delete(text(call.argv[1]))


def _expire(unit: int, absolute: bool) -> Handler:
    def handler(call: _Call) -> None:
        argv = call.argv
        key = text(argv[1])
        amount = int(text(argv[2]))
        if abs(amount * unit) + (call.now or 0) > MAX_MS:
            return  # refused: "invalid expire time" (the deadline overflows)
        deadline = call.deadline(argv[2], unit, absolute)
        state = call.db.get(key, call.now)
        if call.has_reply:
            if _int(call.reply) != 1:
                return
            if state is None:  # it existed after all (written before we watched)
                state = KeyState("?", TTL_UNKNOWN)
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


MAX_MS: Final = 2**63 - 1  # a deadline past this overflows: the server refuses it


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


def _persist(call: _Call) -> None:
    key = text(call.argv[1])
    state = call.db.get(key, call.now)
    if call.has_reply and _int(call.reply) == 1 and state is None:
        call.db.put(key, KeyState("?"))
        return
    if state is not None:
        state.expires_at = None


def _rename(nx: bool) -> Handler:
    def handler(call: _Call) -> None:
        src, dst = text(call.argv[1]), text(call.argv[2])
        if call.has_reply:
            if nx and _int(call.reply) != 1:
                return
        elif nx and call.db.get(dst, call.now) is not None:
            return
        if src == dst:
            return
        state = call.db.get(src, call.now)
        if state is None:
            if not call.has_reply:
                return
            state = KeyState("?", TTL_UNKNOWN)
        call.db.delete(src)
        moved = state.copy()
        moved.maybe_absent = False
        call.db.put(dst, moved)

    return handler


def _copy(call: _Call) -> None:
    argv = call.argv
    src, dst = text(argv[1]), text(argv[2])
    target = call.db
    replace = False
    i = 3
    while i < len(argv):
        opt = upper(argv[i])
        if opt == "DB":
            target = call.keyspace.database(call.server, int(text(argv[i + 1])))
            i += 1
        elif opt == "REPLACE":
            replace = True
        i += 1
    state = call.db.get(src, call.now)
    if call.has_reply:
        if _int(call.reply) != 1:
            return
    elif state is None or (target.get(dst, call.now) is not None and not replace):
        return
    twin = state.copy() if state is not None else KeyState("?", TTL_UNKNOWN)
    twin.maybe_absent = False
    target.put(dst, twin)


def _move(call: _Call) -> None:
    key = text(call.argv[1])
    target = call.keyspace.database(call.server, int(text(call.argv[2])))
    state = call.db.get(key, call.now)
    if call.has_reply:
        if _int(call.reply) != 1:
            return
    elif state is None or target.get(key, call.now) is not None:
        return
    call.db.delete(key)
    target.put(key, state if state is not None else KeyState("?", TTL_UNKNOWN))


def _restore(call: _Call) -> None:
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
    call.db.put(key, KeyState("?", deadline))


def _migrate(call: _Call) -> None:
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


def _flushdb(call: _Call) -> None:
    call.db.keys.clear()


def _flushall(call: _Call) -> None:
    for (server, _), db in call.keyspace.databases():
        if server == call.server:
            db.keys.clear()


def _swapdb(call: _Call) -> None:
    call.keyspace.swap(call.server, int(text(call.argv[1])), int(text(call.argv[2])))


# --- hashes ----------------------------------------------------------------------------------


def _add_hash_fields(call: _Call, fields: list[str]) -> None:
    state = _upsert(call, text(call.argv[1]), "hash")
    if state.fields is not None:
        state.fields.update(fields)
        state.size = len(state.fields)


def _hash_add(fields_at: Callable[[Sequence[object]], list[str]]) -> Handler:
    def handler(call: _Call) -> None:
        _add_hash_fields(call, fields_at(call.argv))

    return handler


def _hsetnx(call: _Call) -> None:
    if call.has_reply and _int(call.reply) != 1:
        return
    _hash_add(lambda a: [text(a[2])])(call)


def _hash_remove(fields_at: Callable[[Sequence[object]], list[str]]) -> Handler:
    def handler(call: _Call) -> None:
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
        removed = _int(call.reply) if call.has_reply else None
        _shrink(call, key, removed)

    return handler


def _hexpire(unit: int, absolute: bool) -> Handler:
    """Field TTLs (7.4+): the key's TTL is untouched; a field expired at once is deleted."""

    def handler(call: _Call) -> None:
        argv = call.argv
        key = text(argv[1])
        state = call.db.get(key, call.now)
        if state is None:
            return
        fields = _fields_after_keyword(argv)
        if isinstance(call.reply, (list, tuple)):
            gone = [f for f, r in zip(fields, call.reply, strict=False) if _int(r) == 2]
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


def _hsetex(call: _Call) -> None:
    if call.has_reply and _int(call.reply) == 0:
        return
    argv = call.argv
    for i, arg in enumerate(argv):
        if upper(arg) == "FIELDS":
            count = int(text(argv[i + 1]))
            fields = [text(argv[i + 2 + 2 * j]) for j in range(count)]
            _add_hash_fields(call, fields)
            return


# --- lists -----------------------------------------------------------------------------------


def _push(create: bool) -> Handler:
    def handler(call: _Call) -> None:
        key = text(call.argv[1])
        length = _int(call.reply) if call.has_reply else None
        state = call.db.get(key, call.now)
        if state is None and (not create or length == 0):
            return
        if call.has_reply and length is None:
            return
        state = _upsert(call, key, "list")
        if length is not None:
            state.size = length
        else:
            _grow(state, len(call.argv) - 2)

    return handler


def _linsert(call: _Call) -> None:
    key = text(call.argv[1])
    state = call.db.get(key, call.now)
    if state is None:
        return
    length = _int(call.reply) if call.has_reply else None
    if length is not None:
        if length > 0:
            state.size = length
    else:
        state.size = None  # the pivot may be missing


def _pop(call: _Call) -> None:
    key = text(call.argv[1])
    if call.has_reply:
        removed = _count(call.reply)
    else:
        removed = int(text(call.argv[2])) if len(call.argv) > 2 else 1
        state = call.db.get(key, call.now)
        if state is not None and state.size is not None:
            removed = min(removed, state.size)
    _shrink(call, key, removed)


def _ltrim(call: _Call) -> None:
    key = text(call.argv[1])
    state = call.db.get(key, call.now)
    if state is None:
        return
    if state.size is None:
        state.maybe_absent = True
        return
    kept = _range_length(state.size, int(text(call.argv[2])), int(text(call.argv[3])))
    _shrink(call, key, state.size - kept)


def _range_length(size: int, start: int, stop: int) -> int:
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


def _lrem(call: _Call) -> None:
    _shrink(call, text(call.argv[1]), _int(call.reply) if call.has_reply else None)


def _blocking_pop(call: _Call) -> None:
    """BLPOP/BRPOP/BZPOPMIN/BZPOPMAX: the reply names the key that gave one element."""
    if isinstance(call.reply, (list, tuple)) and call.reply:
        _shrink(call, text(call.reply[0]), 1)
    elif not call.has_reply:
        for arg in call.argv[1:-1]:
            if call.db.get(text(arg), call.now) is not None:
                _shrink(call, text(arg), 1)
                return


def _mpop(keys_from: int, pairs: bool) -> Handler:
    """LMPOP/BLMPOP/ZMPOP/BZMPOP: the reply is [key, [elements]]."""

    def handler(call: _Call) -> None:
        reply = call.reply
        if isinstance(reply, (list, tuple)) and len(reply) == 2:
            inner = reply[1]
            count = _pair_count(inner) if pairs else _count(inner)
            _shrink(call, text(reply[0]), count)
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
                _shrink(call, key, min(wanted, size) if size is not None else None)
                return

    return handler


def _move_element(call: _Call) -> None:
    """LMOVE/BLMOVE/RPOPLPUSH/BRPOPLPUSH."""
    src, dst = text(call.argv[1]), text(call.argv[2])
    if call.has_reply:
        if call.reply is None:
            return
    elif call.db.get(src, call.now) is None:
        return
    if src == dst:
        return
    _shrink(call, src, 1)
    state = _upsert(call, dst, "list")
    _grow(state, 1)


# --- sets and sorted sets --------------------------------------------------------------------


def _add_members(kind: str, first: int, stride: int) -> Handler:
    """SADD/ZADD/GEOADD: the reply counts members added (ZADD CH/INCR: changed, so unknown)."""

    def handler(call: _Call) -> None:
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
                _int(call.reply) if counted else len(set(map(text, argv[i + stride - 1 :: stride])))
            )
            if not added:
                return
            state = _upsert(call, key, kind)
            state.size = 1 if "INCR" in flags else added
            return
        state = _upsert(call, key, kind)
        _grow(state, _int(call.reply) if counted else None)

    return handler


_ZADD_FLAGS: Final = frozenset({"NX", "XX", "GT", "LT", "CH", "INCR"})


def _zincrby(call: _Call) -> None:
    key = text(call.argv[1])
    existed = call.db.get(key, call.now) is not None
    state = _upsert(call, key, "zset")
    state.size = None if existed else 1  # an existing set may or may not gain the member


def _remove_members(call: _Call) -> None:
    """SREM/ZREM/ZREMRANGEBY*: the reply counts members removed."""
    _shrink(call, text(call.argv[1]), _int(call.reply) if call.has_reply else None)


def _zremrangebyrank(call: _Call) -> None:
    if call.has_reply:
        _remove_members(call)
        return
    state = call.db.get(text(call.argv[1]), call.now)
    if state is not None and state.size is not None:
        size = state.size
        removed = _range_length(size, int(text(call.argv[2])), int(text(call.argv[3])))
        _shrink(call, text(call.argv[1]), removed)
    else:
        _shrink(call, text(call.argv[1]), None)


def _spop(call: _Call) -> None:
    _pop(call)


def _zpop(call: _Call) -> None:
    key = text(call.argv[1])
    if call.has_reply:
        _shrink(call, key, _pair_count(call.reply))
        return
    _pop(call)


def _smove(call: _Call) -> None:
    src, dst = text(call.argv[1]), text(call.argv[2])
    if call.has_reply:
        if _int(call.reply) != 1:
            return
    else:
        if src == dst or call.db.get(src, call.now) is None:
            return
        _shrink(call, src, None)  # the member may not be there
        state = _upsert(call, dst, "set")
        state.size = None
        state.maybe_absent = True  # created only if the member was there
        return
    if src == dst:
        return
    _shrink(call, src, 1)
    existed = call.db.get(dst, call.now) is not None
    state = _upsert(call, dst, "set")
    # The member may already have been in an existing destination.
    state.size = None if existed else 1


def _store(kind: str, dst_at: int) -> Handler:
    """*STORE: the destination is overwritten without TTL; an empty result deletes it."""

    def handler(call: _Call) -> None:
        dst = text(call.argv[dst_at])
        _overwrite(call, dst, kind, _int(call.reply) if call.has_reply else None)

    return handler


def _store_after_keyword(kind: str) -> Handler:
    """GEORADIUS ... STORE d, SORT ... STORE d."""

    def handler(call: _Call) -> None:
        argv = call.argv
        for i in range(2, len(argv) - 1):
            if upper(argv[i]) in ("STORE", "STOREDIST"):
                size = _int(call.reply) if call.has_reply else None
                _overwrite(call, text(argv[i + 1]), kind, size)
                return

    return handler


def _bitop(call: _Call) -> None:
    dst = text(call.argv[2])
    if call.has_reply:
        size = _int(call.reply)
    else:
        sources = [call.db.get(text(a), call.now) for a in call.argv[3:]]
        size = None if any(s is not None for s in sources) else 0
    if size == 0:
        call.db.delete(dst)
    else:
        call.db.put(dst, _new("string"))


# --- streams, HyperLogLog, JSON ---------------------------------------------------------------


def _xadd(call: _Call) -> None:
    key = text(call.argv[1])
    if call.has_reply and call.reply is None:
        return
    nomk = any(upper(a) == "NOMKSTREAM" for a in call.argv[2:5])
    if nomk and call.db.get(key, call.now) is None:
        return
    _upsert(call, key, "stream")


def _xgroup_create(call: _Call) -> None:
    if any(upper(a) == "MKSTREAM" for a in call.argv[4:]):
        _upsert(call, text(call.argv[2]), "stream")


def _pfadd(call: _Call) -> None:
    _upsert(call, text(call.argv[1]), "hll")


def _json_set(call: _Call) -> None:
    argv = call.argv
    if call.has_reply and call.reply is None:
        return
    key = text(argv[1])
    root = text(argv[2]).strip() in ("$", ".")
    state = call.db.get(key, call.now)
    if state is None and not root:
        return
    options = {upper(a) for a in argv[4:]}
    if not call.has_reply and (("NX" in options and state) or ("XX" in options and not state)):
        return
    _upsert(call, key, "json")


def _json_mset(call: _Call) -> None:
    for i in range(1, len(call.argv) - 2, 3):
        key = text(call.argv[i])
        if text(call.argv[i + 1]).strip() in ("$", ".") or call.db.get(key, call.now):
            _upsert(call, key, "json")


def _json_del(call: _Call) -> None:
    if len(call.argv) < 3 or text(call.argv[2]).strip() in ("$", "."):
        call.db.delete(text(call.argv[1]))


def _no_effect(call: _Call) -> None:
    """Writes that keep both the key's existence and its TTL."""


_HANDLERS: dict[str, Handler] = {
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
    "HPERSIST": _no_effect,
    "HGETEX": _no_effect,
    "HSETEX": _hsetex,
    "LPUSH": _push(True),
    "RPUSH": _push(True),
    "LPUSHX": _push(False),
    "RPUSHX": _push(False),
    "LINSERT": _linsert,
    "LSET": _no_effect,
    "LREM": _lrem,
    "LTRIM": _ltrim,
    "LPOP": _pop,
    "RPOP": _pop,
    "BLPOP": _blocking_pop,
    "BRPOP": _blocking_pop,
    "LMPOP": _mpop(2, False),
    "BLMPOP": _mpop(3, False),
    "LMOVE": _move_element,
    "BLMOVE": _move_element,
    "RPOPLPUSH": _move_element,
    "BRPOPLPUSH": _move_element,
    "SADD": _add_members("set", 2, 1),
    "SREM": _remove_members,
    "SPOP": _spop,
    "SMOVE": _smove,
    "SINTERSTORE": _store("set", 1),
    "SUNIONSTORE": _store("set", 1),
    "SDIFFSTORE": _store("set", 1),
    "ZADD": _add_members("zset", 2, 2),
    "GEOADD": _add_members("zset", 2, 3),
    "ZINCRBY": _zincrby,
    "ZREM": _remove_members,
    "ZREMRANGEBYSCORE": _remove_members,
    "ZREMRANGEBYLEX": _remove_members,
    "ZREMRANGEBYRANK": _zremrangebyrank,
    "ZPOPMIN": _zpop,
    "ZPOPMAX": _zpop,
    "BZPOPMIN": _blocking_pop,
    "BZPOPMAX": _blocking_pop,
    "ZMPOP": _mpop(2, True),
    "BZMPOP": _mpop(3, True),
    "ZUNIONSTORE": _store("zset", 1),
    "ZINTERSTORE": _store("zset", 1),
    "ZDIFFSTORE": _store("zset", 1),
    "ZRANGESTORE": _store("zset", 1),
    "GEOSEARCHSTORE": _store("zset", 1),
    "GEORADIUS": _store_after_keyword("zset"),
    "GEORADIUSBYMEMBER": _store_after_keyword("zset"),
    "SORT": _store_after_keyword("list"),
    "BITOP": _bitop,
    "XADD": _xadd,
    "XTRIM": _no_effect,
    "XDEL": _no_effect,
    "XACK": _no_effect,
    "XCLAIM": _no_effect,
    "XAUTOCLAIM": _no_effect,
    "XREADGROUP": _no_effect,
    "XSETID": _no_effect,
    "XGROUP CREATE": _xgroup_create,
    "XGROUP CREATECONSUMER": _no_effect,
    "XGROUP DELCONSUMER": _no_effect,
    "XGROUP DESTROY": _no_effect,
    "XGROUP SETID": _no_effect,
    "PFADD": _pfadd,
    "PFMERGE": _pfadd,  # merged in place: the destination keeps its TTL
    "PFCOUNT": _no_effect,
    "PFDEBUG": _no_effect,
    "JSON.SET": _json_set,
    "JSON.MSET": _json_mset,
    "JSON.MERGE": _json_set,
    "JSON.DEL": _json_del,
    "JSON.FORGET": _json_del,
}

# Every other JSON.* write changes a document in place: TTL and existence stay.
_IN_PLACE_PREFIXES: Final = ("JSON.",)

# Commands that never change keys, TTLs or existence (reads, scripts, pub/sub, admin).
_TRANSACTION = frozenset({"MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH"})


class Keyspace:
    """Key states of every server and database a test touched, fed one command at a time."""

    # Commands that can change the model; any other command only needs ``apply`` while a
    # connection has MULTI or SELECT state (``has_connection_state``).
    AFFECTING: Final = frozenset(_HANDLERS) | _TRANSACTION | {"SELECT"}
    # Commands with a handler of their own (the rest of AFFECTING is connection state).
    HANDLED: Final = frozenset(_HANDLERS)

    __slots__ = ("_connections", "_databases")

    def __init__(self) -> None:
        self._databases: PerDatabase[Database] = PerDatabase(Database)
        self._connections: dict[tuple[str, int], _Connection] = {}

    @property
    def has_connection_state(self) -> bool:
        return bool(self._connections)

    def database(self, server: str, db: int) -> Database:
        return self._databases.get(server, db)

    def databases(self) -> list[tuple[tuple[str, int], Database]]:
        return self._databases.items()

    def swap(self, server: str, a: int, b: int) -> None:
        self._databases.swap(server, a, b)

    def apply(
        self,
        name: str,
        argv: Sequence[object],
        reply: object = NO_REPLY,
        *,
        server: str = "default",
        db: int = 0,
        connection: int = 0,
        now: float | None = None,
        in_script: bool = False,
    ) -> bool:
        """Apply one command. Returns False when its TTL effect is unknown (not curated)."""
        return self.apply_positional(name, argv, reply, server, db, connection, now, in_script)

    def apply_positional(
        self,
        name: str,
        argv: Sequence[object],
        reply: object,
        server: str,
        db: int,
        connection: int,
        now: float | None,
        in_script: bool,
    ) -> bool:
        """``apply`` without keywords, for the per-command hot path."""
        if in_script:
            return self._run(name, argv, reply, server, db, now)
        conn = self._connections.get((server, connection)) if self._connections else None
        if (
            name in _TRANSACTION
            or name == "SELECT"
            or (conn is not None and conn.queue is not None)
        ):
            if conn is None:
                conn = self._connections[(server, connection)] = _Connection()
            known = self._transaction(conn, name, argv, reply, server, db, now)
            if conn.queue is None and conn.db is None and not conn.failed:
                # Nothing left to remember: later commands take the fast path again.
                del self._connections[(server, connection)]
            return known
        if conn is not None and conn.db is not None:
            db = conn.db
        return self._run(name, argv, reply, server, db, now)

    def _transaction(
        self,
        conn: _Connection,
        name: str,
        argv: Sequence[object],
        reply: object,
        server: str,
        db: int,
        now: float | None,
    ) -> bool:
        if conn.db is not None:
            db = conn.db
        if name == "SELECT":
            if not isinstance(reply, Exception) and len(argv) > 1:
                if conn.queue is not None:
                    conn.queue.append((name, argv))
                elif text(argv[1]).lstrip("-").isdigit():
                    conn.db = int(text(argv[1]))
            return True
        if name == "MULTI":
            if not isinstance(reply, Exception):
                conn.queue, conn.failed = [], False
            return True
        if conn.queue is None:
            return True  # EXEC/DISCARD without MULTI, WATCH, UNWATCH
        if name == "DISCARD":
            conn.queue, conn.failed = None, False
            return True
        if name == "EXEC":
            queued, failed = conn.queue, conn.failed
            conn.queue, conn.failed = None, False
            if failed or reply is None or isinstance(reply, Exception):
                return True
            replies: Sequence[object] = (
                list(reply) if isinstance(reply, (list, tuple)) else [NO_REPLY] * len(queued)
            )
            known = True
            for (queued_name, queued_argv), queued_reply in zip(queued, replies, strict=False):
                if queued_name == "SELECT":
                    index = text(queued_argv[1])
                    if not isinstance(queued_reply, Exception) and index.lstrip("-").isdigit():
                        db = conn.db = int(index)
                    continue
                known = self._run(queued_name, queued_argv, queued_reply, server, db, now) and known
            return known
        if isinstance(reply, Exception):
            conn.failed = True  # rejected while queueing: EXEC aborts with EXECABORT
            return True
        conn.queue.append((name, argv))
        return True

    def _run(
        self,
        name: str,
        argv: Sequence[object],
        reply: object,
        server: str,
        db: int,
        now: float | None,
    ) -> bool:
        if isinstance(reply, Exception):
            return True  # the server refused it: nothing changed
        handler = _HANDLERS.get(name)
        if handler is None:
            return name.startswith(_IN_PLACE_PREFIXES)
        if len(argv) < 2 and name not in ("FLUSHDB", "FLUSHALL"):
            return True
        call = _Call(self, server, self.database(server, db), argv, reply, now)
        try:
            handler(call)
        except (ValueError, IndexError):
            return False  # malformed arguments the server would have refused
        return True

    def state(
        self, key: str, *, server: str = "default", db: int = 0, now: float | None = None
    ) -> KeyState | None:
        return self.database(server, db).get(key, now)

    def ttl_class(
        self, key: str, *, server: str = "default", db: int = 0, now: float | None = None
    ) -> TtlClass:
        state = self.state(key, server=server, db=db, now=now)
        if state is None:
            return "absent"
        if state.maybe_absent or state.expires_at == TTL_UNKNOWN:
            return "unknown"
        return "persistent" if state.expires_at is None else "ttl"

    def ttl_seconds(
        self, key: str, *, server: str = "default", db: int = 0, now: float | None = None
    ) -> float | None:
        """Remaining TTL in seconds, None when absent, persistent or unknown."""
        state = self.state(key, server=server, db=db, now=now)
        if state is None or state.maybe_absent or state.expires_at in (None, TTL_UNKNOWN):
            return None
        if now is None or state.expires_at is None:
            return None
        return max(state.expires_at - now, 0.0) / 1000.0
