"""The only Redis the service still uses, each key tenant-scoped and with a TTL set in the
write that creates it:

- ``t:{tenant}:cache:job:{job_id}``: a read-through copy of a job's view, filled from the
  product store on a miss, dropped when the job changes, 30 s at most;
- ``t:{tenant}:lock:projection:{job_id}``: a lease (redis-py's ``Lock``) so one consumer at a
  time applies a job's lifecycle events, 10 s;
- ``t:{tenant}:dedup:submit:{idempotency_key}``: an in-flight marker (``SET NX EX``) that stops a
  duplicate submission racing the first, 10 min.

None of them is authoritative: losing any costs a read of the product store or a retry.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

import redis

from .observability import LOGGER_NAME, TraceContext, log_key

JOB_VIEW_TTL_SECONDS: Final = 30
PROJECTION_LEASE_SECONDS: Final = 10
SUBMIT_DEDUP_SECONDS: Final = 600

_log = logging.getLogger(f"{LOGGER_NAME}.redis")


def job_view_key(tenant_id: str, job_id: str) -> str:
    return f"t:{tenant_id}:cache:job:{job_id}"


def projection_lease_key(tenant_id: str, job_id: str) -> str:
    return f"t:{tenant_id}:lock:projection:{job_id}"


def submit_dedup_key(tenant_id: str, idempotency_key: str) -> str:
    return f"t:{tenant_id}:dedup:submit:{idempotency_key}"


class JobViewCache:
    """Cache-aside over the product store: never written first, never written back."""

    def __init__(self, client: redis.Redis) -> None:
        self._client = client

    def get(self, context: TraceContext, job_id: str) -> dict[str, Any] | None:
        cached = self._client.get(job_view_key(context.tenant_id, job_id))
        if not isinstance(cached, bytes):
            return None
        view: dict[str, Any] = json.loads(cached)
        return view

    def put(self, context: TraceContext, job_id: str, view: dict[str, Any]) -> None:
        key = job_view_key(context.tenant_id, job_id)
        self._client.set(key, json.dumps(view), ex=JOB_VIEW_TTL_SECONDS)
        log_key(
            _log,
            "job view cached",
            context,
            key=key,
            ttl_seconds=JOB_VIEW_TTL_SECONDS,
            job_id=job_id,
        )

    def drop(self, context: TraceContext, job_id: str) -> None:
        key = job_view_key(context.tenant_id, job_id)
        self._client.delete(key)
        log_key(_log, "job view dropped", context, key=key, ttl_seconds=None, job_id=job_id)


@contextmanager
def projection_lease(client: redis.Redis, context: TraceContext, job_id: str) -> Iterator[None]:
    """Hold the job's projection lease; released on exit, expired after 10 s if the holder
    dies."""
    key = projection_lease_key(context.tenant_id, job_id)
    with client.lock(key, timeout=PROJECTION_LEASE_SECONDS, blocking_timeout=5):
        log_key(
            _log,
            "projection lease held",
            context,
            key=key,
            ttl_seconds=PROJECTION_LEASE_SECONDS,
            job_id=job_id,
        )
        yield


def mark_submission_in_flight(
    client: redis.Redis, context: TraceContext, idempotency_key: str, job_id: str
) -> bool:
    """Whether this request is the first in flight for ``idempotency_key`` (the product
    store's unique key decides for good; this only keeps a racing duplicate off the stack)."""
    key = submit_dedup_key(context.tenant_id, idempotency_key)
    first = bool(client.set(key, 1, nx=True, ex=SUBMIT_DEDUP_SECONDS))
    log_key(
        _log,
        "submission in flight" if first else "duplicate submission in flight",
        context,
        key=key,
        ttl_seconds=SUBMIT_DEDUP_SECONDS,
        job_id=job_id,
    )
    return first
