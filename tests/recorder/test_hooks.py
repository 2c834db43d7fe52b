"""Connection-level capture on fakeredis and a real server: sequence, raw replies, pairing."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from typing import Any

import fakeredis
import pytest
import redis
import redis.asyncio
from redis.cluster import RedisCluster

from pytest_redis_boundary.core.events import NO_REPLY, CommandEvent
from pytest_redis_boundary.recorder.hooks import Recorder
from tests.clients import pooled_connection
from tests.cluster import LocalCluster
from tests.recorder.conftest import (
    FAKEREDIS_2_20,
    FAKEREDIS_RUNS_HEALTH_CHECKS,
    ROOT,
    Capture,
    name,
    seq,
)

HERE = "tests/recorder/test_hooks.py"


def _line(marker: str) -> int:
    """Line number of the source line ending with ``# <marker>`` in this file."""
    with open(__file__, encoding="utf-8") as handle:
        for number, text in enumerate(handle, 1):
            if text.rstrip().endswith(f"# {marker}"):
                return number
    raise AssertionError(marker)


def _workload(client: Any, p: str) -> list[Any]:
    return [
        client.set(p + "s", "v"),
        client.get(p + "s"),
        client.hset(p + "h", mapping={"f": "1", "g": "2"}),
        client.hgetall(p + "h"),
        client.incr(p + "n"),
        client.expire(p + "s", 100),
        client.exists(p + "s", p + "missing"),
        client.delete(p + "s", p + "h", p + "n"),
    ]


def test_single_commands_sequence_and_raw_replies(
    capture: Capture, make_sync: Callable[..., Any], prefix: str
) -> None:
    client = make_sync()
    capture.take()
    returned = _workload(client, prefix)
    events = capture.take()
    assert seq(events) == [
        ("SET", prefix + "s"),
        ("GET", prefix + "s"),
        ("HSET", prefix + "h"),
        ("HGETALL", prefix + "h"),
        ("INCRBY", prefix + "n"),
        ("EXPIRE", prefix + "s"),
        ("EXISTS", prefix + "s"),
        ("DEL", prefix + "s"),
    ]
    # raw replies, before redis-py's response callbacks
    assert events[0].reply == b"OK" and returned[0] is True
    assert events[1].reply == b"v" == returned[1]
    assert events[5].reply == 1 and returned[5] is True
    assert all(e.origin == "client" and e.site is not None for e in events)
    assert {e.site.path for e in events if e.site} == {HERE}
    assert len({e.connection for e in events}) == 1
    assert all(isinstance(e.time_ms, float) for e in events)

    # what the caller gets is the same with and without the recorder
    capture.recorder.uninstall()
    again = _workload(make_sync(), prefix)
    assert again == returned
    assert capture.take() == []


def test_server_and_db(
    capture: Capture, make_sync: Callable[..., Any], backend: str, prefix: str
) -> None:
    make_sync(db=2).set(prefix + "x", 1)
    event = capture.take()[-1]
    assert event.db == 2
    if backend == "fake":
        assert event.server.startswith("fakeredis:")
    else:
        host, port = event.server.rsplit(":", 1)
        assert host and port.isdigit()


def test_fake_server_ids_are_stable(capture: Capture) -> None:
    server = fakeredis.FakeServer()
    fakeredis.FakeRedis(server=server).set("a", 1)
    fakeredis.FakeRedis(server=server).set("a", 2)
    fakeredis.FakeRedis(server=fakeredis.FakeServer()).set("a", 3)
    first, second, other = (e.server for e in capture.take())
    assert first == second != other


def test_handshake_and_health_checks_are_not_recorded(
    capture: Capture, make_sync: Callable[..., Any], prefix: str, backend: str
) -> None:
    if backend == "fake" and FAKEREDIS_2_20:
        pytest.skip("fakeredis 2.20 has no CLIENT SETNAME")
    if backend == "fake" and not FAKEREDIS_RUNS_HEALTH_CHECKS:
        pytest.skip("this fakeredis fails every health check under this redis-py, recorder or not")
    client = make_sync(client_name="rb-test", db=1, protocol=3, health_check_interval=1)
    client.set(prefix + "a", 1)
    pooled_connection(client.connection_pool).check_health  # noqa: B018 (attribute exists)
    for conn in list(client.connection_pool._available_connections):
        conn.next_health_check = 0  # force a health-check PING on the next command
    assert client.get(prefix + "a") == b"1"
    events = capture.take()
    assert seq(events) == [("SET", prefix + "a"), ("GET", prefix + "a")]
    assert {e.db for e in events} == {1}


def test_response_error_is_the_reply_and_still_raised(
    capture: Capture, make_sync: Callable[..., Any], prefix: str
) -> None:
    client = make_sync()
    client.set(prefix + "s", "v")
    with pytest.raises(redis.ResponseError) as raised:
        client.hset(prefix + "s", "f", "v")
    events = capture.take()
    assert seq(events)[-1] == ("HSET", prefix + "s")
    assert events[-1].reply is raised.value
    assert client.get(prefix + "s") == b"v"  # the FIFO stayed aligned
    assert capture.take()[-1].reply == b"v"


def test_pipeline_transaction(capture: Capture, make_sync: Callable[..., Any], prefix: str) -> None:
    client = make_sync()
    pipe = client.pipeline(transaction=True)
    pipe.set(prefix + "a", 1)  # queue-a
    pipe.hset(prefix + "h", "f", "v")  # queue-h
    pipe.get(prefix + "a")
    result = pipe.execute()  # execute-tx
    assert result == [True, 1, b"1"]
    events = capture.take()
    assert seq(events) == [
        ("MULTI", None),
        ("SET", prefix + "a"),
        ("HSET", prefix + "h"),
        ("GET", prefix + "a"),
        ("EXEC", None),
    ]
    assert [e.reply for e in events] == [b"OK", b"QUEUED", b"QUEUED", b"QUEUED", [b"OK", 1, b"1"]]
    sites = [e.site for e in events]
    assert all(s is not None and s.path == HERE for s in sites)
    assert [s.line for s in sites if s] == [
        _line("execute-tx"),
        _line("queue-a"),
        _line("queue-h"),
        _line("queue-h") + 1,
        _line("execute-tx"),
    ]
    assert sites[1] is not None and sites[1].function == "test_pipeline_transaction"


def test_pipeline_without_transaction(
    capture: Capture, make_sync: Callable[..., Any], prefix: str
) -> None:
    client = make_sync()
    with client.pipeline(transaction=False) as pipe:
        pipe.set(prefix + "a", 1)  # no-transaction-queue
        pipe.incr(prefix + "a")
        assert pipe.execute() == [True, 2]
    events = capture.take()
    assert seq(events) == [("SET", prefix + "a"), ("INCRBY", prefix + "a")]
    assert [e.reply for e in events] == [b"OK", 2]
    assert events[0].site is not None and events[0].site.line == _line("no-transaction-queue")


def test_watch_aborted_exec_delivers_none(
    capture: Capture, make_sync: Callable[..., Any], prefix: str
) -> None:
    client = make_sync()
    other = make_sync()
    client.set(prefix + "w", 1)
    with client.pipeline() as pipe:
        pipe.watch(prefix + "w")  # watch-line
        pipe.get(prefix + "w")
        other.set(prefix + "w", 2)
        pipe.multi()
        pipe.set(prefix + "w", 3)
        with pytest.raises(redis.WatchError):
            pipe.execute()
    events = capture.take()
    assert seq(events) == [
        ("SET", prefix + "w"),
        ("WATCH", prefix + "w"),
        ("GET", prefix + "w"),
        ("SET", prefix + "w"),
        ("MULTI", None),
        ("SET", prefix + "w"),
        ("EXEC", None),
        ("UNWATCH", None),
    ] or seq(events)[:7] == [
        ("SET", prefix + "w"),
        ("WATCH", prefix + "w"),
        ("GET", prefix + "w"),
        ("SET", prefix + "w"),
        ("MULTI", None),
        ("SET", prefix + "w"),
        ("EXEC", None),
    ]
    assert events[6].reply is None
    assert events[1].site is not None and events[1].site.line == _line("watch-line")
    assert events[3].connection != events[1].connection


def test_queued_error_and_execabort(
    capture: Capture, make_sync: Callable[..., Any], prefix: str
) -> None:
    client = make_sync()
    pipe = client.pipeline()
    pipe.set(prefix + "a", 1)
    pipe.execute_command("SET", prefix + "b")  # wrong arity: refused while queueing
    with pytest.raises(redis.ResponseError):
        pipe.execute()
    events = capture.take()
    assert seq(events) == [
        ("MULTI", None),
        ("SET", prefix + "a"),
        ("SET", prefix + "b"),
        ("EXEC", None),
    ]
    assert events[1].reply == b"QUEUED"
    assert isinstance(events[2].reply, redis.ResponseError)
    assert isinstance(events[3].reply, redis.exceptions.ExecAbortError)
    assert client.get(prefix + "a") is None
    assert capture.take()[-1].reply is None


def test_pipeline_error_inside_exec(
    capture: Capture, make_sync: Callable[..., Any], prefix: str
) -> None:
    client = make_sync()
    client.set(prefix + "s", "v")
    pipe = client.pipeline()
    pipe.hset(prefix + "s", "f", "v")
    pipe.get(prefix + "s")
    result = pipe.execute(raise_on_error=False)
    assert isinstance(result[0], redis.ResponseError) and result[1] == b"v"
    exec_event = capture.take()[-1]
    assert name(exec_event) == "EXEC"
    assert isinstance(exec_event.reply, list)
    assert isinstance(exec_event.reply[0], redis.ResponseError) and exec_event.reply[1] == b"v"


def test_discard(capture: Capture, make_sync: Callable[..., Any], prefix: str) -> None:
    client = make_sync()
    conn = pooled_connection(client.connection_pool)
    try:
        for args in (("MULTI",), ("SET", prefix + "d", 1), ("DISCARD",)):
            conn.send_command(*args)
            conn.read_response()
    finally:
        client.connection_pool.release(conn)
    events = capture.take()
    assert seq(events) == [("MULTI", None), ("SET", prefix + "d"), ("DISCARD", None)]
    assert [e.reply for e in events] == [b"OK", b"QUEUED", b"OK"]


def test_client_created_after_install_is_recorded(
    capture: Capture, backend: str, make_sync: Callable[..., Any], prefix: str
) -> None:
    class AppService:
        def __init__(self) -> None:
            self.client = make_sync()

        def remember(self) -> None:
            self.client.set(prefix + "app", 1)  # app-line

    AppService().remember()
    event = capture.take()[-1]
    assert seq([event]) == [("SET", prefix + "app")]
    assert event.site is not None
    assert (event.site.path, event.site.line, event.site.function) == (
        HERE,
        _line("app-line"),
        "remember",
    )


def test_async_client_and_pipeline(
    capture: Capture, make_async: Callable[..., Any], prefix: str
) -> None:
    async def main() -> list[Any]:
        client = make_async()
        try:
            out = [await client.set(prefix + "a", 1), await client.get(prefix + "a")]  # async-line
            async with client.pipeline(transaction=True) as pipe:
                pipe.incr(prefix + "a")  # async-queue
                pipe.get(prefix + "a")
                out.append(await pipe.execute())
            try:
                await client.hset(prefix + "a", "f", "v")
            except redis.ResponseError as exc:
                out.append(type(exc))
            return out
        finally:
            await client.aclose()

    result = asyncio.run(main())
    assert result == [True, b"1", [2, b"2"], redis.ResponseError]
    events = capture.take()
    assert seq(events) == [
        ("SET", prefix + "a"),
        ("GET", prefix + "a"),
        ("MULTI", None),
        ("INCRBY", prefix + "a"),
        ("GET", prefix + "a"),
        ("EXEC", None),
        ("HSET", prefix + "a"),
    ]
    assert events[0].reply == b"OK" and events[5].reply == [2, b"2"]
    assert isinstance(events[6].reply, redis.ResponseError)
    assert events[0].site is not None and events[0].site.line == _line("async-line")
    assert events[3].site is not None and events[3].site.line == _line("async-queue")
    assert events[0].site.function == "main"


def test_async_concurrent_tasks(
    capture: Capture, make_async: Callable[..., Any], prefix: str
) -> None:
    async def main() -> None:
        client = make_async()
        try:
            await asyncio.gather(*(client.set(f"{prefix}t{i}", i) for i in range(20)))
            values = await asyncio.gather(*(client.get(f"{prefix}t{i}") for i in range(20)))
            assert values == [str(i).encode() for i in range(20)]
        finally:
            await client.aclose()

    asyncio.run(main())
    gets = [e for e in capture.take() if name(e) == "GET"]
    assert sorted((e.args[1], e.reply) for e in gets) == sorted(
        (f"{prefix}t{i}", str(i).encode()) for i in range(20)
    )


def test_threads(capture: Capture, make_sync: Callable[..., Any], prefix: str) -> None:
    client = make_sync()
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            for j in range(20):
                client.set(f"{prefix}{i}:{j}", j)
                assert client.get(f"{prefix}{i}:{j}") == str(j).encode()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    events = capture.take()
    gets = [e for e in events if name(e) == "GET"]
    assert len(events) == 160 and len(gets) == 80
    assert all(
        isinstance(e.reply, bytes) and e.reply.decode() == str(e.args[1]).rsplit(":", 1)[1]
        for e in gets
    )
    assert all(e.site is not None and e.site.function == "work" for e in events)


def test_lock_acquire_extend_release(
    capture: Capture, make_sync: Callable[..., Any], prefix: str
) -> None:
    client = make_sync()
    client.script_flush()
    capture.recorder.start_script_capture()
    try:
        lock = redis.lock.Lock(client, prefix + "lock", timeout=10)
        assert lock.acquire(blocking=False)  # lock-acquire
        assert lock.extend(5)
        lock.release()
    finally:
        capture.recorder.stop_script_capture()
    events = capture.take()
    assert [(name(e), e.origin) for e in events[1:]] == [
        ("SET", "client"),
        ("EVALSHA", "client"),
        ("SCRIPT LOAD", "client"),
        ("GET", "script"),
        ("PTTL", "script"),
        ("PEXPIRE", "script"),
        ("EVALSHA", "client"),
        ("EVALSHA", "client"),
        ("SCRIPT LOAD", "client"),
        ("GET", "script"),
        ("DEL", "script"),
        ("EVALSHA", "client"),
    ]
    assert events[1].args[1] == prefix + "lock"
    # redis-py 5.0 sends NX before PX, later releases after it.
    assert events[1].args[3:] in (("NX", "PX", 10000), ("PX", 10000, "NX"))
    assert isinstance(events[2].reply, redis.exceptions.NoScriptError)
    assert events[7].reply == 1 and events[12].reply == 1
    assert events[1].site is not None and events[1].site.line == _line("lock-acquire")
    assert client.exists(prefix + "lock") == 0


def test_pubsub_commands_do_not_block_the_fifo(
    capture: Capture, make_sync: Callable[..., Any], prefix: str
) -> None:
    client = make_sync()
    publisher = make_sync()
    pubsub = client.pubsub()
    pubsub.subscribe(prefix + "chan")
    assert pubsub.get_message(timeout=1)["type"] == "subscribe"
    publisher.publish(prefix + "chan", "hello")
    message = pubsub.get_message(timeout=1)
    assert message is not None and message["data"] == b"hello"
    client.set(prefix + "after", 1)
    pubsub.unsubscribe(prefix + "chan")
    pubsub.close()
    events = capture.take()
    assert seq(events) == [
        ("SUBSCRIBE", prefix + "chan"),
        ("PUBLISH", prefix + "chan"),
        ("SET", prefix + "after"),
        ("UNSUBSCRIBE", prefix + "chan"),
    ]
    assert events[0].reply is NO_REPLY and events[3].reply is NO_REPLY
    assert events[1].reply == 1 and events[2].reply == b"OK"


def test_disconnect_with_pending_reply_delivers_the_error(
    capture: Capture, make_sync: Callable[..., Any], prefix: str
) -> None:
    client = make_sync()
    conn = pooled_connection(client.connection_pool)
    conn.send_command("SET", prefix + "x", 1)
    conn.disconnect()
    client.connection_pool.release(conn)
    (event,) = capture.take()
    assert seq([event]) == [("SET", prefix + "x")]
    assert isinstance(event.reply, redis.ConnectionError)
    assert client.get(prefix + "x") in (b"1", None)
    later = capture.take()
    assert seq(later) == [("GET", prefix + "x")]
    assert later[0].connection != event.connection  # a new socket session


def test_sink_exception_does_not_break_the_call(make_sync: Callable[..., Any], prefix: str) -> None:
    def sink(event: CommandEvent) -> None:
        raise RuntimeError("sink broke")

    recorder = Recorder(sink, rootdir=ROOT)
    recorder.install()
    try:
        client = make_sync()
        assert client.set(prefix + "a", 1) is True
        assert client.get(prefix + "a") == b"1"
    finally:
        recorder.uninstall()
    assert [(p.part, p.command, p.error_type, p.message) for p in recorder.errors] == [
        ("recording", "SET", "builtins.RuntimeError", None),  # its message could quote a value
        ("recording", "GET", "builtins.RuntimeError", None),
    ]


def test_unhashable_command_name_is_sent_and_recorded(
    capture: Capture, make_sync: Callable[..., Any], prefix: str
) -> None:
    # redis-py sends a writable memoryview as a command name (then fails on its reply
    # callbacks): the recorder must not fail earlier, nor keep the command from the server.
    client = make_sync()
    with pytest.raises(AttributeError):
        client.execute_command(memoryview(bytearray(b"SET")), prefix + "mv", "1")
    assert client.get(prefix + "mv") == b"1"
    events = capture.take()
    assert [name(e) if isinstance(e.args[0], str) else bytes(e.args[0]) for e in events] == [  # type: ignore[call-overload]
        b"SET",
        "GET",
    ]
    assert events[0].reply == b"OK"


def test_an_encoding_error_drops_the_command_and_keeps_replies_paired(
    capture: Capture, make_sync: Callable[..., Any], prefix: str
) -> None:
    client = make_sync()
    client.set(prefix + "a", 1)
    with pytest.raises(redis.DataError):
        client.set(prefix + "b", {"not": "encodable"})  # never sent
    assert client.get(prefix + "a") == b"1"
    events = capture.take()
    assert [(seq([e])[0], e.reply) for e in events] == [
        (("SET", prefix + "a"), b"OK"),
        (("GET", prefix + "a"), b"1"),
    ]


@pytest.mark.skipif(
    FAKEREDIS_2_20, reason="fakeredis 2.20 refuses a disconnected server on connect, not on write"
)
def test_a_failed_write_delivers_the_command_with_its_error(capture: Capture) -> None:
    # The bytes may have reached the server before the error: the command may have run. One held
    # connection, so that the error comes from the send itself: from a pool, redis-py 8 checks
    # the idle connection first and fails before the command is sent.
    server = fakeredis.FakeServer()
    client = fakeredis.FakeRedis(server=server, single_connection_client=True)
    client.set("w:a", 1)
    server.connected = False
    with pytest.raises(redis.ConnectionError):
        client.set("w:b", 2)
    server.connected = True
    assert client.get("w:a") == b"1"
    events = capture.take()
    assert seq(events) == [("SET", "w:a"), ("SET", "w:b"), ("GET", "w:a")]
    assert isinstance(events[1].reply, redis.ConnectionError)
    assert events[2].reply == b"1"


def test_redis_py_send_command_is_recognised_and_no_other() -> None:
    # The single-layer path for single commands is taken only for redis-py's own code.
    import redis.connection

    from pytest_redis_boundary.recorder.redis_py import is_known_send_command

    assert is_known_send_command(redis.connection.AbstractConnection.send_command)

    def send_command(self: Any, *args: Any, **kwargs: Any) -> None:
        """Pack and send a command to the Redis server"""
        self.send_packed_command(self._command_packer.pack(*args), check_health=False)

    assert not is_known_send_command(send_command)
    assert not is_known_send_command(print)


def test_send_packed_command_is_specialised_only_for_redis_py_signature() -> None:
    import redis.connection

    from pytest_redis_boundary.recorder.redis_py import has_send_packed_signature

    assert has_send_packed_signature(redis.connection.AbstractConnection.send_packed_command)

    def other_default(self: Any, command: Any, check_health: bool = False) -> None: ...

    def variadic(self: Any, *args: Any, **kwargs: Any) -> None: ...

    def keyword_only(self: Any, command: Any, *, check_health: bool = True) -> None: ...

    def other_names(self: Any, packed: Any, check_health: bool = True) -> None: ...

    assert not has_send_packed_signature(other_default)
    assert not has_send_packed_signature(variadic)
    assert not has_send_packed_signature(keyword_only)
    assert not has_send_packed_signature(other_names)


def test_send_packed_command_patched_on_a_connection_is_still_called(capture: Capture) -> None:
    # A test double set on one connection (mock.patch.object) must see the write, as it does
    # without the plugin: the single-layer path is only for the class's own method.
    from unittest import mock

    client = fakeredis.FakeRedis(server=fakeredis.FakeServer())
    conn: Any = pooled_connection(client.connection_pool)
    boom = redis.ConnectionError("boom")
    with (
        mock.patch.object(conn, "send_packed_command", side_effect=boom) as patched,
        pytest.raises(redis.ConnectionError, match="boom"),
    ):
        conn.send_command("GET", "k")
    assert patched.call_count == 1
    client.connection_pool.release(conn)


def test_a_connection_class_with_its_own_send_command_is_recorded_once(capture: Capture) -> None:
    sent: list[object] = []
    client = fakeredis.FakeRedis(server=fakeredis.FakeServer())
    base: Any = client.connection_pool.connection_class

    class LoggingConnection(base):  # type: ignore[misc]
        def send_command(self, *args: Any, **kwargs: Any) -> None:
            sent.append(args[0])
            super().send_command(*args, **kwargs)

    capture.recorder.uninstall()
    capture.recorder.install()  # wraps the new class's send_command too
    client.connection_pool.connection_class = LoggingConnection
    assert client.set("own:a", 1) is True
    assert client.get("own:a") == b"1"
    assert seq(capture.take()) == [("SET", "own:a"), ("GET", "own:a")]
    assert "SET" in sent and "GET" in sent


def test_uninstall_restores_originals() -> None:
    import redis.asyncio.connection as aconn
    import redis.connection as sconn

    try:
        from fakeredis._socket._base import BaseFakeSocket
    except ImportError:  # fakeredis 2.20
        from fakeredis._basefakesocket import BaseFakeSocket  # type: ignore[no-redef]

    watched = [
        (sconn.AbstractConnection, "send_command"),
        (sconn.AbstractConnection, "read_response"),
        (sconn.AbstractConnection, "pack_commands"),
        (aconn.AbstractConnection, "pack_command"),
        (aconn.AbstractConnection, "read_response"),
        (redis.client.Pipeline, "execute_command"),
    ]
    before = [cls.__dict__[attr] for cls, attr in watched]
    fake_run = BaseFakeSocket.__dict__["_run_command"]
    events: list[CommandEvent] = []
    recorder = Recorder(events.append)
    recorder.install()
    recorder.install()  # idempotent
    assert all(
        cls.__dict__[attr] is not old for (cls, attr), old in zip(watched, before, strict=True)
    )
    # fakeredis's server side is wrapped only while a script batch is written
    fakeredis.FakeRedis(server=fakeredis.FakeServer()).eval("return 1", 0)
    assert BaseFakeSocket.__dict__["_run_command"] is fake_run
    events.clear()
    recorder.uninstall()
    recorder.uninstall()  # idempotent
    assert all(cls.__dict__[attr] is old for (cls, attr), old in zip(watched, before, strict=True))
    assert BaseFakeSocket.__dict__["_run_command"] is fake_run
    fakeredis.FakeRedis(server=fakeredis.FakeServer()).set("a", 1)
    assert events == []


def test_uninstall_leaves_a_foreign_wrapper_in_place() -> None:
    import redis.connection as sconn

    original = sconn.AbstractConnection.__dict__["send_command"]
    recorder = Recorder(lambda e: None)
    recorder.install()
    ours = sconn.AbstractConnection.__dict__["send_command"]

    def foreign(self: Any, *args: Any, **kwargs: Any) -> Any:
        return ours(self, *args, **kwargs)

    sconn.AbstractConnection.send_command = foreign  # type: ignore[method-assign]
    try:
        recorder.uninstall()
        assert sconn.AbstractConnection.__dict__["send_command"] is foreign
    finally:
        sconn.AbstractConnection.send_command = original  # type: ignore[method-assign]


def test_only_one_recorder_at_a_time(capture: Capture) -> None:
    with pytest.raises(RuntimeError):
        Recorder(lambda e: None).install()


# --- real cluster ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def local_cluster(redis_server_url: str) -> Iterator[LocalCluster]:
    cluster = LocalCluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


def test_redis_cluster_and_cluster_pipeline(
    capture: Capture, local_cluster: LocalCluster, prefix: str
) -> None:
    client = RedisCluster(host=local_cluster.host, port=local_cluster.port)
    try:
        capture.take()  # cluster discovery (CLUSTER SLOTS etc.) is the app's traffic too
        keys = [f"{prefix}{i}" for i in range(12)]
        for k in keys:
            client.set(k, k)
        assert [client.get(k) for k in keys] == [k.encode() for k in keys]
        events = [e for e in capture.take() if name(e) in ("SET", "GET")]
        assert seq(events) == [("SET", k) for k in keys] + [("GET", k) for k in keys]
        servers = {e.server for e in events}
        assert len(servers) >= 2  # keys spread over nodes, each node its own server
        assert servers <= {f"127.0.0.1:{p}" for p in local_cluster.ports}
        assert all(e.reply == b"OK" for e in events[:12])

        pipe = client.pipeline()  # type: ignore[no-untyped-call]
        for k in keys[:6]:
            pipe.incr(k + ":n")  # cluster-queue
        assert pipe.execute() == [1] * 6
        piped = [e for e in capture.take() if name(e) == "INCRBY"]
        assert sorted(str(key) for _, key in seq(piped)) == sorted(k + ":n" for k in keys[:6])
        assert all(e.reply == 1 for e in piped)
        assert all(e.site is not None and e.site.line == _line("cluster-queue") for e in piped)
        assert all(name(e) != "READONLY" for e in capture.take())
    finally:
        client.close()
