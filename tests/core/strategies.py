"""Hypothesis strategies: random command sequences over a few keys for the differential tests.

Every TTL-affecting family of the command semantics table (``docs/reference/redis-semantics.md``)
is here, plus MULTI/EXEC (committed, discarded and WATCH-aborted) and Lua scripts. TTLs are long
(tens of seconds and more) or clearly in the past, so the wall-clock time a sequence takes can
never change its outcome.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from hypothesis import strategies as st

KEYS = ("k0", "k1", "k2", "k3")
DB, OTHER_DB = 14, 15
MEMBERS = ("a", "b", "c")

key = st.sampled_from(KEYS)
member = st.sampled_from(MEMBERS)
seconds = st.sampled_from([-5, 0, 30, 300, 3000])
millis = st.sampled_from([-5, 0, 30_000, 300_000, 3_000_000])
condition = st.sampled_from([[], ["NX"], ["XX"], ["GT"], ["LT"]])


def _future_s() -> int:
    return int(time.time()) + 3000


def _past_s() -> int:
    return int(time.time()) - 3000


@dataclass(frozen=True)
class When:
    """An absolute time resolved when the command is sent: 'past' or 'future', in s or ms."""

    where: str
    unit: str

    def value(self) -> int:
        secs = _future_s() if self.where == "future" else _past_s()
        return secs * 1000 if self.unit == "ms" else secs


when_s = st.builds(When, st.sampled_from(["past", "future"]), st.just("s"))
when_ms = st.builds(When, st.sampled_from(["past", "future"]), st.just("ms"))


def resolve(args: tuple[object, ...]) -> list[object]:
    return [a.value() if isinstance(a, When) else a for a in args]


@dataclass(frozen=True)
class Command:
    args: tuple[object, ...]


@dataclass(frozen=True)
class Transaction:
    commands: tuple[Command, ...]
    end: str  # "EXEC" or "DISCARD"
    watch_abort: str | None = None  # a key another client changes after WATCH


@dataclass(frozen=True)
class Script:
    """EVAL of a script whose inner commands the test knows (as MONITOR would show them)."""

    body: str
    keys: tuple[str, ...]
    argv: tuple[object, ...]
    inner: tuple[tuple[object, ...], ...] = field(default=())


def _cmd(*parts: st.SearchStrategy[object] | object) -> st.SearchStrategy[Command]:
    strategies = [p if isinstance(p, st.SearchStrategy) else st.just(p) for p in parts]
    return st.tuples(*strategies).map(lambda t: Command(_flatten(t)))


def _flatten(parts: tuple[object, ...]) -> tuple[object, ...]:
    out: list[object] = []
    for part in parts:
        if isinstance(part, (list, tuple)):
            out.extend(part)
        else:
            out.append(part)
    return tuple(out)


set_expiry = st.one_of(
    st.just([]),
    st.tuples(st.just("EX"), st.sampled_from([30, 300])).map(list),
    st.tuples(st.just("PX"), st.sampled_from([30_000, 300_000])).map(list),
    st.tuples(st.just("EXAT"), when_s).map(list),
    st.tuples(st.just("PXAT"), when_ms).map(list),
    st.just(["KEEPTTL"]),
)

getex_option = st.one_of(
    st.just([]),
    st.just(["PERSIST"]),
    st.tuples(st.just("EX"), st.sampled_from([30, 300])).map(list),
    st.tuples(st.just("PX"), st.sampled_from([30_000])).map(list),
    st.tuples(st.just("EXAT"), when_s).map(list),
    st.tuples(st.just("PXAT"), when_ms).map(list),
)

strings = st.one_of(
    _cmd(
        "SET",
        key,
        "v",
        st.sampled_from([[], ["NX"], ["XX"]]),
        st.sampled_from([[], ["GET"]]),
        set_expiry,
    ),
    _cmd("SETEX", key, st.sampled_from([30, 300]), "v"),
    _cmd("PSETEX", key, st.sampled_from([30_000, 300_000]), "v"),
    _cmd("SETNX", key, "v"),
    _cmd("MSET", key, "v", key, "w"),
    _cmd("MSETNX", key, "v", key, "w"),
    _cmd("GETSET", key, "v"),
    _cmd("GETEX", key, getex_option),
    _cmd("GETDEL", key),
    _cmd("APPEND", key, "x"),
    _cmd("INCR", key),
    _cmd("INCRBYFLOAT", key, "1.5"),
    _cmd("SETRANGE", key, 0, st.sampled_from(["x", ""])),
    _cmd("SETBIT", key, 3, 1),
    _cmd("BITFIELD", key, st.sampled_from([["SET", "u8", 0, 1], ["GET", "u8", 0]])),
)

expiry = st.one_of(
    _cmd(st.sampled_from(["EXPIRE"]), key, seconds, condition),
    _cmd(st.sampled_from(["PEXPIRE"]), key, millis, condition),
    _cmd("EXPIREAT", key, when_s, condition),
    _cmd("PEXPIREAT", key, when_ms, condition),
    _cmd("PERSIST", key),
)

keyspace = st.one_of(
    _cmd(st.sampled_from(["DEL", "UNLINK"]), key, key),
    _cmd("RENAME", key, key),
    _cmd("RENAMENX", key, key),
    _cmd(
        "COPY",
        key,
        key,
        st.sampled_from([[], ["REPLACE"], ["DB", OTHER_DB], ["DB", OTHER_DB, "REPLACE"]]),
    ),
    _cmd("MOVE", key, OTHER_DB),
    _cmd(
        "RESTORE",
        key,
        st.sampled_from([0, 300_000]),
        "<payload>",
        st.sampled_from([[], ["REPLACE"]]),
    ),
    _cmd(
        "RESTORE", key, when_ms, "<payload>", st.sampled_from([["ABSTTL"], ["REPLACE", "ABSTTL"]])
    ),
)

hashes = st.one_of(
    _cmd("HSET", key, member, "v", st.sampled_from([[], ["b", "w"]])),
    _cmd("HMSET", key, member, "v"),
    _cmd("HSETNX", key, member, "v"),
    _cmd("HINCRBY", key, member, 1),
    _cmd("HDEL", key, member, st.sampled_from([[], ["b"]])),
)

lists = st.one_of(
    _cmd(st.sampled_from(["LPUSH", "RPUSH"]), key, member, st.sampled_from([[], ["b"]])),
    _cmd(st.sampled_from(["LPUSHX", "RPUSHX"]), key, member),
    _cmd(st.sampled_from(["LPOP", "RPOP"]), key, st.sampled_from([[], [1], [2], [5]])),
    _cmd("LREM", key, 0, member),
    _cmd("LTRIM", key, st.sampled_from([0, 1, -1, 3]), st.sampled_from([0, -1, -2, 1])),
    _cmd("LMOVE", key, key, "LEFT", "RIGHT"),
    _cmd("RPOPLPUSH", key, key),
    _cmd("LINSERT", key, "BEFORE", member, "z"),
    _cmd("LMPOP", 2, key, key, "LEFT", st.sampled_from([[], ["COUNT", 3]])),
)

sets = st.one_of(
    _cmd("SADD", key, member, st.sampled_from([[], ["b"], ["a"]])),
    _cmd("SREM", key, member),
    _cmd("SPOP", key, st.sampled_from([[], [2]])),
    _cmd("SMOVE", key, key, member),
    _cmd(st.sampled_from(["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]), key, key, key),
)

zsets = st.one_of(
    _cmd("ZADD", key, st.sampled_from([[], ["NX"], ["XX"], ["CH"]]), 1, member),
    _cmd("ZADD", key, "INCR", 1, member),
    _cmd("ZINCRBY", key, 1, member),
    _cmd("ZREM", key, member),
    _cmd(st.sampled_from(["ZPOPMIN", "ZPOPMAX"]), key, st.sampled_from([[], [2]])),
    _cmd("ZREMRANGEBYRANK", key, 0, st.sampled_from([0, -1])),
    _cmd("ZREMRANGEBYSCORE", key, "-inf", "+inf"),
    _cmd(st.sampled_from(["ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"]), key, 2, key, key),
    _cmd("ZRANGESTORE", key, key, 0, -1),
    _cmd("ZMPOP", 1, key, "MIN", st.sampled_from([[], ["COUNT", 5]])),
    _cmd("GEOADD", key, "13.361389", "38.115556", member),
    _cmd("GEOSEARCHSTORE", key, key, "FROMLONLAT", 15, 37, "BYRADIUS", 500, "km"),
)

others = st.one_of(
    _cmd("XADD", key, st.sampled_from([[], ["NOMKSTREAM"]]), "*", "f", "v"),
    _cmd("XTRIM", key, "MAXLEN", 0),
    _cmd("XGROUP", "CREATE", key, "g", "$", "MKSTREAM"),
    _cmd("PFADD", key, st.sampled_from([[], ["a"]])),
    _cmd("PFMERGE", key, key),
    _cmd("BITOP", st.sampled_from(["AND", "OR"]), key, key, key),
    _cmd("SORT", key, "ALPHA", "STORE", key),
)

plain = st.one_of(strings, expiry, expiry, keyspace, hashes, lists, sets, zsets, others)

# Commands that also run inside scripts: known inner commands, no replies seen.
ScriptCommands = Callable[[str, str], list[tuple[object, ...]]]
SCRIPT_BODIES: dict[str, tuple[str, ScriptCommands]] = {
    "set": ("redis.call('SET', KEYS[1], ARGV[1])", lambda k, a: [("SET", k, a)]),
    "set_ex": (
        "redis.call('SET', KEYS[1], ARGV[1], 'EX', 300)",
        lambda k, a: [("SET", k, a, "EX", 300)],
    ),
    "expire": ("redis.call('EXPIRE', KEYS[1], 300)", lambda k, a: [("EXPIRE", k, 300)]),
    "persist": ("redis.call('PERSIST', KEYS[1])", lambda k, a: [("PERSIST", k)]),
    "del": ("redis.call('DEL', KEYS[1])", lambda k, a: [("DEL", k)]),
    "set_then_pexpire": (
        "redis.call('SET', KEYS[1], ARGV[1]); redis.call('PEXPIRE', KEYS[1], 300000)",
        lambda k, a: [("SET", k, a), ("PEXPIRE", k, 300000)],
    ),
}

scripts = st.builds(
    lambda name, k: Script(
        SCRIPT_BODIES[name][0], (k,), ("v",), tuple(SCRIPT_BODIES[name][1](k, "v"))
    ),
    st.sampled_from(sorted(SCRIPT_BODIES)),
    key,
)

transactions = st.builds(
    Transaction,
    st.lists(plain, min_size=1, max_size=4).map(tuple),
    st.sampled_from(["EXEC", "EXEC", "DISCARD"]),
    st.one_of(st.none(), key),
)

step = st.one_of(plain, plain, plain, plain, transactions, scripts)
sequences = st.lists(step, min_size=1, max_size=12)

# Ops after which the model may honestly not know whether a key still exists.
AMBIGUOUS = frozenset({"SMOVE", "ZINCRBY", "ZADD"})
