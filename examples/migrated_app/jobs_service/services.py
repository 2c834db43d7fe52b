"""The service's parts, wired once: the product store, the management stack, Redis."""

from __future__ import annotations

from dataclasses import dataclass

import redis

from .execution import ManagementStackClient
from .product_store import ProductStore
from .projection import Projection
from .transient import JobViewCache


@dataclass(frozen=True)
class Services:
    store: ProductStore
    stack: ManagementStackClient
    redis: redis.Redis
    job_views: JobViewCache


def build_services(
    client: redis.Redis,
    *,
    store: ProductStore | None = None,
    stack: ManagementStackClient | None = None,
) -> Services:
    store = store or ProductStore()
    stack = stack or ManagementStackClient()
    stack.subscribe(Projection(store, client).apply)
    return Services(store=store, stack=stack, redis=client, job_views=JobViewCache(client))
