"""Legacy RQ enqueue: touches RQ's namespace (RB103) and imports rq (RB501)."""

from __future__ import annotations

import redis
from rq import Queue


def send_report(client: redis.Redis, report_id: int) -> str:
    job = Queue("reports", connection=client).enqueue("builtins.print", report_id)
    return str(job.id)
