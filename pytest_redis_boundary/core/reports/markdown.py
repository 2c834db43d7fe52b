"""The report as markdown, for a pull-request comment."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_redis_boundary.core.catalogue import HOW_TO_FIX
from pytest_redis_boundary.core.reports.document import SUMMARY_KEYS, findings_of
from pytest_redis_boundary.core.reports.grouping import by_rule, rule_title


def to_markdown(report: Mapping[str, Any]) -> str:
    """The report as a pull-request comment: summary, findings by rule and how to fix them."""
    summary = report["summary"]
    findings = findings_of(report)
    lines = [
        "## Redis boundary report",
        "",
        f"{report['tool']['name']} {report['tool']['version']}, exceptions judged on "
        f"{report['today']}.",
        "",
        "| tests | Redis calls | violations | excepted | warnings |",
        "| ---: | ---: | ---: | ---: | ---: |",
        "| " + " | ".join(str(summary[key]) for key in SUMMARY_KEYS) + " |",
        "",
    ]
    if not findings:
        lines += ["No findings.", ""]
    for rule, group in by_rule(findings):
        lines += [f"### {rule_title(rule)} ({len(group)})", ""]
        fix = HOW_TO_FIX.get(rule)
        if fix is not None:
            lines += [f"**How to fix:** {_escape(fix)}", ""]
        lines += [
            "| verdict | test | site | command | key | field | count |",
            "| --- | --- | --- | --- | --- | --- | ---: |",
        ]
        for finding in group:
            verdict: str = finding.verdict
            if finding.exception:
                verdict = f"{verdict} ({_code(finding.exception)})"
            site = _code(finding.site)
            if finding.function:
                site = f"{site} in {_code(finding.function + '()')}"
            cells = [
                verdict,
                _code(finding.test) or "(session)",
                site,
                _code(finding.command),
                _code(finding.key),
                _code(finding.field),
                str(finding.count),
            ]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    exceptions = report["exceptions"]
    if exceptions:
        lines += [
            "### Exceptions",
            "",
            "| id | owner | expiry date | removal issue | status | matched |",
            "| --- | --- | --- | --- | --- | ---: |",
        ]
        for entry in exceptions:
            cells = [
                _code(entry.get("id")),
                _escape(str(entry.get("owner") or "")),
                _escape(str(entry.get("expiry_date") or "")),
                _escape(str(entry.get("removal_issue") or "")),
                _escape(str(entry.get("status") or "")),
                str(entry.get("matched", "")),
            ]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _escape(text: str) -> str:
    """Text safe in a markdown table cell."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _code(text: str | None) -> str:
    """Inline code in a table cell; empty for none."""
    if not text:
        return ""
    text = text.replace("|", "\\|").replace("\n", " ")
    return f"`` {text} ``" if "`" in text else f"`{text}`"
