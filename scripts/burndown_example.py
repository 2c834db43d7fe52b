"""The docs site's example burndown chart, ``reference/burndown-example.svg``.

Drawn when the site is built (``mkdocs.yml`` ``hooks:``) by the scorecard's own chart code from
``examples/scorecard/history.jsonl``, an illustrative history of eight fortnightly runs, so the
picture on the scorecard page is always what ``--chart`` draws today.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pytest_redis_boundary.core.scorecard import burndown_svg, parse_history

HISTORY = Path(__file__).resolve().parents[1] / "examples" / "scorecard" / "history.jsonl"


def example_chart() -> str:
    return burndown_svg(parse_history(HISTORY.read_text("utf-8"), str(HISTORY)))


def on_files(files: Any, config: Any) -> Any:
    """mkdocs hook: add the chart to the site's files."""
    from mkdocs.structure.files import File

    files.append(File.generated(config, "reference/burndown-example.svg", content=example_chart()))
    return files
