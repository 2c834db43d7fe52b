"""The RQ side: the exports queue the API enqueues on, and the worker that performs its jobs."""

from __future__ import annotations

import redis
from rq import Queue, Worker
from rq.worker import BaseWorker

from . import tasks
from .connection import get_redis

EXPORTS_QUEUE = "exports"


def exports_queue(client: redis.Redis) -> Queue:
    return Queue(EXPORTS_QUEUE, connection=client)


def enqueue_export(
    client: redis.Redis, tenant: str, job_id: str, report: str, *, timeout_seconds: int
) -> str:
    job = exports_queue(client).enqueue(
        tasks.run_export, tenant, job_id, report, job_timeout=timeout_seconds
    )
    return str(job.id)


def work(
    client: redis.Redis, *, burst: bool = False, worker_class: type[BaseWorker] = Worker
) -> None:
    """Perform the exports queue's jobs (``burst``: until it is empty, then return)."""
    worker_class([exports_queue(client)], connection=client).work(burst=burst)


def main() -> None:
    """The production entry point: ``python -m legacy_jobs.worker`` (a forking worker)."""
    work(get_redis())


if __name__ == "__main__":
    main()
