"""Runtime code: caches through app.cache only."""

from __future__ import annotations

import redis

from examples.app import cache


def show_report(client: redis.Redis, tenant: str, user_id: int) -> bytes | None:
    return cache.cached_profile(client, tenant, user_id)
