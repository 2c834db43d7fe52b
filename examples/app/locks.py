"""Allowed transitional use: a lease with a TTL, and one forgotten TTL."""

from __future__ import annotations

import redis


def build_report(client: redis.Redis, tenant: str, report_id: int) -> bool:
    with client.lock(f"t:{tenant}:lock:report:{report_id}", timeout=10):
        return True


def hold_forever(client: redis.Redis, tenant: str, report_id: int) -> None:
    """A bug on purpose: a lock without timeout is a key without TTL (RB201)."""
    lock = client.lock(f"t:{tenant}:lock:export:{report_id}", timeout=None)
    lock.acquire(blocking=False)
