"""SARIF 2.1.0 for code scanning; the helpers (``sarif_log``, ``sarif_rules``,
``sarif_location``) are shared with the import contracts' ``redis-boundary check --format sarif``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from pytest_redis_boundary.core.catalogue import HOW_TO_FIX, RULE_DESCRIPTIONS, RULE_NAMES
from pytest_redis_boundary.core.findings import Finding
from pytest_redis_boundary.core.reports.document import TOOL_NAME, findings_of

SARIF_SCHEMA_URI: Final = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI: Final = "https://pypi.org/project/pytest-redis-boundary/"


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
