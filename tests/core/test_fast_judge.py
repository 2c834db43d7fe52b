"""The fast path (``core/fast_judge.py``) against the general path of ``Judge.feed``.

A judge with its fast handlers on (``fast_path_enabled = True``, the default) must end in
exactly the state a judge with them off (``fast_path_enabled = False``) ends in, for any stream
of commands: the same ``CommandUse`` from every ``feed``, the same call count, findings, last
writes, business fields and key states, and the same findings after ``finish``.

The property test feeds random streams to both judges and compares everything after every
command. The streams mix keys the fast path takes (clean cache, lease and dedup keys of the
declared tenant, as str and bytes) with keys it must leave to the general path (business, RQ,
unclassified, another tenant's, tenant-less), the shapes redis-py sends with shapes it does not
(options in any case, as bytes, repeated or invalid; zero, negative, str and float amounts; JSON
object values), error replies, script commands, MULTI/EXEC/DISCARD on one connection while
another sends other commands, SELECT (which the judge skips: each event names its database), two
servers and two databases, and a clock that moves on (keys expire inside a stream) and is
sometimes unknown (``time_ms=None``).

``test_fast_handlers_take_the_common_shapes`` keeps the comparison meaningful (the shapes the
streams send really take the fast path); the tests after it pin shapes that are easy to get wrong,
and the last ones a difference the property test found.

Examples: ``REDIS_BOUNDARY_FAST_JUDGE_EXAMPLES`` (default 400; raise it for a deeper local run).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis.exceptions import ResponseError

from pytest_redis_boundary.core.commands import CommandUse
from pytest_redis_boundary.core.events import NO_REPLY, CallSite, CommandEvent
from pytest_redis_boundary.core.fast_judge import fast_handler
from pytest_redis_boundary.core.findings import Finding
from pytest_redis_boundary.core.keyspace import TTL_UNKNOWN, UNKNOWN_KIND
from pytest_redis_boundary.core.policy import Policy, default_policy, parse_policy
from pytest_redis_boundary.core.rules import Judge

EXAMPLES = int(os.environ.get("REDIS_BOUNDARY_FAST_JUDGE_EXAMPLES", "400"))

NOW = 1_790_000_000_000  # a fixed wall-clock epoch in milliseconds (a whole second)
NOW_S = NOW // 1000
TEST = "tests/test_app.py::test_it"
SERVER = "127.0.0.1:6379"
OTHER_SERVER = "127.0.0.1:6380"
SITE = CallSite("app/cache.py", 30, "refresh")
OTHER_SITE = CallSite("app/jobs.py", 17, "mark_done")

DEFAULT = default_policy()
# The same policy with tenant-less keys allowed: ``cache:x`` becomes a key the fast path takes.
TENANT_OPTIONAL = parse_policy(
    'version: 1\ntenant:\n  key_patterns: ["t:{tenant}:*", "tenant:{tenant}:*"]\n'
    "  required: false\n",
    "tests/core/test_fast_judge.py",
)

# --- comparing two judges ---------------------------------------------------------------------

KeyStates = dict[tuple[str, int], dict[str, tuple[object, ...]]]


def key_states(judge: Judge) -> KeyStates:
    """Every key state per (server, db). An empty database is left out: the general path creates
    one for every command it applies (even one that changes nothing), the fast path only where it
    writes, and a database with no keys means the same as one never seen."""
    return {
        place: {
            key: (
                s.kind,
                s.expires_at,
                s.size,
                sorted(s.fields) if s.fields is not None else None,
                s.maybe_absent,
            )
            for key, s in database.keys.items()
        }
        for place, database in judge.keyspace.databases()
        if database.keys
    }


def snapshot(judge: Judge) -> dict[str, object]:
    """Everything observable about a judge between two commands."""
    connections = {
        where: (conn.db, None if conn.queue is None else list(conn.queue), conn.failed)
        for where, conn in judge.keyspace.connections.items()
    }
    return {
        "calls": judge.calls,
        "findings": judge.findings(),
        "written": dict(judge.last_writes()),
        "business_fields": {slot: set(f) for slot, f in judge.business_fields_held.items()},
        "keys": key_states(judge),
        "connections": connections,
    }


def assert_same(fast: Judge, general: Judge, context: str) -> None:
    got, want = snapshot(fast), snapshot(general)
    differing = {name: (got[name], want[name]) for name in want if got[name] != want[name]}
    assert not differing, f"{context}: fast != general in {differing}"


class Pair:
    """Two judges of one test, fed the same stream: fast handlers on, and off."""

    def __init__(self, policy: Policy = DEFAULT, tenant: str | None = "acme") -> None:
        self.fast = Judge(policy, test=TEST, declared_tenant=tenant)
        self.general = Judge(policy, test=TEST, declared_tenant=tenant)
        self.general.fast_path_enabled = False
        self.fed: list[tuple[CommandEvent, str]] = []

    def feed(self, event: CommandEvent, phase: str = "call") -> CommandUse | None:
        self.fed.append((event, phase))
        got = self.fast.feed(event, phase)
        want = self.general.feed(event, phase)
        context = f"after {len(self.fed)} command(s), the last {event!r} in {phase}"
        assert type(got) is type(want) and got == want, f"{context}: use {got!r} != {want!r}"
        assert_same(self.fast, self.general, context)
        return got

    def finish(self, now_ms: float | None) -> list[Finding]:
        self.fast.finish(now_ms)
        self.general.finish(now_ms)
        assert_same(self.fast, self.general, f"after finish({now_ms!r})")
        return self.fast.findings()


def ev(
    *args: object,
    reply: object = b"OK",
    server: str = SERVER,
    db: int = 0,
    connection: int = 0,
    site: CallSite | None = SITE,
    time_ms: float | None = NOW,
) -> CommandEvent:
    return CommandEvent(
        args, reply, server=server, db=db, connection=connection, site=site, time_ms=time_ms
    )


def rules(findings: list[Finding]) -> list[tuple[str, str, str | None, str | None]]:
    return [(f.rule, f.verdict, f.key, f.field) for f in findings]


# --- the stream strategy ----------------------------------------------------------------------

# Keys the fast path may take (clean for tenant "acme" or None), weighted up, and keys it must not.
CLEAN_KEYS = ("t:acme:cache:x", "t:acme:cache:y", "t:acme:lock:x", "t:acme:dedup:x")
DIRTY_KEYS = (
    "t:acme:job:1",  # business key
    "t:acme:result:1",  # business key
    "rq:job:1",  # RQ's namespace (and tenant-less)
    "t:acme:misc:1",  # in no key class
    "t:globex:cache:x",  # another tenant's (clean only when no tenant is declared)
    "cache:x",  # tenant-less (clean only when the policy does not require a tenant)
)
BUSINESS_FIELDS = ("status", "result", "owner")
CLEAN_FIELDS = ("a", "b", "count")

T = TypeVar("T")


@st.composite
def weighted(draw: st.DrawFn, *options: tuple[int, st.SearchStrategy[T]]) -> T:
    """One of the strategies, picked in proportion to its weight (``one_of`` picks evenly, and
    the same strategy listed twice counts once). Shrinks towards the first."""
    index = draw(
        st.sampled_from([i for i, (weight, _) in enumerate(options) for _ in range(weight)])
    )
    return draw(options[index][1])


key_text = weighted((1, st.sampled_from(CLEAN_KEYS)), (1, st.sampled_from(CLEAN_KEYS + DIRTY_KEYS)))
keys = st.builds(lambda k, raw: k.encode() if raw else k, key_text, st.booleans())
field_names = st.builds(
    lambda f, raw: f.encode() if raw else f,
    st.sampled_from(CLEAN_FIELDS + BUSINESS_FIELDS),
    st.booleans(),
) | st.just(1)
members = st.sampled_from(["m", b"n", 3])


def spelled(word: str) -> st.SearchStrategy[object]:
    """A command or option name as an application may send it."""
    return st.sampled_from(
        [word, word, word.lower(), word.encode(), word.lower().encode(), word.capitalize()]
    )


errors = st.sampled_from(["ERR x", "WRONGTYPE Operation against a key"]).map(
    ResponseError
) | st.just("ERR").map(Exception)


def replies(*usual: object) -> st.SearchStrategy[object]:
    """One of the usual replies, now and then an error reply."""
    return weighted((6, st.sampled_from(usual)), (1, errors))


values = st.sampled_from(
    [
        b"v",
        "v",
        "",
        7,
        -2,
        1.5,
        True,
        b'{"status": 1}',
        '{"a": 1, "owner": "x"}',
        '{"a": 1}',
        ' {"status": 1}',
        b'\n{"result": 2}',
        "\t{}",
        b"[1, 2]",
        "{not json",
        bytearray(b"v"),
    ]
)
seconds = st.sampled_from([10, 1, 2, 300, 700, 100_000, 0, -5, "10", b"300", 1.5, 2**62])
millis = st.sampled_from([10_000, 1, 500, 1500, 300_000, 0, -5, "1500", b"300000", 2**62])
at_seconds = st.sampled_from([NOW_S + 30, NOW_S + 5, NOW_S - 100, NOW_S + 100_000, "soon", 1.5])
at_millis = st.sampled_from([NOW + 30_000, NOW + 2_000, NOW - 100_000, NOW + 10**9, b"soon"])

Cmd = tuple[tuple[object, ...], object]  # (args, reply)


@st.composite
def set_commands(draw: st.DrawFn) -> Cmd:
    groups: list[list[object]] = []
    expiry = draw(st.sampled_from(["", "EX", "PX", "EXAT", "PXAT", "KEEPTTL", "EX EX", "PX EX"]))
    for word in expiry.split():
        amount = {"EX": seconds, "PX": millis, "EXAT": at_seconds, "PXAT": at_millis}.get(word)
        groups.append([draw(spelled(word))] + ([draw(amount)] if amount is not None else []))
    condition = draw(st.sampled_from(["", "", "NX", "XX", "NX NX"]))
    groups.extend([draw(spelled(word))] for word in condition.split())
    get = draw(st.sampled_from([False, False, False, True]))
    if get:
        groups.append([draw(spelled("GET"))])
    options = [part for group in draw(st.permutations(groups)) for part in group]
    args = (draw(spelled("SET")), draw(keys), draw(values), *options)
    if get:
        return args, draw(replies(b"old", None))
    return args, draw(replies(b"OK", b"OK", None, "OK"))


@st.composite
def expire_commands(draw: st.DrawFn) -> Cmd:
    name = draw(st.sampled_from(["EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"]))
    amount = {"EXPIRE": seconds, "PEXPIRE": millis, "EXPIREAT": at_seconds}.get(name, at_millis)
    condition = draw(st.sampled_from(["", "", "", "NX", "XX", "GT", "LT"]))
    options = [draw(spelled(condition))] if condition else []
    args = (draw(spelled(name)), draw(keys), draw(amount), *options)
    return args, draw(replies(1, 1, 0, True))


@st.composite
def many_keys(draw: st.DrawFn, name: str) -> Cmd:
    chosen = draw(st.lists(keys, min_size=1, max_size=3))
    if name == "MGET":
        found = st.sampled_from([b"v", None])
        reply: object = draw(st.lists(found, min_size=len(chosen), max_size=len(chosen)) | errors)
    else:
        reply = draw(replies(*range(len(chosen) + 1)))
    return (draw(spelled(name)), *chosen), reply


@st.composite
def hset_commands(draw: st.DrawFn) -> Cmd:
    pairs = draw(st.lists(st.tuples(field_names, values), min_size=1, max_size=2))
    args = (draw(spelled("HSET")), draw(keys), *(part for pair in pairs for part in pair))
    return args, draw(replies(*range(len(pairs) + 1)))


def one_key(name: str, *rest: object, reply: st.SearchStrategy[object]) -> st.SearchStrategy[Cmd]:
    return st.tuples(spelled(name), keys, reply).map(lambda t: ((t[0], t[1], *rest), t[2]))


single_key_commands = st.one_of(
    one_key("GET", reply=replies(b"v", None)),
    one_key("TTL", reply=replies(-2, -1, 10)),
    one_key("PTTL", reply=replies(-2, -1, 10_000)),
    one_key("LRANGE", 0, -1, reply=replies([b"a"], [])),
    one_key("HGETALL", reply=replies([b"a", b"1"], [])),
    one_key("INCR", reply=replies(1, 2)),
    one_key("PERSIST", reply=replies(0, 1)),
    one_key("GETDEL", reply=replies(b"v", None)),
    one_key("SETEX", 10, "v", reply=replies(b"OK")),
    st.tuples(
        spelled("SADD"), keys, st.lists(members, min_size=1, max_size=2), st.sampled_from([0, 1, 2])
    ).map(lambda t: ((t[0], t[1], *t[2]), t[3])),
    st.tuples(
        spelled("LPUSH"), keys, st.lists(members, min_size=1, max_size=2), replies(1, 2, 3)
    ).map(lambda t: ((t[0], t[1], *t[2]), t[3])),
    st.tuples(
        spelled("ZADD"), keys, st.sampled_from([[], ["NX"], ["XX"], ["CH"]]), members, replies(0, 1)
    ).map(lambda t: ((t[0], t[1], *t[2], 1, t[3]), t[4])),
    st.tuples(spelled("HGET"), keys, field_names, replies(b"v", None)).map(
        lambda t: ((t[0], t[1], t[2]), t[3])
    ),
    st.tuples(spelled("HDEL"), keys, field_names, replies(0, 1)).map(
        lambda t: ((t[0], t[1], t[2]), t[3])
    ),
    st.tuples(spelled("RENAME"), keys, keys, replies(b"OK")).map(
        lambda t: ((t[0], t[1], t[2]), t[3])
    ),
)

# The shapes redis-py sends, on the two keys most streams share: dense enough that a key is set,
# expires and is touched again within one stream.
fast_path_keys = st.builds(
    lambda k, raw: k.encode() if raw else k,
    st.sampled_from(["t:acme:cache:x", "t:acme:lock:x"]),
    st.booleans(),
)
common_commands = st.one_of(
    st.tuples(
        spelled("SET"),
        fast_path_keys,
        st.sampled_from(["v", b"v", 3, ' {"status": 1}', b'{"owner": 1}', "\t{}"]),
        st.sampled_from([[], ["EX", 1], ["EX", 10], ["PX", 1_500], ["EX", 1_000], ["EX", 0]]),
        st.sampled_from([[], ["NX"], ["XX"]]),
        st.sampled_from([b"OK", b"OK", None]),
    ).map(lambda t: ((t[0], t[1], t[2], *t[3], *t[4]), t[5])),
    st.tuples(
        st.sampled_from(
            [("EXPIRE", 1), ("EXPIRE", 10), ("EXPIRE", 1_000), ("PEXPIRE", 1_500), ("EXPIRE", 0)]
        ),
        fast_path_keys,
        st.sampled_from([1, 0]),
    ).map(lambda t: ((t[0][0], t[1], t[0][1]), t[2])),
    st.tuples(
        st.sampled_from([("DEL", 1), ("GET", b"v"), ("EXISTS", 1), ("TTL", 5), ("INCR", 2)]),
        fast_path_keys,
    ).map(lambda t: ((t[0][0], t[1]), t[0][1])),
    st.tuples(
        st.sampled_from(
            [
                ("EXPIREAT", NOW_S + 30),
                ("EXPIREAT", "soon"),
                ("PEXPIREAT", 1.5),
                ("EXPIREAT", NOW_S - 100),  # in the past: a removal, not a write
                ("PEXPIREAT", NOW - 5),
                ("EXPIRE", -5),
            ]
        ),
        fast_path_keys,
        st.sampled_from([1, 0]),
    ).map(lambda t: ((t[0][0], t[1], t[0][1]), t[2])),
    st.tuples(fast_path_keys, field_names, st.sampled_from([0, 1])).map(
        lambda t: (("HSET", t[0], t[1], "v"), t[2])
    ),
    st.tuples(fast_path_keys, fast_path_keys).map(lambda t: (("MGET", *t), [b"v", None])),
)

wild_commands = st.one_of(
    set_commands(),
    set_commands(),
    expire_commands(),
    expire_commands(),
    many_keys("DEL"),
    many_keys("UNLINK"),
    many_keys("EXISTS"),
    many_keys("MGET"),
    many_keys("TOUCH"),
    hset_commands(),
    single_key_commands,
    single_key_commands,
)
commands = weighted((1, common_commands), (1, wild_commands))

# Rare commands outside a structured transaction: SELECT (housekeeping for the judge: the event
# names the database), MULTI with an error reply, EXEC and DISCARD without MULTI.
stray_commands = st.one_of(
    st.tuples(spelled("SELECT"), st.sampled_from([0, 1, "x"]), replies(b"OK")).map(
        lambda t: ((t[0], t[1]), t[2])
    ),
    st.tuples(spelled("MULTI"), errors).map(lambda t: ((t[0],), t[1])),
    st.tuples(spelled("EXEC"), st.sampled_from([[], None, [1]])).map(lambda t: ((t[0],), t[1])),
    st.tuples(spelled("DISCARD"), replies(b"OK")).map(lambda t: ((t[0],), t[1])),
)


@dataclass(frozen=True)
class Step:
    """One command of the stream, with where and when it was sent."""

    args: tuple[object, ...]
    reply: object
    server: str
    db: int
    connection: int
    site: CallSite | None
    script: bool
    phase: str
    dt: int  # milliseconds since the previous command
    clock_unknown: bool  # time_ms=None


servers = st.sampled_from([SERVER, SERVER, SERVER, OTHER_SERVER])
dbs = st.sampled_from([0, 0, 0, 1])
connections = st.sampled_from([0, 1])
sites = st.sampled_from([SITE, OTHER_SITE, None])
phases = st.sampled_from(["call", "call", "setup", "teardown"])
dts = st.sampled_from([0, 1, 400, 1_000, 2_500, 20_000, 1_000_000])
unknown_clock = st.sampled_from([False, False, False, False, False, True])


@st.composite
def plain_steps(draw: st.DrawFn, connection: int | None = None) -> Step:
    stray = draw(st.sampled_from([False] * 24 + [True]))
    args, reply = draw(stray_commands if stray else commands)
    script = draw(st.sampled_from([False] * 9 + [True]))
    return Step(
        args,
        NO_REPLY if script else reply,
        draw(servers),
        draw(dbs),
        draw(connections) if connection is None else connection,
        draw(sites),
        script,
        draw(phases),
        draw(dts),
        draw(unknown_clock),
    )


@st.composite
def transactions(draw: st.DrawFn) -> list[Step]:
    """MULTI ... EXEC|DISCARD on one connection, with plain commands of the other in between."""
    conn = draw(connections)
    server, db, phase = draw(servers), draw(dbs), draw(phases)

    def on_conn(args: tuple[object, ...], reply: object) -> Step:
        return Step(args, reply, server, db, conn, draw(sites), False, phase, draw(dts), False)

    steps = [on_conn((draw(spelled("MULTI")),), b"OK")]
    results: list[object] = []
    for queued, (args, reply) in draw(
        st.lists(st.tuples(st.booleans(), commands), min_size=1, max_size=3)
    ):
        if queued:
            refused = draw(st.sampled_from([False] * 9 + [True]))
            steps.append(on_conn(args, ResponseError("ERR syntax") if refused else b"QUEUED"))
            results.append(reply)
        else:
            steps.append(draw(plain_steps(connection=1 - conn)))
    end = draw(
        st.sampled_from(["EXEC", "EXEC", "EXEC", "EXEC aborted", "EXEC refused", "DISCARD", "open"])
    )
    if end == "open":  # the test ends inside MULTI
        pass
    elif end == "DISCARD":
        steps.append(on_conn((draw(spelled("DISCARD")),), b"OK"))
    else:
        reply = {"EXEC aborted": None, "EXEC refused": ResponseError("EXECABORT x")}.get(
            end, results
        )
        steps.append(on_conn((draw(spelled("EXEC")),), reply))
    return steps


chunks = weighted((9, plain_steps().map(lambda s: [s])), (1, transactions()))
# Short streams, and long ones (a list's average size is small unless it has a minimum).
streams = weighted(
    (1, st.lists(chunks, max_size=10)), (1, st.lists(chunks, min_size=10, max_size=40))
).map(lambda parts: [step for part in parts for step in part])


def run(pair: Pair, steps: list[Step], finish_after: int | None) -> list[Finding]:
    clock = NOW
    for step in steps:
        clock += step.dt
        event = CommandEvent(
            step.args,
            step.reply,
            server=step.server,
            db=step.db,
            connection=step.connection,
            site=step.site,
            origin="script" if step.script else "client",
            time_ms=None if step.clock_unknown else clock,
        )
        pair.feed(event, step.phase)
    return pair.finish(None if finish_after is None else clock + finish_after)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
@given(
    policy=st.sampled_from([DEFAULT, DEFAULT, TENANT_OPTIONAL]),
    tenant=st.sampled_from(["acme", "acme", None]),
    steps=streams,
    finish_after=st.sampled_from([0, 1, 5_000, 10**9, None]),
)
def test_fast_path_matches_general_path(
    policy: Policy, tenant: str | None, steps: list[Step], finish_after: int | None
) -> None:
    run(Pair(policy, tenant), steps, finish_after)


# --- the fast path is really taken -------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "reply"),
    [
        (("SET", "t:acme:cache:x", "v"), b"OK"),
        ((b"set", b"t:acme:cache:x", b"v", b"ex", 10, b"nx"), None),
        (("SET", "t:acme:lock:x", 7, "PX", 500, "XX"), b"OK"),
        (("EXPIRE", "t:acme:cache:x", 10), 1),
        (("PEXPIRE", b"t:acme:cache:x", 500), 0),
        (("DEL", "t:acme:cache:x"), 1),
        (("UNLINK", "t:acme:cache:x"), 0),
        (("EXISTS", "t:acme:cache:x"), 1),
        (("EXISTS", "t:acme:cache:x", "t:acme:lock:x"), 2),
        (("MGET", "t:acme:cache:x", b"t:acme:dedup:x"), [None, b"v"]),
        (("TOUCH", "t:acme:cache:x"), 1),
        (("HSET", "t:acme:cache:x", "a", "1", b"b", "2"), 2),
        (("HGET", "t:acme:cache:x", "a"), b"1"),
        (("GET", "t:acme:cache:x"), b"v"),
        (("TTL", "t:acme:cache:x"), -2),
        (("LRANGE", "t:acme:cache:x", 0, -1), []),
        (("HGETALL", "t:acme:cache:x"), []),
        (("INCR", "t:acme:cache:x"), 1),
        (("SADD", "t:acme:cache:x", "m"), 1),
        (("LPUSH", "t:acme:cache:x", "m"), 1),
        (("ZADD", "t:acme:cache:x", 1, "m"), 1),
        (("PERSIST", "t:acme:cache:x"), 0),
    ],
)
def test_fast_handlers_take_the_common_shapes(args: tuple[object, ...], reply: object) -> None:
    """The property test compares something: these shapes, on clean keys, take the fast path."""
    handler = fast_handler(args[0])
    assert handler is not None
    judge = Judge(DEFAULT, test=TEST, declared_tenant="acme")
    assert handler(judge, args, reply, SERVER, 0, SITE, NOW, "call") is not None


@pytest.mark.parametrize(
    ("args", "reply"),
    [
        (("SET", "t:acme:job:1", "v"), b"OK"),  # business key
        (("SET", "rq:job:1", "v"), b"OK"),  # RQ
        (("SET", "t:acme:misc:1", "v"), b"OK"),  # no key class
        (("SET", "t:globex:cache:x", "v"), b"OK"),  # another tenant
        (("SET", "cache:x", "v"), b"OK"),  # no tenant
        (("SET", "t:acme:cache:x", b'{"status": 1}'), b"OK"),  # a JSON object value
        (("SET", "t:acme:cache:x", ' {"a": 1}'), b"OK"),  # one after whitespace
        (("SET", "t:acme:cache:x", "v", "EX", 0), ResponseError("ERR invalid expire time")),
        (("SET", "t:acme:cache:x", "v", "EX", "10"), b"OK"),  # a str amount
        (("SET", "t:acme:cache:x", "v", "KEEPTTL"), b"OK"),
        (("SET", "t:acme:cache:x", "v", "GET"), None),
        (("SET", "t:acme:cache:x", "v", "EX", 10, "PX", 10), b"OK"),
        (("EXPIRE", "t:acme:cache:x", 10, "NX"), 1),
        (("EXPIRE", "t:acme:cache:x", 10), ResponseError("ERR x")),
        (("DEL", "t:acme:cache:x"), ResponseError("ERR x")),
        (("HSET", "t:acme:cache:x", "status", "done"), 1),  # a business field
        (("HGET", "t:acme:cache:x", b"owner"), None),
    ],
)
def test_fast_handlers_leave_other_shapes_to_the_general_path(
    args: tuple[object, ...], reply: object
) -> None:
    handler = fast_handler(args[0])
    assert handler is not None
    judge = Judge(DEFAULT, test=TEST, declared_tenant="acme")
    assert handler(judge, args, reply, SERVER, 0, SITE, NOW, "call") is None
    assert snapshot(judge) == snapshot(Judge(DEFAULT, test=TEST, declared_tenant="acme"))


# --- shapes that are easy to get wrong --------------------------------------------------------


def test_last_writes_follow_each_key_across_sites_phases_and_databases() -> None:
    pair = Pair()
    other = CallSite("app/other.py", 7, "warm")
    pair.feed(ev("SET", "t:acme:cache:x", "v", "EX", 10), phase="setup")
    pair.feed(ev("SET", "t:acme:cache:y", "v", "EX", 10, site=other))
    pair.feed(ev("SET", "t:acme:cache:x", "v", "EX", 10))  # the same site, another phase
    pair.feed(ev("SET", "t:acme:cache:x", "v", "EX", 10, db=1, site=other))
    pair.feed(ev("EXPIRE", "t:acme:cache:y", 10, reply=1))
    pair.feed(ev("SET", "t:acme:cache:z", "v", "EX", 10, site=other))
    assert pair.fast.last_writes() == [
        ((SERVER, 0, "t:acme:cache:x"), ("SET", SITE, "call", False, None)),
        ((SERVER, 0, "t:acme:cache:y"), ("EXPIRE", SITE, "call", False, None)),
        ((SERVER, 1, "t:acme:cache:x"), ("SET", other, "call", False, None)),
        ((SERVER, 0, "t:acme:cache:z"), ("SET", other, "call", False, None)),
    ]


def test_set_nx_that_lost_records_the_write_but_leaves_the_key_absent() -> None:
    pair = Pair()
    use = pair.feed(ev("SET", "t:acme:cache:x", "v", "EX", 10, "NX", reply=None))
    assert use == CommandUse("SET", (("t:acme:cache:x", False, True),))
    assert dict(pair.fast.last_writes()) == {
        (SERVER, 0, "t:acme:cache:x"): ("SET", SITE, "call", False, None)
    }
    assert key_states(pair.fast) == {}
    assert pair.finish(NOW + 1_000) == []


def test_set_nx_that_lost_keeps_the_persistent_key_it_lost_to() -> None:
    pair = Pair()
    pair.feed(ev("SET", "t:acme:cache:x", "v", site=OTHER_SITE))
    pair.feed(ev(b"set", b"t:acme:cache:x", b"w", b"nx", b"px", 5_000, reply=None))
    assert key_states(pair.fast) == {
        (SERVER, 0): {"t:acme:cache:x": ("string", None, None, None, False)}
    }
    # The last write (the lost SET NX, at SITE) is the one reported.
    findings = pair.finish(NOW + 1_000)
    assert rules(findings) == [("RB201", "violation", "t:acme:cache:x", None)]
    assert findings[0].site == str(SITE)


def test_expire_reply_0_on_an_absent_key_changes_nothing_but_is_a_write() -> None:
    pair = Pair()
    use = pair.feed(ev("EXPIRE", "t:acme:cache:x", 10, reply=0))
    assert use == CommandUse("EXPIRE", (("t:acme:cache:x", False, True),))
    assert dict(pair.fast.last_writes()) == {
        (SERVER, 0, "t:acme:cache:x"): ("EXPIRE", SITE, "call", False, None)
    }
    assert key_states(pair.fast) == {}
    assert pair.finish(NOW + 1_000) == []


@pytest.mark.parametrize(
    ("name", "amount", "deadline"), [("EXPIRE", 10, NOW + 10_000), ("PEXPIRE", 500, NOW + 500)]
)
def test_expire_reply_1_on_a_key_never_seen(name: str, amount: int, deadline: int) -> None:
    """It existed before the test watched: a key of unknown kind with the new deadline."""
    pair = Pair()
    pair.feed(ev(name, "t:acme:cache:x", amount, reply=1))
    assert key_states(pair.fast) == {
        (SERVER, 0): {"t:acme:cache:x": (UNKNOWN_KIND, deadline, None, None, False)}
    }
    assert pair.finish(NOW) == []


def test_expire_reply_1_on_a_key_never_seen_beyond_the_class_limit() -> None:
    pair = Pair()
    pair.feed(ev("EXPIRE", "t:acme:lock:x", 3_600, reply=1))
    findings = pair.finish(NOW)
    assert rules(findings) == [("RB202", "violation", "t:acme:lock:x", None)]
    assert findings[0].key_ttl_seconds == 3_600


def test_expire_reply_1_without_a_clock_leaves_the_ttl_unknown() -> None:
    pair = Pair()
    pair.feed(ev("SET", "t:acme:cache:x", "v"))
    pair.feed(ev("EXPIRE", "t:acme:cache:x", 10, reply=1, time_ms=None))
    assert key_states(pair.fast) == {
        (SERVER, 0): {"t:acme:cache:x": ("string", TTL_UNKNOWN, None, None, False)}
    }
    assert rules(pair.finish(NOW)) == [("RB201", "warning", "t:acme:cache:x", None)]


def test_expire_to_the_past_deletes_the_key() -> None:
    pair = Pair()
    pair.feed(ev("SET", "t:acme:cache:x", "v"))
    pair.feed(ev("PEXPIRE", "t:acme:cache:x", -5, reply=1))
    assert key_states(pair.fast) == {}
    assert pair.finish(NOW) == []


@pytest.mark.parametrize("read", [("GET",), ("MGET",), ("MGET", "t:acme:lock:x"), ("HGETALL",)])
def test_value_read_of_a_key_holding_business_fields_is_rb102(read: tuple[str, ...]) -> None:
    pair = Pair()
    pair.feed(ev("HSET", "t:acme:cache:x", "status", "done", reply=1))
    pair.feed(ev(read[0], "t:acme:cache:x", *read[1:], reply=None, site=OTHER_SITE))
    assert rules(pair.fast.findings()) == [
        ("RB101", "violation", "t:acme:cache:x", "status"),
        ("RB102", "violation", "t:acme:cache:x", "status"),
    ]
    assert pair.fast.business_fields_held == {(SERVER, 0, "t:acme:cache:x"): {"status"}}


def test_value_read_after_a_json_object_set_is_rb102() -> None:
    pair = Pair()
    pair.feed(ev("SET", "t:acme:cache:x", b'{"status": 1}', "EX", 10))
    pair.feed(ev("GET", b"t:acme:cache:x", reply=b'{"status": 1}', site=OTHER_SITE))
    assert rules(pair.finish(NOW)) == [
        ("RB101", "violation", "t:acme:cache:x", "status"),
        ("RB102", "violation", "t:acme:cache:x", "status"),
    ]


def test_value_read_of_business_fields_on_another_database_is_clean() -> None:
    pair = Pair()
    pair.feed(ev("HSET", "t:acme:cache:x", "status", "done", reply=1))
    pair.feed(ev("GET", "t:acme:cache:x", db=1, reply=None))
    pair.feed(ev("GET", "t:acme:cache:x", server=OTHER_SERVER, reply=None))
    assert rules(pair.fast.findings()) == [("RB101", "violation", "t:acme:cache:x", "status")]


@pytest.mark.parametrize(
    "args",
    [
        ("DEL", "t:acme:job:1"),
        ("UNLINK", b"t:acme:job:1"),
        ("DEL", "t:acme:cache:x", "t:acme:job:1"),
    ],
)
def test_del_of_a_business_key_is_rb101(args: tuple[object, ...]) -> None:
    pair = Pair()
    pair.feed(ev(*args, reply=1))
    assert rules(pair.finish(NOW)) == [("RB101", "violation", "t:acme:job:1", None)]


@pytest.mark.parametrize(
    "args",
    [
        ("DEL", "t:acme:misc:1"),
        ("UNLINK", "t:acme:cache:x", b"t:acme:misc:1"),
        ("GETDEL", "t:acme:misc:1"),
        ("EXPIRE", "t:acme:misc:1", 0),
        ("PEXPIREAT", "t:acme:misc:1", NOW - 5),
    ],
)
def test_removing_an_unclassified_key_is_no_rb203(args: tuple[object, ...]) -> None:
    pair = Pair()
    pair.feed(ev(*args, reply=1))
    assert pair.finish(NOW) == []
    assert pair.fast.last_writes() == []


def test_an_expiry_in_the_past_after_a_write_keeps_the_write() -> None:
    """Found by the property test: the fast path noted EXPIREAT in the past as the last write."""
    pair = Pair()
    pair.feed(ev("EXPIRE", "t:acme:cache:x", 1, reply=1))
    pair.feed(ev("EXPIREAT", "t:acme:cache:x", NOW_S - 100, reply=1))
    assert [w.command for _, w in pair.fast.last_writes()] == ["EXPIRE"]
    assert pair.finish(NOW) == []


def test_del_of_another_tenants_key_is_rb302() -> None:
    pair = Pair()
    pair.feed(ev("DEL", "t:globex:cache:x", reply=1))
    assert rules(pair.finish(NOW)) == [("RB302", "violation", "t:globex:cache:x", None)]


def test_multi_on_one_connection_while_another_sends_plain_commands() -> None:
    pair = Pair()
    pair.feed(ev("MULTI", connection=1))
    pair.feed(ev("SET", "t:acme:cache:x", "v", connection=1, reply=b"QUEUED"))
    pair.feed(ev("SET", "t:acme:cache:y", "v", "EX", 10, connection=0))
    pair.feed(ev("EXPIRE", "t:acme:cache:x", 10, connection=1, reply=b"QUEUED"))
    pair.feed(ev("GET", "t:acme:cache:x", connection=0, reply=None))
    pair.feed(ev("DEL", "t:acme:lock:x", connection=0, reply=0))
    # Queued, not yet run: only the other connection's SET is in the model.
    assert key_states(pair.fast) == {
        (SERVER, 0): {"t:acme:cache:y": ("string", NOW + 10_000, None, None, False)}
    }
    pair.feed(ev("EXEC", connection=1, reply=[b"OK", 1]))
    assert key_states(pair.fast) == {
        (SERVER, 0): {
            "t:acme:cache:y": ("string", NOW + 10_000, None, None, False),
            "t:acme:cache:x": ("string", NOW + 10_000, None, None, False),
        }
    }
    pair.feed(ev("SET", "t:acme:cache:x", "v", connection=1))  # after EXEC: plain again
    assert rules(pair.finish(NOW)) == [("RB201", "violation", "t:acme:cache:x", None)]


def test_discarded_and_aborted_transactions_next_to_plain_commands() -> None:
    pair = Pair()
    pair.feed(ev("MULTI", connection=1))
    pair.feed(ev("SET", "t:acme:cache:x", "v", connection=1, reply=b"QUEUED"))
    pair.feed(ev("SET", "t:acme:cache:x", "v", "PX", 500, connection=0))
    pair.feed(ev("DISCARD", connection=1))
    pair.feed(ev("MULTI", connection=1))
    pair.feed(ev("PERSIST", "t:acme:cache:x", connection=1, reply=b"QUEUED"))
    pair.feed(ev("EXPIRE", "t:acme:cache:y", 10, connection=0, reply=0))
    pair.feed(ev("EXEC", connection=1, reply=None))  # WATCH abort: nothing ran
    assert key_states(pair.fast) == {
        (SERVER, 0): {"t:acme:cache:x": ("string", NOW + 500, None, None, False)}
    }
    assert pair.finish(NOW) == []


def test_select_is_housekeeping_and_each_event_names_its_database() -> None:
    """The recorder puts the connection's database on every event; SELECT itself is skipped."""
    pair = Pair()
    assert pair.feed(ev("SELECT", 1, connection=1)) is None
    pair.feed(ev("SET", "t:acme:cache:x", "v", "EX", 10, connection=1, db=1))
    pair.feed(ev("SET", "t:acme:cache:x", "v", connection=0))
    pair.feed(ev("DEL", "t:acme:cache:x", connection=1, db=1, reply=1))
    assert pair.fast.calls == 3
    assert key_states(pair.fast) == {
        (SERVER, 0): {"t:acme:cache:x": ("string", None, None, None, False)}
    }


def test_commands_run_inside_a_script_take_the_general_path() -> None:
    pair = Pair()
    pair.feed(ev("SET", "t:acme:cache:x", "v", "EX", 10))
    script = CommandEvent(
        ("SET", "t:acme:cache:x", "w", "NX"), NO_REPLY, server=SERVER, origin="script", time_ms=NOW
    )
    pair.feed(script)
    assert key_states(pair.fast) == {
        (SERVER, 0): {"t:acme:cache:x": ("string", NOW + 10_000, None, None, False)}
    }


# --- a difference the property test found ------------------------------------------------------
#
# Hot EXPIRE/PEXPIRE with a reply other than 1 once recorded the write and returned without
# looking the key up. The general path (``keyspace._expire``) looks the key up first, and
# ``Database.get`` drops a key whose deadline has passed; so after ``EXPIRE k n`` -> 0 on a key
# that had expired in the model, the general path had forgotten the key and the fast path still
# held it. Fixed by reading the key first in the fast handler too; these pin it.


def test_regression_fast_expire_reply_0_drops_a_key_that_has_expired() -> None:
    """Minimal case (shrunk from the property test): two commands, one second apart."""
    pair = Pair()
    pair.feed(ev("SET", "t:acme:cache:x", "v", "EX", 1))
    # The key expired at NOW + 1000: the server says 0, the model must drop it.
    pair.feed(ev("EXPIRE", "t:acme:cache:x", 10, reply=0, time_ms=NOW + 1_000))
    assert key_states(pair.fast) == {}


@pytest.mark.parametrize(
    "later_time_ms",
    [
        None,  # a command whose time is unknown
        NOW + 500,  # a pipelined command: its time is when it was queued, before the EXPIRE
    ],
)
def test_regression_fast_expire_reply_0_on_an_expired_key_keeps_a_later_rb201(
    later_time_ms: int | None,
) -> None:
    """What a kept key would cost: a later write would see the expired key as still there with
    its old TTL (``Database.get`` drops it only when the command's time is known and past the
    deadline), so the key the write recreates without a TTL would be judged absent at the end:
    no RB201. The server recreated it without a TTL, as the general path says."""
    events = [
        ev("SET", "t:acme:cache:x", "v", "EX", 1),
        ev("EXPIRE", "t:acme:cache:x", 10, reply=0, time_ms=NOW + 5_000),
        ev("INCR", "t:acme:cache:x", reply=1, time_ms=later_time_ms),
    ]
    fast = Judge(DEFAULT, test=TEST, declared_tenant="acme")
    general = Judge(DEFAULT, test=TEST, declared_tenant="acme")
    general.fast_path_enabled = False
    for judge in (fast, general):
        for event in events:
            judge.feed(event)
        judge.finish(NOW + 6_000)
    assert rules(general.findings()) == [("RB201", "violation", "t:acme:cache:x", None)]
    assert fast.findings() == general.findings()


@pytest.mark.parametrize("command", ["HSET", "SET", "GET", "EXISTS", "EXPIRE"])
def test_memoryview_keys_take_the_general_path(command: str) -> None:
    # redis-py sends memoryview arguments as they are; hashing a writable one raises ValueError.
    key = memoryview(bytearray(b"t:acme:job:42"))
    tail: dict[str, tuple[object, ...]] = {
        "HSET": ("status", b"done"),
        "SET": (b"v",),
        "GET": (),
        "EXISTS": (),
        "EXPIRE": (10,),
    }
    pair = Pair()
    pair.feed(ev(command, key, *tail[command], reply=1 if command != "GET" else None))
    found = {f.rule for f in pair.finish(NOW)}
    want = {"GET": {"RB102"}, "EXISTS": set(), "EXPIRE": {"RB101"}}.get(command, {"RB101", "RB201"})
    assert found == want, found
