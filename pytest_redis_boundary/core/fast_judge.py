"""The judge's fast path: the commands applications send most, on keys without findings of
their own, judged in one step.

``Judge.feed_parts`` first offers each command to the handler registered for its name as sent
(``"GET"``, ``b"set"``; ``fast_handler``). A handler either judges the whole command, with
exactly the effect the general path (``analyse_argv``, ``Keyspace.apply``, ``Judge._check``)
would have had, and returns its ``CommandUse``; or it returns ``None`` having changed nothing,
and the general path runs.

A handler sees the judge only as a ``JudgeState``, through its public interface:
``finding_free_keys`` (read inline, before the call ``finding_free_key`` makes on a miss),
``non_business_fields``, ``business_fields_held``, ``note_write``, ``calls`` and the keyspace's
``per_database`` (applied to with ``keyspace.table.apply_command``).

A handler only takes a command when nothing about it can yield a finding at once: a client
command (not one run inside a script), no MULTI or SELECT state on its connection (a command
queued inside MULTI takes ``Judge._queue_finding_free``), no error reply, every key free of
findings of its own for this judge (not RQ's, not business, in a key class, of the declared
tenant or tenant-free when allowed) and no business field. The shapes it takes are the ones
redis-py's own methods send: ``SET k v [EX|PX n] [NX|XX]``, ``EXPIRE k n``, ``DEL k`` and so on;
any other shape falls back. ``tests/core/test_fast_judge.py`` feeds the same random streams to a
judge with and without these handlers and requires the same findings, key states and uses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, cast

from pytest_redis_boundary.core.cache_limits import COMMAND_HEADS_LIMIT, FAST_USES_LIMIT
from pytest_redis_boundary.core.commands import (
    VALUE_READS,
    CommandUse,
    analyse_argv,
    curated_names,
    single_key_plan,
    single_word_name,
    spellings,
)
from pytest_redis_boundary.core.events import NO_REPLY, CallSite
from pytest_redis_boundary.core.judge_state import MAY_ONLY_REMOVE, JudgeState, only_removes
from pytest_redis_boundary.core.keyspace import (
    MAX_MS,
    TTL_UNKNOWN,
    UNKNOWN_KIND,
    Keyspace,
    KeyState,
)
from pytest_redis_boundary.core.keyspace.table import apply_command

__all__ = ["HANDLER_BY_HEAD", "FastHandler", "fast_handler"]

FastHandler = Callable[
    [JudgeState, tuple[object, ...], object, str, int, "CallSite | None", "float | None", str],
    "CommandUse | None",
]


def _variants(*words: str) -> dict[object, str]:
    """Each option word as an application may send it, mapped to the word."""
    return {form: word for word in words for form in spellings(word)}


_SET_OPTIONS: Final = _variants("EX", "PX", "NX", "XX")


def _cannot_be_json_object(value: object) -> bool:
    """A value ``json_field_names`` would not parse (it can name no field)."""
    kind = type(value)
    if kind is bytes:
        data = cast(bytes, value)
        if not data:
            return True
        first = data[0]  # an int: no one-byte object, no mixed bytes/str comparison
        return first != 123 and first != 32 and not 9 <= first <= 13  # "{", bytes.isspace()
    if kind is str:
        head = cast(str, value)[:1]
        return head != "{" and not head.isspace()
    return kind is int or kind is float


# A Final copy: compiled, a C static read, where NO_REPLY (from events, not compiled) is a
# module dictionary lookup on every reply.
_NO_REPLY: Final = NO_REPLY
_SAFE_MS: Final = 2**52  # a deadline from two numbers below this cannot pass MAX_MS


def _answered(reply: object) -> bool:
    """The server answered (not ``NO_REPLY``) without an error: the common kinds first, as
    ``isinstance`` on a class from outside the compiled modules is a generic call."""
    kind = type(reply)
    if kind is bytes or kind is int or kind is str or reply is None:
        return True
    return reply is not _NO_REPLY and not isinstance(reply, BaseException)


def _uses_cache(
    name: str, make: Callable[[str], CommandUse]
) -> tuple[Callable[[object, str], CommandUse], dict[object, CommandUse]]:
    """The CommandUse of ``name`` on one key, built once per key (it holds no value), and the
    cache itself, for a handler to look a key up without a call."""
    uses: dict[object, CommandUse] = {}

    def use_of(raw: object, key: str) -> CommandUse:
        use = uses.get(raw)
        if use is None:
            if len(uses) >= FAST_USES_LIMIT:
                uses.clear()
            use = uses[raw] = make(key)
        return use

    return use_of, uses


# --- handler factories ------------------------------------------------------------------------


def _read(
    name: str,
    index: int,
    make_use: Callable[[str], CommandUse],
    more: FastHandler | None = None,
) -> FastHandler:
    """A read-only command with one key at a fixed index and no field (GET, TTL, LRANGE ...);
    ``more`` takes the command when it has more arguments than that (EXISTS k1 k2 ...)."""
    value_read = name in VALUE_READS
    use_of, uses = _uses_cache(name, make_use)
    size = index + 1

    def handle(
        judge: JudgeState,
        args: tuple[object, ...],
        reply: object,
        server: str,
        db: int,
        site: CallSite | None,
        now: float | None,
        phase: str,
    ) -> CommandUse | None:
        argc = len(args)
        if argc != size:
            if more is not None and argc > size:
                return more(judge, args, reply, server, db, site, now, phase)
            if argc < size:
                return None
        raw = args[index]
        key = (
            judge.finding_free_keys.get(raw) if type(raw) is str else None
        ) or judge.finding_free_key(raw)
        held = judge.business_fields_held
        if key is None or (value_read and held and (server, db, key) in held):
            return None
        judge.calls += 1
        use = uses.get(raw)
        return use if use is not None else use_of(raw, key)

    return handle


def _read_many(name: str) -> FastHandler:
    """EXISTS/MGET/TOUCH-like reads (every argument a key)."""
    many = _read_keys(name, name in VALUE_READS)
    return _read(name, 1, lambda key: analyse_argv(name, (name, key)), more=many)


def _read_keys(name: str, value_read: bool) -> FastHandler:
    uses: dict[tuple[object, ...], CommandUse] = {}

    def handle(
        judge: JudgeState,
        args: tuple[object, ...],
        reply: object,
        server: str,
        db: int,
        site: CallSite | None,
        now: float | None,
        phase: str,
    ) -> CommandUse | None:
        held = judge.business_fields_held if value_read else None
        keys = []
        for raw in args[1:]:
            key = (
                judge.finding_free_keys.get(raw) if type(raw) is str else None
            ) or judge.finding_free_key(raw)
            if key is None or (held and (server, db, key) in held):
                return None
            keys.append(key)
        judge.calls += 1
        raws = args[1:]
        use = uses.get(raws)
        if use is None:
            if len(uses) >= FAST_USES_LIMIT:
                uses.clear()
            use = uses[raws] = analyse_argv(name, (name, *keys))
        return use

    return handle


def _set(
    judge: JudgeState,
    args: tuple[object, ...],
    reply: object,
    server: str,
    db: int,
    site: CallSite | None,
    now: float | None,
    phase: str,
) -> CommandUse | None:
    """``SET k v [EX|PX n] [NX|XX]`` in any order; a value that cannot be a JSON object.

    SET is read in three places, each for its own path: ``commands._fast_set`` (its keys and
    fields, for the general path), ``keyspace.strings._set`` (its TTL effect, every option) and
    this one, which takes only the shape redis-py sends and does both in one pass over the
    options. Calling the other two instead would parse the options twice and build the
    ``CommandUse`` and ``Call`` the fast path exists to skip; the property test in
    ``tests/core/test_fast_judge.py`` holds the three to one behaviour."""
    argc = len(args)
    if argc < 3 or argc > 6 or not _answered(reply):
        return None
    unit = 0
    amount = 0
    i = 3
    while i < argc:
        word = args[i]
        kind = type(word)
        option = _SET_OPTIONS.get(word) if kind is str or kind is bytes else None
        if option is None:
            return None
        if option == "EX" or option == "PX":
            if unit or i + 1 >= argc:
                return None
            given = args[i + 1]
            if type(given) is not int or given <= 0:
                return None
            amount = given
            unit = 1000 if option == "EX" else 1
            i += 2
        else:
            i += 1
    raw = args[1]
    key = (
        judge.finding_free_keys.get(raw) if type(raw) is str else None
    ) or judge.finding_free_key(raw)
    if key is None or not _cannot_be_json_object(args[2]):
        return None
    if reply is not None:  # nil: NX or XX lost, nothing written
        if not unit:
            expires: float | None = None
        elif now is None:
            expires = TTL_UNKNOWN
        else:
            expires = now + amount * unit
        keys = judge.keyspace.database(server, db).keys
        state = keys.get(key)
        if state is None:
            keys[key] = KeyState("string", expires)
        else:  # overwritten in place: a state belongs to one key of one database
            state.kind = "string"
            state.expires_at = expires
            state.size = None
            state.fields = None
            state.maybe_absent = False
    judge.note_write(server, db, key, "SET", site, phase, False)
    judge.calls += 1
    use = _SET_USES.get(raw)
    return use if use is not None else _set_use(raw, key)


_set_use, _SET_USES = _uses_cache("SET", lambda key: CommandUse("SET", ((key, False, True),)))


def _expire(name: str, unit: int) -> FastHandler:
    """``EXPIRE k n`` / ``PEXPIRE k n`` without options, with its integer reply."""
    use_of, uses = _uses_cache(name, lambda key: analyse_argv(name, (name, key, 1)))

    def handle(
        judge: JudgeState,
        args: tuple[object, ...],
        reply: object,
        server: str,
        db: int,
        site: CallSite | None,
        now: float | None,
        phase: str,
    ) -> CommandUse | None:
        if len(args) != 3 or type(reply) is not int:
            return None
        amount = args[2]
        if type(amount) is not int:
            return None
        span = abs(amount * unit)
        if (span > _SAFE_MS or (now is not None and now > _SAFE_MS)) and span + (now or 0) > MAX_MS:
            return None
        raw = args[1]
        key = (
            judge.finding_free_keys.get(raw) if type(raw) is str else None
        ) or judge.finding_free_key(raw)
        if key is None:
            return None
        database = judge.keyspace.database(server, db)
        state = database.get(key, now)  # read first, as the general path does: drops it if expired
        if reply == 1:
            if state is None:  # it existed after all (written before we watched)
                state = database.keys[key] = KeyState(UNKNOWN_KIND, TTL_UNKNOWN)
            if now is None:
                state.expires_at = TTL_UNKNOWN
                state.maybe_absent = False
            else:
                deadline = now + amount * unit
                if deadline <= now:
                    del database.keys[key]
                else:
                    state.expires_at = deadline
                    state.maybe_absent = False
        if amount > 0:  # an expiry in the past only removes the key: not a write
            judge.note_write(server, db, key, name, site, phase, False)
        judge.calls += 1
        use = uses.get(raw)
        return use if use is not None else use_of(raw, key)

    return handle


def _delete(name: str) -> FastHandler:
    """``DEL k`` / ``UNLINK k`` with a single key."""
    use_of, _ = _uses_cache(name, lambda key: analyse_argv(name, (name, key)))

    def handle(
        judge: JudgeState,
        args: tuple[object, ...],
        reply: object,
        server: str,
        db: int,
        site: CallSite | None,
        now: float | None,
        phase: str,
    ) -> CommandUse | None:
        if len(args) != 2 or not _answered(reply):
            return None
        raw = args[1]
        key = (
            judge.finding_free_keys.get(raw) if type(raw) is str else None
        ) or judge.finding_free_key(raw)
        if key is None:
            return None
        judge.keyspace.database(server, db).keys.pop(key, None)  # a removal is not a write
        judge.calls += 1
        return use_of(raw, key)

    return handle


def _write(name: str, index: int, reads: bool, writes: bool) -> FastHandler:
    """Any other write with one key at a fixed index and no field: the key-state model applies
    it by its general handler (INCR, SADD, LPUSH, ZADD ...)."""
    use_of, _ = _uses_cache(name, lambda key: CommandUse(name, ((key, reads, writes),)))
    may_only_remove = name in MAY_ONLY_REMOVE  # EXPIREAT, PEXPIREAT

    def handle(
        judge: JudgeState,
        args: tuple[object, ...],
        reply: object,
        server: str,
        db: int,
        site: CallSite | None,
        now: float | None,
        phase: str,
    ) -> CommandUse | None:
        if len(args) <= index or not _answered(reply):
            return None
        raw = args[index]
        key = (
            judge.finding_free_keys.get(raw) if type(raw) is str else None
        ) or judge.finding_free_key(raw)
        if key is None:
            return None
        curated = apply_command(judge.keyspace.per_database, name, args, reply, server, db, now)
        if writes and not (may_only_remove and only_removes(name, args, now)):
            judge.note_write(server, db, key, name, site, phase, not curated)
        judge.calls += 1
        return use_of(raw, key)

    return handle


def _hset(
    judge: JudgeState,
    args: tuple[object, ...],
    reply: object,
    server: str,
    db: int,
    site: CallSite | None,
    now: float | None,
    phase: str,
) -> CommandUse | None:
    """``HSET k f v [f v ...]`` whose fields are not business fields."""
    argc = len(args)
    if argc < 4 or argc % 2 or not _answered(reply):
        return None
    raw = args[1]
    key = (
        judge.finding_free_keys.get(raw) if type(raw) is str else None
    ) or judge.finding_free_key(raw)
    if key is None:
        return None
    fields = judge.non_business_fields(args, 2, 2)
    if fields is None:
        return None
    curated = apply_command(judge.keyspace.per_database, "HSET", args, reply, server, db, now)
    judge.note_write(server, db, key, "HSET", site, phase, not curated)
    judge.calls += 1
    return CommandUse("HSET", ((key, False, True),), tuple((key, f) for f in fields))


def _hget(
    judge: JudgeState,
    args: tuple[object, ...],
    reply: object,
    server: str,
    db: int,
    site: CallSite | None,
    now: float | None,
    phase: str,
) -> CommandUse | None:
    """``HGET k f`` of a field that is not a business field."""
    if len(args) != 3:
        return None
    raw = args[1]
    key = (
        judge.finding_free_keys.get(raw) if type(raw) is str else None
    ) or judge.finding_free_key(raw)
    if key is None:
        return None
    fields = judge.non_business_fields(args, 2, 1)
    if fields is None:
        return None
    judge.calls += 1
    return CommandUse("HGET", ((key, True, False),), (), ((key, fields[0]),))


# --- the table --------------------------------------------------------------------------------

_DEDICATED_HANDLERS: Final[dict[str, FastHandler]] = {
    "SET": _set,
    "EXPIRE": _expire("EXPIRE", 1000),
    "PEXPIRE": _expire("PEXPIRE", 1),
    "DEL": _delete("DEL"),
    "UNLINK": _delete("UNLINK"),
    "HSET": _hset,
    "HGET": _hget,
}
_KEY_LIST_READS: Final = frozenset({"EXISTS", "MGET", "TOUCH"})


def _handler_for(name: str) -> FastHandler | None:
    special = _DEDICATED_HANDLERS.get(name)
    if special is not None:
        return special
    if name in _KEY_LIST_READS:
        return _read_many(name)
    if name in curated_names() or name.startswith("JSON."):
        return None
    plan = single_key_plan(name)
    if plan is None:
        return None
    index, reads, writes = plan
    if name in Keyspace.HANDLED:
        return _write(name, index, reads, writes) if writes else None
    if name in Keyspace.AFFECTING:
        return None
    if writes:
        return None  # a write the model has no handler for: its TTL effect is unknown
    return _read(name, index, lambda key: CommandUse(name, ((key, reads, writes),)))


# A command's head as sent ("GET", b"get") -> its handler, or None for the general path.
HANDLER_BY_HEAD: dict[object, FastHandler | None] = {}


def fast_handler(head: object) -> FastHandler | None:
    """The handler for a command sent with ``head`` as its name, or None (general path)."""
    try:
        return HANDLER_BY_HEAD[head]
    except KeyError:
        pass
    except (TypeError, ValueError):  # unhashable (a writable memoryview): the general path
        return None
    name = single_word_name(head)
    handler = _handler_for(name) if name else None
    if len(HANDLER_BY_HEAD) < COMMAND_HEADS_LIMIT:
        HANDLER_BY_HEAD[head] = handler
    return handler
