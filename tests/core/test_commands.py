"""Unit tests of ``analyse``: key positions, read/write flags and field names per command family.

Expectations follow the command semantics table of ``docs/reference/redis-semantics.md`` (what a
real Redis 7.0 ``COMMAND GETKEYSANDFLAGS`` says), with
the curated narrowing ``core.commands`` documents (SET reads only with GET, GETEX writes only with
an option, PFCOUNT is a read).
"""

from __future__ import annotations

import pytest

from pytest_redis_boundary.core.commands import CommandUse, analyse, split_argv

R, W, RW = (True, False), (False, True), (True, True)


def keys_of(use: CommandUse) -> list[tuple[str, bool, bool]]:
    return list(use.keys)


# (args, [(key, read, write), ...]) in the order analyse reports them.
KEY_TABLE: list[tuple[list[object], list[tuple[str, bool, bool]]]] = [
    # strings
    (["SET", "k", "v"], [("k", *W)]),
    (["SET", "k", "v", "GET"], [("k", *RW)]),
    (["SET", "k", "v", "XX", "KEEPTTL", "GET"], [("k", *RW)]),
    (["SET", "k", "v", "NX", "PX", "100"], [("k", *W)]),
    (["SET", "k", "GET"], [("k", *W)]),  # "GET" is the value here, not the option
    (["GET", "k"], [("k", *R)]),
    (["MGET", "a", "b", "c"], [("a", *R), ("b", *R), ("c", *R)]),
    (["MSET", "a", "1", "b", "2"], [("a", *W), ("b", *W)]),
    (["MSETNX", "a", "1", "b", "2"], [("a", *W), ("b", *W)]),
    (["GETSET", "k", "v"], [("k", *RW)]),
    (["GETEX", "k"], [("k", *R)]),
    (["GETEX", "k", "EX", "5"], [("k", *RW)]),
    (["GETEX", "k", "PERSIST"], [("k", *RW)]),
    (["GETEX", "k", "PXAT", "1"], [("k", *RW)]),
    (["GETDEL", "k"], [("k", *RW)]),
    (["INCRBYFLOAT", "k", "1.5"], [("k", *RW)]),
    (["BITFIELD", "k", "GET", "u8", "0"], [("k", *R)]),
    (["BITFIELD", "k", "SET", "u8", "0", "1"], [("k", *RW)]),
    # keyspace
    (["DEL", "a", "b"], [("a", *W), ("b", *W)]),
    (["UNLINK", "a"], [("a", *W)]),
    (["EXPIRE", "k", "10"], [("k", *W)]),
    (["RENAME", "a", "b"], [("a", *RW), ("b", *W)]),
    (["RENAMENX", "a", "b"], [("a", *RW), ("b", *W)]),
    (["COPY", "a", "b"], [("a", *R), ("b", *W)]),
    (["COPY", "a", "b", "DB", "1", "REPLACE"], [("a", *R), ("b", *W)]),
    (["MOVE", "k", "1"], [("k", *RW)]),
    (["RESTORE", "k", "0", "payload", "REPLACE", "ABSTTL"], [("k", *W)]),
    (["MIGRATE", "127.0.0.1", "6391", "", "0", "5000", "KEYS", "a", "b"], [("a", *RW), ("b", *RW)]),
    (["MIGRATE", "127.0.0.1", "6391", "k", "0", "5000"], [("k", *RW)]),
    # hashes
    (["HSET", "h", "f", "v"], [("h", *W)]),
    (["HINCRBY", "h", "f", "1"], [("h", *RW)]),
    (["HMGET", "h", "a", "b"], [("h", *R)]),
    # lists
    (["LPUSH", "l", "a"], [("l", *W)]),
    (["LMOVE", "a", "b", "LEFT", "RIGHT"], [("a", *RW), ("b", *W)]),
    (["BLMOVE", "a", "b", "LEFT", "RIGHT", "0"], [("a", *RW), ("b", *W)]),
    (["RPOPLPUSH", "a", "b"], [("a", *RW), ("b", *W)]),
    (["BRPOPLPUSH", "a", "b", "0"], [("a", *RW), ("b", *W)]),
    (["BLPOP", "a", "b", "0"], [("a", *RW), ("b", *RW)]),  # the timeout is not a key
    (["BRPOP", "a", "5"], [("a", *RW)]),
    (["LMPOP", "2", "a", "b", "LEFT"], [("a", *RW), ("b", *RW)]),
    (["LMPOP", "1", "a", "b", "LEFT"], [("a", *RW)]),  # numkeys, not every argument
    (["BLMPOP", "0", "2", "a", "b", "LEFT", "COUNT", "1"], [("a", *RW), ("b", *RW)]),
    # sets and sorted sets
    (["SMOVE", "a", "b", "m"], [("a", *RW), ("b", *W)]),
    (["SINTERSTORE", "d", "a", "b"], [("d", *W), ("a", *R), ("b", *R)]),
    (["SUNIONSTORE", "d", "a"], [("d", *W), ("a", *R)]),
    (["ZMPOP", "2", "a", "b", "MIN"], [("a", *RW), ("b", *RW)]),
    (["BZMPOP", "0", "2", "a", "b", "MIN"], [("a", *RW), ("b", *RW)]),
    (["BZMPOP", "0", "1", "a", "b", "MIN"], [("a", *RW)]),
    (
        ["ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2"],
        [("d", *W), ("a", *R), ("b", *R)],
    ),
    (["ZINTERSTORE", "d", "1", "a", "AGGREGATE", "MAX"], [("d", *W), ("a", *R)]),
    (["ZRANGESTORE", "d", "z", "0", "-1"], [("d", *W), ("z", *R)]),
    # bitmaps, SORT, geo
    (["BITOP", "AND", "d", "a", "b"], [("d", *W), ("a", *R), ("b", *R)]),
    (["BITOP", "NOT", "d", "a"], [("d", *W), ("a", *R)]),
    (["SORT", "s"], [("s", *R)]),
    (["SORT", "s", "BY", "w_*", "GET", "o_*", "STORE", "d"], [("s", *R), ("d", *W)]),
    (["SORT", "s", "LIMIT", "0", "1", "store", "d"], [("s", *R), ("d", *W)]),
    (["sort", "s", "Store", "d"], [("s", *R), ("d", *W)]),
    (["SORT", "s", "STORE"], [("s", *R)]),  # no destination given
    (["GEORADIUS", "g", "1", "1", "1", "km", "STORE", "d"], [("g", *R), ("d", *W)]),
    (["GEORADIUS", "g", "1", "1", "1", "km", "STOREDIST", "d"], [("g", *R), ("d", *W)]),
    (["GEORADIUSBYMEMBER", "g", "m", "1", "km", "STORE", "d"], [("g", *R), ("d", *W)]),
    (
        ["GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km"],
        [("d", *W), ("g", *R)],
    ),
    # streams
    (["XADD", "s", "*", "f", "v"], [("s", *W)]),
    (["XREAD", "COUNT", "1", "STREAMS", "a", "b", "0", "0"], [("a", *R), ("b", *R)]),
    (["XREAD", "STREAMS", "a", "$"], [("a", *R)]),
    (
        ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", "b", ">", ">"],
        [("a", *RW), ("b", *RW)],  # updates the PEL although the key spec says RO
    ),
    (["XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "a", ">"], [("a", *RW)]),
    (["XGROUP CREATE", "s", "g", "$", "MKSTREAM"], [("s", *W)]),
    (["XGROUP", "CREATE", "s", "g", "$"], [("s", *W)]),
    (["xgroup", "create", "s", "g", "$"], [("s", *W)]),
    (["XGROUP", "DESTROY", "s", "g"], [("s", *W)]),
    # HyperLogLog
    (["PFADD", "h", "a"], [("h", *W)]),
    (["PFMERGE", "d", "a", "b"], [("d", *RW), ("a", *R), ("b", *R)]),
    (["PFCOUNT", "a", "b"], [("a", *R), ("b", *R)]),  # key spec says RW: narrowed to a read
    # no keys
    (["PUBLISH", "ch", "m"], []),
    (["SUBSCRIBE", "ch"], []),
    (["SCAN", "0"], []),
    (["HELLO", "3"], []),
]


@pytest.mark.parametrize(("args", "expected"), KEY_TABLE, ids=lambda v: " ".join(map(str, v)))
def test_key_positions_and_flags(
    args: list[object], expected: list[tuple[str, bool, bool]]
) -> None:
    use = analyse(args)
    assert keys_of(use) == expected
    assert use.known is True
    assert use.declared_only is False


@pytest.mark.parametrize(
    "args",
    [["OBJECT", "ENCODING", "k"], ["OBJECT ENCODING", "k"], ["object", "encoding", "k"]],
)
def test_object_encoding_names_its_key_and_never_writes(args: list[object]) -> None:
    use = analyse(args)
    assert use.name == "OBJECT ENCODING"
    assert [key for key, _, _ in use.keys] == ["k"]
    assert not any(write for _, _, write in use.keys)


@pytest.mark.parametrize(
    "args",
    [["PFCOUNT", "h"], ["PFCOUNT", "a", "b"], ["GET", "k"], ["MGET", "a"], ["HGET", "h", "f"]],
)
def test_reads_never_write(args: list[object]) -> None:
    use = analyse(args)
    assert use.keys
    assert all(read and not write for _, read, write in use.keys)


def test_spublish_channel_is_not_a_key() -> None:
    assert analyse(["SPUBLISH", "ch", "m"]).keys == ()


# --- multi-word names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "name", "argv"),
    [
        (["XGROUP CREATE", "s", "g", "$"], "XGROUP CREATE", ["XGROUP", "CREATE", "s", "g", "$"]),
        (["XGROUP", "CREATE", "s", "g", "$"], "XGROUP CREATE", ["XGROUP", "CREATE", "s", "g", "$"]),
        ([b"xgroup", b"create", b"s"], "XGROUP CREATE", [b"xgroup", b"create", b"s"]),
        (["OBJECT ENCODING", "k"], "OBJECT ENCODING", ["OBJECT", "ENCODING", "k"]),
        (
            ["CLIENT SETINFO", "lib-name", "x"],
            "CLIENT SETINFO",
            ["CLIENT", "SETINFO", "lib-name", "x"],
        ),
        (["set", "k", "v"], "SET", ["set", "k", "v"]),
        (["XGROUP", "NOPE", "s"], "XGROUP", ["XGROUP", "NOPE", "s"]),
    ],
)
def test_split_argv(args: list[object], name: str, argv: list[object]) -> None:
    assert split_argv(args) == (name, argv)


# --- scripts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["EVAL", "return 1", "2", "a", "b", "x"], [("a", *RW), ("b", *RW)]),
        (["EVAL", "return 1", "0", "x", "y"], []),
        (["EVALSHA", "abc123", "1", "a", "x"], [("a", *RW)]),
        (["FCALL", "f", "2", "a", "b", "x"], [("a", *RW), ("b", *RW)]),
        (["FCALL", "f", "0"], []),
        (["EVAL_RO", "return 1", "1", "a"], [("a", *R)]),
        (["EVALSHA_RO", "abc123", "1", "a"], [("a", *R)]),
        (["FCALL_RO", "f", "1", "a", "x"], [("a", *R)]),
        (["evalsha", b"abc123", b"1", b"a"], [("a", *RW)]),
    ],
)
def test_script_declared_keys(args: list[object], expected: list[tuple[str, bool, bool]]) -> None:
    use = analyse(args)
    assert keys_of(use) == expected
    assert use.declared_only is True
    assert use.known is True
    assert use.fields_written == () and use.fields_read == ()


def test_script_args_are_not_keys() -> None:
    use = analyse(["EVAL", "redis.call('SET', KEYS[1], ARGV[1])", "1", "k", "secret-arg"])
    assert [key for key, _, _ in use.keys] == ["k"]


# --- hash fields ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "written", "read"),
    [
        (["HSET", "h", "f1", "v1", "f2", "v2"], [("h", "f1"), ("h", "f2")], []),
        (["HMSET", "h", "f", "v"], [("h", "f")], []),
        (["HSETNX", "h", "f", "v"], [("h", "f")], []),
        (["HDEL", "h", "a", "b"], [("h", "a"), ("h", "b")], []),
        (["HGET", "h", "f"], [], [("h", "f")]),
        (["HMGET", "h", "a", "b"], [], [("h", "a"), ("h", "b")]),
        (["HINCRBY", "h", "f", "1"], [("h", "f")], [("h", "f")]),
        (["HINCRBYFLOAT", "h", "f", "1.5"], [("h", "f")], [("h", "f")]),
        (["HEXISTS", "h", "f"], [], [("h", "f")]),
        (["HSTRLEN", "h", "f"], [], [("h", "f")]),
        (["HGETALL", "h"], [], []),
        (["HSET", "h", "f"], [("h", "f")], []),  # odd arity: the field is still named
        ([b"hset", b"h", b"f", b"v"], [("h", "f")], []),
    ],
)
def test_hash_fields(
    args: list[object], written: list[tuple[str, str]], read: list[tuple[str, str]]
) -> None:
    use = analyse(args)
    assert list(use.fields_written) == written
    assert list(use.fields_read) == read


@pytest.mark.parametrize(
    ("args", "written", "read"),
    [
        (["HEXPIRE", "h", "10", "FIELDS", "2", "a", "b"], [("h", "a"), ("h", "b")], []),
        (["HEXPIRE", "h", "10", "NX", "FIELDS", "1", "a"], [("h", "a")], []),
        (["HPEXPIRE", "h", "1000", "fields", "1", "a"], [("h", "a")], []),
        (["HEXPIREAT", "h", "1", "FIELDS", "1", "a"], [("h", "a")], []),
        (["HPEXPIREAT", "h", "1", "GT", "FIELDS", "2", "a", "b"], [("h", "a"), ("h", "b")], []),
        (["HPERSIST", "h", "FIELDS", "1", "a"], [("h", "a")], []),
        (
            ["HSETEX", "h", "EX", "10", "FIELDS", "2", "a", "1", "b", "2"],
            [("h", "a"), ("h", "b")],
            [],
        ),
        (["HGETDEL", "h", "FIELDS", "1", "a"], [("h", "a")], [("h", "a")]),
        (["HGETEX", "h", "FIELDS", "1", "a"], [], [("h", "a")]),
        (["HTTL", "h", "FIELDS", "2", "a", "b"], [], [("h", "a"), ("h", "b")]),
        (["HPTTL", "h", "FIELDS", "1", "a"], [], [("h", "a")]),
        # numfields larger than the arguments, or not a number
        (["HEXPIRE", "h", "10", "FIELDS", "5", "a"], [("h", "a")], []),
        (["HEXPIRE", "h", "10", "FIELDS", "x", "a"], [], []),
        (["HEXPIRE", "h", "10", "FIELDS"], [], []),
        (["HEXPIRE", "h", "10"], [], []),
    ],
)
def test_hash_field_ttl_commands_7_4_and_8_0(
    args: list[object], written: list[tuple[str, str]], read: list[tuple[str, str]]
) -> None:
    use = analyse(args)
    assert use.known is True  # newer than the 7.0 table, curated
    assert [key for key, _, _ in use.keys] == ["h"]
    assert list(use.fields_written) == written
    assert list(use.fields_read) == read


@pytest.mark.parametrize(
    ("args", "read", "write"),
    [
        (["HEXPIRE", "h", "10", "FIELDS", "1", "a"], False, True),
        (["HPERSIST", "h", "FIELDS", "1", "a"], False, True),
        (["HSETEX", "h", "FIELDS", "1", "a", "1"], False, True),
        (["HGETDEL", "h", "FIELDS", "1", "a"], True, True),
        (["HTTL", "h", "FIELDS", "1", "a"], True, False),
        (["HGETEX", "h", "FIELDS", "1", "a"], True, False),
    ],
)
def test_hash_field_ttl_command_flags(args: list[object], read: bool, write: bool) -> None:
    assert keys_of(analyse(args)) == [("h", read, write)]


@pytest.mark.parametrize("option", [["EX", "10"], ["PERSIST"]])
def test_hgetex_with_an_option_writes(option: list[str]) -> None:
    use = analyse(["HGETEX", "h", *option, "FIELDS", "1", "a"])
    assert keys_of(use) == [("h", True, True)]


# --- JSON top-level field names of string values ----------------------------------------------


@pytest.mark.parametrize(
    ("args", "written"),
    [
        (["SET", "k", '{"status": "x", "n": 1}'], [("k", "status"), ("k", "n")]),
        (["SET", "k", '{"status": "x"}', "EX", "10"], [("k", "status")]),
        (["SET", "k", b'{"status": "x"}'], [("k", "status")]),
        (["SET", "k", bytearray(b'{"a": 1}')], [("k", "a")]),
        (["SET", "k", '  \n{"a": 1}'], [("k", "a")]),
        (["SETEX", "k", "10", '{"a": 1}'], [("k", "a")]),
        (["PSETEX", "k", "10", '{"a": 1}'], [("k", "a")]),
        (["SETNX", "k", '{"a": 1}'], [("k", "a")]),
        (["GETSET", "k", '{"a": 1}'], [("k", "a")]),
        (["MSET", "a", '{"x": 1}', "b", '{"y": 2, "z": 3}'], [("a", "x"), ("b", "y"), ("b", "z")]),
        (["MSETNX", "a", '{"x": 1}'], [("a", "x")]),
        # not nested fields
        (
            ["SET", "k", '{"outer": {"inner": 1}, "list": [{"deep": 2}]}'],
            [("k", "outer"), ("k", "list")],
        ),
        # non-JSON or non-object values
        (["SET", "k", "plain"], []),
        (["SET", "k", "[1, 2]"], []),
        (["SET", "k", '[{"a": 1}]'], []),
        (["SET", "k", '"{\\"a\\": 1}"'], []),
        (["SET", "k", "42"], []),
        (["SET", "k", ""], []),
        (["MSET", "a", "plain", "b", '{"y": 1}'], [("b", "y")]),
        # invalid JSON is ignored
        (["SET", "k", "{bad"], []),
        (["SET", "k", '{"a": 1'], []),
        (["SET", "k", b'{"a": "\xff"}'], []),
        (["MSET", "a", "{nope", "b", '{"y": 1}'], [("b", "y")]),
    ],
)
def test_json_field_names_of_string_values(
    args: list[object], written: list[tuple[str, str]]
) -> None:
    use = analyse(args)
    assert list(use.fields_written) == written
    assert use.fields_read == ()


@pytest.mark.parametrize(
    "args",
    [
        ["APPEND", "k", '{"a": 1}'],  # only whole values are documents
        ["LPUSH", "l", '{"a": 1}'],
        ["GET", "k"],
    ],
)
def test_no_json_fields_for_other_commands(args: list[object]) -> None:
    assert analyse(args).fields_written == ()


# --- RedisJSON -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "written"),
    [
        (
            ["JSON.SET", "k", "$", '{"status": "x", "n": {"deep": 1}}'],
            [("k", "status"), ("k", "n")],
        ),
        (["JSON.SET", "k", ".", '{"a": 1}'], [("k", "a")]),
        (["JSON.SET", "k", "$", "[1, 2]"], []),
        (["JSON.SET", "k", "$", "{bad"], []),
        (["JSON.SET", "k", "$.status", '"done"'], [("k", "status")]),
        (["JSON.SET", "k", ".status", '"done"'], [("k", "status")]),
        (["JSON.SET", "k", "$['status']", '"done"'], [("k", "status")]),
        (["JSON.SET", "k", '$["status"]', '"done"'], [("k", "status")]),
        (["JSON.SET", "k", "status", '"done"'], [("k", "status")]),
        (["JSON.SET", "k", "$.status.sub", "1"], [("k", "status")]),  # top-level name only
        (["JSON.SET", "k", "$.status", '"done"', "XX"], [("k", "status")]),
        ([b"json.set", b"k", b"$.status", b'"done"'], [("k", "status")]),
    ],
)
def test_json_set(args: list[object], written: list[tuple[str, str]]) -> None:
    use = analyse(args)
    assert use.known is True
    assert keys_of(use) == [("k", False, True)]
    assert list(use.fields_written) == written
    assert use.fields_read == ()


@pytest.mark.parametrize(
    ("args", "keys", "read"),
    [
        (["JSON.GET", "k"], [("k", *R)], []),
        (["JSON.GET", "k", "$"], [("k", *R)], []),
        (["JSON.GET", "k", "$.status"], [("k", *R)], [("k", "status")]),
        (["JSON.GET", "k", "$.status", ".n"], [("k", *R)], [("k", "status"), ("k", "n")]),
        (
            ["JSON.MGET", "a", "b", "$.status"],
            [("a", *R), ("b", *R)],
            [("a", "status"), ("b", "status")],
        ),
        (["JSON.MGET", "a", "b", "$"], [("a", *R), ("b", *R)], []),
        (["JSON.MGET", "a"], [], []),  # only a path: no key
    ],
)
def test_json_reads(
    args: list[object], keys: list[tuple[str, bool, bool]], read: list[tuple[str, str]]
) -> None:
    use = analyse(args)
    assert keys_of(use) == keys
    assert list(use.fields_read) == read
    assert use.fields_written == ()


def test_json_get_paths_after_formatting_options() -> None:
    use = analyse(["JSON.GET", "k", "INDENT", "  ", "NEWLINE", "\n", "$.status"])
    assert list(use.fields_read) == [("k", "status")]


# --- bytes, case, unknown and malformed commands ----------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["SET", "k", "v", "GET"],
        [b"SET", b"k", b"v", b"GET"],
        ["set", "k", "v", "get"],
        [b"sEt", "k", b"v", "Get"],
        [bytearray(b"SET"), memoryview(b"k"), b"v", b"GET"],
    ],
)
def test_bytes_and_str_and_case_are_equivalent(args: list[object]) -> None:
    use = analyse(args)
    assert use.name == "SET"
    assert keys_of(use) == [("k", True, True)]


def test_undecodable_key_bytes_are_escaped_not_dropped() -> None:
    use = analyse([b"GET", b"k\xff"])
    assert keys_of(use) == [("k\\xff", True, False)]


def test_non_text_arguments_become_text() -> None:
    assert keys_of(analyse(["SET", 1, 2])) == [("1", False, True)]


@pytest.mark.parametrize(
    "args",
    [
        ["NOPE", "a", "b"],
        ["nope"],
        [b"FOO.BAR", b"k"],
        ["CLIENT SETINFO", "lib-name", "redis-py"],
        [""],
        ["   "],
    ],
)
def test_unknown_commands(args: list[object]) -> None:
    use = analyse(args)
    assert use.known is False
    assert use.keys == ()
    assert use.fields_written == () and use.fields_read == ()


def test_no_args() -> None:
    use = analyse([])
    assert use == CommandUse("", (), known=False)


MALFORMED: list[list[object]] = [
    ["SET"],
    ["SET", "k"],
    ["GET"],
    ["MSET", "a"],
    ["MSET", "a", "1", "b"],
    ["HSET", "h"],
    ["HSET"],
    ["HMGET"],
    ["GETEX"],
    ["EVAL"],
    ["EVAL", "script"],
    ["EVAL", "script", "notanumber", "k"],
    ["EVAL", "script", "5", "k"],
    ["EVAL", "script", "-1", "k"],
    ["FCALL", "f"],
    ["ZUNIONSTORE", "d"],
    ["ZUNIONSTORE", "d", "x", "a"],
    ["ZUNIONSTORE", "d", "5", "a"],
    ["LMPOP"],
    ["LMPOP", "-1", "a"],
    ["BLMPOP", "0", "999999999", "a"],
    ["XREAD", "STREAMS"],
    ["XREAD", "STREAMS", "a"],
    ["XREADGROUP", "GROUP"],
    ["XGROUP"],
    ["XGROUP CREATE"],
    ["OBJECT"],
    ["SORT"],
    ["SORT", "s", "STORE"],
    ["GEORADIUS", "g", "STORE"],
    ["MIGRATE"],
    ["MIGRATE", "h", "1", "", "0", "5000", "KEYS"],
    ["BITOP"],
    ["HEXPIRE"],
    ["HEXPIRE", "h", "10", "FIELDS", "-3", "a"],
    ["HSETEX", "h", "FIELDS", "2", "a"],
    ["JSON.SET"],
    ["JSON.SET", "k"],
    ["JSON.SET", "k", "$"],
    ["JSON.GET"],
    ["JSON.MGET"],
    ["JSON.MSET", "k", "$"],
    ["JSON.DEL"],
    ["SET", None, None],
    ["SET", "k", 3.5, "EX", "x"],
]


@pytest.mark.parametrize("args", MALFORMED, ids=lambda a: " ".join(map(str, a)) or "empty")
def test_malformed_arguments_never_crash(args: list[object]) -> None:
    use = analyse(args)
    assert isinstance(use, CommandUse)
    assert all(type(k) is tuple and isinstance(k[0], str) for k in use.keys)


@pytest.mark.parametrize(
    ("args", "keys"),
    [
        (["SET", "k"], ["k"]),
        (["EVAL", "script", "5", "k"], ["k"]),  # numkeys past the end: what is there
        (["ZUNIONSTORE", "d", "5", "a"], ["d", "a"]),
        (["LMPOP", "-1", "a"], []),
        (["XREAD", "STREAMS", "a"], []),
        (["SORT", "s", "STORE"], ["s"]),
        (["MIGRATE", "h", "1", "", "0", "5000", "KEYS"], []),  # "" is a placeholder, never a key
    ],
)
def test_malformed_arguments_give_best_effort_keys(args: list[object], keys: list[str]) -> None:
    assert [key for key, _, _ in analyse(args).keys] == keys


# --- no values --------------------------------------------------------------------------------

CANARY = "canary-7f3a9e-secret"


@pytest.mark.parametrize(
    "args",
    [
        ["SET", "k", CANARY],
        ["SET", "k", CANARY, "GET"],
        ["SET", "k", f'{{"status": "{CANARY}"}}'],
        ["SETEX", "k", "10", CANARY],
        ["MSET", "a", CANARY, "b", f'{{"x": "{CANARY}"}}'],
        ["GETSET", "k", CANARY],
        ["APPEND", "k", CANARY],
        ["HSET", "h", "f", CANARY],
        ["HSETNX", "h", "f", CANARY],
        ["HSETEX", "h", "FIELDS", "1", "f", CANARY],
        ["LPUSH", "l", CANARY],
        ["SADD", "s", CANARY],
        ["ZADD", "z", "1", CANARY],
        ["XADD", "s", "*", "f", CANARY],
        ["PUBLISH", "ch", CANARY],
        ["EVAL", "return ARGV[1]", "1", "k", CANARY],
        ["EVAL", f"return '{CANARY}'", "0"],
        ["FCALL", "f", "1", "k", CANARY],
        ["JSON.SET", "k", "$", f'{{"status": "{CANARY}"}}'],
        ["JSON.SET", "k", "$.status", f'"{CANARY}"'],
        ["RESTORE", "k", "0", CANARY],
        [b"SET", b"k", CANARY.encode()],
        ["NOPE", "k", CANARY],
    ],
)
def test_command_use_holds_no_value(args: list[object]) -> None:
    use = analyse(args)
    assert CANARY not in repr(use)
    assert CANARY not in str(use)
