"""Submitting an export and reading its status: both straight from and to Redis."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

import redis
from fastapi import APIRouter, Depends, Header, HTTPException
from pydantic import BaseModel, Field

from .. import store, worker
from ..connection import get_redis

router = APIRouter(prefix="/jobs")

Tenant = Annotated[str, Header(alias="X-Tenant-Id", pattern=r"^[a-z0-9-]+$")]
Client = Annotated[redis.Redis, Depends(get_redis)]


class ExportRequest(BaseModel):
    report: str = Field(min_length=1, max_length=64)


@router.post("", status_code=202)
def submit_export(body: ExportRequest, tenant: Tenant, client: Client) -> dict[str, str]:
    policy = store.queue_policy(client, tenant)
    if store.count_submission(client, tenant) > policy.max_per_minute:
        raise HTTPException(status_code=429, detail="too many exports this minute")
    job_id = uuid.uuid4().hex
    store.create_job(client, tenant, job_id, body.report)
    worker.enqueue_export(
        client, tenant, job_id, body.report, timeout_seconds=policy.timeout_seconds
    )
    return {"job_id": job_id}


@router.get("/{job_id}")
def job_status(job_id: str, tenant: Tenant, client: Client) -> dict[str, Any]:
    # The tenant comes from Redis, not from the caller: whoever knows a job id reads that job.
    owner = store.owner_of(client, job_id)
    if owner is None:
        raise HTTPException(status_code=404, detail="no such job")
    job = store.read_job(client, owner, job_id)
    metadata = job.get("result_metadata")
    return {
        "job_id": job_id,
        "status": job["status"],
        "result": json.loads(metadata) if metadata else None,
    }
