"""The scorecard's history: one JSON line per run, appended by ``scorecard --history FILE``.

A line holds the run's date, its findings counted per rule and verdict, how many exceptions
were still active, and each criterion's status::

    {"schema": "redis-boundary-scorecard-history/1", "date": "2026-12-01",
     "counts": {"RB101": {"excepted": 2, "violation": 1}}, "exceptions": 3,
     "criteria": {"C1": "fail", "C2": "pass", "C3": "pass", "C4": "fail"}, "complete": false}
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from .criteria import CRITERIA, FAIL, PASS, UNKNOWN, Scorecard

__all__ = ["HISTORY_SCHEMA", "HistoryInvalid", "HistoryRun", "parse_history", "run_of"]

HISTORY_SCHEMA: Final = "redis-boundary-scorecard-history/1"
_STATUSES: Final = (PASS, FAIL, UNKNOWN)


class HistoryInvalid(ValueError):
    """A history file that cannot be read: the file, the line and the fix."""


@dataclass(frozen=True, slots=True)
class HistoryRun:
    date: str
    counts: Mapping[str, Mapping[str, int]]  # rule -> verdict -> findings
    exceptions: int
    criteria: Mapping[str, str]  # criterion id -> status

    @property
    def complete(self) -> bool:
        return all(self.criteria.get(c) == PASS for c in CRITERIA)

    @property
    def passed(self) -> int:
        return sum(1 for c in CRITERIA if self.criteria.get(c) == PASS)

    def findings(self, rule: str) -> int:
        """The run's findings of ``rule``, whatever their verdict."""
        return sum(self.counts.get(rule, {}).values())

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": HISTORY_SCHEMA,
            "date": self.date,
            "counts": {rule: dict(v) for rule, v in self.counts.items()},
            "exceptions": self.exceptions,
            "criteria": dict(self.criteria),
            "complete": self.complete,
        }

    def to_line(self) -> str:
        """The run as the history file holds it: one JSON line."""
        return json.dumps(self.to_json(), separators=(", ", ": ")) + "\n"


def run_of(scorecard: Scorecard) -> HistoryRun:
    return HistoryRun(
        date=scorecard.today,
        counts=scorecard.counts,
        exceptions=len(scorecard.exceptions),
        criteria={c.id: c.status for c in scorecard.criteria},
    )


def parse_history(text: str, path: str) -> list[HistoryRun]:
    """Every run of a history file, in the order they were appended; blank lines are skipped."""
    runs: list[HistoryRun] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as err:
            raise _invalid(path, number, f"not JSON ({err.msg} at column {err.colno})") from None
        problem = _problem(data)
        if problem is not None:
            raise _invalid(path, number, problem)
        runs.append(
            HistoryRun(
                date=data["date"],
                counts={r: dict(v) for r, v in data["counts"].items()},
                exceptions=data["exceptions"],
                criteria=dict(data["criteria"]),
            )
        )
    return runs


def _problem(data: Any) -> str | None:
    if not isinstance(data, dict):
        return "expected a JSON object"
    if data.get("schema") != HISTORY_SCHEMA:
        return f"schema is {data.get('schema')!r}, expected {HISTORY_SCHEMA!r}"
    date = data.get("date")
    try:
        datetime.date.fromisoformat(date if isinstance(date, str) else "")
    except ValueError:
        return f"date is {date!r}, expected a date like 2026-12-01"
    counts = data.get("counts")
    if not isinstance(counts, dict) or not all(
        isinstance(verdicts, dict)
        and all(isinstance(n, int) and not isinstance(n, bool) for n in verdicts.values())
        for verdicts in counts.values()
    ):
        return 'counts must map each rule to {"verdict": count, ...}'
    exceptions = data.get("exceptions")
    if not isinstance(exceptions, int) or isinstance(exceptions, bool) or exceptions < 0:
        return "exceptions must be a count (a whole number, 0 or more)"
    criteria = data.get("criteria")
    if not isinstance(criteria, dict) or any(criteria.get(c) not in _STATUSES for c in CRITERIA):
        return f"criteria must give each of {', '.join(CRITERIA)} a status: pass, fail or unknown"
    return None


def _invalid(path: str, line: int, problem: str) -> HistoryInvalid:
    return HistoryInvalid(
        f"{path}:{line}: {problem}. Fix: correct or delete that line (each line is one run, "
        "as scorecard --history appends it), or start a new history file."
    )
