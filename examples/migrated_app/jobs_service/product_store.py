"""The product store: the durable owner of every product-visible field.

A stand-in for the product database (Convex in production), backed by the standard library's
sqlite3 so the example runs anywhere. It owns what the legacy service kept in Redis: a job's
status and result metadata, which tenant (and workspace) owns it, and each tenant's queue
policy. Every read is scoped by tenant.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    tenant_id TEXT NOT NULL,
    job_id TEXT NOT NULL,
    workspace_id TEXT NOT NULL,
    report TEXT NOT NULL,
    status TEXT NOT NULL,
    result_metadata TEXT,
    idempotency_key TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (tenant_id, job_id),
    UNIQUE (tenant_id, idempotency_key)
);
CREATE TABLE IF NOT EXISTS queue_policies (
    tenant_id TEXT PRIMARY KEY,
    timeout_seconds INTEGER NOT NULL,
    max_per_minute INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS applied_events (
    event_id TEXT PRIMARY KEY
);
"""

# A job only moves forward: a late or replayed event never takes it back.
_ORDER = {"queued": 0, "running": 1, "succeeded": 2, "failed": 2}


@dataclass(frozen=True)
class Job:
    tenant_id: str
    job_id: str
    workspace_id: str
    report: str
    status: str
    result_metadata: dict[str, Any] | None

    def view(self) -> dict[str, Any]:
        """What the API shows of the job."""
        return {
            "job_id": self.job_id,
            "workspace_id": self.workspace_id,
            "status": self.status,
            "result": self.result_metadata,
        }


@dataclass(frozen=True)
class QueuePolicy:
    timeout_seconds: int = 300
    max_per_minute: int = 10


class ProductStore:
    def __init__(self, path: str = ":memory:") -> None:
        # TestClient and uvicorn run sync endpoints in a thread pool: one connection, one lock.
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._lock = threading.Lock()
        with self._lock, self._db:
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def create_job(
        self,
        *,
        tenant_id: str,
        job_id: str,
        workspace_id: str,
        report: str,
        idempotency_key: str,
    ) -> tuple[Job, bool]:
        """The job of this idempotency key, and whether this call created it."""
        with self._lock, self._db:
            cursor = self._db.execute(
                "INSERT INTO jobs VALUES (?, ?, ?, ?, 'queued', NULL, ?, ?)"
                " ON CONFLICT (tenant_id, idempotency_key) DO NOTHING",
                (tenant_id, job_id, workspace_id, report, idempotency_key, time.time()),
            )
            created = cursor.rowcount == 1
            row = self._db.execute(
                "SELECT * FROM jobs WHERE tenant_id = ? AND idempotency_key = ?",
                (tenant_id, idempotency_key),
            ).fetchone()
        return _job(row), created

    def job_for_key(self, tenant_id: str, idempotency_key: str) -> Job | None:
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM jobs WHERE tenant_id = ? AND idempotency_key = ?",
                (tenant_id, idempotency_key),
            ).fetchone()
        return None if row is None else _job(row)

    def get_job(self, tenant_id: str, job_id: str) -> Job | None:
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM jobs WHERE tenant_id = ? AND job_id = ?", (tenant_id, job_id)
            ).fetchone()
        return None if row is None else _job(row)

    def submissions_since(self, tenant_id: str, since: float) -> int:
        with self._lock:
            (count,) = self._db.execute(
                "SELECT COUNT(*) FROM jobs WHERE tenant_id = ? AND created_at >= ?",
                (tenant_id, since),
            ).fetchone()
        return int(count)

    def apply_event(
        self,
        *,
        event_id: str,
        tenant_id: str,
        job_id: str,
        status: str,
        result_metadata: dict[str, Any] | None,
    ) -> bool:
        """Record a lifecycle event once (by id), never moving the job back; whether it
        changed the job."""
        with self._lock, self._db:
            cursor = self._db.execute(
                "INSERT INTO applied_events VALUES (?) ON CONFLICT DO NOTHING", (event_id,)
            )
            if cursor.rowcount == 0:
                return False
            row = self._db.execute(
                "SELECT status FROM jobs WHERE tenant_id = ? AND job_id = ?", (tenant_id, job_id)
            ).fetchone()
            if row is None or _ORDER[status] <= _ORDER[row[0]]:
                return False
            metadata = None if result_metadata is None else json.dumps(result_metadata)
            self._db.execute(
                "UPDATE jobs SET status = ?, result_metadata = COALESCE(?, result_metadata)"
                " WHERE tenant_id = ? AND job_id = ?",
                (status, metadata, tenant_id, job_id),
            )
        return True

    def set_queue_policy(self, tenant_id: str, policy: QueuePolicy) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO queue_policies VALUES (?, ?, ?) ON CONFLICT (tenant_id) DO UPDATE"
                " SET timeout_seconds = excluded.timeout_seconds,"
                " max_per_minute = excluded.max_per_minute",
                (tenant_id, policy.timeout_seconds, policy.max_per_minute),
            )

    def queue_policy(self, tenant_id: str) -> QueuePolicy:
        with self._lock:
            row = self._db.execute(
                "SELECT timeout_seconds, max_per_minute FROM queue_policies WHERE tenant_id = ?",
                (tenant_id,),
            ).fetchone()
        return QueuePolicy() if row is None else QueuePolicy(int(row[0]), int(row[1]))


def _job(row: tuple[Any, ...]) -> Job:
    tenant_id, job_id, workspace_id, report, status, metadata = row[:6]
    return Job(
        tenant_id=tenant_id,
        job_id=job_id,
        workspace_id=workspace_id,
        report=report,
        status=status,
        result_metadata=None if metadata is None else json.loads(metadata),
    )
