"""The report as markdown, for a pull-request comment: at most ``MARKDOWN_LIMIT`` characters.

A report that fits is rendered finding by finding. One that does not is folded by identity (rule,
key shape, site file, function): one row per identity, most frequent first; if the folded rows
still do not fit, each rule keeps its most frequent identities (taken in turns, so every rule
shows its first ones) and the comment says, per rule, what it left out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from pytest_redis_boundary.core.catalogue import HOW_TO_FIX
from pytest_redis_boundary.core.findings import Finding
from pytest_redis_boundary.core.reports.document import SUMMARY_KEYS, findings_of
from pytest_redis_boundary.core.reports.grouping import Fold, by_identity, by_rule, rule_title

__all__ = ["MARKDOWN_LIMIT", "to_markdown"]

MARKDOWN_LIMIT: Final = 60_000
"""Characters in one pull-request comment (GitHub takes 65,536): the rendering never exceeds it."""

_NOTE_SLACK: Final = 200  # per section: its left-out note, and its entry in the notice's list


@dataclass(frozen=True, slots=True)
class _Section:
    head: list[str]  # title and how to fix
    table: list[str]  # the table's header, printed when a row is
    rows: list[str]
    left_out: Callable[[int], str]  # the note when only the first n rows are shown


def to_markdown(report: Mapping[str, Any]) -> str:
    """The report as a pull-request comment: summary, findings by rule and how to fix them."""
    findings = findings_of(report)
    exceptions = _exceptions_section(report["exceptions"])
    sections = [_rule_section(rule, group) for rule, group in by_rule(findings)]
    full = _render(_head(report, findings), [*sections, *exceptions], None, None)
    if len(full) <= MARKDOWN_LIMIT:
        return full
    return _folded(report, findings, exceptions)


def _head(report: Mapping[str, Any], findings: Sequence[Finding]) -> list[str]:
    summary = report["summary"]
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
    return lines


def _how_to_fix(rule: str) -> list[str]:
    fix = HOW_TO_FIX.get(rule)
    return [] if fix is None else [f"**How to fix:** {_escape(fix)}", ""]


def _rule_section(rule: str, group: Sequence[Finding]) -> _Section:
    rows = []
    for finding in group:
        cells = [
            _verdict(finding),
            _code(finding.test) or "(session)",
            _site(finding.site, finding.function),
            _code(finding.command),
            _code(finding.key),
            _code(finding.field),
            str(finding.count),
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return _Section(
        head=[f"### {rule_title(rule)} ({len(group)})", "", *_how_to_fix(rule)],
        table=[
            "| verdict | test | site | command | key | field | count |",
            "| --- | --- | --- | --- | --- | --- | ---: |",
        ],
        rows=rows,
        left_out=lambda shown: "",
    )


def _folded_section(rule: str, group: Sequence[Finding]) -> tuple[_Section, list[Fold]]:
    folds = by_identity(group)
    rows = []
    for fold in folds:
        first = fold.first
        cells = [
            _verdict(first),
            _code(first.shape),
            _site(first.site_file, first.function),
            str(fold.tests),
            str(fold.findings),
            str(fold.occurrences),
        ]
        rows.append("| " + " | ".join(cells) + " |")

    def left_out(shown: int) -> str:
        rest = folds[shown:]
        return (
            f"_... and {_count(len(rest), 'more identity', 'more identities')} "
            f"({_count(sum(f.findings for f in rest), 'finding')}) of {rule} left out for "
            "length; the JSON report has them all._"
        )

    section = _Section(
        head=[
            f"### {rule_title(rule)} ({_count(len(group), 'finding')}, "
            f"{_count(len(folds), 'identity', 'identities')})",
            "",
            *_how_to_fix(rule),
        ],
        table=[
            "| verdict | key shape | site file | tests | findings | count |",
            "| --- | --- | --- | ---: | ---: | ---: |",
        ],
        rows=rows,
        left_out=left_out,
    )
    return section, folds


def _exceptions_section(exceptions: Sequence[Mapping[str, Any]]) -> list[_Section]:
    if not exceptions:
        return []
    rows = []
    for entry in exceptions:
        cells = [
            _code(entry.get("id")),
            _escape(str(entry.get("owner") or "")),
            _escape(str(entry.get("expiry_date") or "")),
            _escape(str(entry.get("removal_issue") or "")),
            _escape(str(entry.get("status") or "")),
            str(entry.get("matched", "")),
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return [
        _Section(
            head=["### Exceptions", ""],
            table=[
                "| id | owner | expiry date | removal issue | status | matched |",
                "| --- | --- | --- | --- | --- | ---: |",
            ],
            rows=rows,
            left_out=lambda shown: (
                f"_... and {_count(len(rows) - shown, 'more exception')} left out for length._"
            ),
        )
    ]


def _folded(
    report: Mapping[str, Any], findings: Sequence[Finding], exceptions: list[_Section]
) -> str:
    folded = [(rule, *_folded_section(rule, group)) for rule, group in by_rule(findings)]
    sections = [section for _, section, _ in folded] + exceptions
    head = _head(report, findings)
    notice = (
        f"**Folded:** {_count(len(findings), 'finding')} do not fit in one pull-request comment "
        f"({MARKDOWN_LIMIT:,} characters), so they are folded by identity (rule, key shape, site "
        "file, function): one row per identity, the most frequent first."
    )
    shown = _fit(head, sections, notice)
    left = [
        f"{rule} {_count(len(folds) - n, 'identity', 'identities')} "
        f"({_count(sum(f.findings for f in folds[n:]), 'finding')})"
        for (rule, _, folds), n in zip(folded, shown, strict=False)
        if n < len(folds)
    ]
    if left:
        notice += f" Left out for length: {', '.join(left)}; the JSON report has them all."
    text = _render(head, sections, shown, notice)
    while len(text) > MARKDOWN_LIMIT and any(shown):  # a safety net; _fit keeps the margin
        widest = max(range(len(shown)), key=lambda i: shown[i])
        shown[widest] -= 1
        text = _render(head, sections, shown, notice)
    return text


def _fit(head: list[str], sections: Sequence[_Section], notice: str) -> list[int]:
    """How many rows of each section fit, taken in turns: every section's first row, then every
    second row, ... until the next row would pass the limit."""
    shown = [0] * len(sections)
    budget = MARKDOWN_LIMIT - len(_render(head, sections, shown, notice))
    budget -= len(sections) * _NOTE_SLACK  # what the notice and the notes will say
    for rank in range(max((len(s.rows) for s in sections), default=0)):
        for index, section in enumerate(sections):
            if rank >= len(section.rows):
                continue
            cost = len(section.rows[rank]) + 1
            if rank == 0:
                cost += sum(len(line) + 1 for line in section.table) + 1
            if cost > budget:
                return shown
            budget -= cost
            shown[index] += 1
    return shown


def _render(
    head: list[str], sections: Sequence[_Section], shown: Sequence[int] | None, notice: str | None
) -> str:
    lines = list(head)
    if notice is not None:
        lines += [notice, ""]
    for index, section in enumerate(sections):
        count = len(section.rows) if shown is None else shown[index]
        lines += section.head
        if count:
            lines += [*section.table, *section.rows[:count], ""]
        if count < len(section.rows):
            lines += [section.left_out(count), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {plural or word + 's'}"


def _verdict(finding: Finding) -> str:
    verdict: str = finding.verdict
    return f"{verdict} ({_code(finding.exception)})" if finding.exception else verdict


def _site(site: str | None, function: str | None) -> str:
    text = _code(site)
    return f"{text} in {_code(function + '()')}" if function else text


def _escape(text: str) -> str:
    """Text safe in a markdown table cell."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _code(text: str | None) -> str:
    """Inline code in a table cell; empty for none."""
    if not text:
        return ""
    text = text.replace("|", "\\|").replace("\n", " ")
    return f"`` {text} ``" if "`" in text else f"`{text}`"
