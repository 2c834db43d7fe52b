"""Reports: the JSON report of a run and its SARIF, markdown and text renderings
(docs/reference/reports.md).

``build_report`` is the only writer of the document; ``load_report`` the only reader, which checks
it at the door and raises one ``ReportInvalid`` naming the file and the problem. The renderers
take the document (built or loaded) and only format ``Finding`` fields: a report never holds a
stored value because a ``Finding`` never does.

The SARIF helpers (``sarif_log``, ``sarif_rules``, ``sarif_location``) are shared with the import
contracts' ``redis-boundary check --format sarif``.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from pytest_redis_boundary.core.catalogue import HOW_TO_FIX, RULE_DESCRIPTIONS, RULE_NAMES
from pytest_redis_boundary.core.findings import Finding
from pytest_redis_boundary.core.verdicts import ExceptionStatus

__all__ = [
    "FINDING_FIELDS",
    "RULE_DESCRIPTIONS",
    "SCHEMA",
    "TOOL_NAME",
    "ReportInvalid",
    "build_report",
    "findings_of",
    "load_report",
    "sarif_location",
    "sarif_log",
    "sarif_rules",
    "to_markdown",
    "to_sarif",
    "to_text",
]

SCHEMA: Final = "redis-boundary-report/1"
TOOL_NAME: Final = "pytest-redis-boundary"
INFORMATION_URI: Final = "https://pypi.org/project/pytest-redis-boundary/"
SARIF_SCHEMA_URI: Final = "https://json.schemastore.org/sarif-2.1.0.json"

REPORT_KEYS: Final = ("schema", "tool", "today", "summary", "findings", "exceptions")
SUMMARY_KEYS: Final = ("tests", "calls", "violations", "excepted", "warnings")
FINDING_FIELDS: Final = (
    "rule",
    "verdict",
    "test",
    "phase",
    "command",
    "key",
    "field",
    "site",
    "function",
    "tenant_id",
    "key_ttl_seconds",
    "exception",
    "count",
    "message",
)
"""A finding's fields in a report, in the order docs/reference/reports.md shows them."""

_VERDICTS: Final = ("violation", "excepted", "warning")
_NULLABLE: Final = tuple(
    name for name in FINDING_FIELDS if name not in ("rule", "verdict", "count", "message")
)


# --- the document ----------------------------------------------------------------------------


def build_report(
    *,
    findings: Sequence[Finding],
    exceptions: Sequence[ExceptionStatus],
    tests: int,
    calls: int,
    today: datetime.date,
    version: str,
) -> dict[str, Any]:
    """The JSON report (docs/reference/reports.md): findings in ``Finding.sort_key`` order,
    exceptions by id.

    ``findings`` are reported as given (already merged per test by the caller), only sorted.
    """
    ordered = sorted(findings, key=Finding.sort_key)

    def counted(verdict: str) -> int:
        return sum(1 for finding in ordered if finding.verdict == verdict)

    return {
        "schema": SCHEMA,
        "tool": {"name": TOOL_NAME, "version": version},
        "today": today.isoformat(),
        "summary": {
            "tests": tests,
            "calls": calls,
            "violations": counted("violation"),
            "excepted": counted("excepted"),
            "warnings": counted("warning"),
        },
        "findings": [_finding_json(finding) for finding in ordered],
        "exceptions": [status.to_json() for status in sorted(exceptions, key=lambda s: s.id)],
    }


def _finding_json(finding: Finding) -> dict[str, Any]:
    return {name: getattr(finding, name) for name in FINDING_FIELDS}


def findings_of(report: Mapping[str, Any]) -> list[Finding]:
    """The report's findings as ``Finding`` objects, in report order."""
    return [Finding.from_json(entry) for entry in report["findings"]]


class ReportInvalid(ValueError):
    """A report file that cannot be read as ``redis-boundary-report/1``: one paragraph."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem

    def __reduce__(self) -> tuple[type[ReportInvalid], tuple[str, str]]:
        return (type(self), (self.path, self.problem))


_HOW_TO_WRITE: Final = "write one with pytest --redis-boundary-report=PATH"


def load_report(path: str | Path) -> dict[str, Any]:
    """Read and check a JSON report; raises ``ReportInvalid`` naming the file and the problem."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReportInvalid(name, f"no such report file ({_HOW_TO_WRITE}).") from None
    except UnicodeDecodeError:
        raise ReportInvalid(name, "not a JSON report: the file is not UTF-8 text.") from None
    except OSError as err:
        raise ReportInvalid(name, f"cannot read the report: {err.strerror or err}.") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ReportInvalid(
            name, f"not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}."
        ) from None
    problem = _report_problem(data)
    if problem is not None:
        raise ReportInvalid(name, problem)
    report: dict[str, Any] = data
    return report


def _report_problem(data: Any) -> str | None:
    """The first thing that keeps ``data`` from being a ``redis-boundary-report/1``, or None."""
    if not isinstance(data, dict):
        return f'expected a JSON object with "schema": {SCHEMA!r}, got {_kind(data)}.'
    if data.get("schema") != SCHEMA:
        found = f"is {data['schema']!r}" if "schema" in data else "is missing"
        return (
            f'not a redis-boundary report: "schema" {found}, expected {SCHEMA!r} ({_HOW_TO_WRITE}).'
        )
    missing = [key for key in REPORT_KEYS if key not in data]
    if missing:
        return (
            "missing "
            + ", ".join(f'"{key}"' for key in missing)
            + " (see docs/reference/reports.md)."
        )
    tool = data["tool"]
    if not isinstance(tool, dict) or not all(
        isinstance(tool.get(key), str) for key in ("name", "version")
    ):
        return 'tool: expected {"name": "...", "version": "..."}.'
    if not isinstance(data["today"], str):
        return f"today: expected a YYYY-MM-DD string, got {_kind(data['today'])}."
    summary = data["summary"]
    if not isinstance(summary, dict):
        return f"summary: expected an object, got {_kind(summary)}."
    for key in SUMMARY_KEYS:
        if not _is_int(summary.get(key)):
            return f"summary.{key}: expected an integer, got {_kind(summary.get(key))}."
    for section in ("findings", "exceptions"):
        if not isinstance(data[section], list):
            return f"{section}: expected a list, got {_kind(data[section])}."
    for index, entry in enumerate(data["findings"]):
        problem = _finding_problem(entry)
        if problem is not None:
            return f"findings[{index}]{problem}"
    for index, entry in enumerate(data["exceptions"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            return f'exceptions[{index}]: expected an object with a string "id".'
    return None


def _finding_problem(entry: Any) -> str | None:
    if not isinstance(entry, dict):
        return f": expected an object, got {_kind(entry)}."
    for key in ("rule", "message"):
        if not isinstance(entry.get(key), str):
            return f".{key}: expected a string, got {_kind(entry.get(key))}."
    if entry.get("verdict") not in _VERDICTS:
        verdict = entry.get("verdict")
        return f".verdict: expected 'violation', 'excepted' or 'warning', got {_kind(verdict)}."
    for key in _NULLABLE:
        value = entry.get(key)
        if key == "key_ttl_seconds":
            expected, ok = "a number", value is None or _is_number(value)
        else:
            expected, ok = "a string", value is None or isinstance(value, str)
        if not ok:
            return f".{key}: expected {expected} or null, got {_kind(value)}."
    count = entry.get("count", 1)
    if not _is_int(count) or count < 1:
        return f".count: expected a positive integer, got {_kind(count)}."
    return None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return "an object" if isinstance(value, dict) else "a list"
    return repr(value)


# --- SARIF 2.1.0 -----------------------------------------------------------------------------


def sarif_rules(rule_ids: Sequence[str]) -> list[dict[str, Any]]:
    """SARIF ``reportingDescriptor``s: id, name, description, and how to fix where one is known."""
    rules = []
    for rule in rule_ids:
        entry: dict[str, Any] = {
            "id": rule,
            "name": RULE_NAMES[rule],
            "shortDescription": {"text": RULE_DESCRIPTIONS[rule]},
        }
        fix = HOW_TO_FIX.get(rule)
        if fix is not None:
            entry["fullDescription"] = {"text": f"{RULE_DESCRIPTIONS[rule]} To fix: {fix}"}
            entry["help"] = {"text": f"How to fix: {fix}"}
        rules.append(entry)
    return rules


def sarif_location(uri: str, line: int | None) -> dict[str, Any]:
    """A SARIF ``location`` at a file relative to the source root, and a line when known."""
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"}}
    if line:
        physical["region"] = {"startLine": line}
    return {"physicalLocation": physical}


def sarif_log(
    *, version: str, rules: list[dict[str, Any]], results: list[dict[str, Any]]
) -> dict[str, Any]:
    """A SARIF 2.1.0 log of one run whose driver is this tool."""
    return {
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "version": version,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }


_SARIF_RULES: Final = tuple(RULE_NAMES)
_LEVELS: Final = {"violation": "error", "warning": "warning", "excepted": "note"}


def to_sarif(report: Mapping[str, Any]) -> dict[str, Any]:
    """The report for code scanning: a rule per RB id, a result per finding.

    Violations are ``error``, warnings ``warning``; excepted findings are ``note`` results with an
    external suppression justified by the exception's id. ``partialFingerprints`` carry the
    finding's identity (rule, key shape, site file, function), so a line move is the same result.
    """
    results = []
    for finding in findings_of(report):
        result: dict[str, Any] = {"ruleId": finding.rule}
        if finding.rule in _SARIF_RULES:
            result["ruleIndex"] = _SARIF_RULES.index(finding.rule)
        result["level"] = _LEVELS[finding.verdict]
        result["message"] = {"text": finding.line()}
        location = _location_of(finding)
        if location is not None:
            result["locations"] = [sarif_location(*location)]
        result["partialFingerprints"] = {"redisBoundaryIdentity/v1": _fingerprint(finding)}
        if finding.verdict == "excepted":
            justification = finding.exception or "covered by a governed exception"
            result["suppressions"] = [{"kind": "external", "justification": justification}]
        result["properties"] = {"test": finding.test, "count": finding.count}
        results.append(result)
    return sarif_log(
        version=report["tool"]["version"], rules=sarif_rules(_SARIF_RULES), results=results
    )


def _location_of(finding: Finding) -> tuple[str, int] | None:
    """Where a result points: the call site, else the test's file (a marker's RB902/RB903):
    code scanning rejects results without a location."""
    if finding.site_file is not None:
        return finding.site_file, finding.site_line
    nodeid = finding.test or _MARKER_NODEID.search(finding.message or "")
    if isinstance(nodeid, re.Match):
        nodeid = nodeid.group(1)
    if nodeid:
        return nodeid.split("::", 1)[0], 0
    return None


# A marker exception's id in an RB902/RB903 message: "marker:<nodeid>" or "marker on <nodeid>".
_MARKER_NODEID: Final = re.compile(r"marker(?::| on )(\S+?::\S+)")


def _fingerprint(finding: Finding) -> str:
    """The identity; for the governance rules (no key, no site of their own) also the message,
    which names the exception, so two exceptions are two alerts."""
    text = _identity_text(finding)
    if finding.rule.startswith("RB9"):
        text = f"{text}|{finding.test or ''}|{finding.message}"
    return text


def _identity_text(finding: Finding) -> str:
    return "|".join(part or "" for part in finding.identity())


# --- people ----------------------------------------------------------------------------------


def by_rule(findings: Sequence[Finding]) -> list[tuple[str, list[Finding]]]:
    """Findings grouped by rule, rules in table order (unknown ids last), findings in order."""
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.rule, []).append(finding)
    order = list(RULE_NAMES)
    return sorted(
        groups.items(),
        key=lambda item: (order.index(item[0]) if item[0] in order else len(order), item[0]),
    )


def rule_title(rule: str) -> str:
    """``RB101 business-write``."""
    name = RULE_NAMES.get(rule)
    return f"{rule} {name}" if name else rule


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
        for finding in group:
            lines.append(f"  {finding_line(finding)}")
            lines.append(f"      {finding.line()}")
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


def finding_line(finding: Finding) -> str:
    """``violation  tests/test_jobs.py::test_done``, plus the exception that covers it."""
    line = f"{finding.verdict:<9}  {finding.test or '(session)'}"
    return f"{line}  [exception {finding.exception}]" if finding.exception else line
