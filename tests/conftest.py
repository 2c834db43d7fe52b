"""Shared test fixtures: the real redis-server that .ci/run starts."""

from __future__ import annotations

import os

import pytest

pytest_plugins = ["pytester"]

REDIS_URL_ENV = "REDIS_BOUNDARY_TEST_URL"


@pytest.fixture(scope="session")
def redis_server_url() -> str:
    """URL of the real redis-server; CI must provide it, so there it fails instead of skipping."""
    url = os.environ.get(REDIS_URL_ENV)
    if url:
        return url
    if os.environ.get("CI"):
        pytest.fail(f"{REDIS_URL_ENV} is not set: .ci/run must start redis-server", pytrace=False)
    pytest.skip(f"no real redis-server: set {REDIS_URL_ENV} (see .ci/run)")
