"""Submitting an export and reading its status: validation and orchestration only."""

from __future__ import annotations

import time
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Response
from pydantic import BaseModel, Field

from ..execution import ExecutionRequest
from ..transient import mark_submission_in_flight
from .deps import ContextDep, ServicesDep

router = APIRouter(prefix="/jobs")

IdempotencyKey = Annotated[str, Header(alias="Idempotency-Key", pattern=r"^[A-Za-z0-9-]{8,64}$")]


class ExportRequest(BaseModel):
    report: str = Field(min_length=1, max_length=64)


@router.post("", status_code=202)
def submit_export(
    body: ExportRequest,
    context: ContextDep,
    services: ServicesDep,
    idempotency_key: IdempotencyKey,
    response: Response,
) -> dict[str, Any]:
    if context.workspace_id is None:
        raise HTTPException(status_code=422, detail="X-Workspace-Id is required")
    store = services.store
    # A retry of a submission the product store already holds gets that job back.
    existing = store.job_for_key(context.tenant_id, idempotency_key)
    if existing is not None:
        response.status_code = 200
        return existing.view()
    policy = store.queue_policy(context.tenant_id)
    if store.submissions_since(context.tenant_id, time.time() - 60) >= policy.max_per_minute:
        raise HTTPException(status_code=429, detail="too many exports this minute")
    job_id = uuid.uuid4().hex
    if not mark_submission_in_flight(services.redis, context, idempotency_key, job_id):
        raise HTTPException(status_code=409, detail="this submission is already in flight")
    job, created = store.create_job(
        tenant_id=context.tenant_id,
        job_id=job_id,
        workspace_id=context.workspace_id,
        report=body.report,
        idempotency_key=idempotency_key,
    )
    if created:
        services.stack.submit(
            ExecutionRequest(
                tenant_id=job.tenant_id,
                workspace_id=job.workspace_id,
                job_id=job.job_id,
                report=job.report,
                timeout_seconds=policy.timeout_seconds,
                trace_id=context.trace_id,
            )
        )
    return job.view()


@router.get("/{job_id}")
def job_status(job_id: str, context: ContextDep, services: ServicesDep) -> dict[str, Any]:
    view = services.job_views.get(context, job_id)
    if view is None:
        job = services.store.get_job(context.tenant_id, job_id)
        if job is None:
            raise HTTPException(status_code=404, detail="no such job")
        view = job.view()
        services.job_views.put(context, job_id, view)
    return view
