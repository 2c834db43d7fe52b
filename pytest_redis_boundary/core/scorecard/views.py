"""The scorecard as text, markdown and JSON (``schema: redis-boundary-scorecard/1``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Final

from ..reports.inventory_view import read_through_lines
from .burndown import burndown_markdown, burndown_text
from .criteria import FAIL, PASS, UNKNOWN, Criterion, Evidence, RemainingException, Scorecard
from .history import HistoryRun

__all__ = ["EVIDENCE_SHOWN", "SCORECARD_SCHEMA", "scorecard_json", "scorecard_markdown",
           "scorecard_text"]  # fmt: skip

SCORECARD_SCHEMA: Final = "redis-boundary-scorecard/1"
EVIDENCE_SHOWN: Final = 8
"""Evidence lines per criterion in text and markdown (JSON has all): enough to act on."""

_MARK: Final = {PASS: "pass", FAIL: "FAIL", UNKNOWN: "unknown"}
_KIND_ORDER: Final = {"shape": 0, "unclaimed": 1, "not-checked": 2, "finding": 3}


def scorecard_text(card: Scorecard, history: Sequence[HistoryRun] | None = None) -> str:
    lines = [_headline(card)]
    for criterion in card.criteria:
        lines.append(f"{criterion.id} {_MARK[criterion.status]:<7} {criterion.title}")
        lines.extend(f"    {line}" for line in _evidence_lines(criterion))
    lines.extend(_exception_lines(card.exceptions, "    "))
    lines.extend(_broken_lines(card))
    through = read_through_lines(card.read_through, prefix="    ")
    if through:
        lines += [through[0][0].upper() + through[0][1:], *through[1:]]
    if history:
        lines.append("")
        lines.extend(burndown_text(history))
    return "\n".join(lines) + "\n"


def scorecard_markdown(card: Scorecard, history: Sequence[HistoryRun] | None = None) -> str:
    icon = {PASS: "✅ pass", FAIL: "❌ fail", UNKNOWN: "❔ unknown"}
    lines = [
        "## Redis/RQ retirement scorecard",
        "",
        f"**{_headline(card).removeprefix('redis-boundary scorecard: ')}**",
        "",
        "| | criterion | status | evidence |",
        "| --- | --- | --- | ---: |",
    ]
    lines.extend(
        f"| {c.id} | {c.title} | {icon[c.status]} | {len(c.evidence)} |" for c in card.criteria
    )
    for criterion in card.criteria:
        if criterion.evidence:
            lines += ["", f"<details><summary>{criterion.id}: {criterion.title}</summary>", ""]
            lines.extend(f"- `{line}`" for line in _evidence_lines(criterion))
            lines += ["", "</details>"]
    if card.exceptions:
        lines.append("")
        lines.extend(_exception_lines(card.exceptions, "- "))
    if card.broken_contracts:
        lines += ["", *_broken_lines(card)]
    through = read_through_lines(card.read_through, prefix="- ")
    if through:
        lines += ["", through[0][0].upper() + through[0][1:], "", *through[1:]]
    if history:
        lines.append("")
        lines.extend(burndown_markdown(history))
    return "\n".join(lines) + "\n"


def scorecard_json(card: Scorecard, history: Sequence[HistoryRun] | None = None) -> str:
    document: dict[str, Any] = {
        "schema": SCORECARD_SCHEMA,
        "today": card.today,
        "complete": card.complete,
        "criteria": [criterion.to_json() for criterion in card.criteria],
        "exceptions": [exception.to_json() for exception in card.exceptions],
        "counts": {rule: dict(verdicts) for rule, verdicts in card.counts.items()},
        "broken_contracts": list(card.broken_contracts),
        "read_through_classes": [dict(c) for c in card.read_through],
    }
    if history is not None:
        document["history"] = [run.to_json() for run in history]
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _headline(card: Scorecard) -> str:
    passed = sum(1 for c in card.criteria if c.status == PASS)
    unknown = sum(1 for c in card.criteria if c.status == UNKNOWN)
    if card.complete:
        return (
            f"redis-boundary scorecard: retirement complete: all {len(card.criteria)} criteria pass"
        )
    tail = f", {unknown} unknown" if unknown else ""
    return (
        f"redis-boundary scorecard: retirement NOT complete: {passed} of "
        f"{len(card.criteria)} criteria pass{tail}"
    )


def _evidence_lines(criterion: Criterion) -> list[str]:
    """One line per distinct evidence text, with how many tests share it (the same write seen in
    ten tests is one thing to fix): key shapes and paths first (a few lines that sum up what to
    change), then findings by rule."""
    folded: dict[str, list[Evidence]] = {}
    for item in criterion.evidence:
        folded.setdefault(item.text, []).append(item)
    order = sorted(folded, key=lambda text: (_KIND_ORDER.get(folded[text][0].kind, 9), text))
    lines = [_folded_line(text, folded[text]) for text in order]
    shown = lines[:EVIDENCE_SHOWN]
    left = len(lines) - len(shown)
    if left:
        shown.append(f"... and {left} more (--format json lists every one)")
    return shown


def _folded_line(text: str, items: list[Evidence]) -> str:
    if items[0].kind != "finding":
        return text
    tests = sorted({str(item.data.get("test")) for item in items if item.data.get("test")})
    if len(tests) == 1:
        return f"{text} in {tests[0]}"
    if tests:
        return f"{text} in {len(tests)} tests, e.g. {tests[0]}"
    return text


def _exception_lines(exceptions: Sequence[RemainingException], item_prefix: str) -> list[str]:
    if not exceptions:
        return []
    lines = [f"Exceptions still active ({len(exceptions)}):"]
    for exception in exceptions:
        details = [
            f"owner {exception.owner}" if exception.owner else None,
            f"expires {exception.expiry_date}" if exception.expiry_date else None,
            f"removal {exception.removal_issue}" if exception.removal_issue else None,
            None if exception.matched is None else f"matched {exception.matched}",
        ]
        said = ", ".join(d for d in details if d)
        line = f"{item_prefix}{exception.id}" + (f" ({said})" if said else "")
        if exception.source == "contracts":
            line += f", import contract: {exception.detail}"
        lines.append(line)
    return lines


def _broken_lines(card: Scorecard) -> list[str]:
    """Broken import contracts do not decide a criterion; a reviewer still wants them named."""
    if not card.broken_contracts:
        return []
    return [f"Import contracts broken ({len(card.broken_contracts)}): "
            + "; ".join(card.broken_contracts)]  # fmt: skip
