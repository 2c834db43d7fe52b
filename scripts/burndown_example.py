"""The example burndown chart the README and the scorecard page show,
``docs/assets/burndown-example.svg``.

Drawn by the scorecard's own chart code from ``examples/scorecard/history.jsonl``, an
illustrative history of eight fortnightly runs. ``tests/test_docs_assets.py`` fails when the
committed picture is not what the code draws today; this script redraws it:

    .venv/bin/python scripts/burndown_example.py
"""

from __future__ import annotations

from pathlib import Path

from pytest_redis_boundary.core.atomic_files import write_atomically
from pytest_redis_boundary.core.scorecard import burndown_svg, parse_history

REPO = Path(__file__).resolve().parents[1]
HISTORY = REPO / "examples" / "scorecard" / "history.jsonl"
CHART = REPO / "docs" / "assets" / "burndown-example.svg"


def example_chart() -> str:
    return burndown_svg(parse_history(HISTORY.read_text("utf-8"), str(HISTORY)))


if __name__ == "__main__":
    write_atomically(CHART, example_chart())
    print(f"wrote {CHART.relative_to(REPO)}")
