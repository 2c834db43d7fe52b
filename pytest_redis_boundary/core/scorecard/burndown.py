"""The burndown over a history's runs: per rule, exceptions and criteria, as series and tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from ..catalogue import RULE_NAMES
from .criteria import CRITERIA
from .history import HistoryRun

__all__ = [
    "RUNS_SHOWN",
    "Series",
    "burndown_markdown",
    "burndown_series",
    "burndown_text",
    "run_labels",
]

RUNS_SHOWN: Final = 8
"""The tables show the last runs only (the chart shows them all): a table stays readable."""


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    values: tuple[int, ...]  # one per run, in the history's order
    kind: str  # "rule", "exceptions" or "criteria"


def burndown_series(runs: Sequence[HistoryRun]) -> list[Series]:
    """One series per rule that had findings in some run (in the rules' order), then the active
    exceptions, then the criteria passed."""
    seen = {rule for run in runs for rule in run.counts if run.findings(rule)}
    order = [rule for rule in RULE_NAMES if rule in seen] + sorted(seen - set(RULE_NAMES))
    series = [
        Series(
            f"{rule} {RULE_NAMES.get(rule, '')}".strip(),
            tuple(r.findings(rule) for r in runs),
            "rule",
        )
        for rule in order
    ]
    series.append(Series("exceptions active", tuple(r.exceptions for r in runs), "exceptions"))
    series.append(
        Series(f"criteria passed (of {len(CRITERIA)})", tuple(r.passed for r in runs), "criteria")
    )
    return series


def run_labels(runs: Sequence[HistoryRun]) -> list[str]:
    """Each run's date, numbered where one date has several runs (``2026-12-08 #2``)."""
    per_date: dict[str, int] = {}
    for run in runs:
        per_date[run.date] = per_date.get(run.date, 0) + 1
    seen: dict[str, int] = {}
    labels = []
    for run in runs:
        seen[run.date] = seen.get(run.date, 0) + 1
        labels.append(run.date if per_date[run.date] == 1 else f"{run.date} #{seen[run.date]}")
    return labels


def burndown_text(runs: Sequence[HistoryRun]) -> list[str]:
    shown = runs[-RUNS_SHOWN:]
    series = burndown_series(shown)
    head = _heading(runs, shown)
    labels = run_labels(runs)[-RUNS_SHOWN:]
    label_width = max(len(s.label) for s in series)
    widths = [max(len(label), 4) for label in labels]
    dates = "".join(f"  {label:>{w}}" for label, w in zip(labels, widths, strict=True))
    lines = [head, "  " + " " * label_width + dates]
    for each in series:
        cells = "".join(f"  {v:>{w}}" for v, w in zip(each.values, widths, strict=True))
        lines.append(f"  {each.label:<{label_width}}{cells}")
    return lines


def burndown_markdown(runs: Sequence[HistoryRun]) -> list[str]:
    shown = runs[-RUNS_SHOWN:]
    series = burndown_series(shown)
    lines = [
        _heading(runs, shown),
        "",
        "| | " + " | ".join(run_labels(runs)[-RUNS_SHOWN:]) + " |",
        "| --- |" + " ---: |" * len(shown),
    ]
    lines.extend(f"| {s.label} | " + " | ".join(str(v) for v in s.values) + " |" for s in series)
    return lines


def _heading(runs: Sequence[HistoryRun], shown: Sequence[HistoryRun]) -> str:
    if len(shown) < len(runs):
        return f"Burndown: the last {len(shown)} of {len(runs)} recorded runs"
    return f"Burndown over {len(runs)} recorded run{'s' if len(runs) != 1 else ''}"
