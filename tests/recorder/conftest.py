"""Fixtures for the recorder tests: a recorder with a list sink, and clients on each backend."""

from __future__ import annotations

import importlib.metadata
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import fakeredis
import pytest
import redis
import redis.asyncio

from pytest_redis_boundary.core.events import CommandEvent
from pytest_redis_boundary.recorder.hooks import Recorder

ROOT = Path(__file__).resolve().parents[2]

FAKEREDIS_2_20 = importlib.metadata.version("fakeredis").startswith("2.20.")
"""The oldest supported fakeredis, which CI also runs (``.ci/run``): it lacks a few commands."""


def _fakeredis_runs_health_checks() -> bool:
    # fakeredis 2.41 under redis-py 8.2 answers every health-check PING with a connection error,
    # with or without the recorder: asked of the pair installed, not of a version list.
    client = fakeredis.FakeRedis(health_check_interval=1)
    try:
        client.ping()
    except redis.ConnectionError:
        return False
    finally:
        client.close()
    return True


FAKEREDIS_RUNS_HEALTH_CHECKS = _fakeredis_runs_health_checks()


class Capture:
    """A recorder whose sink keeps events (test-only: the real sink drops values)."""

    def __init__(self) -> None:
        self.events: list[CommandEvent] = []
        self.recorder = Recorder(self.events.append, rootdir=ROOT)

    def take(self) -> list[CommandEvent]:
        events, self.events[:] = list(self.events), []
        return events


def name(event: CommandEvent) -> str:
    first = event.args[0]
    text = first.decode() if isinstance(first, bytes) else str(first)
    return text.upper()


def key(event: CommandEvent) -> str | None:
    if len(event.args) < 2:
        return None
    value = event.args[1]
    return value.decode() if isinstance(value, bytes) else str(value)


def seq(events: list[CommandEvent]) -> list[tuple[str, str | None]]:
    """(command, first argument) pairs, the shape most assertions compare."""
    return [(name(e), key(e)) for e in events]


def real_options(url: str) -> dict[str, Any]:
    """Connection options of a redis:// URL, so tests can override some (db=...)."""
    parse_url: Callable[[str], dict[str, Any]] = redis.connection.parse_url  # untyped in redis-py
    return parse_url(url)


@pytest.fixture
def capture() -> Iterator[Capture]:
    cap = Capture()
    cap.recorder.install()
    try:
        yield cap
    finally:
        cap.recorder.uninstall()


@pytest.fixture(params=["fake", "real"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "real":
        request.getfixturevalue("redis_server_url")
    return str(request.param)


@pytest.fixture
def prefix() -> str:
    """A per-test key prefix so tests never see each other's keys on a shared server."""
    return f"rbt:{uuid.uuid4().hex[:8]}:"


@pytest.fixture
def make_sync(backend: str, request: pytest.FixtureRequest) -> Iterator[Callable[..., Any]]:
    made: list[Any] = []
    server = fakeredis.FakeServer()

    def make(**kwargs: Any) -> Any:
        if backend == "fake":
            client: Any = fakeredis.FakeRedis(server=server, **kwargs)
        else:
            url = request.getfixturevalue("redis_server_url")
            client = redis.Redis(**{**real_options(url), **kwargs})
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def make_async(backend: str, request: pytest.FixtureRequest) -> Callable[..., Any]:
    server = fakeredis.FakeServer()

    def make(**kwargs: Any) -> Any:
        if backend == "fake":
            return fakeredis.FakeAsyncRedis(server=server, **kwargs)
        url = request.getfixturevalue("redis_server_url")
        return redis.asyncio.Redis(**{**real_options(url), **kwargs})

    return make
