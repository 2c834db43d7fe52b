"""Is the retirement done? The contract's four acceptance criteria judged on a run, their
history over runs, and the burndown as tables and a chart (docs/reference/scorecard.md)."""

from __future__ import annotations

from .chart import burndown_svg
from .criteria import CRITERIA, FAIL, PASS, UNKNOWN, Criterion, Scorecard, judge_scorecard
from .history import HISTORY_SCHEMA, HistoryInvalid, HistoryRun, parse_history, run_of
from .views import SCORECARD_SCHEMA, scorecard_json, scorecard_markdown, scorecard_text

__all__ = [
    "CRITERIA",
    "FAIL",
    "HISTORY_SCHEMA",
    "PASS",
    "SCORECARD_SCHEMA",
    "UNKNOWN",
    "Criterion",
    "HistoryInvalid",
    "HistoryRun",
    "Scorecard",
    "burndown_svg",
    "judge_scorecard",
    "parse_history",
    "run_of",
    "scorecard_json",
    "scorecard_markdown",
    "scorecard_text",
]
