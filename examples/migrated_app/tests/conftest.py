"""Fixtures: Redis (fakeredis, or the server at ``REDIS_URL``), the wired services, the API."""

from __future__ import annotations

import os
from collections.abc import Iterator

import fakeredis
import pytest
import redis
from fastapi.testclient import TestClient

from jobs_service.api.app import create_app
from jobs_service.services import Services, build_services


@pytest.fixture
def redis_client() -> Iterator[redis.Redis]:
    url = os.environ.get("REDIS_URL")
    if not url:
        yield fakeredis.FakeRedis()
        return
    client = redis.Redis.from_url(url)
    client.flushdb()  # each test starts on an empty database, as it does on fakeredis
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def services(redis_client: redis.Redis) -> Iterator[Services]:
    wired = build_services(redis_client)
    yield wired
    wired.store.close()


@pytest.fixture
def api(services: Services) -> TestClient:
    return TestClient(create_app(services))
