"""Merging the JSON reports of CI shards (or several pytest runs) into the report one run over
all their tests would write (docs/reference/cli.md, ``merge``).

What a run sums, the merge sums: tests, calls, every exception's ``matched``; the verdict counts
are recounted from the findings by ``build_report``, and the inventory is merged by
``inventory.merge_entries`` as the xdist controller merges its workers'. What a run judges at
its end over all its tests is judged again over all the shards: an exception's status (``unused``
only if no shard matched it), a baseline's frozen identities that matched nothing (the
intersection of the shards' ``unmatched`` lists) and the session-level RB903 findings, worded
by the catalogue as a run words them.

Shards are expected to run disjoint tests (``-k``, ``--splits``, a test list per job): a test
found in several reports counts in each, as if it ran once per report.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Final

from pytest_redis_boundary.core.catalogue import baseline_unused_message, unused_prefix
from pytest_redis_boundary.core.findings import Finding, report_order
from pytest_redis_boundary.core.inventory import merge_entries
from pytest_redis_boundary.core.reports.document import (
    REPORT_KEYS,
    ReportInvalid,
    build_report,
    findings_of,
    inventory_of,
)
from pytest_redis_boundary.core.verdicts import unused_finding

__all__ = ["merge_reports"]

Named = tuple[str, Mapping[str, Any]]
"""A report as ``load_report`` read it, with the file name its problems are reported under."""

_STATES: Final = ("active", "expired", "unused", "invalid")
_ADDED_IN_1_1: Final = ("inventory", "endpoints", "read_through_classes")
_MERGED_HERE: Final = (*REPORT_KEYS, *_ADDED_IN_1_1)
_SAME_DAY_FIX: Final = (
    "shards are merged only when judged against the same day, so run every shard with the same "
    "REDIS_BOUNDARY_TODAY (or --redis-boundary-today=YYYY-MM-DD)"
)


def merge_reports(reports: Sequence[Named], *, version: str) -> dict[str, Any]:
    """The report of one run over all the tests of ``reports`` (each already checked by
    ``load_report``). ``version`` is the merged report's tool version when the shards' versions
    differ. Raises ``ReportInvalid`` naming the file that cannot be merged with the others."""
    if not reports:
        raise ValueError("merge_reports needs at least one report")
    today = _common_today(reports)
    exceptions = _merged_exceptions(reports)
    findings = [
        finding
        for _, report in reports
        for finding in findings_of(report)
        if not _is_session_rb903(finding)
    ]
    findings.extend(_unused_findings(exceptions, _session_rb903s(reports)))
    merged = build_report(
        findings=sorted(findings, key=report_order),
        exceptions=(),
        tests=sum(report["summary"]["tests"] for _, report in reports),
        calls=sum(report["summary"]["calls"] for _, report in reports),
        today=today,
        version=_common_version(reports, fallback=version),
        inventory=merge_entries(inventory_of(report) for _, report in reports),
        endpoints={e for _, report in reports for e in report.get("endpoints", ())},
        # Shards of one run share one policy; a class is listed once.
        read_through_classes={
            str(c["name"]): c
            for _, report in reports
            for c in report.get("read_through_classes", ())
        }.values(),
    )
    merged["exceptions"] = exceptions
    for section in _ADDED_IN_1_1:
        # A shard written before 1.1 lacks the section: so must the merge, which would otherwise
        # claim an empty inventory (or no endpoints) for that shard's tests.
        if not all(section in report for _, report in reports):
            del merged[section]
    merged.update(_other_sections(reports))
    return merged


def _common_today(reports: Sequence[Named]) -> datetime.date:
    first_name, first = reports[0]
    for name, report in reports:
        try:
            day = datetime.date.fromisoformat(report["today"])
        except ValueError:
            raise ReportInvalid(
                name,
                f"today: {report['today']!r} is not a YYYY-MM-DD date; write the report again "
                "with pytest --redis-boundary-report=PATH.",
            ) from None
        if report["today"] != first["today"]:
            raise ReportInvalid(
                name,
                f'"today" is {report["today"]!r} but {first_name} has {first["today"]!r}: '
                f"{_SAME_DAY_FIX}.",
            )
    return day


def _common_version(reports: Sequence[Named], *, fallback: str) -> str:
    versions = {report["tool"]["version"] for _, report in reports}
    return versions.pop() if len(versions) == 1 else fallback


# --- exceptions ------------------------------------------------------------------------------


def _merged_exceptions(reports: Sequence[Named]) -> list[dict[str, Any]]:
    """Every exception any shard reports, once, by id (entries sharing an id, e.g. two invalid
    register entries, are told apart by their place among that id's entries, as every shard of
    one policy lists them in one order)."""
    groups: dict[tuple[str, int], list[tuple[str, int, Mapping[str, Any]]]] = {}
    for name, report in reports:
        seen: dict[str, int] = {}
        for index, entry in enumerate(report["exceptions"]):
            nth = seen[entry["id"]] = seen.get(entry["id"], -1) + 1
            groups.setdefault((entry["id"], nth), []).append((name, index, entry))
    merged = [_merged_exception(group) for group in groups.values()]
    return sorted(merged, key=lambda entry: str(entry["id"]))


def _merged_exception(group: list[tuple[str, int, Mapping[str, Any]]]) -> dict[str, Any]:
    for name, index, entry in group:
        problem = _exception_problem(entry)
        if problem is not None:
            raise ReportInvalid(
                name,
                f"exceptions[{index}]{problem}; write the report again with pytest "
                "--redis-boundary-report=PATH.",
            )
    merged = dict(group[0][2])
    merged["matched"] = sum(entry["matched"] for _, _, entry in group)
    states = {entry["status"] for _, _, entry in group}
    # Expiry and validity follow from the policy and the day, which all shards share; only
    # whether anything matched depends on which tests a shard ran.
    if "invalid" in states:
        merged["status"] = "invalid"
    elif "expired" in states:
        merged["status"] = "expired"
    else:
        merged["status"] = "active" if merged["matched"] > 0 else "unused"
    carriers = [entry["unmatched"] for _, _, entry in group if "unmatched" in entry]
    if carriers:
        merged["unmatched"] = _intersection(carriers)
    return merged


def _exception_problem(entry: Mapping[str, Any]) -> str | None:
    matched = entry.get("matched")
    if not isinstance(matched, int) or isinstance(matched, bool) or matched < 0:
        return f".matched: expected an integer >= 0, got {matched!r}"
    if entry.get("status") not in _STATES:
        return f".status: expected one of {', '.join(_STATES)}, got {entry.get('status')!r}"
    if "unmatched" in entry and not isinstance(entry["unmatched"], list):
        return f".unmatched: expected a list, got {type(entry['unmatched']).__name__}"
    return None


def _intersection(lists: Sequence[list[Any]]) -> list[Any]:
    """What every list holds (an identity unmatched in one shard but matched in another was
    matched in the run), in the first list's order."""

    def canonical(item: Any) -> str:
        return json.dumps(item, sort_keys=True)

    common = set.intersection(*({canonical(item) for item in items} for items in lists))
    out: list[Any] = []
    for item in lists[0]:
        text = canonical(item)
        if text in common:
            common.discard(text)
            out.append(item)
    return out


# --- RB903 -----------------------------------------------------------------------------------


def _is_session_rb903(finding: Finding) -> bool:
    return finding.rule == "RB903" and finding.test is None


ShardRB903 = tuple[Finding, Mapping[str, Any]]
"""A session-level RB903 finding and the report it came from."""


def _session_rb903s(reports: Sequence[Named]) -> list[ShardRB903]:
    return [
        (finding, report)
        for _, report in reports
        for finding in findings_of(report)
        if _is_session_rb903(finding)
    ]


def _unused_findings(
    exceptions: Sequence[Mapping[str, Any]], shard_rb903s: Sequence[ShardRB903]
) -> list[Finding]:
    """One RB903 per exception no shard matched, and one per baseline-like entry (one carrying
    ``unmatched``) whose identities no shard matched, as a run reports them.

    A report's exception entry has no file:line; the shards' own RB903 findings do, so the one
    naming the exception (by the catalogue's prefix) gives the register entry's place and the
    baseline's path."""
    out: list[Finding] = []
    for entry in exceptions:
        if entry["status"] in ("expired", "invalid"):
            continue
        exc_id = str(entry["id"])
        prefix = unused_prefix(exc_id)
        shard = next((pair for pair in shard_rb903s if pair[0].message.startswith(prefix)), None)
        if "unmatched" in entry:
            if entry["unmatched"]:
                out.append(_baseline_unused(exc_id, len(entry["unmatched"]), shard))
        elif entry["status"] == "unused":
            location = (shard[0].site or "") if shard is not None else ""
            out.append(unused_finding(exc_id, owner=str(entry["owner"]), location=location))
    return out


def _baseline_unused(exc_id: str, count: int, shard: ShardRB903 | None) -> Finding:
    if shard is None:
        return Finding(
            rule="RB903", verdict="warning", message=baseline_unused_message(count, path="")
        )
    finding, report = shard
    message = baseline_unused_message(count, path=_baseline_path(exc_id, finding, report))
    return replace(finding, message=message, count=1)


def _baseline_path(exc_id: str, finding: Finding, report: Mapping[str, Any]) -> str:
    """The baseline file a shard's RB903 names. Its message is ``baseline_unused_message`` of
    that shard's own unmatched count and the path, so the path is what lies between the
    wording's fixed parts; the finding's site if the message is not that wording."""
    shard_count = next(
        (
            len(entry["unmatched"])
            for entry in report["exceptions"]
            if entry["id"] == exc_id and isinstance(entry.get("unmatched"), list)
        ),
        0,
    )
    head, _, tail = baseline_unused_message(shard_count, path="").partition("()")
    head, tail = head + "(", ")" + tail
    message = finding.message
    if message.startswith(head) and message.endswith(tail) and len(message) > len(head + tail):
        path = message[len(head) : len(message) - len(tail)]
        if baseline_unused_message(shard_count, path=path) == message:
            return path
    return finding.site or ""


# --- sections the merge does not know --------------------------------------------------------


def _other_sections(reports: Sequence[Named]) -> dict[str, Any]:
    """Sections a newer tool added that this merge does not combine: kept when every shard
    holds the same, else the merge would write something no run wrote."""
    first_name, first = reports[0]
    kept: dict[str, Any] = {}
    for key in first:
        if key in _MERGED_HERE:
            continue
        for name, report in reports[1:]:
            if report.get(key) != first[key]:
                raise ReportInvalid(
                    name,
                    f'its "{key}" differs from {first_name}\'s and this redis-boundary cannot '
                    "combine it; merge with the version of redis-boundary that wrote the "
                    "reports.",
                )
        kept[key] = first[key]
    for name, report in reports[1:]:
        extra = [key for key in report if key not in _MERGED_HERE and key not in first]
        if extra:
            raise ReportInvalid(
                name,
                f'its "{extra[0]}" is missing from {first_name} and this redis-boundary cannot '
                "combine it; merge with the version of redis-boundary that wrote the reports.",
            )
    return kept
