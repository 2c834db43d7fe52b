"""Commands run inside Lua: fakeredis's server side, and MONITOR on a real server."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
import redis

from pytest_redis_boundary.core.events import NO_REPLY
from pytest_redis_boundary.recorder.scripts import as_wire_bytes, parse_monitor_line
from tests.recorder.conftest import FAKEREDIS_2_20, Capture, name, seq

WRITE_SCRIPT = (
    "redis.call('set', KEYS[1], ARGV[1]); redis.call('hset', KEYS[2], 'status', 'x'); return 1"
)


@pytest.fixture
def scripted(capture: Capture) -> Capture:
    capture.recorder.start_script_capture()
    return capture


def test_eval_inner_writes_come_before_the_eval(
    scripted: Capture, make_sync: Callable[..., Any], backend: str, prefix: str
) -> None:
    client = make_sync()
    assert client.eval(WRITE_SCRIPT, 2, prefix + "a", prefix + "h", "v") == 1
    events = scripted.take()
    assert [(name(e), e.origin) for e in events] == [
        ("SET", "script"),
        ("HSET", "script"),
        ("EVAL", "client"),
    ]
    inner_set, inner_hset, outer = events
    assert inner_set.args[1:] == (prefix.encode() + b"a", b"v")
    assert inner_hset.args[1:] == (prefix.encode() + b"h", b"status", b"x")
    assert outer.reply == 1
    for inner in (inner_set, inner_hset):
        assert (inner.server, inner.db, inner.connection, inner.site) == (
            outer.server,
            outer.db,
            outer.connection,
            outer.site,
        )
    if backend == "fake":
        assert inner_set.reply == b"OK"
    else:
        assert inner_set.reply is NO_REPLY


def test_evalsha_and_pipelined_scripts(
    scripted: Capture, make_sync: Callable[..., Any], prefix: str
) -> None:
    client = make_sync()
    sha = client.script_load("redis.call('incr', KEYS[1]); return 7")
    with client.pipeline(transaction=False) as pipe:
        pipe.evalsha(sha, 1, prefix + "n1")
        pipe.get(prefix + "n1")
        pipe.evalsha(sha, 1, prefix + "n2")
        assert pipe.execute() == [7, b"1", 7]
    assert [(name(e), e.origin, e.args[1]) for e in scripted.take()[1:]] == [
        ("INCR", "script", prefix.encode() + b"n1"),
        ("EVALSHA", "client", sha),
        ("GET", "client", prefix + "n1"),
        ("INCR", "script", prefix.encode() + b"n2"),
        ("EVALSHA", "client", sha),
    ]


def test_script_inside_multi_comes_before_exec(
    scripted: Capture, make_sync: Callable[..., Any], prefix: str
) -> None:
    client = make_sync()
    with client.pipeline() as pipe:
        pipe.set(prefix + "k", 1)
        pipe.eval("return redis.call('del', KEYS[1])", 1, prefix + "k")
        pipe.execute()
    assert seq(scripted.take()) == [
        ("MULTI", None),
        ("SET", prefix + "k"),
        ("EVAL", "return redis.call('del', KEYS[1])"),
        ("DEL", prefix + "k"),
        ("EXEC", None),
    ]


def test_script_error_still_reports_what_ran(
    scripted: Capture, make_sync: Callable[..., Any], prefix: str
) -> None:
    client = make_sync()
    with pytest.raises(redis.ResponseError):
        client.eval(
            "redis.call('set', KEYS[1], 'x'); return redis.call('hget', KEYS[1], 'f')",
            1,
            prefix + "e",
        )
    events = scripted.take()
    assert [(name(e), e.origin) for e in events] == [
        ("SET", "script"),
        ("HGET", "script"),
        ("EVAL", "client"),
    ]
    assert isinstance(events[-1].reply, redis.ResponseError)


def test_async_eval(scripted: Capture, make_async: Callable[..., Any], prefix: str) -> None:
    async def main() -> None:
        client = make_async()
        try:
            await client.eval("return redis.call('set', KEYS[1], 'q')", 1, prefix + "w")
        finally:
            await client.aclose()

    asyncio.run(main())
    assert [(name(e), e.origin) for e in scripted.take()] == [
        ("SET", "script"),
        ("EVAL", "client"),
    ]


@pytest.mark.skipif(FAKEREDIS_2_20, reason="fakeredis 2.20 has no FUNCTION LOAD")
def test_fcall_on_fakeredis(capture: Capture) -> None:
    import fakeredis

    client = fakeredis.FakeRedis(server=fakeredis.FakeServer())
    library = (
        "#!lua name=rblib\n"
        "redis.register_function('touch', function(keys, args) "
        "return redis.call('set', keys[1], args[1]) end)"
    )
    client.function_load(library)
    capture.take()
    client.fcall("touch", 1, "fk", "v")
    events = capture.take()
    assert [(name(e), e.origin) for e in events] == [("SET", "script"), ("FCALL", "client")]


def test_monitor_traffic_is_never_recorded(
    scripted: Capture, make_sync: Callable[..., Any], backend: str, prefix: str
) -> None:
    client = make_sync()
    client.eval("return 1", 0)
    client.eval("return 2", 0)
    scripted.recorder.stop_script_capture()
    client.eval("redis.call('set', KEYS[1], 1); return 3", 1, prefix + "z")
    names = [name(e) for e in scripted.take()]
    assert "MONITOR" not in names and "ECHO" not in names
    if backend == "real":
        assert names == ["EVAL", "EVAL", "EVAL"]  # capture stopped: no inner SET
    assert scripted.recorder.errors == []


def test_parse_monitor_line() -> None:
    line = b'1795879300.103780 [3 lua] "set" "k3" "y\\n\\"z\\x00\\\\"'
    assert parse_monitor_line(line) == (3, "lua", (b"set", b"k3", b'y\n"z\x00\\'))
    client = b'1795879300.1 [0 127.0.0.1:59740] "EVAL" "return 1" "0"'
    assert parse_monitor_line(client) == (0, "127.0.0.1:59740", (b"EVAL", b"return 1", b"0"))
    assert parse_monitor_line(b"OK") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("a", b"a"), (b"b", b"b"), (5, b"5"), (1.5, b"1.5"), (True, b"1")],
)
def test_as_wire_bytes(value: object, expected: bytes) -> None:
    assert as_wire_bytes(value) == expected
