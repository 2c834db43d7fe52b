"""The end of a run (serial, or the xdist controller): RB903, the reports, the summary's input.

Marker exceptions the workers saw arrive as their raw arguments (``RunTotals.markers``) and are
rebuilt here, so that the controller's ledger knows them before it reports unused exceptions.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pytest_redis_boundary.core.findings import Finding, report_order
from pytest_redis_boundary.core.governance import ExceptionInvalid
from pytest_redis_boundary.core.verdicts import ExceptionStatus, Ledger, expiring_soon
from pytest_redis_boundary.pytest_plugin.markers import exception_from_raw
from pytest_redis_boundary.pytest_plugin.options import Settings
from pytest_redis_boundary.pytest_plugin.summary import SummaryInput
from pytest_redis_boundary.pytest_plugin.totals import RunTotals

__all__ = ["conclude_session"]


def conclude_session(settings: Settings, totals: RunTotals, ledger: Ledger) -> SummaryInput:
    """Add the markers seen to the ledger, gather every finding, write the reports; returns
    what the terminal summary shows."""
    markers = []
    for nodeid, raw in sorted(totals.markers.items()):
        try:
            markers.append(exception_from_raw(nodeid, raw))
        except ExceptionInvalid:  # checked at collection; cannot happen
            continue
    ledger.add(markers)
    unused = ledger.unused_findings()
    findings = sorted([*totals.findings, *unused], key=report_order)
    statuses = ledger.statuses()
    return SummaryInput(
        mode=settings.mode,
        policy_source=settings.policy_source,
        today=settings.today,
        totals=totals,
        findings=findings,
        statuses=statuses,
        expiring=expiring_soon(
            ledger.exceptions, today=settings.today, within_days=settings.expiry_warning_days
        ),
        strict_unused=unused if settings.strict_exceptions else [],
        reports=_write_reports(settings, totals, findings, statuses),
        read_through=[c for c in settings.policy.classes if c.read_through],
    )


def _write_reports(
    settings: Settings,
    totals: RunTotals,
    findings: list[Finding],
    statuses: Sequence[ExceptionStatus],
) -> list[tuple[str, Path]]:
    if settings.report is None and settings.sarif is None:
        return []
    from pytest_redis_boundary.pytest_plugin.reporting import write_reports

    return write_reports(
        findings=findings,
        statuses=statuses,
        totals=totals,
        today=settings.today,
        json_path=settings.report,
        sarif_path=settings.sarif,
        problems=totals.problems,
        read_through=[c for c in settings.policy.classes if c.read_through],
    )
