"""The projection update: execution lifecycle events from the management stack, applied to the
product store (idempotently, by event id) and then reflected in the read-through cache.

This is the only path that changes a job's status after submission, and it decides nothing
itself: the stack reports what happened, the product store records it.
"""

from __future__ import annotations

import logging

import redis

from .execution import ExecutionEvent
from .observability import LOGGER_NAME, TraceContext
from .product_store import ProductStore
from .transient import JobViewCache, projection_lease

_log = logging.getLogger(f"{LOGGER_NAME}.projection")


class Projection:
    def __init__(self, store: ProductStore, client: redis.Redis) -> None:
        self._store = store
        self._client = client
        self._cache = JobViewCache(client)

    def apply(self, event: ExecutionEvent) -> None:
        context = TraceContext(event.trace_id, event.tenant_id, event.workspace_id)
        with projection_lease(self._client, context, event.job_id):
            changed = self._store.apply_event(
                event_id=event.event_id,
                tenant_id=event.tenant_id,
                job_id=event.job_id,
                status=event.status,
                result_metadata=event.result_metadata,
            )
            if changed:
                # After the owner's write: a reader that misses from now on reads the new state.
                self._cache.drop(context, event.job_id)
        _log.info(
            "lifecycle event %s",
            "applied" if changed else "already applied",
            extra={
                "trace_id": event.trace_id,
                "tenant_id": event.tenant_id,
                "job_id": event.job_id,
            },
        )
