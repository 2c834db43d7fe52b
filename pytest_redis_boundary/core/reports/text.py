"""The report as plain text, for a terminal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_redis_boundary.core.catalogue import HOW_TO_FIX
from pytest_redis_boundary.core.findings import Finding
from pytest_redis_boundary.core.reports.document import SUMMARY_KEYS, findings_of
from pytest_redis_boundary.core.reports.grouping import by_identity, by_rule, rule_title


def to_text(report: Mapping[str, Any]) -> str:
    """The report for a terminal: summary, findings by rule with how to fix, exceptions."""
    summary = report["summary"]
    findings = findings_of(report)
    lines = [
        f"redis-boundary report ({report['tool']['name']} {report['tool']['version']}, "
        f"today {report['today']})",
        ", ".join(f"{key} {summary[key]}" for key in SUMMARY_KEYS),
    ]
    if not findings:
        lines += ["", "no findings"]
    for rule, group in by_rule(findings):
        lines += ["", f"{rule_title(rule)} ({len(group)})"]
        shown: dict[tuple[object, ...], int] = {}
        for finding in group:
            identity = (finding.verdict, *finding.identity())
            shown[identity] = shown.get(identity, 0) + 1
            if shown[identity] <= REPEATS_SHOWN:
                lines.append(f"  {finding_line(finding)}")
                lines.append(f"      {finding.line()}")
        lines.extend(_left_out(group))
        fix = HOW_TO_FIX.get(rule)
        if fix is not None:
            lines.append(f"  how to fix: {fix}")
    exceptions = report["exceptions"]
    if exceptions:
        lines += ["", f"exceptions ({len(exceptions)})"]
        for entry in exceptions:
            lines.append(
                f"  {entry['id']}: {entry.get('status')}, owner {entry.get('owner')}, "
                f"expires {entry.get('expiry_date')}, removal issue {entry.get('removal_issue')}, "
                f"matched {entry.get('matched')}"
            )
    return "\n".join(lines) + "\n"


REPEATS_SHOWN = 3
"""Findings of one identity (verdict, rule, key shape, site file, function) shown in full; a
suite that runs one write in a hundred parametrized tests gets three, then one line saying how
many more (the JSON report and ``--format markdown`` hold them all)."""


def _left_out(group: list[Finding]) -> list[str]:
    lines = []
    for fold in by_identity(group):  # the identities the markdown report folds by, too
        if fold.findings > REPEATS_SHOWN:
            first = fold.first
            where = f" at {first.site_file}" if first.site_file else ""
            function = f" in {first.function}()" if first.function else ""
            lines.append(
                f"  ... and {fold.findings - REPEATS_SHOWN} more {first.verdict} finding(s) of "
                f"the same identity, {first.shape or '(no key)'}{where}{function} (the JSON "
                "report lists every one)"
            )
    return lines


def finding_line(finding: Finding) -> str:
    """``violation  tests/test_jobs.py::test_done``, plus the exception that covers it."""
    line = f"{finding.verdict:<9}  {finding.test or '(session)'}"
    return f"{line}  [exception {finding.exception}]" if finding.exception else line
