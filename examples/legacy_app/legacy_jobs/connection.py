"""The one Redis connection the API and the RQ jobs share, from ``REDIS_URL``."""

from __future__ import annotations

import os

import redis

_client: redis.Redis | None = None


def get_redis() -> redis.Redis:
    """The shared client; created on first use, so importing the service needs no server."""
    global _client
    if _client is None:
        _client = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))
    return _client


def use_redis(client: redis.Redis | None) -> None:
    """Point the service at ``client`` (tests pass a fakeredis client; ``None`` resets)."""
    global _client
    _client = client
