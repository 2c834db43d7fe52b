"""The pictures the docs commit are what the code draws today."""

from __future__ import annotations

from scripts.burndown_example import CHART, example_chart


def test_the_example_burndown_chart_is_current() -> None:
    assert CHART.read_text("utf-8") == example_chart(), (
        "docs/assets/burndown-example.svg is stale: run .venv/bin/python "
        "scripts/burndown_example.py and commit the result"
    )
