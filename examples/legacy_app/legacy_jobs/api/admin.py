"""Tenant administration: the queue policy, kept in Redis."""

from __future__ import annotations

from typing import Annotated

import redis
from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from .. import store
from ..connection import get_redis

router = APIRouter(prefix="/tenants")


class QueuePolicyBody(BaseModel):
    timeout_seconds: int = Field(gt=0, le=3600)
    max_per_minute: int = Field(gt=0, le=1000)


@router.put("/{tenant_id}/queue-policy", status_code=204)
def put_queue_policy(
    tenant_id: str, body: QueuePolicyBody, client: Annotated[redis.Redis, Depends(get_redis)]
) -> None:
    store.set_queue_policy(
        client, tenant_id, store.QueuePolicy(body.timeout_seconds, body.max_per_minute)
    )
