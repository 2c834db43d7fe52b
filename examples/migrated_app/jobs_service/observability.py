"""Structured logs: every record about a Redis key carries the retirement contract's
observability fields (trace_id, tenant_id, workspace_id, job_id, key_ttl_seconds).

Records go to the ``jobs_service`` logger tree as attributes (``extra=``), which a JSON
formatter writes out; pytest-redis-boundary's RB401 checks the same attributes in the tests.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Final

LOGGER_NAME: Final = "jobs_service"
FIELDS: Final = ("trace_id", "tenant_id", "workspace_id", "job_id", "key_ttl_seconds")


@dataclass(frozen=True)
class TraceContext:
    """Who a piece of work is for, carried from the request into every log record."""

    trace_id: str
    tenant_id: str
    workspace_id: str | None = None


def log_key(
    logger: logging.Logger,
    event: str,
    context: TraceContext,
    *,
    key: str,
    ttl_seconds: int | None,
    job_id: str | None,
) -> None:
    """Log ``event`` about the Redis ``key`` (its name only, never its value)."""
    logger.info(
        event,
        extra={
            "redis_key": key,
            "trace_id": context.trace_id,
            "tenant_id": context.tenant_id,
            "workspace_id": context.workspace_id,
            "job_id": job_id,
            "key_ttl_seconds": ttl_seconds,
        },
    )


class JsonFormatter(logging.Formatter):
    """One JSON object per record: the message, the logger and the observability fields."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"level": record.levelname, "logger": record.name, "event": record.getMessage()}
        for name in ("redis_key", *FIELDS):
            if hasattr(record, name):
                line[name] = getattr(record, name)
        return json.dumps(line)


def configure_logging(level: int = logging.INFO) -> None:
    """Emit the service's records at ``level`` as JSON lines on stderr (once per process)."""
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(level)
    if not any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
