"""Differential test: the key-state model against a real redis-server (and against fakeredis).

"for every key the model's (absent / persistent / has TTL) must equal the server's PTTL class."

Each generated sequence runs on the server through one raw connection (raw replies, as the
recorder sees them) and through ``Keyspace``; afterwards every key's PTTL class on the server must
equal the model's. The model may answer ``unknown`` only after a command whose effect on a
container's size the reply cannot tell (``strategies.AMBIGUOUS``).

Examples: ``REDIS_BOUNDARY_DIFF_EXAMPLES`` (default 2,000; 10,000+ locally for a deeper run).
Only keys ``k0``..``k3`` of databases 14 and 15 are used and deleted between examples, so the
server's other data is never touched.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from typing import Protocol

import fakeredis
import pytest
import redis
from hypothesis import HealthCheck, given, reject, settings

from pytest_redis_boundary.core.commands import split_argv
from pytest_redis_boundary.core.events import NO_REPLY
from pytest_redis_boundary.core.keyspace import Keyspace
from tests.clients import pooled_connection
from tests.core import strategies as gen

EXAMPLES = int(os.environ.get("REDIS_BOUNDARY_DIFF_EXAMPLES", "2000"))
DB, OTHER_DB = gen.DB, gen.OTHER_DB

DIFF_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
)

# Commands where fakeredis 2.41 itself deviates from Redis 7.0 (see where fakeredis differs in
# docs/reference/redis-semantics.md): the fakeredis run leaves them out.
FAKEREDIS_DEVIATIONS = frozenset(
    {"PFMERGE", "ZRANGESTORE", "PFADD", "RESTORE", "GEOADD", "GEOSEARCHSTORE"}
)


class _RawConnection(Protocol):
    """What ``Backend`` uses of a redis-py connection (typed here: redis-py leaves it untyped)."""

    def send_command(self, *args: object) -> None: ...

    def read_response(self) -> object: ...

    def disconnect(self) -> None: ...


class BackendCrashed(Exception):
    """fakeredis raised a Python error of its own (e.g. a TypeError on a sorted set a GEO
    command made): not a Redis reply, so the sequence cannot be compared."""


class Backend:
    """Raw command execution on one server: replies exactly as a connection reads them."""

    def __init__(self, client: redis.Redis, *, fake: bool = False) -> None:
        self.client = client
        self.fake = fake
        self.main = pooled_connection(client.connection_pool)
        self.other = pooled_connection(client.connection_pool)
        for conn in (self.main, self.other):
            self._raw(conn, "SELECT", DB)
        self._raw(self.other, "SET", "payload:src", "v")
        self.payload = self._raw(self.other, "DUMP", "payload:src")
        self._raw(self.other, "DEL", "payload:src")

    def _raw(self, conn: _RawConnection, *args: object) -> object:
        conn.send_command(*args)
        try:
            return conn.read_response()
        except redis.ResponseError as error:
            return error
        except Exception as error:
            if not self.fake:
                raise
            conn.disconnect()
            self._raw(conn, "SELECT", DB)
            raise BackendCrashed(f"{args[0]}: {error!r}") from error

    def run(self, *args: object, other: bool = False) -> object:
        return self._raw(self.other if other else self.main, *args)

    def reset(self) -> None:
        for db in (DB, OTHER_DB):
            self._raw(self.other, "SELECT", db)
            self._raw(self.other, "DEL", *gen.KEYS)
        self._raw(self.other, "SELECT", DB)
        self._raw(self.main, "DISCARD")  # in case an example failed mid-transaction
        self._raw(self.main, "UNWATCH")

    def pttl_class(self, key: str, db: int) -> str:
        self._raw(self.other, "SELECT", db)
        pttl = self._raw(self.other, "PTTL", key)
        self._raw(self.other, "SELECT", DB)
        assert isinstance(pttl, int), pttl
        return "absent" if pttl == -2 else "persistent" if pttl == -1 else "ttl"

    def close(self) -> None:
        for conn in (self.main, self.other):
            self.client.connection_pool.release(conn)
        self.client.close()


class Runner:
    """Feeds one sequence to a backend and to the model, as the recorder would."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.model = Keyspace()
        self.names: set[str] = set()

    def _send(self, args: tuple[object, ...], *, connection: int = 1) -> object:
        argv = [self.backend.payload if a == "<payload>" else a for a in gen.resolve(args)]
        now = time.time() * 1000
        reply = self.backend.run(*argv, other=connection == 2)
        name, split = split_argv(argv)
        self.names.add(name)
        self.model.apply(name, split, reply, db=DB, connection=connection, now=now)
        return reply

    def step(self, step: object) -> None:
        if isinstance(step, gen.Command):
            self._send(step.args)
        elif isinstance(step, gen.Transaction):
            if step.watch_abort:
                self._send(("WATCH", step.watch_abort))
                self._send(("SET", step.watch_abort, "other"), connection=2)
            self._send(("MULTI",))
            for command in step.commands:
                self._send(command.args)
            self._send((step.end,))
            self.names.update(split_argv(c.args)[0] for c in step.commands)
        elif isinstance(step, gen.Script):
            now = time.time() * 1000
            reply = self.backend.run("EVAL", step.body, len(step.keys), *step.keys, *step.argv)
            self.model.apply("EVAL", ["EVAL", step.body, 1, *step.keys], reply, db=DB, now=now)
            if not isinstance(reply, Exception):
                for inner in step.inner:
                    name, split = split_argv(inner)
                    self.names.add(name)
                    self.model.apply(name, split, NO_REPLY, db=DB, now=now, in_script=True)

    def check(self) -> None:
        now = time.time() * 1000
        for db in (DB, OTHER_DB):
            for key in gen.KEYS:
                expected = self.backend.pttl_class(key, db)
                got = self.model.ttl_class(key, db=db, now=now)
                if got == "unknown":
                    assert self.names & gen.AMBIGUOUS, f"model unsure of {key}@{db}"
                    continue
                assert got == expected, f"{key}@db{db}: model {got}, server {expected}"


def _exercise(backend: Backend, sequence: list[object]) -> None:
    backend.reset()
    runner = Runner(backend)
    for step in sequence:
        runner.step(step)
    runner.check()


@pytest.fixture(scope="module")
def real_backend(redis_server_url: str) -> Iterator[Backend]:
    backend = Backend(redis.Redis.from_url(redis_server_url, protocol=2))
    yield backend
    backend.reset()
    backend.close()


@pytest.fixture(scope="module")
def fake_backend() -> Iterator[Backend]:
    server = fakeredis.FakeServer(version=(7, 0))
    backend = Backend(fakeredis.FakeRedis(server=server, protocol=2), fake=True)
    yield backend
    backend.close()


@DIFF_SETTINGS
@given(sequence=gen.sequences)
def test_model_matches_real_redis(real_backend: Backend, sequence: list[object]) -> None:
    _exercise(real_backend, sequence)


def _without_fakeredis_deviations(sequence: list[object]) -> bool:
    def names(step: object) -> Iterator[str]:
        if isinstance(step, gen.Command):
            yield split_argv(step.args)[0]
        elif isinstance(step, gen.Transaction):
            yield from (split_argv(c.args)[0] for c in step.commands)

    return not any(n in FAKEREDIS_DEVIATIONS for s in sequence for n in names(s))


@DIFF_SETTINGS
@given(sequence=gen.sequences.filter(_without_fakeredis_deviations))
def test_model_matches_fakeredis_where_it_follows_redis(
    fake_backend: Backend, sequence: list[object]
) -> None:
    try:
        _exercise(fake_backend, sequence)
    except BackendCrashed:
        reject()


DeviationCheck = Callable[[Backend], tuple[str, str]]


@pytest.mark.parametrize(
    ("name", "commands", "key", "redis_class"),
    [
        (
            "PFMERGE keeps the destination's TTL",
            [("PFADD", "k0", "a"), ("EXPIRE", "k0", 300), ("PFMERGE", "k0", "k1")],
            "k0",
            "ttl",
        ),
        (
            "ZRANGESTORE clears the destination's TTL",
            [
                ("ZADD", "k0", 1, "a"),
                ("ZADD", "k1", 1, "a"),
                ("EXPIRE", "k0", 300),
                ("ZRANGESTORE", "k0", "k1", 0, -1),
            ],
            "k0",
            "persistent",
        ),
        ("PFADD with no elements creates the key", [("PFADD", "k0")], "k0", "persistent"),
    ],
)
def test_documented_fakeredis_deviations(
    fake_backend: Backend, name: str, commands: list[tuple[object, ...]], key: str, redis_class: str
) -> None:
    """The model follows Redis where fakeredis does not; these pin where
    docs/reference/redis-semantics.md says fakeredis differs."""
    fake_backend.reset()
    runner = Runner(fake_backend)
    for args in commands:
        runner.step(gen.Command(args))
    model = runner.model.ttl_class(key, db=DB, now=time.time() * 1000)
    assert model == redis_class, name
    assert fake_backend.pttl_class(key, DB) != redis_class, f"fakeredis now follows Redis: {name}"
