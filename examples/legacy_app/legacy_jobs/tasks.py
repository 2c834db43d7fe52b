"""The RQ job: builds an export and writes its final status and result metadata to Redis."""

from __future__ import annotations

from . import store
from .connection import get_redis


def run_export(tenant: str, job_id: str, report: str) -> dict[str, int]:
    client = get_redis()
    store.set_status(client, tenant, job_id, "running")
    rows = [f"{report},{line}" for line in range(3)]
    metadata = {"rows": len(rows), "bytes": sum(len(row) for row in rows)}
    store.record_result(client, tenant, job_id, metadata, preview="\n".join(rows[:1]))
    return metadata
