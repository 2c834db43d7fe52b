"""The burndown as an SVG line chart: one line per series, run dates along the x axis.

Plain SVG 1.1 with no script and no external resource, so it renders the same in a browser, an
image viewer and a pull-request comment; every text is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final
from xml.sax.saxutils import escape

from .burndown import Series, burndown_series, run_labels
from .criteria import CRITERIA
from .history import HistoryRun

__all__ = ["burndown_svg"]

WIDTH: Final = 920
HEIGHT: Final = 480
_LEFT: Final = 64
_RIGHT: Final = 270  # the legend's column
_TOP: Final = 70
_BOTTOM: Final = 78
_INSET: Final = 40
_MAX_DATE_LABELS: Final = 7  # a date label is about 70 px wide
# Tableau 10 without its green (the criteria's line is green): colours most people tell apart,
# also with the common colour-vision deficiencies.
_PALETTE: Final = (
    "#4e79a7",
    "#e15759",
    "#f28e2b",
    "#76b7b2",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)
_EXCEPTIONS_COLOUR: Final = "#555555"
_CRITERIA_COLOUR: Final = "#1a9641"
_FONT: Final = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"'


def burndown_svg(runs: Sequence[HistoryRun]) -> str:
    """The chart of ``runs`` (at least one)."""
    series = burndown_series(runs)
    counted = [s for s in series if s.kind != "criteria"]
    top = max((max(s.values) for s in counted), default=0)
    step, y_max = _y_scale(top)
    criteria_max = len(CRITERIA)
    plot_w = WIDTH - _LEFT - _RIGHT
    plot_h = HEIGHT - _TOP - _BOTTOM

    def x_of(index: int) -> float:
        if len(runs) == 1:
            return _LEFT + plot_w / 2
        # Inset from the axes, so the first and last date labels are not cut.
        return _LEFT + _INSET + (plot_w - 2 * _INSET) * index / (len(runs) - 1)

    def y_of(value: float) -> float:
        return _TOP + plot_h * (1 - value / y_max)

    def y_of_criteria(value: float) -> float:
        # Criteria passed (0 to 4) have their own axis, on the right: on the counts' axis
        # (hundreds of findings, say) their line would lie flat on zero.
        return _TOP + plot_h * (1 - value / criteria_max)

    span = runs[0].date if runs[0].date == runs[-1].date else f"{runs[0].date} to {runs[-1].date}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="title">',
        f'<title id="title">Redis/RQ retirement burndown, {len(runs)} runs, {escape(span)}</title>',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="{_LEFT}" y="30" {_FONT} font-size="19" font-weight="bold" fill="#222">'
        "Redis/RQ retirement burndown</text>",
        f'<text x="{_LEFT}" y="52" {_FONT} font-size="13" fill="#555">Findings per rule, '
        f"active exceptions (left axis) and acceptance criteria passed (right), {len(runs)} "
        f"run{'s' if len(runs) != 1 else ''}, {escape(span)}</text>",
    ]
    # Horizontal grid lines and the y axis's ticks.
    value = 0
    while value <= y_max:
        y = y_of(value)
        parts.append(
            f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{_LEFT + plot_w}" y2="{y:.1f}" '
            f'stroke="{"#888" if value == 0 else "#e3e3e3"}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{_LEFT - 8}" y="{y + 4:.1f}" {_FONT} font-size="12" fill="#444" '
            f'text-anchor="end">{value}</text>'
        )
        value += step
    parts.append(
        f'<line x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{_TOP + plot_h}" stroke="#888"/>'
    )
    right = _LEFT + plot_w
    parts.append(
        f'<line x1="{right}" y1="{_TOP}" x2="{right}" y2="{_TOP + plot_h}" '
        f'stroke="{_CRITERIA_COLOUR}"/>'
    )
    for passed in range(criteria_max + 1):
        y = y_of_criteria(passed)
        parts.append(
            f'<text x="{right + 7}" y="{y + 4:.1f}" {_FONT} font-size="12" '
            f'fill="{_CRITERIA_COLOUR}">{passed}</text>'
        )
    parts.append(
        f'<text transform="translate({right + 30} {_TOP + plot_h / 2:.1f}) rotate(90)" {_FONT} '
        f'font-size="13" fill="{_CRITERIA_COLOUR}" text-anchor="middle">criteria passed</text>'
    )
    parts.append(
        f'<text transform="translate(18 {_TOP + plot_h / 2:.1f}) rotate(-90)" {_FONT} '
        'font-size="13" fill="#444" text-anchor="middle">count</text>'
    )
    # The x axis: a tick per run, a date label on at most _MAX_DATE_LABELS of them.
    every = max(1, math.ceil(len(runs) / _MAX_DATE_LABELS))
    labels = run_labels(runs)
    for index, label in enumerate(labels):
        x = x_of(index)
        base = _TOP + plot_h
        parts.append(f'<line x1="{x:.1f}" y1="{base}" x2="{x:.1f}" y2="{base + 5}" stroke="#888"/>')
        if (len(runs) - 1 - index) % every == 0:  # counted from the last run, always labelled
            parts.append(
                f'<text x="{x:.1f}" y="{base + 20}" {_FONT} font-size="12" fill="#444" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    parts.append(
        f'<text x="{_LEFT + plot_w / 2:.1f}" y="{HEIGHT - 34}" {_FONT} font-size="13" '
        'fill="#444" text-anchor="middle">run date</text>'
    )
    for position, each in enumerate(series):
        colour, dash = _style(each, position)
        to_y = y_of_criteria if each.kind == "criteria" else y_of
        points = " ".join(f"{x_of(i):.1f},{to_y(v):.1f}" for i, v in enumerate(each.values))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5" '
            f'stroke-linejoin="round"{dash}/>'
        )
        parts.extend(
            f'<circle cx="{x_of(i):.1f}" cy="{to_y(v):.1f}" r="3.5" fill="{colour}"/>'
            for i, v in enumerate(each.values)
        )
    parts.extend(_legend(series))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _legend(series: Sequence[Series]) -> list[str]:
    x = WIDTH - _RIGHT + 52
    parts = [
        f'<text x="{x}" y="{_TOP}" {_FONT} font-size="13" font-weight="bold" fill="#222">'
        "Series (last run)</text>"
    ]
    for position, each in enumerate(series):
        colour, dash = _style(each, position)
        y = _TOP + 22 + position * 21
        parts.append(
            f'<line x1="{x}" y1="{y - 4}" x2="{x + 22}" y2="{y - 4}" stroke="{colour}" '
            f'stroke-width="3"{dash}/>'
        )
        parts.append(
            f'<text x="{x + 30}" y="{y}" {_FONT} font-size="12.5" fill="#222">'
            f"{escape(each.label)}: {each.values[-1]}</text>"
        )
    return parts


def _style(series: Series, position: int) -> tuple[str, str]:
    if series.kind == "exceptions":
        return _EXCEPTIONS_COLOUR, ' stroke-dasharray="7 4"'
    if series.kind == "criteria":
        return _CRITERIA_COLOUR, ' stroke-dasharray="2 3"'
    return _PALETTE[position % len(_PALETTE)], ""


def _y_scale(top: int) -> tuple[int, int]:
    """A tick step of 1, 2 or 5 times a power of ten giving at most six intervals, and the
    axis's top (a multiple of the step, at least 4)."""
    top = max(top, 4)
    step = 1
    while True:
        for factor in (1, 2, 5):
            if math.ceil(top / (step * factor)) <= 6:
                chosen = step * factor
                return chosen, chosen * math.ceil(top / chosen)
        step *= 10
