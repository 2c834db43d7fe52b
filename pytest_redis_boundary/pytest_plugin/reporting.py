"""Writing the JSON report and SARIF 2.1.0 (docs/reference/reports.md), on the controller or a
serial run."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path

from pytest_redis_boundary import __version__
from pytest_redis_boundary.core.findings import Finding
from pytest_redis_boundary.core.policy import KeyClass
from pytest_redis_boundary.core.reports import build_report, save_report, to_sarif
from pytest_redis_boundary.core.verdicts import ExceptionStatus
from pytest_redis_boundary.pytest_plugin.totals import RunTotals

__all__ = ["write_reports"]


def write_reports(
    *,
    findings: Sequence[Finding],
    statuses: Sequence[ExceptionStatus],
    totals: RunTotals,
    today: datetime.date,
    json_path: Path | None,
    sarif_path: Path | None,
    problems: list[str],
    read_through: Sequence[KeyClass] = (),
) -> list[tuple[str, Path]]:
    """Write the requested files; returns ``(what, path)`` for each one written. A file that
    cannot be written is added to ``problems`` (the summary lists them)."""
    report = build_report(
        findings=findings,
        exceptions=statuses,
        tests=totals.tests,
        calls=totals.calls,
        today=today,
        version=__version__,
        inventory=totals.inventory,
        endpoints=totals.endpoints,
        read_through_classes=[
            {
                "name": key_class.name,
                "keys": [pattern.text for pattern in key_class.keys],
                "max_ttl_seconds": key_class.max_ttl_seconds,
            }
            for key_class in read_through
        ],
    )
    written: list[tuple[str, Path]] = []
    for what, path in (("JSON report", json_path), ("SARIF report", sarif_path)):
        if path is None:
            continue
        try:
            save_report(report if what == "JSON report" else to_sarif(report), path)
        except OSError as err:
            problems.append(f"cannot write the {what} to {path}: {err.strerror or err}")
            continue
        written.append((what, path))
    return written
