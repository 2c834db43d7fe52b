"""The management-stack client: where execution happens and who owns it.

An in-process stand-in for the management node stack (AiiDA/Postgres + Slurm in production),
so the example runs without one. The service submits an execution request; the stack runs it
and reports its lifecycle as events (at least once, each with its own id), which the projection
applies to the product store. Nothing here touches Redis.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ExecutionRequest:
    tenant_id: str
    workspace_id: str
    job_id: str
    report: str
    timeout_seconds: int
    trace_id: str


@dataclass(frozen=True)
class ExecutionEvent:
    event_id: str
    tenant_id: str
    workspace_id: str
    job_id: str
    status: str  # running, succeeded or failed
    trace_id: str
    result_metadata: dict[str, Any] | None = None


EventHandler = Callable[[ExecutionEvent], None]


@dataclass
class ManagementStackClient:
    """Submits executions and delivers their lifecycle events to the subscribed handlers."""

    _pending: list[ExecutionRequest] = field(default_factory=list)
    _submitted: set[str] = field(default_factory=set)
    _handlers: list[EventHandler] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def subscribe(self, handler: EventHandler) -> None:
        self._handlers.append(handler)

    def submit(self, request: ExecutionRequest) -> None:
        """Idempotent by job id: the stack runs a job once however often it is submitted."""
        with self._lock:
            if request.job_id in self._submitted:
                return
            self._submitted.add(request.job_id)
            self._pending.append(request)

    def run_pending(self) -> list[ExecutionEvent]:
        """Run every pending execution (one scheduler pass) and deliver its events."""
        with self._lock:
            batch, self._pending = self._pending, []
        events: list[ExecutionEvent] = []
        for request in batch:
            events.append(self._event(request, "running"))
            rows = [f"{request.report},{line}" for line in range(3)]
            metadata = {"rows": len(rows), "bytes": sum(len(row) for row in rows)}
            events.append(self._event(request, "succeeded", metadata))
        for event in events:
            self.deliver(event)
        return events

    def deliver(self, event: ExecutionEvent) -> None:
        """Hand one event to every handler (also used to redeliver: delivery is at least once)."""
        for handler in self._handlers:
            handler(event)

    @staticmethod
    def _event(
        request: ExecutionRequest, status: str, metadata: dict[str, Any] | None = None
    ) -> ExecutionEvent:
        return ExecutionEvent(
            event_id=uuid.uuid4().hex,
            tenant_id=request.tenant_id,
            workspace_id=request.workspace_id,
            job_id=request.job_id,
            status=status,
            trace_id=request.trace_id,
            result_metadata=metadata,
        )
