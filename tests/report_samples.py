"""Findings and JSON reports to build by hand, shared by the report, gate and CLI tests."""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from pytest_redis_boundary.cli import main
from pytest_redis_boundary.core.events import CallSite, CommandEvent
from pytest_redis_boundary.core.findings import Finding
from pytest_redis_boundary.core.inventory import InventoryEntry
from pytest_redis_boundary.core.policy import default_policy
from pytest_redis_boundary.core.reports import build_report
from pytest_redis_boundary.core.rules import Judge
from pytest_redis_boundary.core.verdicts import ExceptionStatus

__all__ = [
    "CACHE_SHAPE",
    "CANARY",
    "NEW_READ",
    "SCHEMA_PATH",
    "TEST",
    "TODAY",
    "exc7",
    "finding",
    "judged_with_canary",
    "report",
    "run_cli",
    "write_report",
]

TODAY = datetime.date(2026, 11, 28)
TEST = "tests/test_jobs.py::test_done"


def finding(**overrides: Any) -> Finding:
    """The example finding of docs/reference/reports.md (RB101 at app/jobs.py:17), changed by
    ``overrides``."""
    base: dict[str, Any] = {
        "rule": "RB101",
        "verdict": "violation",
        "message": "RB101 business-write: HSET t:acme:job:42 field 'status' at app/jobs.py:17 "
        "in mark_done()",
        "test": TEST,
        "phase": "call",
        "command": "HSET",
        "key": "t:acme:job:42",
        "field": "status",
        "site": "app/jobs.py:17",
        "function": "mark_done",
        "tenant_id": "acme",
    }
    base.update(overrides)
    return Finding(**base)


CANARY = "s3cr3t-canary-value"
SCHEMA_PATH = Path(__file__).parent / "assets" / "sarif-schema-2.1.0.json"
"""The official OASIS SARIF 2.1.0 schema (errata01), vendored for validation."""

NEW_READ = finding(
    rule="RB102",
    message="RB102 business-read: HGET t:acme:job:42 field 'status' at app/api.py:40 in status()",
    command="HGET",
    site="app/api.py:40",
    function="status",
)


def exc7(status: str = "active", matched: int = 3) -> ExceptionStatus:
    return ExceptionStatus(
        id="EXC-7",
        owner="platform-team",
        expiry_date=datetime.date(2027, 1, 31),
        removal_issue="PLAT-812",
        status=status,  # type: ignore[arg-type]
        matched=matched,
    )


CACHE_SHAPE = InventoryEntry(
    shape="t:{tenant}:cache:profile:*",
    key_class="cache",
    writes=3,
    reads=2,
    tenant=True,
    max_ttl_seconds=300,
    persistent=False,
    commands=("GET", "SET"),
    sites=("app/cache.py:9",),
    tests=2,
)
"""A bounded cache shape written from application code: an inventory entry that needs nothing."""


def report(
    *findings: Finding,
    exceptions: Sequence[ExceptionStatus] = (),
    tests: int = 1,
    calls: int = 1,
    inventory: Sequence[InventoryEntry] = (),
    endpoints: Sequence[str] = (),
) -> dict[str, Any]:
    return build_report(
        findings=findings,
        exceptions=exceptions,
        tests=tests,
        calls=calls,
        today=TODAY,
        version="1.0.0",
        inventory=inventory,
        endpoints=endpoints,
    )


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``redis-boundary ARGS`` in this process: its exit status, stdout and stderr."""
    capsys.readouterr()
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def write_report(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data))
    return path


def judged_with_canary() -> list[Finding]:
    """Findings of real commands whose values are ``CANARY``: what a recorder would produce."""
    site = CallSite("app/jobs.py", 17, "mark_done")
    judge = Judge(default_policy(), test=TEST)
    commands: list[tuple[object, ...]] = [
        ("HSET", "t:acme:job:42", "status", CANARY),
        ("SET", "t:acme:cache:user:7", CANARY),
        ("SET", "rq:job:1234", CANARY),
        ("SET", "global:thing", CANARY, "EX", "10"),
        ("GET", "t:acme:result:99"),
    ]
    for args in commands:
        event = CommandEvent(
            args,
            b"OK",
            server="127.0.0.1:6379",
            db=0,
            connection=0,
            site=site,
            origin="client",
            time_ms=1_790_000_000_000.0,
        )
        judge.feed(event)
    judge.finish(1_790_000_000_000.0)
    return judge.findings()
