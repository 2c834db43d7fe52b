"""Unit tests of the key/TTL state model, one verified scenario at a time.

Every case names the scenario(s) of the verified scenario table in
``docs/reference/redis-semantics.md`` (ids S001...: what a real Redis 7.0.15 did) or the row of
its command semantics table it encodes. A case runs twice where
the reply matters: with the raw reply a client connection reads, and without one (``NO_REPLY``,
``in_script=True``: a command run inside Lua, where the model infers the effect from its state).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from pytest_redis_boundary.core.commands import split_argv
from pytest_redis_boundary.core.events import NO_REPLY
from pytest_redis_boundary.core.keyspace import Keyspace

NOW = 1_700_000_000_000  # epoch ms, a whole second
NOW_S = NOW // 1000
OK = b"OK"
QUEUED = b"QUEUED"
SKIP = "skip"  # no reply-less variant

Step = tuple[tuple[object, ...], object, int]  # (args, reply, db)


def run(
    ks: Keyspace,
    *args: object,
    reply: object = NO_REPLY,
    now: float | None = NOW,
    db: int = 0,
    connection: int = 0,
    in_script: bool = False,
) -> bool:
    name, argv = split_argv(args)
    return ks.apply(name, argv, reply, db=db, connection=connection, now=now, in_script=in_script)


def cls(ks: Keyspace, key: str, *, db: int = 0, now: float | None = NOW) -> str:
    return ks.ttl_class(key, db=db, now=now)


# --- set-up helpers: what a client did before the command under test ---------------------------


def step(*args: object, reply: object = OK, db: int = 0) -> Step:
    return (args, reply, db)


def _ttl(key: str, ttl: int | None, db: int) -> list[Step]:
    return [] if ttl is None else [step("EXPIRE", key, str(ttl), reply=1, db=db)]


def string(key: str, ttl: int | None = None, db: int = 0) -> list[Step]:
    return [step("SET", key, "v", db=db), *_ttl(key, ttl, db)]


def hash_(key: str, *fields: str, ttl: int | None = None) -> list[Step]:
    pairs = [x for f in fields for x in (f, "1")]
    return [step("HSET", key, *pairs, reply=len(fields)), *_ttl(key, ttl, 0)]


def list_(key: str, *items: str, ttl: int | None = None) -> list[Step]:
    return [step("RPUSH", key, *items, reply=len(items)), *_ttl(key, ttl, 0)]


def set_(key: str, *members: str, ttl: int | None = None) -> list[Step]:
    return [step("SADD", key, *members, reply=len(members)), *_ttl(key, ttl, 0)]


def zset(key: str, *members: str, ttl: int | None = None) -> list[Step]:
    pairs = [x for i, m in enumerate(members) for x in (str(i + 1), m)]
    return [step("ZADD", key, *pairs, reply=len(members)), *_ttl(key, ttl, 0)]


def stream(key: str, ttl: int | None = None) -> list[Step]:
    return [step("XADD", key, "1-1", "f", "v", reply=b"1-1"), *_ttl(key, ttl, 0)]


def hll(key: str, ttl: int | None = None) -> list[Step]:
    return [step("PFADD", key, "a", reply=1), *_ttl(key, ttl, 0)]


def build(setup: list[Step]) -> Keyspace:
    ks = Keyspace()
    for args, reply, db in setup:
        run(ks, *args, reply=reply, db=db)
    return ks


def check(ks: Keyspace, expect: dict[str, str], seconds: dict[str, float]) -> None:
    """``expect`` maps "key" or "db1:key" to its TTL class; ``seconds`` to its remaining TTL."""
    got = {}
    for spec in expect:
        db, key = (int(spec[2]), spec[4:]) if spec.startswith("db") else (0, spec)
        got[spec] = cls(ks, key, db=db)
    assert got == expect
    for spec, value in seconds.items():
        db, key = (int(spec[2]), spec[4:]) if spec.startswith("db") else (0, spec)
        assert ks.ttl_seconds(key, db=db, now=NOW) == value


@dataclass(frozen=True)
class Case:
    sid: str
    setup: list[Step]
    args: tuple[object, ...]
    reply: object
    expect: dict[str, str]
    seconds: dict[str, float] = field(default_factory=dict)
    # Expectations without a reply: None = the same as with it; SKIP = not meaningful.
    script: dict[str, str] | str | None = None

    def __str__(self) -> str:
        return f"{self.sid}: {' '.join(map(str, self.args))} -> {self.reply!r}"


def C(
    sid: str,
    setup: list[Step],
    args: tuple[object, ...] | list[object],
    reply: object,
    expect: dict[str, str],
    seconds: dict[str, float] | None = None,
    script: dict[str, str] | str | None = None,
) -> Case:
    return Case(sid, setup, tuple(args), reply, expect, seconds or {}, script)


ERR = Exception  # a plain Exception stands in for redis.ResponseError: the core never imports redis

# fmt: off
# --- strings -----------------------------------------------------------------------------------

STRINGS = [
    C("S001", string("k", 100), ["SET", "k", "w"], OK, {"k": "persistent"}),
    C("S002", string("k", 100), ["SET", "k", "v"], OK, {"k": "persistent"}),
    C("S003", string("k", 100), ["SET", "k", "w", "KEEPTTL"], OK, {"k": "ttl"}, {"k": 100.0}),
    C("S004", string("k"), ["SET", "k", "w", "EX", "50"], OK, {"k": "ttl"}, {"k": 50.0}),
    C("S005", [], ["SET", "k", "v", "PX", "50000"], OK, {"k": "ttl"}, {"k": 50.0}),
    C("S006", [], ["SET", "k", "v", "EXAT", str(NOW_S + 50)], OK, {"k": "ttl"}, {"k": 50.0}),
    C("S007", [], ["SET", "k", "v", "PXAT", str(NOW + 50_000)], OK, {"k": "ttl"}, {"k": 50.0}),
    C("S008", string("k"), ["SET", "k", "w", "EXAT", str(NOW_S - 10)], OK, {"k": "absent"}),
    C("S008", string("k"), ["SET", "k", "w", "PXAT", str(NOW - 1)], OK, {"k": "absent"}),
    C("S009", [], ["SET", "k", "v", "EXAT", str(NOW_S - 10)], OK, {"k": "absent"}),
    C("S010", string("k", 100), ["SET", "k", "v", "EX", "0"], ERR("ERR invalid expire time"),
      {"k": "ttl"}, {"k": 100.0}, script=SKIP),
    C("S011", string("k", 100), ["SET", "k", "v", "EX", "-5"], ERR("ERR invalid expire time"),
      {"k": "ttl"}, script=SKIP),
    C("S012", string("k", 100), ["SET", "k", "w", "NX"], None, {"k": "ttl"}, {"k": 100.0}),
    C("S013", [], ["SET", "k", "v", "NX"], OK, {"k": "persistent"}),
    C("S014", string("k", 100), ["SET", "k", "w", "XX"], OK, {"k": "persistent"}),
    C("S015", [], ["SET", "k", "v", "XX"], None, {"k": "absent"}),
    C("S016", string("k", 100), ["SET", "k", "w", "GET"], b"v", {"k": "persistent"}),
    C("S016", [], ["SET", "k", "w", "GET"], None, {"k": "persistent"}),
    C("S017", string("k", 100), ["SET", "k", "w", "XX", "KEEPTTL", "GET"], b"v", {"k": "ttl"},
      {"k": 100.0}),
    C("S015,S017", [], ["SET", "k", "w", "XX", "GET"], None, {"k": "absent"}),
    C("S018", string("k", 100), ["SET", "k", "w", "NX", "GET"], b"v", {"k": "ttl"}, {"k": 100.0}),
    C("S013,S018", [], ["SET", "k", "w", "NX", "GET"], None, {"k": "persistent"}),
    C("S019", [], ["SET", "k", "v", "KEEPTTL"], OK, {"k": "persistent"}),
    C("S020", hash_("k", "a", ttl=100), ["SET", "k", "v"], OK, {"k": "persistent"}),
    C("S203", string("k", 100), ["SET", "k", "v", "EX", "50", "KEEPTTL"], ERR("ERR syntax error"),
      {"k": "ttl"}, {"k": 100.0}),
    C("S021", string("k", 100), ["SETEX", "k", "50", "v"], OK, {"k": "ttl"}, {"k": 50.0}),
    C("S022", string("k", 100), ["SETEX", "k", "0", "v"], ERR("ERR invalid expire time"),
      {"k": "ttl"}, {"k": 100.0}, script=SKIP),
    C("S023", string("k"), ["PSETEX", "k", "50000", "v"], OK, {"k": "ttl"}, {"k": 50.0}),
    C("S191", [], ["PSETEX", "k", "1500", "v"], OK, {"k": "ttl"}, {"k": 1.5}),
    C("S193", [], ["SETEX", "k", "2", "v"], OK, {"k": "ttl"}, {"k": 2.0}),
    C("S194", [], ["SET", "k", "v", "PX", "1500"], OK, {"k": "ttl"}, {"k": 1.5}),
    C("S024", string("k", 100), ["SETNX", "k", "w"], 0, {"k": "ttl"}, {"k": 100.0}),
    C("S025", [], ["SETNX", "k", "v"], 1, {"k": "persistent"}),
    C("S026", string("a", 100) + string("b", 100), ["MSET", "a", "1", "b", "2"], OK,
      {"a": "persistent", "b": "persistent"}),
    C("S027", string("a", 100), ["MSETNX", "a", "1", "c", "2"], 0, {"a": "ttl", "c": "absent"}),
    C("S028", [], ["MSETNX", "a", "1", "c", "2"], 1, {"a": "persistent", "c": "persistent"}),
    C("S029", string("k", 100), ["GETSET", "k", "w"], b"v", {"k": "persistent"}),
    C("S030", [], ["GETSET", "k", "w"], None, {"k": "persistent"}),
    C("S031", string("k", 100), ["GETEX", "k"], b"v", {"k": "ttl"}, {"k": 100.0}),
    C("S032", string("k"), ["GETEX", "k", "EX", "50"], b"v", {"k": "ttl"}, {"k": 50.0}),
    C("S033", string("k"), ["GETEX", "k", "PX", "50000"], b"v", {"k": "ttl"}, {"k": 50.0}),
    C("S034", string("k"), ["GETEX", "k", "EXAT", str(NOW_S + 50)], b"v", {"k": "ttl"},
      {"k": 50.0}),
    C("S035", string("k"), ["GETEX", "k", "PXAT", str(NOW + 50_000)], b"v", {"k": "ttl"},
      {"k": 50.0}),
    C("S036", string("k", 100), ["GETEX", "k", "PERSIST"], b"v", {"k": "persistent"}),
    C("S037", string("k", 100), ["GETEX", "k", "EXAT", str(NOW_S - 10)], b"v", {"k": "absent"}),
    C("S038", string("k", 100), ["GETEX", "k", "EX", "0"], ERR("ERR invalid expire time"),
      {"k": "ttl"}, {"k": 100.0}, script=SKIP),
    C("S039", [], ["GETEX", "k", "EX", "50"], None, {"k": "absent"}),
    C("S204", string("k", 100), ["GETEX", "k", "PERSIST", "EX", "5"], ERR("ERR syntax error"),
      {"k": "ttl"}, script=SKIP),
    C("S195", string("k"), ["GETEX", "k", "PX", "1500"], b"v", {"k": "ttl"}, {"k": 1.5}),
    C("S040", string("k", 100), ["GETDEL", "k"], b"v", {"k": "absent"}),
    C("S041", string("k", 100), ["APPEND", "k", "x"], 2, {"k": "ttl"}, {"k": 100.0}),
    C("S042", [], ["APPEND", "k", "x"], 1, {"k": "persistent"}),
    C("S043", string("k", 100), ["INCR", "k"], 2, {"k": "ttl"}, {"k": 100.0}),
    C("S044", string("k", 100), ["INCRBY", "k", "5"], 6, {"k": "ttl"}, {"k": 100.0}),
    C("S045", string("k", 100), ["INCRBYFLOAT", "k", "1.5"], b"2.5", {"k": "ttl"}),
    C("S046", string("k", 100), ["DECR", "k"], 0, {"k": "ttl"}),
    C("S047", string("k", 100), ["DECRBY", "k", "5"], -4, {"k": "ttl"}),
    C("S048", [], ["INCR", "k"], 1, {"k": "persistent"}),
    C("S049", [], ["INCRBYFLOAT", "k", "1.5"], b"1.5", {"k": "persistent"}),
    C("S050", string("k", 100), ["SETRANGE", "k", "1", "abcd"], 5, {"k": "ttl"}, {"k": 100.0}),
    C("S051", [], ["SETRANGE", "k", "0", "abcd"], 4, {"k": "persistent"}),
    C("S052", [], ["SETRANGE", "k", "0", ""], 0, {"k": "absent"}),
    C("S050,S052", string("k", 100), ["SETRANGE", "k", "0", ""], 1, {"k": "ttl"}),
    C("S053", string("k", 100), ["SETBIT", "k", "1", "1"], 0, {"k": "ttl"}),
    C("S054", [], ["SETBIT", "k", "1", "1"], 0, {"k": "persistent"}),
    C("S055", string("k", 100), ["BITFIELD", "k", "SET", "u8", "0", "97"], [97], {"k": "ttl"}),
    C("S056", [], ["BITFIELD", "k", "GET", "u8", "0"], [0], {"k": "absent"}),
]

# --- EXPIRE family, PERSIST, DEL ----------------------------------------------------------------

EXPIRES = [
    C("S057", string("k"), ["EXPIRE", "k", "50"], 1, {"k": "ttl"}, {"k": 50.0}),
    C("S058", string("k"), ["EXPIRE", "k", "0"], 1, {"k": "absent"}),
    C("S059", string("k"), ["EXPIRE", "k", "-10"], 1, {"k": "absent"}),
    C("S060", string("k"), ["PEXPIRE", "k", "0"], 1, {"k": "absent"}),
    C("S061", string("k"), ["PEXPIRE", "k", "50000"], 1, {"k": "ttl"}, {"k": 50.0}),
    C("S197", string("k"), ["PEXPIRE", "k", "1500"], 1, {"k": "ttl"}, {"k": 1.5}),
    C("S062", string("k"), ["EXPIREAT", "k", str(NOW_S - 10)], 1, {"k": "absent"}),
    C("S063", string("k"), ["EXPIREAT", "k", str(NOW_S + 50)], 1, {"k": "ttl"}, {"k": 50.0}),
    C("S064", string("k"), ["PEXPIREAT", "k", str(NOW + 50_000)], 1, {"k": "ttl"}, {"k": 50.0}),
    C("S065", string("k"), ["PEXPIREAT", "k", str(NOW - 1)], 1, {"k": "absent"}),
    C("S066", [], ["EXPIRE", "k", "50"], 0, {"k": "absent"}),
    C("S067", string("k", 100), ["EXPIRE", "k", "50", "NX"], 0, {"k": "ttl"}, {"k": 100.0}),
    C("S068", string("k"), ["EXPIRE", "k", "50", "NX"], 1, {"k": "ttl"}, {"k": 50.0}),
    C("S069", string("k"), ["EXPIRE", "k", "50", "XX"], 0, {"k": "persistent"}),
    C("S070", string("k", 100), ["EXPIRE", "k", "50", "XX"], 1, {"k": "ttl"}, {"k": 50.0}),
    C("S071", string("k"), ["EXPIRE", "k", "50", "GT"], 0, {"k": "persistent"}),
    C("S072", string("k", 100), ["EXPIRE", "k", "500", "GT"], 1, {"k": "ttl"}, {"k": 500.0}),
    C("S073", string("k", 100), ["EXPIRE", "k", "50", "GT"], 0, {"k": "ttl"}, {"k": 100.0}),
    C("S074", string("k"), ["EXPIRE", "k", "50", "LT"], 1, {"k": "ttl"}, {"k": 50.0}),
    C("S075", string("k", 100), ["EXPIRE", "k", "500", "LT"], 0, {"k": "ttl"}, {"k": 100.0}),
    C("S076", string("k", 100), ["EXPIRE", "k", "50", "LT"], 1, {"k": "ttl"}, {"k": 50.0}),
    C("S077", string("k"), ["EXPIRE", "k", "-1", "GT"], 0, {"k": "persistent"}),
    C("S078", string("k"), ["EXPIRE", "k", "-1", "LT"], 1, {"k": "absent"}),
    C("S079", string("k"), ["EXPIRE", "k", "0", "NX"], 1, {"k": "absent"}),
    C("S067,S079", string("k", 100), ["EXPIRE", "k", "0", "NX"], 0, {"k": "ttl"}),
    C("S080", string("k"), ["EXPIRE", "k", "50", "NX", "XX"], ERR("ERR NX and XX"),
      {"k": "persistent"}),
    C("S201", string("k"), ["EXPIRE", "k", "9223372036854775807"], ERR("ERR invalid expire"),
      {"k": "persistent"}, script=SKIP),
    C("S202", string("k"), ["EXPIRE", "k", "1.5"], ERR("ERR value is not an integer"),
      {"k": "persistent"}),
    C("S081", string("k", 100), ["PERSIST", "k"], 1, {"k": "persistent"}),
    C("S082", string("k"), ["PERSIST", "k"], 0, {"k": "persistent"}),
    C("S083", string("k", 100) + string("p"), ["TTL", "k"], 100,
      {"k": "ttl", "p": "persistent", "m": "absent"}, {"k": 100.0}),
    C("S083", string("k", 100), ["PTTL", "m"], -2, {"k": "ttl", "m": "absent"}),
    C("S106", string("k", 100), ["TYPE", "k"], b"string", {"k": "ttl"}, {"k": 100.0}),
    C("S106", string("k", 100), ["EXISTS", "k"], 1, {"k": "ttl"}),
    C("S106", string("k", 100), ["OBJECT", "ENCODING", "k"], b"embstr", {"k": "ttl"}),
    C("S084", string("k", 100), ["DEL", "k"], 1, {"k": "absent"}),
    C("S085", string("k", 100), ["UNLINK", "k"], 1, {"k": "absent"}),
    C("S084", string("a", 100) + string("b"), ["DEL", "a", "b", "c"], 2,
      {"a": "absent", "b": "absent", "c": "absent"}),
]

# --- RENAME, COPY, MOVE, RESTORE, SWAPDB --------------------------------------------------------

KEYSPACE = [
    C("S086", string("src", 100) + string("dst"), ["RENAME", "src", "dst"], OK,
      {"src": "absent", "dst": "ttl"}, {"dst": 100.0}),
    C("S087", string("src") + string("dst", 100), ["RENAME", "src", "dst"], OK,
      {"src": "absent", "dst": "persistent"}),
    C("S088", string("src", 100), ["RENAME", "src", "dst"], OK, {"src": "absent", "dst": "ttl"},
      {"dst": 100.0}),
    C("S089", string("k", 100), ["RENAME", "k", "k"], OK, {"k": "ttl"}, {"k": 100.0}),
    C("S090", string("dst", 100), ["RENAME", "src", "dst"], ERR("ERR no such key"),
      {"src": "absent", "dst": "ttl"}, {"dst": 100.0}),
    C("S091", string("src", 100), ["RENAMENX", "src", "dst"], 1, {"src": "absent", "dst": "ttl"},
      {"dst": 100.0}),
    C("S092", string("src") + string("dst", 100), ["RENAMENX", "src", "dst"], 0,
      {"src": "persistent", "dst": "ttl"}, {"dst": 100.0}),
    C("S093", string("src", 100), ["COPY", "src", "dst"], 1, {"src": "ttl", "dst": "ttl"},
      {"src": 100.0, "dst": 100.0}),
    C("S094", string("src") + string("dst", 100), ["COPY", "src", "dst", "REPLACE"], 1,
      {"src": "persistent", "dst": "persistent"}),
    C("S095", string("src") + string("dst", 100), ["COPY", "src", "dst"], 0,
      {"src": "persistent", "dst": "ttl"}, {"dst": 100.0}),
    C("S096", string("src", 100), ["COPY", "src", "dst", "DB", "1"], 1,
      {"src": "ttl", "dst": "absent", "db1:dst": "ttl"}, {"db1:dst": 100.0}),
    C("S096,S094", string("src") + string("dst", 100, db=1),
      ["COPY", "src", "dst", "DB", "1", "REPLACE"], 1, {"src": "persistent",
                                                       "db1:dst": "persistent"}),
    C("S097", string("k", 100), ["MOVE", "k", "1"], 1, {"k": "absent", "db1:k": "ttl"},
      {"db1:k": 100.0}),
    C("S098", string("k", 100) + string("k", db=1), ["MOVE", "k", "1"], 0,
      {"k": "ttl", "db1:k": "persistent"}, {"k": 100.0}),
    C("S099", [], ["RESTORE", "k", "0", "payload"], OK, {"k": "persistent"}),
    C("S100", [], ["RESTORE", "k", "50000", "payload"], OK, {"k": "ttl"}, {"k": 50.0}),
    C("S101", [], ["RESTORE", "k", str(NOW + 50_000), "payload", "ABSTTL"], OK, {"k": "ttl"},
      {"k": 50.0}),
    C("S102", [], ["RESTORE", "k", str(NOW - 1000), "payload", "ABSTTL"], OK, {"k": "absent"}),
    C("S103", string("k", 100), ["RESTORE", "k", "0", "payload", "REPLACE"], OK,
      {"k": "persistent"}),
    C("S104", string("k", 100), ["RESTORE", "k", "0", "payload"], ERR("BUSYKEY Target key"),
      {"k": "ttl"}, {"k": 100.0}),
    C("S105", [], ["RESTORE", "k", "-5", "payload"], ERR("ERR Invalid TTL value"),
      {"k": "absent"}),
    C("S215", string("k", 100), ["SWAPDB", "0", "1"], OK, {"k": "absent", "db1:k": "ttl"},
      {"db1:k": 100.0}),
    C("S218", [], ["PUBLISH", "k", "m"], 0, {"k": "absent"}),
]

# --- hashes ------------------------------------------------------------------------------------

HASHES = [
    C("S107", hash_("k", "a", ttl=100), ["HSET", "k", "b", "2"], 1, {"k": "ttl"}, {"k": 100.0}),
    C("S108", [], ["HSET", "k", "a", "1", "b", "2"], 2, {"k": "persistent"}),
    C("S109", hash_("k", "a", ttl=100), ["HMSET", "k", "b", "2"], OK, {"k": "ttl"}),
    C("S110", hash_("k", "a", ttl=100), ["HSETNX", "k", "b", "2"], 1, {"k": "ttl"}),
    C("S111", hash_("k", "a", ttl=100), ["HSETNX", "k", "a", "2"], 0, {"k": "ttl"}),
    C("S112", [], ["HSETNX", "k", "a", "1"], 1, {"k": "persistent"}),
    C("S113", hash_("k", "a", ttl=100), ["HINCRBY", "k", "a", "2"], 3, {"k": "ttl"}),
    C("S114", hash_("k", "a", ttl=100), ["HINCRBYFLOAT", "k", "a", "2.5"], b"3.5", {"k": "ttl"}),
    C("S115", [], ["HINCRBY", "k", "a", "2"], 2, {"k": "persistent"}),
    C("S116", hash_("k", "a", "b", ttl=100), ["HDEL", "k", "a"], 1, {"k": "ttl"}, {"k": 100.0}),
    C("S117", hash_("k", "a", ttl=100), ["HDEL", "k", "a"], 1, {"k": "absent"}),
    C("S117", hash_("k", "a", "b", ttl=100), ["HDEL", "k", "a", "b", "c"], 2, {"k": "absent"}),
    C("S117,S108", [*hash_("k", "a", ttl=100), step("HDEL", "k", "a", reply=1)],
      ["HSET", "k", "a", "1"], 1, {"k": "persistent"}),
    C("S118", hash_("k", "a", ttl=100), ["HMGET", "k", "a", "b"], [b"1", None], {"k": "ttl"}),
    C("S214", string("k", 100), ["HSET", "k", "a", "1"], ERR("WRONGTYPE Operation against a key"),
      {"k": "ttl"}, {"k": 100.0}, script=SKIP),
    # 7.4+ field TTLs (csv row HEXPIRE: docs/source; unknown command on 7.0, S119-S121)
    C("S119-S121 (7.4 docs)", hash_("k", "a", "b", ttl=100),
      ["HEXPIRE", "k", "50", "FIELDS", "1", "a"], [1], {"k": "ttl"}, {"k": 100.0}),
    C("S121 (7.4 docs)", hash_("k", "a", "b", ttl=100),
      ["HEXPIRE", "k", "0", "FIELDS", "1", "a"], [2], {"k": "ttl"}, {"k": 100.0}),
    C("S121 (7.4 docs)", hash_("k", "a", ttl=100), ["HEXPIRE", "k", "0", "FIELDS", "1", "a"], [2],
      {"k": "absent"}),
    C("S120 (7.4 docs)", hash_("k", "a", ttl=100), ["HPERSIST", "k", "FIELDS", "1", "a"], [-1],
      {"k": "ttl"}, {"k": 100.0}),
]

# --- lists -------------------------------------------------------------------------------------

LISTS = [
    C("S125", list_("k", "a", ttl=100), ["LPUSH", "k", "b"], 2, {"k": "ttl"}, {"k": 100.0}),
    C("S126", [], ["RPUSH", "k", "a"], 1, {"k": "persistent"}),
    C("S127", [], ["LPUSHX", "k", "a"], 0, {"k": "absent"}),
    C("S128", list_("k", "a", ttl=100), ["RPUSHX", "k", "b"], 2, {"k": "ttl"}),
    C("S129", list_("src", "a", "b", ttl=100), ["LMOVE", "src", "dst", "LEFT", "RIGHT"], b"a",
      {"src": "ttl", "dst": "persistent"}, {"src": 100.0}),
    C("S130", list_("src", "a") + list_("dst", "x", ttl=100),
      ["LMOVE", "src", "dst", "LEFT", "RIGHT"], b"a", {"src": "absent", "dst": "ttl"},
      {"dst": 100.0}),
    C("S131", list_("k", "a", "b", ttl=100), ["LMOVE", "k", "k", "LEFT", "RIGHT"], b"a",
      {"k": "ttl"}, {"k": 100.0}),
    C("S131", list_("k", "a", ttl=100), ["LMOVE", "k", "k", "LEFT", "RIGHT"], b"a", {"k": "ttl"}),
    C("S129", [], ["LMOVE", "src", "dst", "LEFT", "RIGHT"], None,
      {"src": "absent", "dst": "absent"}),
    C("S132", list_("src", "a", "b", ttl=100), ["RPOPLPUSH", "src", "dst"], b"b",
      {"src": "ttl", "dst": "persistent"}),
    C("S133", list_("src", "a", ttl=100), ["BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"], b"a",
      {"src": "absent", "dst": "persistent"}),
    C("S134", list_("k", "a", ttl=100), ["LPOP", "k"], b"a", {"k": "absent"}),
    C("S135", list_("k", "a", "b", ttl=100), ["LPOP", "k", "1"], [b"a"], {"k": "ttl"},
      {"k": 100.0}),
    C("S134,S135", list_("k", "a", "b", ttl=100), ["RPOP", "k", "5"], [b"b", b"a"],
      {"k": "absent"}),
    C("S136", list_("k", "a", ttl=100), ["BRPOP", "k", "0"], [b"k", b"a"], {"k": "absent"}),
    C("S136", list_("k", "a", ttl=100) + list_("o", "x", ttl=100), ["BLPOP", "o", "k", "0"],
      [b"o", b"x"], {"o": "absent", "k": "ttl"}),
    C("S137", list_("k", "a", ttl=100), ["LMPOP", "1", "k", "LEFT"], [b"k", [b"a"]],
      {"k": "absent"}),
    C("S137", list_("k", "a", "b", ttl=100), ["LMPOP", "2", "m", "k", "LEFT", "COUNT", "1"],
      [b"k", [b"a"]], {"k": "ttl", "m": "absent"}),
    C("S137", list_("k", "a", "b", ttl=100), ["BLMPOP", "0", "1", "k", "RIGHT", "COUNT", "2"],
      [b"k", [b"b", b"a"]], {"k": "absent"}),
    C("S138", list_("k", "a", "b", ttl=100), ["LSET", "k", "0", "x"], OK, {"k": "ttl"}),
    C("S138", list_("k", "a", "b", ttl=100), ["LINSERT", "k", "BEFORE", "a", "x"], 3,
      {"k": "ttl"}),
    C("S138", list_("k", "a", "b", ttl=100), ["LREM", "k", "0", "a"], 1, {"k": "ttl"},
      {"k": 100.0}, script={"k": "unknown"}),  # without a reply: how many were removed?
    C("S138,S139", list_("k", "a", "a", ttl=100), ["LREM", "k", "0", "a"], 2, {"k": "absent"},
      script={"k": "unknown"}),
    C("S139", list_("k", "a", "b", ttl=100), ["LTRIM", "k", "1", "0"], OK, {"k": "absent"}),
    C("S139", list_("k", "a", "b", ttl=100), ["LTRIM", "k", "5", "10"], OK, {"k": "absent"}),
    C("S139", list_("k", "a", "b", ttl=100), ["LTRIM", "k", "0", "0"], OK, {"k": "ttl"}),
    C("S200", [*list_("k", "a", ttl=100), step("LPOP", "k", reply=b"a")], ["RPUSH", "k", "a"], 1,
      {"k": "persistent"}),
    C("S212", [], ["LINSERT", "k", "BEFORE", "a", "b"], 0, {"k": "absent"}),
]

# Without a reply, how many members a removal took is unknown: so is the key's existence.
UNKNOWN_K = {"k": "unknown"}

# --- sets, sorted sets, *STORE -----------------------------------------------------------------

SETS = [
    C("S140", set_("k", "a", ttl=100), ["SADD", "k", "b"], 1, {"k": "ttl"}, {"k": 100.0}),
    C("S141", set_("k", "a", ttl=100), ["SREM", "k", "a"], 1, {"k": "absent"}, script=UNKNOWN_K),
    C("S141", set_("k", "a", "b", ttl=100), ["SREM", "k", "a"], 1, {"k": "ttl"}, script=UNKNOWN_K),
    C("S141", set_("k", "a", ttl=100), ["SREM", "k", "zzz"], 0, {"k": "ttl"}, script=UNKNOWN_K),
    C("S142", set_("k", "a", ttl=100), ["SPOP", "k"], b"a", {"k": "absent"}),
    C("S142", set_("k", "a", "b", ttl=100), ["SPOP", "k"], b"a", {"k": "ttl"}),
    C("S142", set_("k", "a", "b", ttl=100), ["SPOP", "k", "2"], [b"a", b"b"], {"k": "absent"}),
    C("S143", set_("src", "a", "b", ttl=100), ["SMOVE", "src", "dst", "a"], 1,
      {"src": "ttl", "dst": "persistent"}, script=SKIP),
    C("S144", set_("src", "a") + set_("dst", "x", ttl=100), ["SMOVE", "src", "dst", "a"], 1,
      {"src": "absent", "dst": "ttl"}, {"dst": 100.0}, script=SKIP),
    C("S213", set_("k", "a", ttl=100), ["SMOVE", "k", "k", "a"], 1, {"k": "ttl"}, {"k": 100.0},
      script=SKIP),  # see test_smove_to_same_key_in_script_changes_nothing
    C("S143", set_("src", "a", ttl=100), ["SMOVE", "src", "dst", "zzz"], 0,
      {"src": "ttl", "dst": "absent"}, script=SKIP),
    C("S150", zset("k", "a", ttl=100), ["ZADD", "k", "2", "b"], 1, {"k": "ttl"}, {"k": 100.0}),
    C("S151", [], ["ZADD", "k", "1", "a"], 1, {"k": "persistent"}),
    C("S152", [], ["ZADD", "k", "XX", "1", "a"], 0, {"k": "absent"}),
    C("S153", zset("k", "a", ttl=100), ["ZINCRBY", "k", "2", "a"], b"3", {"k": "ttl"}),
    C("S175", zset("k", "a", ttl=100), ["GEOADD", "k", "1", "1", "m"], 1, {"k": "ttl"}),
    C("S159", zset("k", "a", ttl=100), ["ZREM", "k", "a"], 1, {"k": "absent"}, script=UNKNOWN_K),
    # ZPOPMIN: RESP2 flat [member, score, ...] and RESP3 nested [[member, score], ...]
    C("S160 RESP2", zset("k", "a", ttl=100), ["ZPOPMIN", "k"], [b"a", b"1"], {"k": "absent"}),
    C("S160 RESP3", zset("k", "a", ttl=100), ["ZPOPMIN", "k"], [[b"a", 1.0]], {"k": "absent"}),
    C("S160 RESP2", zset("k", "a", "b", ttl=100), ["ZPOPMIN", "k"], [b"a", b"1"], {"k": "ttl"},
      {"k": 100.0}),
    C("S160 RESP3", zset("k", "a", "b", ttl=100), ["ZPOPMAX", "k"], [[b"b", 2.0]], {"k": "ttl"}),
    C("S160 RESP2", zset("k", "a", "b", "c", ttl=100), ["ZPOPMIN", "k", "2"],
      [b"a", b"1", b"b", b"2"], {"k": "ttl"}),
    C("S160 RESP3", zset("k", "a", "b", ttl=100), ["ZPOPMIN", "k", "2"],
      [[b"a", 1.0], [b"b", 2.0]], {"k": "absent"}),
    C("S160", zset("k", "a", ttl=100), ["BZPOPMIN", "k", "0"], [b"k", b"a", b"1"],
      {"k": "absent"}),
    C("S160", zset("k", "a", ttl=100), ["ZMPOP", "1", "k", "MIN"], [b"k", [[b"a", b"1"]]],
      {"k": "absent"}),
    C("S161", zset("k", "a", "b", ttl=100), ["ZREMRANGEBYSCORE", "k", "-inf", "+inf"], 2,
      {"k": "absent"}, script={"k": "unknown"}),
    C("S161", zset("k", "a", "b", "c", ttl=100), ["ZREMRANGEBYRANK", "k", "0", "-1"], 3,
      {"k": "absent"}),
    C("S161", zset("k", "a", "b", "c", ttl=100), ["ZREMRANGEBYRANK", "k", "0", "1"], 2,
      {"k": "ttl"}, {"k": 100.0}),
]

# *STORE without a reply cannot know the result size: the destination is "unknown".
UNKNOWN_DST = {"dst": "unknown"}

STORES = [
    C("S145", set_("a", "x") + set_("dst", "y", ttl=100), ["SINTERSTORE", "dst", "a"], 1,
      {"dst": "persistent", "a": "persistent"}, script=UNKNOWN_DST),
    C("S146", set_("dst", "y", ttl=100), ["SINTERSTORE", "dst", "a", "b"], 0, {"dst": "absent"},
      script=UNKNOWN_DST),
    C("S147", set_("dst", "y", ttl=100), ["SUNIONSTORE", "dst", "a"], 1, {"dst": "persistent"},
      script=UNKNOWN_DST),
    C("S148", set_("dst", "y", ttl=100), ["SDIFFSTORE", "dst", "a"], 1, {"dst": "persistent"},
      script=UNKNOWN_DST),
    C("S149", set_("dst", "x", "y", ttl=100), ["SUNIONSTORE", "dst", "dst"], 2,
      {"dst": "persistent"}, script=UNKNOWN_DST),
    C("S208", set_("dst", "y", ttl=100), ["SINTERSTORE", "dst", "a"], 1, {"dst": "persistent"},
      script=UNKNOWN_DST),
    C("S154", zset("dst", "y", ttl=100), ["ZUNIONSTORE", "dst", "1", "a"], 1,
      {"dst": "persistent"}, script=UNKNOWN_DST),
    C("S155", zset("dst", "y", ttl=100), ["ZINTERSTORE", "dst", "2", "a", "b"], 0,
      {"dst": "absent"}, script=UNKNOWN_DST),
    C("S156", zset("dst", "y", ttl=100), ["ZDIFFSTORE", "dst", "1", "a"], 1,
      {"dst": "persistent"}, script=UNKNOWN_DST),
    C("S157", zset("dst", "y", ttl=100), ["ZRANGESTORE", "dst", "a", "0", "-1"], 1,
      {"dst": "persistent"}, script=UNKNOWN_DST),
    C("S158", zset("dst", "y", ttl=100), ["ZRANGESTORE", "dst", "a", "0", "-1"], 0,
      {"dst": "absent"}, script=UNKNOWN_DST),
    C("S205,S206", string("dst", 100), ["ZRANGESTORE", "dst", "a", "0", "-1"], 0,
      {"dst": "absent"}, script=UNKNOWN_DST),
    C("S207", zset("dst", "y", ttl=100), ["ZUNIONSTORE", "dst", "2", "a", "b", "WEIGHTS", "1",
                                           "2"], 1, {"dst": "persistent"}, script=UNKNOWN_DST),
    C("S176", zset("dst", "y", ttl=100),
      ["GEOSEARCHSTORE", "dst", "g", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km"], 1,
      {"dst": "persistent"}, script=UNKNOWN_DST),
    C("S177", zset("dst", "y", ttl=100),
      ["GEOSEARCHSTORE", "dst", "g", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km"], 0,
      {"dst": "absent"}, script=UNKNOWN_DST),
    C("S209", zset("dst", "y", ttl=100),
      ["GEOSEARCHSTORE", "dst", "g", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km", "STOREDIST"],
      1, {"dst": "persistent"}, script=UNKNOWN_DST),
    C("S178", zset("dst", "y", ttl=100), ["GEORADIUS", "g", "1", "1", "1", "km", "STORE", "dst"],
      1, {"dst": "persistent"}, script=UNKNOWN_DST),
    C("S178", zset("dst", "y", ttl=100),
      ["GEORADIUS", "g", "1", "1", "1", "km", "STOREDIST", "dst"], 1, {"dst": "persistent"},
      script=UNKNOWN_DST),
    C("S178", zset("dst", "y", ttl=100), ["GEORADIUS", "g", "1", "1", "1", "km"], [b"m"],
      {"dst": "ttl"}, {"dst": 100.0}),
    C("S179", string("a") + string("dst", 100), ["BITOP", "AND", "dst", "a"], 1,
      {"dst": "persistent"}),
    C("S180", string("dst", 100), ["BITOP", "AND", "dst", "a", "b"], 0, {"dst": "absent"}),
    C("S211", string("a") + string("dst", 100), ["BITOP", "NOT", "dst", "a"], 1,
      {"dst": "persistent"}),
    C("S181", list_("src", "2", "1") + list_("dst", "x", ttl=100),
      ["SORT", "src", "STORE", "dst"], 2, {"dst": "persistent", "src": "persistent"},
      script={"dst": "unknown", "src": "persistent"}),
    C("S182", list_("dst", "x", ttl=100), ["SORT", "src", "store", "dst"], 0, {"dst": "absent"},
      script=UNKNOWN_DST),
    C("S210", list_("dst", "x", ttl=100), ["SORT", "src", "BY", "w_*", "STORE", "dst"], 2,
      {"dst": "persistent"}, script=UNKNOWN_DST),
    C("S181", list_("src", "2", "1") + list_("dst", "x", ttl=100), ["SORT", "src"], [b"1", b"2"],
      {"dst": "ttl", "src": "persistent"}),
    C("S172", hll("dst", ttl=100), ["PFMERGE", "dst", "a"], OK, {"dst": "ttl"}, {"dst": 100.0}),
    C("S173", hll("a"), ["PFMERGE", "dst", "a"], OK, {"dst": "persistent"}),
    C("S170", hll("k", ttl=100), ["PFADD", "k", "b"], 1, {"k": "ttl"}),
    C("S171", [], ["PFADD", "k"], 1, {"k": "persistent"}),
    C("S174", hll("k", ttl=100), ["PFCOUNT", "k"], 1, {"k": "ttl"}, {"k": 100.0}),
]

# --- streams, JSON -----------------------------------------------------------------------------

STREAMS = [
    C("S162", stream("k", ttl=100), ["XADD", "k", "*", "f", "v"], b"2-0", {"k": "ttl"},
      {"k": 100.0}),
    C("S163", [], ["XADD", "k", "NOMKSTREAM", "*", "f", "v"], None, {"k": "absent"}),
    C("S163", [], ["XADD", "k", "NOMKSTREAM", "MAXLEN", "10", "*", "f", "v"], None,
      {"k": "absent"}),
    C("S162,S163", stream("k", ttl=100), ["XADD", "k", "NOMKSTREAM", "*", "f", "v"], b"2-0",
      {"k": "ttl"}),
    C("S164", [], ["XADD", "k", "*", "f", "v"], b"1-0", {"k": "persistent"}),
    C("S165", stream("k", ttl=100), ["XTRIM", "k", "MAXLEN", "0"], 1, {"k": "ttl"},
      {"k": 100.0}),
    C("S166", stream("k", ttl=100), ["XDEL", "k", "1-1"], 1, {"k": "ttl"}, {"k": 100.0}),
    C("S167", [], ["XGROUP", "CREATE", "k", "g", "$", "MKSTREAM"], OK, {"k": "persistent"}),
    C("S167", [], ["XGROUP CREATE", "k", "g", "$", "MKSTREAM"], OK, {"k": "persistent"}),
    C("S167", stream("k", ttl=100), ["XGROUP", "CREATE", "k", "g", "$", "MKSTREAM"], OK,
      {"k": "ttl"}),
    C("S168", [], ["XGROUP", "CREATE", "k", "g", "$"], ERR("ERR The XGROUP subcommand requires"),
      {"k": "absent"}),
    C("S168", [], ["XGROUP CREATE", "k", "g", "$"], ERR("ERR The XGROUP subcommand requires"),
      {"k": "absent"}),
    C("S169", stream("k", ttl=100), ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "k", ">"],
      [[b"k", [[b"1-1", [b"f", b"v"]]]]], {"k": "ttl"}),
    C("S169", stream("k", ttl=100), ["XACK", "k", "g", "1-1"], 1, {"k": "ttl"}, {"k": 100.0}),
    # RedisJSON 2.x (csv row JSON.SET; fakeredis S219-S221: module absent from the 7.0 server)
    C("S221 (RedisJSON)", [], ["JSON.SET", "k", "$", '{"a": 1}'], OK, {"k": "persistent"}),
    C("S219 (RedisJSON)", [step("JSON.SET", "k", "$", "{}"), *_ttl("k", 100, 0)],
      ["JSON.SET", "k", "$", '{"a": 1}'], OK, {"k": "ttl"}, {"k": 100.0}),
    C("S220 (RedisJSON)", [step("JSON.SET", "k", "$", "{}"), *_ttl("k", 100, 0)],
      ["JSON.SET", "k", "$.a", "1"], OK, {"k": "ttl"}, {"k": 100.0}),
    C("S221 (RedisJSON)", [], ["JSON.SET", "k", "$.a", "1"], ERR("ERR new objects must be"),
      {"k": "absent"}),
]

# fmt: on

CASES = STRINGS + EXPIRES + KEYSPACE + HASHES + LISTS + SETS + STORES + STREAMS


@pytest.mark.parametrize("case", CASES, ids=str)
def test_with_reply(case: Case) -> None:
    ks = build(case.setup)
    run(ks, *case.args, reply=case.reply)
    check(ks, case.expect, case.seconds)


SCRIPTED = [c for c in CASES if c.script != SKIP and not isinstance(c.reply, Exception)]


@pytest.mark.parametrize("case", SCRIPTED, ids=str)
def test_without_reply(case: Case) -> None:
    """The same command run inside Lua: the effect is inferred from the model's state."""
    ks = build(case.setup)
    run(ks, *case.args, in_script=True)
    expect = case.script if isinstance(case.script, dict) else case.expect
    check(ks, expect, case.seconds if case.script is None else {})


# --- replies that decide ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "reply"),
    [
        (("SET", "k", "w"), ERR("OOM command not allowed")),
        (("SET", "k", "v", "EX", "0"), ERR("ERR invalid expire time in 'set' command")),  # S010
        (("SETEX", "k", "0", "v"), ERR("ERR invalid expire time in 'setex' command")),  # S022
        (("GETEX", "k", "EX", "0"), ERR("ERR invalid expire time in 'getex' command")),  # S038
        (("GETEX", "k", "PERSIST", "EX", "5"), ERR("ERR syntax error")),  # S204
        (("DEL", "k"), ERR("READONLY You can't write against a read only replica")),
        (("EXPIRE", "k", "0"), ERR("READONLY")),
        (("PERSIST", "k"), ERR("READONLY")),
        (("GETDEL", "k"), ERR("READONLY")),
        (("RENAME", "k", "k2"), ERR("READONLY")),
        (("HSET", "k", "f", "v"), ERR("WRONGTYPE Operation against a key")),  # S214
        (("LPUSH", "k", "a"), ERR("WRONGTYPE Operation against a key")),
        (("INCR", "k"), ERR("ERR value is not an integer or out of range")),
        (("RESTORE", "k", "0", "p", "REPLACE"), ERR("ERR DUMP payload version or checksum")),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else None,
)
def test_an_error_reply_changes_nothing(args: tuple[object, ...], reply: Exception) -> None:
    """S010, S022, S038, S204, S214 and the command semantics table's 'ERR -> untouched' notes."""
    ks = build(string("k", 100))
    assert run(ks, *args, reply=reply) is True
    assert cls(ks, "k") == "ttl"
    assert ks.ttl_seconds("k", now=NOW) == 100.0
    assert cls(ks, "k2") == "absent"


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (("EXPIRE", "k", "50"), "persistent"),  # S069: the reply says the condition failed
        (("PEXPIRE", "k", "0"), "persistent"),
        (("EXPIREAT", "k", str(NOW_S - 10)), "persistent"),
        (("PERSIST", "k"), "persistent"),
    ],
)
def test_expire_reply_zero_changes_nothing(args: tuple[object, ...], expect: str) -> None:
    """S066/S067/S069/S071/S073/S075/S077: reply 0 means the key was left alone."""
    ks = build(string("k"))
    run(ks, *args, reply=0)
    assert cls(ks, "k") == expect


def test_expire_reply_one_on_a_key_written_before_recording_gives_it_a_ttl() -> None:
    """S057: a key the model never saw was there after all (the reply says so)."""
    ks = Keyspace()
    run(ks, "EXPIRE", "k", "50", reply=1)
    assert cls(ks, "k") == "ttl"
    assert ks.ttl_seconds("k", now=NOW) == 50.0


def test_set_nx_lost_with_reply_none_even_if_model_thinks_absent() -> None:
    """S012: the reply (None) wins over the model's belief that the key is absent."""
    ks = Keyspace()
    run(ks, "SET", "k", "v", "NX", "EX", "10", reply=None)
    assert cls(ks, "k") == "absent"


# --- invalid arguments inside a script (no reply to tell) ---------------------------------------


@pytest.mark.parametrize(
    ("sid", "setup", "args", "expect"),
    [
        ("S080", string("k"), ("EXPIRE", "k", "50", "NX", "XX"), "persistent"),
        ("S202", string("k"), ("EXPIRE", "k", "1.5"), "persistent"),
        ("S203", string("k", 100), ("SET", "k", "v", "EX", "50", "KEEPTTL"), "ttl"),
        ("S090", string("dst", 100), ("RENAME", "src", "dst"), "ttl"),
        ("S104", string("k", 100), ("RESTORE", "k", "0", "payload"), "ttl"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_invalid_command_in_script_changes_nothing(
    sid: str, setup: list[Step], args: tuple[object, ...], expect: str
) -> None:
    ks = build(setup)
    run(ks, *args, in_script=True)
    key = "dst" if args[0] == "RENAME" else "k"
    assert cls(ks, key) == expect


@pytest.mark.parametrize(
    ("sid", "args"),
    [
        ("S010", ("SET", "k", "v", "EX", "0")),
        ("S011", ("SET", "k", "v", "EX", "-5")),
        ("S022", ("SETEX", "k", "0", "v")),
        ("S038", ("GETEX", "k", "EX", "0")),
        ("S204", ("GETEX", "k", "PERSIST", "EX", "5")),
        ("S201", ("EXPIRE", "k", "9223372036854775807")),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_rejected_expiry_in_script_changes_nothing(sid: str, args: tuple[object, ...]) -> None:
    ks = build(string("k", 100))
    run(ks, *args, in_script=True)
    assert cls(ks, "k") == "ttl"
    assert ks.ttl_seconds("k", now=NOW) == 100.0


# --- ambiguous container sizes ----------------------------------------------------------------


def test_unknown_after_smove_into_existing_set_then_srem() -> None:
    """S144 + S141: SMOVE into an existing set may or may not grow it, so a later SREM of one
    member may or may not empty it: the model says 'unknown' rather than guess."""
    ks = build(set_("src", "m") + set_("dst", "x", ttl=100))
    run(ks, "SMOVE", "src", "dst", "m", reply=1)
    assert cls(ks, "src") == "absent"
    assert cls(ks, "dst") == "ttl"
    run(ks, "SREM", "dst", "m", reply=1)
    assert cls(ks, "dst") == "unknown"


def test_ttl_seconds_is_none_when_unknown() -> None:
    """S144 + S141, as above."""
    ks = build(set_("src", "m") + set_("dst", "x", ttl=100))
    run(ks, "SMOVE", "src", "dst", "m", reply=1)
    run(ks, "SREM", "dst", "m", reply=1)
    assert cls(ks, "dst") == "unknown"
    assert ks.ttl_seconds("dst", now=NOW) is None


def test_smove_to_same_key_in_script_changes_nothing() -> None:
    """S213 without a reply."""
    ks = build(set_("k", "a", ttl=100))
    run(ks, "SMOVE", "k", "k", "a", in_script=True)
    assert cls(ks, "k") == "ttl"


def test_unknown_resolves_when_written_again() -> None:
    """S200/S140: after an ambiguous shrink, SADD either recreates (no TTL) or keeps the TTL."""
    ks = build(set_("src", "m") + set_("dst", "x", ttl=100))
    run(ks, "SMOVE", "src", "dst", "m", reply=1)
    run(ks, "SREM", "dst", "m", reply=1)
    run(ks, "SADD", "dst", "y", reply=1)
    assert cls(ks, "dst") == "unknown"
    run(ks, "DEL", "dst", reply=1)
    assert cls(ks, "dst") == "absent"


def test_srem_in_script_makes_existence_unknown() -> None:
    """S141 without a reply: the member may not have been there."""
    ks = build(set_("k", "a", ttl=100))
    run(ks, "SREM", "k", "a", in_script=True)
    assert cls(ks, "k") == "unknown"


def test_smove_in_script_may_create_the_destination() -> None:
    """S143 without a reply."""
    ks = build(set_("src", "a", "b", ttl=100))
    run(ks, "SMOVE", "src", "dst", "a", in_script=True)
    assert cls(ks, "dst") in ("persistent", "unknown")


def test_smove_into_missing_set_then_srem_empties_it() -> None:
    """S143 + S141: a new destination holds exactly the moved member."""
    ks = build(set_("src", "m", "n", ttl=100))
    run(ks, "SMOVE", "src", "dst", "m", reply=1)
    run(ks, "SREM", "dst", "m", reply=1)
    assert cls(ks, "dst") == "absent"
    assert cls(ks, "src") == "ttl"


# --- containers emptied and recreated ---------------------------------------------------------


def test_hash_emptied_by_hdel_then_hset_recreates_without_ttl() -> None:
    """S117 then S108: the key is gone, so HSET creates a new hash without TTL."""
    ks = build(hash_("h", "a", "b", ttl=100))
    run(ks, "HDEL", "h", "a", reply=1)
    assert cls(ks, "h") == "ttl"
    run(ks, "HDEL", "h", "b", reply=1)
    assert cls(ks, "h") == "absent"
    run(ks, "HSET", "h", "a", "1", reply=1)
    assert cls(ks, "h") == "persistent"


def test_hash_emptied_in_script_then_hset_recreates_without_ttl() -> None:
    """S117 without replies: the model knows the field names it saw written."""
    ks = build(hash_("h", "a", ttl=100))
    run(ks, "HSET", "h", "b", "2", in_script=True)
    run(ks, "HDEL", "h", "a", "b", in_script=True)
    assert cls(ks, "h") == "absent"
    run(ks, "HINCRBY", "h", "n", "1", in_script=True)
    assert cls(ks, "h") == "persistent"


def test_list_popped_empty_then_pushed_has_no_ttl() -> None:
    """S200: CONTAINER EMPTIED then re-pushed: TTL gone."""
    ks = build(list_("k", "a", "b", ttl=100))
    run(ks, "LPOP", "k", reply=b"a")
    assert cls(ks, "k") == "ttl"
    run(ks, "RPOP", "k", reply=b"b")
    assert cls(ks, "k") == "absent"
    run(ks, "LPUSH", "k", "c", reply=1)
    assert cls(ks, "k") == "persistent"


def test_lpop_on_missing_key_changes_nothing() -> None:
    """S134: nil reply, no key."""
    ks = Keyspace()
    run(ks, "LPOP", "k", reply=None)
    assert cls(ks, "k") == "absent"


def test_emptied_stream_is_not_deleted() -> None:
    """S165/S166: XTRIM MAXLEN 0 and XDEL leave an empty stream (with its TTL)."""
    ks = build(stream("s", ttl=100))
    run(ks, "XDEL", "s", "1-1", reply=1)
    run(ks, "XTRIM", "s", "MAXLEN", "0", reply=0)
    assert cls(ks, "s") == "ttl"
    run(ks, "XADD", "s", "*", "f", "v", reply=b"2-0")
    assert ks.ttl_seconds("s", now=NOW) == 100.0


# --- MULTI / EXEC / DISCARD / WATCH / SELECT ----------------------------------------------------


def test_multi_effects_apply_at_exec() -> None:
    """S188: MULTI SET EXPIRE EXEC -> ttl~50s; nothing changes while queued."""
    ks = Keyspace()
    run(ks, "MULTI", reply=OK)
    run(ks, "SET", "k", "v", reply=QUEUED)
    run(ks, "EXPIRE", "k", "50", reply=QUEUED)
    assert cls(ks, "k") == "absent"
    run(ks, "EXEC", reply=[OK, 1])
    assert cls(ks, "k") == "ttl"
    assert ks.ttl_seconds("k", now=NOW) == 50.0


def test_queued_commands_do_not_change_state_before_exec() -> None:
    """S188/S190: a queued SET over a TTL key has not cleared it yet."""
    ks = build(string("k", 100))
    run(ks, "MULTI", reply=OK)
    run(ks, "SET", "k", "w", reply=QUEUED)
    assert cls(ks, "k") == "ttl"
    run(ks, "EXEC", reply=[OK])
    assert cls(ks, "k") == "persistent"


def test_multi_keepttl_exec() -> None:
    """S190: MULTI with SET KEEPTTL EXEC keeps the TTL."""
    ks = build(string("k", 100))
    run(ks, "MULTI", reply=OK)
    run(ks, "SET", "k", "w", "KEEPTTL", reply=QUEUED)
    run(ks, "EXEC", reply=[OK])
    assert cls(ks, "k") == "ttl"
    assert ks.ttl_seconds("k", now=NOW) == 100.0


def test_exec_uses_each_commands_own_reply() -> None:
    """S012 inside S188: EXEC's per-command replies decide (a lost NX, a WRONGTYPE)."""
    ks = build(string("k", 100))
    run(ks, "MULTI", reply=OK)
    run(ks, "SET", "k", "w", "NX", reply=QUEUED)
    run(ks, "HSET", "k", "f", "v", reply=QUEUED)
    run(ks, "SET", "k2", "v", "EX", "50", reply=QUEUED)
    run(ks, "EXPIRE", "k3", "50", reply=QUEUED)
    run(ks, "EXEC", reply=[None, ERR("WRONGTYPE Operation against a key"), OK, 0])
    assert cls(ks, "k") == "ttl"
    assert ks.ttl_seconds("k", now=NOW) == 100.0
    assert cls(ks, "k2") == "ttl"
    assert cls(ks, "k3") == "absent"


def test_discard_changes_nothing() -> None:
    """S189: MULTI SET DISCARD."""
    ks = build(string("k", 100))
    run(ks, "MULTI", reply=OK)
    run(ks, "SET", "k", "w", reply=QUEUED)
    run(ks, "DISCARD", reply=OK)
    assert cls(ks, "k") == "ttl"
    # the connection is out of MULTI again: the next command applies at once
    run(ks, "SET", "k", "w", reply=OK)
    assert cls(ks, "k") == "persistent"


def test_watch_aborted_exec_changes_nothing() -> None:
    """S216: WATCH k; another client SETs k; MULTI SET EX; EXEC -> None (aborted)."""
    ks = build(string("k"))
    run(ks, "WATCH", "k", reply=OK)
    run(ks, "SET", "k", "other", reply=OK, connection=1)
    run(ks, "MULTI", reply=OK)
    run(ks, "SET", "k", "v", "EX", "50", reply=QUEUED)
    run(ks, "EXEC", reply=None)
    assert cls(ks, "k") == "persistent"


def test_watch_aborted_exec_keeps_the_other_clients_expire() -> None:
    """S217: WATCH k; another client EXPIREs k; EXEC aborts: k keeps that TTL."""
    ks = build(string("k"))
    run(ks, "WATCH", "k", reply=OK)
    run(ks, "EXPIRE", "k", "100", reply=1, connection=1)
    run(ks, "MULTI", reply=OK)
    run(ks, "SET", "k", "v", reply=QUEUED)
    run(ks, "EXEC", reply=None)
    assert cls(ks, "k") == "ttl"
    assert ks.ttl_seconds("k", now=NOW) == 100.0


def test_execabort_after_a_rejected_queued_command_changes_nothing() -> None:
    """csv MULTI row: a command rejected while queueing makes EXEC abort (EXECABORT)."""
    ks = build(string("k", 100))
    run(ks, "MULTI", reply=OK)
    run(ks, "SET", "k", "w", reply=QUEUED)
    run(ks, "NOPE", "x", reply=ERR("ERR unknown command 'NOPE'"))
    run(ks, "EXEC", reply=ERR("EXECABORT Transaction discarded because of previous errors."))
    assert cls(ks, "k") == "ttl"
    run(ks, "SET", "k", "w", reply=OK)  # out of MULTI again
    assert cls(ks, "k") == "persistent"


def test_execabort_even_if_exec_reply_is_not_seen() -> None:
    """The rejection alone decides: EXEC cannot run the queue."""
    ks = build(string("k", 100))
    run(ks, "MULTI", reply=OK)
    run(ks, "SET", "k", "w", reply=QUEUED)
    run(ks, "SET", "k", reply=ERR("ERR wrong number of arguments for 'set' command"))
    run(ks, "EXEC", reply=[OK])
    assert cls(ks, "k") == "ttl"


def test_multi_is_per_connection() -> None:
    """MULTI state belongs to one connection: another connection's writes apply at once."""
    ks = build(string("k", 100))
    run(ks, "MULTI", reply=OK, connection=0)
    run(ks, "SET", "k", "w", reply=OK, connection=1)
    assert cls(ks, "k") == "persistent"
    run(ks, "EXPIRE", "k", "50", reply=QUEUED, connection=0)
    assert cls(ks, "k") == "persistent"
    run(ks, "EXEC", reply=[1], connection=0)
    assert cls(ks, "k") == "ttl"


def test_multi_is_per_server() -> None:
    ks = Keyspace()
    run(ks, "MULTI", reply=OK)
    ks.apply("SET", ["SET", "k", "v"], OK, server="other", now=NOW)
    assert ks.ttl_class("k", server="other", now=NOW) == "persistent"
    assert cls(ks, "k") == "absent"


def test_exec_without_multi_changes_nothing() -> None:
    ks = build(string("k", 100))
    run(ks, "EXEC", reply=ERR("ERR EXEC without MULTI"))
    run(ks, "DISCARD", reply=ERR("ERR DISCARD without MULTI"))
    assert cls(ks, "k") == "ttl"


def test_script_commands_bypass_a_multi_queue() -> None:
    """S183 in a transaction: commands run inside Lua apply when the model is told of them."""
    ks = build(string("k", 100))
    run(ks, "MULTI", reply=OK)
    run(ks, "SET", "k", "v", in_script=True)
    assert cls(ks, "k") == "persistent"
    run(ks, "EXPIRE", "k", "50", reply=QUEUED)
    run(ks, "EXEC", reply=[1])
    assert cls(ks, "k") == "ttl"
    assert ks.ttl_seconds("k", now=NOW) == 50.0


def test_select_changes_the_connections_db() -> None:
    ks = Keyspace()
    run(ks, "SELECT", "1", reply=OK)
    run(ks, "SET", "k", "v", "EX", "100", reply=OK)
    assert cls(ks, "k", db=1) == "ttl"
    assert cls(ks, "k", db=0) == "absent"
    run(ks, "SET", "k", "v", reply=OK, connection=1)  # another connection stays in db 0
    assert cls(ks, "k", db=0) == "persistent"
    assert cls(ks, "k", db=1) == "ttl"


def test_select_refused_keeps_the_db() -> None:
    ks = Keyspace()
    run(ks, "SELECT", "99", reply=ERR("ERR DB index is out of range"))
    run(ks, "SET", "k", "v", reply=OK)
    assert cls(ks, "k", db=0) == "persistent"


def test_select_queued_in_multi_applies_at_exec() -> None:
    ks = Keyspace()
    run(ks, "MULTI", reply=OK)
    run(ks, "SELECT", "2", reply=QUEUED)
    run(ks, "SET", "k", "v", reply=QUEUED)
    assert cls(ks, "k", db=2) == "absent"
    run(ks, "EXEC", reply=[OK, OK])
    assert cls(ks, "k", db=2) == "persistent"
    assert cls(ks, "k", db=0) == "absent"
    run(ks, "SET", "k2", "v", reply=OK)  # the connection stays in db 2
    assert cls(ks, "k2", db=2) == "persistent"


def test_select_refused_inside_exec_keeps_the_db() -> None:
    ks = Keyspace()
    run(ks, "MULTI", reply=OK)
    run(ks, "SELECT", "99", reply=QUEUED)
    run(ks, "SET", "k", "v", reply=QUEUED)
    run(ks, "EXEC", reply=[ERR("ERR DB index is out of range"), OK])
    assert cls(ks, "k", db=0) == "persistent"
    assert cls(ks, "k", db=99) == "absent"


def test_swapdb_moves_keys_with_their_ttl() -> None:
    """S215."""
    ks = build(string("k", 100) + string("j", db=1))
    run(ks, "SWAPDB", "0", "1", reply=OK)
    assert cls(ks, "k", db=1) == "ttl"
    assert cls(ks, "j", db=0) == "persistent"
    assert cls(ks, "k", db=0) == "absent"


def test_swapdb_is_seen_by_the_next_lookup_of_a_database() -> None:
    ks = Keyspace()
    first, second = ks.database("a:1", 0), ks.database("a:1", 1)
    assert ks.database("a:1", 0) is first  # the one found last, remembered
    ks.swap("a:1", 0, 1)
    assert ks.database("a:1", 0) is second
    assert ks.database("a:1", 1) is first


def test_servers_are_separate() -> None:
    ks = Keyspace()
    ks.apply("SET", ["SET", "k", "v", "EX", "100"], OK, server="a:1", now=NOW)
    ks.apply("SET", ["SET", "k", "v"], OK, server="b:2", now=NOW)
    assert ks.ttl_class("k", server="a:1", now=NOW) == "ttl"
    assert ks.ttl_class("k", server="b:2", now=NOW) == "persistent"
    assert ks.ttl_class("k", now=NOW) == "absent"


def test_flushdb_and_flushall() -> None:
    ks = build(string("a", 100) + string("b", db=1))
    run(ks, "FLUSHDB", reply=OK)
    assert cls(ks, "a") == "absent"
    assert cls(ks, "b", db=1) == "persistent"
    run(ks, "FLUSHALL", reply=OK)
    assert cls(ks, "b", db=1) == "absent"


# --- scripts -----------------------------------------------------------------------------------


def test_script_set_clears_ttl() -> None:
    """S183: EVAL whose redis.call('SET') runs over a key with TTL."""
    ks = build(string("k", 100))
    run(ks, "EVAL", "return redis.call('SET', KEYS[1], 'v')", "1", "k", reply=OK)
    assert cls(ks, "k") == "ttl"  # the EVAL itself tells nothing
    run(ks, "SET", "k", "v", in_script=True)
    assert cls(ks, "k") == "persistent"


def test_script_pexpire_sets_ttl() -> None:
    """S184: EVAL PEXPIRE via script."""
    ks = build(string("k"))
    run(ks, "PEXPIRE", "k", "50000", in_script=True)
    assert cls(ks, "k") == "ttl"
    assert ks.ttl_seconds("k", now=NOW) == 50.0


def test_fcall_set_clears_ttl() -> None:
    """S187: FCALL SET via function."""
    ks = build(string("k", 100))
    run(ks, "FCALL", "f", "1", "k", reply=OK)
    run(ks, "SET", "k", "v", in_script=True)
    assert cls(ks, "k") == "persistent"


# --- lazy expiry and ttl_seconds ---------------------------------------------------------------


def test_lazy_expiry_then_incr_recreates_without_ttl() -> None:
    """S199: PSETEX 100 ms, 250 ms later EXISTS -> 0 and INCR -> 1 with no TTL."""
    ks = Keyspace()
    run(ks, "PSETEX", "k", "100", "v", reply=OK)
    assert cls(ks, "k") == "ttl"
    later = NOW + 250
    assert cls(ks, "k", now=later) == "absent"
    run(ks, "EXISTS", "k", reply=0, now=later)
    run(ks, "INCR", "k", reply=1, now=later)
    assert cls(ks, "k", now=later) == "persistent"
    assert ks.ttl_seconds("k", now=later) is None


def test_lazy_expiry_then_incr_in_script() -> None:
    """S199 without a reply: the deadline passed, so INCR starts from a missing key."""
    ks = Keyspace()
    run(ks, "PSETEX", "k", "100", "v", reply=OK)
    run(ks, "INCR", "k", now=NOW + 250, in_script=True)
    assert cls(ks, "k", now=NOW + 250) == "persistent"


def test_lazily_expired_key_is_absent_for_conditional_writes() -> None:
    """S199 + S013: SET NX after the deadline wins (inferred without reply)."""
    ks = Keyspace()
    run(ks, "SET", "k", "v", "PX", "100", reply=OK)
    run(ks, "SET", "k", "w", "NX", now=NOW + 100, in_script=True)
    assert cls(ks, "k", now=NOW + 100) == "persistent"


def test_expired_list_push_recreates_without_ttl() -> None:
    """S199 + S200 for a list: the TTL ran out, the push makes a new list."""
    ks = build(list_("l", "a", ttl=1))
    run(ks, "RPUSH", "l", "b", reply=1, now=NOW + 1000)
    assert cls(ks, "l", now=NOW + 1000) == "persistent"


@pytest.mark.parametrize(
    ("setup", "now", "expected"),
    [
        (string("k", 100), NOW, 100.0),
        (string("k", 100), NOW + 40_000, 60.0),
        (string("k", 100), NOW + 99_999, 0.001),
        (string("k", 100), NOW + 100_000, None),  # deadline reached: gone
        (string("k", 100), None, None),  # no clock, no remaining time
        (string("k"), NOW, None),  # persistent
        ([], NOW, None),  # absent
        ([step("PSETEX", "k", "400", "v")], NOW, 0.4),  # S192
        ([step("PSETEX", "k", "1600", "v")], NOW, 1.6),  # S198
    ],
)
def test_ttl_seconds(setup: list[Step], now: float | None, expected: float | None) -> None:
    ks = build(setup)
    assert ks.ttl_seconds("k", now=now) == expected


def test_ttl_class_without_clock_keeps_the_ttl() -> None:
    ks = build(string("k", 100))
    assert ks.ttl_class("k", now=None) == "ttl"


def test_expire_without_clock_is_unknown() -> None:
    """A relative expiry with no wall clock has an unknowable deadline."""
    ks = build(string("k"))
    run(ks, "EXPIRE", "k", "50", reply=1, now=None)
    assert cls(ks, "k", now=None) == "unknown"


def test_absolute_expiry_without_clock_is_known() -> None:
    ks = build(string("k"))
    run(ks, "PEXPIREAT", "k", str(NOW + 50_000), reply=1, now=None)
    assert cls(ks, "k", now=None) == "ttl"
    assert ks.ttl_seconds("k", now=NOW) == 50.0


# --- what apply returns, and malformed arguments -----------------------------------------------


def test_apply_returns_false_for_uncurated_commands() -> None:
    ks = Keyspace()
    assert run(ks, "SET", "k", "v", reply=OK) is True
    assert run(ks, "NOPE", "k", reply=OK) is False
    assert cls(ks, "k") == "persistent"


def test_json_writes_other_than_set_keep_ttl_and_are_known() -> None:
    """csv JSON.SET row: RedisJSON 2.x changes documents in place."""
    ks = build([step("JSON.SET", "k", "$", '{"n": 1}'), *_ttl("k", 100, 0)])
    assert run(ks, "JSON.NUMINCRBY", "k", "$.n", "1", reply=b"[2]") is True
    assert cls(ks, "k") == "ttl"
    run(ks, "JSON.DEL", "k", "$", reply=1)
    assert cls(ks, "k") == "absent"


MALFORMED: list[tuple[object, ...]] = [
    ("SET",),
    ("SET", "k"),
    ("SET", "k", "v", "EX"),
    ("SET", "k", "v", "EX", "abc"),
    ("SET", "k", "v", "PXAT", "1.5"),
    ("SETEX", "k"),
    ("SETEX", "k", "x", "v"),
    ("PSETEX", "k", "", "v"),
    ("MSET", "a"),
    ("MSETNX", "a", "1", "b"),
    ("GETEX", "k", "EX"),
    ("GETEX", "k", "PXAT", "soon"),
    ("SETRANGE", "k"),
    ("EXPIRE", "k"),
    ("EXPIRE", "k", "abc"),
    ("PEXPIREAT", "k", "1e3"),
    ("EXPIRE", "k", "10", "BOGUS"),
    ("RENAME", "k"),
    ("COPY", "a", "b", "DB"),
    ("COPY", "a", "b", "DB", "x"),
    ("MOVE", "k"),
    ("MOVE", "k", "x"),
    ("RESTORE", "k"),
    ("RESTORE", "k", "x", "p"),
    ("MIGRATE", "h"),
    ("SWAPDB", "0"),
    ("SWAPDB", "a", "b"),
    ("HSET", "h"),
    ("HDEL", "h"),
    ("HEXPIRE", "h", "10", "FIELDS"),
    ("HEXPIRE", "h", "10", "FIELDS", "x", "a"),
    ("HEXPIRE", "h", "x", "FIELDS", "1", "a"),
    ("HSETEX", "h", "FIELDS", "2", "a"),
    ("LPUSH", "l"),
    ("LPOP", "l", "x"),
    ("LTRIM", "l"),
    ("LTRIM", "l", "a", "b"),
    ("LMPOP", "x", "l", "LEFT"),
    ("LMPOP", "1", "l", "LEFT", "COUNT"),
    ("BLMPOP", "0"),
    ("LMOVE", "a"),
    ("BLPOP", "l"),
    ("ZADD", "z"),
    ("ZADD", "z", "NX"),
    ("ZREMRANGEBYRANK", "z", "a", "b"),
    ("ZMPOP", "2", "a"),
    ("ZPOPMIN",),
    ("SMOVE", "a"),
    ("SINTERSTORE",),
    ("BITOP", "AND"),
    ("SORT", "s", "STORE"),
    ("GEORADIUS", "g", "STORE"),
    ("XADD", "s"),
    ("XGROUP", "CREATE"),
    ("XGROUP CREATE", "s"),
    ("PFMERGE",),
    ("JSON.SET", "k"),
    ("JSON.MSET", "k", "$"),
    ("JSON.DEL",),
    ("EVAL",),
    ("NOPE",),
    ("DEL",),
]


@pytest.mark.parametrize("args", MALFORMED, ids=lambda a: " ".join(map(str, a)))
@pytest.mark.parametrize("mode", ["reply", "script"])
def test_malformed_arguments_never_raise(args: tuple[object, ...], mode: str) -> None:
    ks = build(
        string("k", 100) + hash_("h", "a") + list_("l", "a") + zset("z", "a") + set_("s", "m")
    )
    script = mode == "script"
    result = run(ks, *args, reply=NO_REPLY if script else OK, in_script=script)
    assert isinstance(result, bool)
    assert cls(ks, "k") in ("ttl", "absent", "persistent", "unknown")


@pytest.mark.parametrize(
    "args",
    [("MULTI",), ("EXEC",), ("DISCARD",), ("WATCH",), ("UNWATCH",), ("SELECT",)],
)
def test_malformed_transaction_commands_never_raise(args: tuple[object, ...]) -> None:
    ks = build(string("k", 100))
    assert isinstance(run(ks, *args, reply=OK), bool)
    assert cls(ks, "k") == "ttl"


def test_select_non_integer_without_reply_never_raises() -> None:
    ks = Keyspace()
    assert run(ks, "SELECT", "x") is True
    assert not ks.has_connection_state  # nothing selected: the connection stays in db 0
    run(ks, "SET", "k", "v", reply=OK)
    assert cls(ks, "k", db=0) == "persistent"


def test_queued_select_non_integer_never_raises() -> None:
    ks = Keyspace()
    run(ks, "MULTI", reply=OK)
    run(ks, "SELECT", "x", reply=QUEUED)
    assert run(ks, "EXEC", reply=[ERR("ERR value is not an integer or out of range")]) is True
    assert not ks.has_connection_state  # the refused SELECT changed nothing: db 0, no MULTI
    run(ks, "SET", "k", "v", reply=OK)
    assert cls(ks, "k", db=0) == "persistent"
