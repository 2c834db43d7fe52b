"""Fixtures: a fresh fakeredis server per test, the API on it, and an RQ worker in burst mode."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import fakeredis
import pytest
import redis
from fastapi.testclient import TestClient
from rq import SimpleWorker

from legacy_jobs import worker
from legacy_jobs.api.app import create_app
from legacy_jobs.connection import use_redis


@pytest.fixture
def redis_client() -> Iterator[redis.Redis]:
    client = fakeredis.FakeRedis()
    use_redis(client)
    yield client
    use_redis(None)


@pytest.fixture
def api(redis_client: redis.Redis) -> TestClient:
    return TestClient(create_app())


@pytest.fixture
def run_worker(redis_client: redis.Redis) -> Callable[[], None]:
    """Perform every queued export through the production worker code, in burst mode
    (SimpleWorker: jobs run in this process, so their commands are recorded)."""

    def run() -> None:
        worker.work(redis_client, burst=True, worker_class=SimpleWorker)

    return run
