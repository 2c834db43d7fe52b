"""Asking a server for a key's TTL when the model cannot know it (``Judge.finish(probe=...)``).

Two servers can be asked: the ``--redis-boundary-url`` server (server id ``host:port`` or
``unix:path``, as the recorder names it) and fakeredis servers still alive in this process.
Any other server's keys stay ``unknown`` (an RB201 ``warning``). Probe connections are marked
ignored, so the recorder never records them.
"""

from __future__ import annotations

import threading
from typing import Any

from pytest_redis_boundary.core.keyspace import TtlClass
from pytest_redis_boundary.recorder import hooks
from pytest_redis_boundary.recorder.hooks import Recorder

__all__ = ["Prober", "server_id_of_url"]

_UNKNOWN: tuple[TtlClass, float | None] = ("unknown", None)


def server_id_of_url(url: str) -> str:
    """The recorder's name for the server at ``url`` ("host:port" or "unix:path")."""
    from redis.connection import ConnectionPool

    kwargs = ConnectionPool.from_url(url).connection_kwargs
    if "path" in kwargs and kwargs.get("path"):
        return f"unix:{kwargs['path']}"
    return f"{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}"


def _ttl_of(pttl: object) -> tuple[TtlClass, float | None]:
    if not isinstance(pttl, int):
        return _UNKNOWN
    if pttl == -2:
        return ("absent", None)
    if pttl == -1:
        return ("persistent", None)
    return ("ttl", pttl / 1000.0)


class Prober:
    """``probe(server, db, key) -> (ttl_class, ttl_seconds)`` for ``Judge.finish``."""

    def __init__(self, url: str | None) -> None:
        self._url = url
        self._server = server_id_of_url(url) if url else None
        self._conn: Any = None
        self._lock = threading.Lock()

    def __call__(self, server: str, db: int, key: str) -> tuple[TtlClass, float | None]:
        try:
            if server == self._server:
                return self._real(db, key)
            if server.startswith("fakeredis:"):
                return self._fake(server, db, key)
        except Exception:  # the probe is a best effort: the finding stays a warning
            return _UNKNOWN
        return _UNKNOWN

    def _real(self, db: int, key: str) -> tuple[TtlClass, float | None]:
        with self._lock:
            if self._conn is None:
                from redis.connection import ConnectionPool

                pool = ConnectionPool.from_url(self._url or "")
                conn = pool.connection_class(**pool.connection_kwargs)
                Recorder.ignore_connection(conn)
                self._conn = conn
            conn = self._conn
            conn.send_command("SELECT", db)
            conn.read_response()
            conn.send_command("PTTL", key)
            return _ttl_of(conn.read_response())

    def _fake(self, server: str, db: int, key: str) -> tuple[TtlClass, float | None]:
        target = hooks.fake_server(server)
        if target is None:
            return _UNKNOWN
        import fakeredis

        connection_class = (
            getattr(fakeredis, "FakeRedisConnection", None) or fakeredis.FakeConnection
        )
        conn = connection_class(server=target, db=db)
        Recorder.ignore_connection(conn)
        try:
            conn.send_command("PTTL", key)
            return _ttl_of(conn.read_response())
        finally:
            conn.disconnect()

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.disconnect()
                self._conn = None
