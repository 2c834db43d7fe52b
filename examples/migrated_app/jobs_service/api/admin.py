"""Tenant administration: the queue policy, owned by the product store."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from ..product_store import QueuePolicy
from .deps import ContextDep, ServicesDep

router = APIRouter(prefix="/tenants")


class QueuePolicyBody(BaseModel):
    timeout_seconds: int = Field(gt=0, le=3600)
    max_per_minute: int = Field(gt=0, le=1000)


@router.put("/{tenant_id}/queue-policy", status_code=204)
def put_queue_policy(
    tenant_id: str, body: QueuePolicyBody, context: ContextDep, services: ServicesDep
) -> None:
    if tenant_id != context.tenant_id:
        raise HTTPException(status_code=403, detail="a tenant sets only its own queue policy")
    services.store.set_queue_policy(
        tenant_id, QueuePolicy(body.timeout_seconds, body.max_per_minute)
    )
