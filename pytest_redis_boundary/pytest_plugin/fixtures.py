"""The fixtures: ``redis_boundary`` (this test's recording) and recorded clients.

``redis_boundary_client`` and ``redis_boundary_async_client`` share one backend per test: a
fresh fakeredis ``FakeServer`` (Redis 7.0 semantics), or the ``--redis-boundary-url`` server.
On a real server nothing is flushed: at teardown the fixture deletes exactly the keys written
on that server during the test (by any client, scripts included), on a connection the recorder
ignores.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from pytest_redis_boundary.core.findings import Finding
from pytest_redis_boundary.pytest_plugin.expectations import Expectation
from pytest_redis_boundary.pytest_plugin.recording import RecordedCall, Recording
from pytest_redis_boundary.pytest_plugin.stash import TEST_KEY, BoundaryTest

__all__ = [
    "RedisBoundary",
    "redis_boundary",
    "redis_boundary_async_client",
    "redis_boundary_client",
]


class RedisBoundary:
    """This test's recorder, as the ``redis_boundary`` fixture gives it."""

    __slots__ = ("_test",)

    def __init__(self, test: BoundaryTest | None) -> None:
        self._test = test

    @property
    def calls(self) -> list[RecordedCall]:
        """The test's recorded commands so far (the last 1,000): name, keys, phase, site."""
        return [] if self._test is None else self._test.recording.calls()

    @property
    def findings(self) -> list[Finding]:
        """The test's findings so far. RB201/RB202 are judged at the end of the call phase (or
        inside ``expect``/``assert_clean``); from then on findings carry their final verdicts."""
        return [] if self._test is None else self._test.governed.findings_now()

    def assert_clean(self) -> None:
        """Raise ``AssertionError`` listing every violation so far (TTLs judged as of now)."""
        __tracebackhide__ = True
        if self._test is None:
            return
        violations = self._test.governed.violations_now()
        if violations:
            lines = [f"redis-boundary: {len(violations)} violation(s) so far:"]
            lines.extend(f"  {f.line()}" for f in violations)
            raise AssertionError("\n".join(lines))

    def expect(self, *rules: str) -> Expectation:
        """``with redis_boundary.expect("RB101"):`` — the block must produce findings of these
        rules; they are then removed from the test's findings and reports."""
        if not rules:
            raise TypeError("expect() needs at least one rule id, e.g. expect('RB101')")
        if self._test is None or not self._test.recording.active:
            raise RuntimeError("redis-boundary is off for this test: nothing can be expected")
        return self._test.expectations.expect(tuple(r.upper() for r in rules))


@pytest.fixture
def redis_boundary(request: pytest.FixtureRequest) -> RedisBoundary:
    """This test's redis-boundary recorder: ``.calls``, ``.findings``, ``.assert_clean()``,
    ``.expect("RB101")``."""
    return RedisBoundary(request.node.stash.get(TEST_KEY, None))


@dataclass
class _Backend:
    url: str | None
    fake_server: Any
    recording: Recording | None


def _require_redis() -> None:
    try:
        import redis  # noqa: F401
    except ImportError:
        pytest.skip("redis-boundary: redis-py is not installed")


@pytest.fixture
def _redis_boundary_backend(request: pytest.FixtureRequest) -> Iterator[_Backend]:
    _require_redis()
    from pytest_redis_boundary.pytest_plugin.options import SETTINGS_KEY

    settings = request.config.stash.get(SETTINGS_KEY, None)
    url = settings.url if settings is not None else None
    test = request.node.stash.get(TEST_KEY, None)
    recording = None if test is None else test.recording
    if url is None:
        import fakeredis

        try:
            server = fakeredis.FakeServer(version=(7, 0))
        except TypeError:  # fakeredis without server versions
            server = fakeredis.FakeServer()
        yield _Backend(url=None, fake_server=server, recording=recording)
        return
    yield _Backend(url=url, fake_server=None, recording=recording)
    if recording is not None:
        _delete_written(url, recording)


def _delete_written(url: str, recording: Recording) -> None:
    """Delete the keys the test wrote on the real server, on a connection never recorded."""
    from redis.connection import ConnectionPool

    from pytest_redis_boundary.recorder.hooks import Recorder

    written = recording.take_tracked_writes()
    if not written:
        return
    by_db: dict[int, list[str]] = {}
    for db, key in written:
        by_db.setdefault(db, []).append(key)
    pool = ConnectionPool.from_url(url)
    conn = pool.connection_class(**pool.connection_kwargs)
    Recorder.ignore_connection(conn)
    try:
        for db, keys in sorted(by_db.items()):
            conn.send_command("SELECT", db)
            conn.read_response()
            for start in range(0, len(keys), 500):
                conn.send_command("DEL", *keys[start : start + 500])
                conn.read_response()
    finally:
        conn.disconnect()
        pool.disconnect()


@pytest.fixture
def redis_boundary_client(_redis_boundary_backend: _Backend) -> Iterator[Any]:
    """A recorded ``redis.Redis`` client: fakeredis, or the ``--redis-boundary-url`` server."""
    backend = _redis_boundary_backend
    if backend.url is not None:
        import redis

        client = redis.Redis.from_url(backend.url)
    else:
        import fakeredis

        client = fakeredis.FakeRedis(server=backend.fake_server)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def redis_boundary_async_client(_redis_boundary_backend: _Backend) -> Iterator[Any]:
    """A recorded ``redis.asyncio.Redis`` client on the same backend as
    ``redis_boundary_client``. A plain fixture: use it from any async test runner."""
    backend = _redis_boundary_backend
    if backend.url is not None:
        import redis.asyncio

        client: Any = redis.asyncio.Redis.from_url(backend.url)
    else:
        import fakeredis

        client = fakeredis.FakeAsyncRedis(server=backend.fake_server)
    yield client
    _close_async(client)


def _close_async(client: Any) -> None:
    """Close an asyncio client from synchronous teardown.

    Its event loop (e.g. the one ``asyncio.run`` made in the test) is usually closed by now, so
    ``aclose()`` cannot run: the sockets of its connections are closed directly instead.
    """
    pool = getattr(client, "connection_pool", None)
    if pool is None:
        return
    connections = [
        *getattr(pool, "_available_connections", ()),
        *getattr(pool, "_in_use_connections", ()),
    ]
    for conn in connections:
        writer = getattr(conn, "_writer", None)
        transport = getattr(writer, "transport", None)
        sock = getattr(transport, "_sock", None)
        if sock is not None:
            with contextlib.suppress(Exception):
                sock.close()
            with contextlib.suppress(Exception):
                transport._sock = None  # type: ignore[union-attr]
                transport._closing = True  # type: ignore[union-attr]
        for attr in ("_reader", "_writer"):
            with contextlib.suppress(Exception):
                setattr(conn, attr, None)
