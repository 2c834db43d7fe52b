"""Allowed transitional use: a tenant-scoped cache with a TTL."""

from __future__ import annotations

import redis


def cache_profile(client: redis.Redis, tenant: str, user_id: int, payload: bytes) -> None:
    client.set(f"t:{tenant}:cache:profile:{user_id}", payload, ex=300)


def cached_profile(client: redis.Redis, tenant: str, user_id: int) -> bytes | None:
    value = client.get(f"t:{tenant}:cache:profile:{user_id}")
    return value if isinstance(value, bytes) else None


def count_hit(client: redis.Redis, tenant: str, page: str) -> None:
    # INCR then EXPIRE in one pipeline: the key never lives without a TTL.
    pipe = client.pipeline()
    pipe.incr(f"t:{tenant}:cache:hits:{page}")
    pipe.expire(f"t:{tenant}:cache:hits:{page}", 60)
    pipe.execute()


def pin_profile(client: redis.Redis, tenant: str, user_id: int) -> None:
    """A bug on purpose: PERSIST drops the cache key's TTL (RB201)."""
    client.persist(f"t:{tenant}:cache:profile:{user_id}")
