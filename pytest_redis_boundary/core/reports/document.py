"""The JSON report document (docs/reference/reports.md): ``build_report`` is its only writer,
``load_report`` its only reader, which checks it at the door and raises one ``ReportInvalid``
naming the file and the problem. A report never holds a stored value because a ``Finding`` never
does.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from pytest_redis_boundary.core.atomic_files import write_atomically
from pytest_redis_boundary.core.findings import Finding
from pytest_redis_boundary.core.inventory import InventoryEntry, entry_problem
from pytest_redis_boundary.core.runtime_context import RuntimeContext
from pytest_redis_boundary.core.verdicts import ExceptionStatus

SCHEMA: Final = "redis-boundary-report/1"

TOOL_NAME: Final = "pytest-redis-boundary"

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
    "context",
)
"""A finding's fields in a report, in the order docs/reference/reports.md shows them."""

_VERDICTS: Final = ("violation", "excepted", "warning")
_NULLABLE: Final = tuple(
    name
    for name in FINDING_FIELDS
    if name not in ("rule", "verdict", "count", "message", "context")
)


def build_report(
    *,
    findings: Sequence[Finding],
    exceptions: Sequence[ExceptionStatus],
    tests: int,
    calls: int,
    today: datetime.date,
    version: str,
    inventory: Sequence[InventoryEntry] = (),
    endpoints: Iterable[str] = (),
    read_through_classes: Iterable[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The JSON report (docs/reference/reports.md): findings in ``Finding.sort_key`` order,
    exceptions by id, the inventory by shape.

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
        "inventory": [entry.to_json() for entry in sorted(inventory, key=lambda e: e.shape)],
        "endpoints": sorted(set(endpoints)),
        "read_through_classes": sorted(
            (dict(c) for c in read_through_classes), key=lambda c: str(c["name"])
        ),
    }


def _finding_json(finding: Finding) -> dict[str, Any]:
    data = {name: getattr(finding, name) for name in FINDING_FIELDS}
    data["context"] = None if finding.context is None else finding.context.as_json()
    return data


def findings_of(report: Mapping[str, Any]) -> list[Finding]:
    """The report's findings as ``Finding`` objects, in report order."""
    return [Finding.from_json(entry) for entry in report["findings"]]


def inventory_of(report: Mapping[str, Any]) -> list[InventoryEntry]:
    """The report's inventory (empty in a report written before 1.1, which has none)."""
    return [InventoryEntry.from_json(entry) for entry in report.get("inventory", ())]


def save_report(report: Mapping[str, Any], path: str | Path) -> None:
    """Write ``report`` (or any JSON document, e.g. its SARIF) as indented UTF-8 JSON,
    atomically: a temporary file in the same folder, then replaced into place, so a reader never
    finds half a report and a failed write leaves the old file. Raises ``OSError``."""
    write_atomically(path, json.dumps(report, indent=2, ensure_ascii=False) + "\n")


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
    inventory = data.get("inventory", [])  # absent from reports written before 1.1
    if not isinstance(inventory, list):
        return f"inventory: expected a list, got {_kind(inventory)}."
    for index, entry in enumerate(inventory):
        problem = entry_problem(entry)
        if problem is not None:
            return f"inventory[{index}]{problem}"
    endpoints = data.get("endpoints", [])  # absent from reports written before 1.1
    if not isinstance(endpoints, list) or not all(isinstance(e, str) for e in endpoints):
        return 'endpoints: expected a list of endpoint names such as "GET /jobs/{job_id}".'
    classes = data.get("read_through_classes", [])  # absent from reports written before 1.1
    if not isinstance(classes, list) or not all(_is_read_through_class(c) for c in classes):
        return (
            'read_through_classes: expected a list of {"name": "...", "keys": ["..."], '
            '"max_ttl_seconds": N or null}.'
        )
    return None


def _is_read_through_class(entry: Any) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("name"), str)
        and isinstance(entry.get("keys"), list)
        and all(isinstance(k, str) for k in entry["keys"])
        and (entry.get("max_ttl_seconds") is None or _is_int(entry.get("max_ttl_seconds")))
    )


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
    try:
        RuntimeContext.from_json(entry.get("context"))
    except ValueError as problem:
        return f".context: {problem}, got {_kind(entry.get('context'))}."
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
