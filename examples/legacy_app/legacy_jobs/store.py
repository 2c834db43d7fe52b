"""The legacy job store: Redis is the system of record.

Everything the contract forbids Redis to own is here, each written without a TTL: the job
status hash (``status``, ``result_metadata``), the tenant that owns a job, and each tenant's
queue policy.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import redis

# A week: result previews are "cached" far longer than the cache class allows.
RESULT_PREVIEW_TTL_SECONDS = 7 * 24 * 3600
SUBMIT_WINDOW_SECONDS = 60


def job_key(tenant: str, job_id: str) -> str:
    return f"t:{tenant}:job:{job_id}"


def owner_key(job_id: str) -> str:
    # Global, not tenant-scoped: the endpoint derives which tenant a job belongs to from it.
    return f"jobs:owner:{job_id}"


def queue_policy_key(tenant: str) -> str:
    return f"t:{tenant}:queue-policy:exports"


def result_preview_key(tenant: str, job_id: str) -> str:
    return f"t:{tenant}:cache:preview:{job_id}"


def submit_counter_key(tenant: str) -> str:
    return f"t:{tenant}:ratelimit:submit"


@dataclass(frozen=True)
class QueuePolicy:
    timeout_seconds: int = 300
    max_per_minute: int = 10


def set_queue_policy(client: redis.Redis, tenant: str, policy: QueuePolicy) -> None:
    client.hset(
        queue_policy_key(tenant),
        mapping={
            "timeout_seconds": policy.timeout_seconds,
            "max_per_minute": policy.max_per_minute,
        },
    )


def queue_policy(client: redis.Redis, tenant: str) -> QueuePolicy:
    stored: dict[bytes, bytes] = client.hgetall(queue_policy_key(tenant))  # type: ignore[assignment]
    if not stored:
        return QueuePolicy()
    return QueuePolicy(
        timeout_seconds=int(stored[b"timeout_seconds"]),
        max_per_minute=int(stored[b"max_per_minute"]),
    )


def count_submission(client: redis.Redis, tenant: str) -> int:
    pipe = client.pipeline()
    pipe.incr(submit_counter_key(tenant))
    pipe.expire(submit_counter_key(tenant), SUBMIT_WINDOW_SECONDS)
    count, _ = pipe.execute()
    return int(count)


def create_job(client: redis.Redis, tenant: str, job_id: str, report: str) -> None:
    pipe = client.pipeline()
    pipe.hset(
        job_key(tenant, job_id),
        mapping={"status": "queued", "report": report, "created_at": int(time.time())},
    )
    pipe.set(owner_key(job_id), tenant)
    pipe.execute()


def set_status(client: redis.Redis, tenant: str, job_id: str, status: str) -> None:
    client.hset(job_key(tenant, job_id), "status", status)


def record_result(
    client: redis.Redis, tenant: str, job_id: str, metadata: dict[str, Any], preview: str
) -> None:
    # The RQ job decides the final business state here, in Redis.
    client.hset(
        job_key(tenant, job_id),
        mapping={"status": "done", "result_metadata": json.dumps(metadata)},
    )
    client.set(result_preview_key(tenant, job_id), preview, ex=RESULT_PREVIEW_TTL_SECONDS)


def owner_of(client: redis.Redis, job_id: str) -> str | None:
    owner = client.get(owner_key(job_id))
    return owner.decode() if isinstance(owner, bytes) else None


def read_job(client: redis.Redis, tenant: str, job_id: str) -> dict[str, str]:
    stored: dict[bytes, bytes] = client.hgetall(job_key(tenant, job_id))  # type: ignore[assignment]
    return {name.decode(): value.decode() for name, value in stored.items()}
