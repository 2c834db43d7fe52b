"""Forbidden usage: Redis as the owner of job status (RB101, RB201) and its read (RB102)."""

from __future__ import annotations

import redis


def mark_done(client: redis.Redis, tenant: str, job_id: int) -> None:
    client.hset(f"t:{tenant}:job:{job_id}", mapping={"status": "done"})


def job_status(client: redis.Redis, tenant: str, job_id: int) -> bytes | None:
    value = client.hget(f"t:{tenant}:job:{job_id}", "status")
    return value if isinstance(value, bytes) else None
