"""The terminal summary: one ``redis-boundary`` section, then the report paths.

Deterministic (sorted) so that a serial run and an xdist run print the same section.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Protocol

from pytest_redis_boundary.core.advice import STARTER_POLICY, advise
from pytest_redis_boundary.core.cache_limits import KEYS_PER_CLASS_LIMIT
from pytest_redis_boundary.core.catalogue import RULE_NAMES
from pytest_redis_boundary.core.findings import Finding
from pytest_redis_boundary.core.governance import GovernedException
from pytest_redis_boundary.core.policy import KeyClass
from pytest_redis_boundary.core.verdicts import ExceptionStatus
from pytest_redis_boundary.pytest_plugin.totals import RunTotals, Site

__all__ = ["FOLD_SITES", "TOP_SITES", "SummaryInput", "render_summary", "summary_lines"]

TOP_SITES: Final = 10
FOLD_SITES: Final = 10  # a file with this many call sites or more is shown as one line


class TerminalWriter(Protocol):
    def write_sep(self, sep: str, title: str | None = None, **markup: bool) -> None: ...
    def write_line(self, line: str | bytes, **markup: bool) -> None: ...


@dataclass(frozen=True, slots=True)
class SummaryInput:
    mode: str
    policy_source: str
    today: datetime.date
    totals: RunTotals
    findings: Sequence[Finding]  # every test's, plus RB903
    statuses: Sequence[ExceptionStatus]
    expiring: Sequence[tuple[GovernedException, int]]
    strict_unused: Sequence[Finding]  # RB903 that fail the session
    reports: Sequence[tuple[str, Path]]  # ("JSON report", path)
    read_through: Sequence[KeyClass] = ()  # the policy's read-through classes


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _sites(site_calls: dict[Site, int]) -> list[str]:
    by_file: dict[str, list[tuple[Site, int]]] = {}
    for site, count in site_calls.items():
        by_file.setdefault(site[0], []).append((site, count))
    entries: list[tuple[int, str]] = []
    for path, sites in by_file.items():
        if len(sites) >= FOLD_SITES:
            total = sum(count for _, count in sites)
            entries.append((total, f"{path} ({len(sites)} call sites)"))
        else:
            for (p, line, function), count in sites:
                where = f"{p}:{line} in {function}()" if function else p
                entries.append((count, where))
    entries.sort(key=lambda entry: (-entry[0], entry[1]))
    width = len(str(entries[0][0])) if entries else 1
    return [f"  {count:>{width}}  {where}" for count, where in entries[:TOP_SITES]]


def _advice_lines(findings: Sequence[Finding]) -> list[str]:
    """What to do first: the key shapes with the most violations per rule, and the change each
    needs (``core.advice``)."""
    advice = advise(findings)
    if not advice:
        return []
    lines = ["what to do first (the key shapes with the most violations, per rule):"]
    for entry in advice:
        lines.append(
            f"  {entry.rule} {RULE_NAMES.get(entry.rule, '')}: "
            f"{_plural(entry.violations, 'violation')}"
        )
        width = max(len(str(shape.violations)) for shape in entry.shapes)
        for shape in entry.shapes:
            lines.append(f"    {shape.violations:>{width}}  {shape.shape}: {shape.change}")
    lines.append(
        "  policy keys: pytest-redis-boundary's docs, reference/policy.md (a policy file's "
        "tenant and classes sections replace the built-in ones whole)"
    )
    if STARTER_POLICY is not None:
        lines.append(f"  a starter policy: {STARTER_POLICY}")
    return lines


def _unrecorded_lines(totals: RunTotals) -> list[str]:
    """Tests with nothing to judge, and the Redis clients whose commands are never recorded."""
    lines = []
    if totals.silent_tests:
        lines.append(
            f"{totals.silent_tests} of {_plural(totals.tests, 'test')} sent no command through "
            "redis-py: nothing was recorded or judged for them"
        )
    if totals.unrecorded_clients:
        lines.append(
            "imported but not recorded: "
            + ", ".join(sorted(totals.unrecorded_clients))
            + " (their commands are not judged: only redis-py's are recorded; see "
            "pytest-redis-boundary's docs, reference/pytest.md)"
        )
    return lines


def _repeats_line(data: SummaryInput) -> list[str]:
    """How many warned findings repeated an identity already warned about (``outcome``)."""
    would_warn = [
        f
        for f in data.findings
        if f.test is not None
        and (f.verdict == "warning" or (data.mode == "warn" and f.verdict == "violation"))
    ]
    warned = [f for f in would_warn if f.phase != "teardown"]
    shown = len({(f.verdict, *f.identity()) for f in warned})
    teardown = len(would_warn) - len(warned)
    if len(warned) == shown and not teardown:
        return []
    # Each finding a warning stands for is warned, a repeat not warned again, or sent in
    # teardown (reported, never warned): the three add up to the counts above.
    tail = f", {teardown} in teardown (reported, not warned)" if teardown else ""
    return [
        "RedisBoundaryWarning: one per finding identity (rule, key shape, file, function): "
        f"{shown} shown, {len(warned) - shown} repeats not warned again{tail} (counted here "
        "and in the reports)"
    ]


def _read_through_lines(classes: Sequence[KeyClass], totals: RunTotals) -> list[str]:
    """Each read-through class, always shown: business state is cached there without RB101 or
    RB102, so a reviewer should see every one (docs/reference/rules.md#read-through-classes)."""
    if not classes:
        return []
    lines = ["read-through classes (business state cached, no RB101/RB102 inside):"]
    for key_class in classes:
        limit = key_class.max_ttl_seconds
        bound = f"max {limit} s" if limit is not None else "no TTL limit"
        written = len(totals.keys_by_class.get(key_class.name, ()))
        more = "+" if written >= KEYS_PER_CLASS_LIMIT else ""
        keys = ", ".join(p.text for p in key_class.keys)
        lines.append(f"  {key_class.name}: {keys} ({bound}; {written}{more} keys written)")
    return lines


def summary_lines(data: SummaryInput) -> list[str]:
    totals = data.totals
    findings = data.findings
    by_verdict = {v: sum(1 for f in findings if f.verdict == v) for v in ("violation", "excepted")}
    warnings = sum(1 for f in findings if f.verdict == "warning")
    lines = [
        f"mode {data.mode}, policy {data.policy_source}, today {data.today.isoformat()}",
        f"{_plural(totals.tests, 'test')}, {_plural(totals.calls, 'Redis call')}, "
        f"{_plural(by_verdict['violation'], 'violation')}, {by_verdict['excepted']} excepted, "
        f"{_plural(warnings, 'warning')}",
    ]
    lines.extend(_advice_lines(findings))
    lines.extend(_unrecorded_lines(totals))
    lines.extend(_repeats_line(data))
    rules = sorted({f.rule for f in findings})
    if rules:
        lines.append("findings per rule:")
        width = max(len(RULE_NAMES.get(r, "")) for r in rules)
        for rule in rules:
            counts = []
            for verdict, word in (("violation", "violation"), ("excepted", "excepted")):
                n = sum(1 for f in findings if f.rule == rule and f.verdict == verdict)
                if n:
                    counts.append(_plural(n, word) if word == "violation" else f"{n} {word}")
            n = sum(1 for f in findings if f.rule == rule and f.verdict == "warning")
            if n:
                counts.append(_plural(n, "warning"))
            lines.append(f"  {rule} {RULE_NAMES.get(rule, ''):<{width}}  {', '.join(counts)}")
    if totals.site_calls:
        lines.append("top call sites (calls):")
        lines.extend(_sites(totals.site_calls))
    if totals.keys_by_class:
        parts = []
        for name in sorted(totals.keys_by_class):
            n = len(totals.keys_by_class[name])
            parts.append(f"{name} {n}{'+' if n >= KEYS_PER_CLASS_LIMIT else ''}")
        lines.append(f"keys written per class: {', '.join(parts)}")
    lines.extend(_read_through_lines(data.read_through, totals))
    if data.statuses:
        lines.append("exceptions:")
        soon = {e.id: days for e, days in data.expiring}
        for status in data.statuses:
            if status.status == "invalid":
                lines.append(f"  {status.id}: invalid ({status.location})")
                continue
            assert status.expiry_date is not None
            days = (status.expiry_date - data.today).days
            when = (
                f"expired {_plural(-days, 'day')} ago"
                if days < 0
                else f"{_plural(days, 'day')} left"
                + (", EXPIRING SOON" if status.id in soon else "")
            )
            lines.append(
                f"  {status.id}: {status.status}, matched {status.matched}, owner {status.owner}, "
                f"expires {status.expiry_date.isoformat()} ({when})"
            )
    if totals.problems:
        lines.append(f"recording problems ({len(totals.problems)}):")
        lines.extend(f"  {p}" for p in sorted(set(totals.problems)))
    if data.strict_unused:
        lines.append("--redis-boundary-strict-exceptions: unused exceptions fail the session:")
        lines.extend(f"  {f.message}" for f in data.strict_unused)
    return lines


def render_summary(writer: TerminalWriter, data: SummaryInput, *, verbosity: int) -> None:
    writer.write_sep("=", "redis-boundary")
    for line in summary_lines(data):
        writer.write_line(line)
    if verbosity >= 0:
        for what, path in data.reports:
            writer.write_sep("-", f"redis-boundary {what}: {path}")
