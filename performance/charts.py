"""Trend charts drawn on the server as SVG: no JavaScript, the same in a browser and a PDF.

Pure functions of the points they are given (no queries). Every chart is an image with a
title and a text description that says what it shows; the pages that draw one also give the
numbers as text (a table on an indicator's page, the row itself on a dashboard), so nothing is
only in the picture. The actual values are a solid line with round points and the targets a
dashed line with no points, named in a legend: line style and labels, not colour alone, tell
them apart.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import NamedTuple

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from partnership.periods import Quarter

# GOV.UK blue and near-black: 5.2:1 and 19:1 against white.
VALUE_COLOUR = "#1d70b8"
TARGET_COLOUR = "#0b0c0c"
AXIS_COLOUR = "#505a5f"  # 7:1 against white
GRID_COLOUR = "#b1b4b6"  # decoration only: the labels carry the meaning

Formatter = Callable[[Decimal | None], str]


class Point(NamedTuple):
    """One quarter of a trend. ``due`` is False for a quarter in which the indicator takes no
    return (an annual indicator's Q1 to Q3): the line runs on past it, where a due quarter with
    no figure leaves a gap. (A named tuple: a dashboard page makes 400 of them.)"""

    period: Quarter
    value: Decimal | None
    target: Decimal | None
    due: bool = True


def describe(
    title: str, points: Sequence[Point], fmt: Formatter, latest_rag: str | None = None
) -> str:
    """The chart's text alternative: "Reported burglaries, 2024/25 Q2 to 2025/26 Q1: from
    120 to 90; target 100; latest green"."""
    if not points:
        return f"{title}: no periods to show"
    span = f"{title}, {points[0].period.label} to {points[-1].period.label}"
    values = [p for p in points if p.value is not None]
    if not values:
        text = f"{span}: no figures reported"
    elif len(values) == 1:
        text = f"{span}: {fmt(values[0].value)} in {values[0].period.label} only"
    else:
        text = f"{span}: from {fmt(values[0].value)} to {fmt(values[-1].value)}"
    missing = sum(1 for p in points if p.due and p.value is None)
    if values and missing:
        text += f" ({missing} quarter{'s' * (missing > 1)} with no figure)"
    targets = [p.target for p in points if p.target is not None]
    if targets:
        text += f"; target {fmt(targets[-1])}"
    if latest_rag and values:
        text += f"; latest {latest_rag.lower()}"
    return text


def _nice_step(span: float, ticks: int = 4) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about ``ticks`` intervals."""
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 5, 10):
        if multiple * power >= raw:
            return multiple * power
    return 10 * power  # pragma: no cover


def y_range(
    values: Sequence[float], *, min_step: float = 0.0, yes_no: bool = False
) -> tuple[float, float, list[float]]:
    """The axis range and its ticks for these values (figures and targets together). The
    axis starts at 0 for figures that are all positive unless they sit far from 0, where it
    would flatten the line the reader came to see."""
    if yes_no:
        return 0.0, 1.0, [0.0, 1.0]
    if not values:
        return 0.0, 1.0, [0.0, 1.0]
    low, high = min(values), max(values)
    if low >= 0 and low <= high / 2:
        low = 0.0
    if high == low:
        pad = abs(high) * 0.1 or 1.0
        low, high = (low - pad, high + pad) if low != 0 else (0.0, high + pad)
    step = max(_nice_step(high - low), min_step or 0.0)
    bottom = math.floor(low / step) * step
    top = math.ceil(high / step) * step
    if top == bottom:
        top = bottom + step
    count = round((top - bottom) / step)
    return bottom, top, [bottom + i * step for i in range(count + 1)]


def _series(points: Sequence[Point], field: int, x, y) -> tuple[str, list[tuple[float, float]]]:
    """The SVG path of one series (``field`` 1 is the values, 2 the targets) and its points.
    A due quarter without a figure lifts the pen (a gap); a quarter that takes no return is
    stepped over, so an annual indicator's line runs from one year's figure to the next."""
    parts: list[str] = []
    coords: list[tuple[float, float]] = []
    pen_down = False
    for i, p in enumerate(points):
        v = p[field]
        if v is None:
            if p.due:
                pen_down = False
            continue
        cx, cy = x(i), y(float(v))
        parts.append(f"{'L' if pen_down else 'M'}{cx:.1f},{cy:.1f}")
        coords.append((cx, cy))
        pen_down = True
    return " ".join(parts), coords


def _open(id_prefix: str, width: int, height: int, title: str, desc: str, css: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" focusable="false" '
        f'aria-labelledby="{id_prefix}-title {id_prefix}-desc">'
        f'<title id="{id_prefix}-title">{escape(title)}</title>'
        f'<desc id="{id_prefix}-desc">{escape(desc)}</desc>'
    )


def trend_chart(
    *,
    id_prefix: str,
    title: str,
    points: Sequence[Point],
    fmt: Formatter,
    latest_rag: str | None = None,
    min_step: float = 0.0,
    yes_no: bool = False,
) -> SafeString:
    """A full trend chart: axes, quarter labels, the values and the targets, and a legend."""
    width, height = 640, 300
    left, right, top, bottom = 72, 16, 36, 52
    plot_w, plot_h = width - left - right, height - top - bottom
    numbers = [float(v) for p in points for v in (p.value, p.target) if v is not None]
    low, high, ticks = y_range(numbers, min_step=min_step, yes_no=yes_no)
    slots = max(len(points), 1)

    def x(i: int) -> float:
        return left + plot_w * (i + 0.5) / slots

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - low) / (high - low))

    out = [
        _open(
            id_prefix, width, height, title, describe(title, points, fmt, latest_rag), "app-chart"
        )
    ]
    # Legend: words beside a sample of each line.
    out.append(
        f'<g class="app-chart__legend" font-size="13" fill="{TARGET_COLOUR}">'
        f'<line x1="{left}" y1="14" x2="{left + 28}" y2="14" stroke="{VALUE_COLOUR}" '
        'stroke-width="3"/>'
        f'<circle cx="{left + 14}" cy="14" r="4" fill="{VALUE_COLOUR}"/>'
        f'<text x="{left + 34}" y="18">Actual value</text>'
        f'<line x1="{left + 140}" y1="14" x2="{left + 168}" y2="14" stroke="{TARGET_COLOUR}" '
        'stroke-width="2" stroke-dasharray="6 4"/>'
        f'<text x="{left + 174}" y="18">Target</text></g>'
    )
    out.append(f'<g font-size="12" fill="{AXIS_COLOUR}">')
    for tick in ticks:
        ty = y(tick)
        label = ("Yes" if tick else "No") if yes_no else fmt(Decimal(str(round(tick, 6))))
        out.append(
            f'<line x1="{left}" y1="{ty:.1f}" x2="{width - right}" y2="{ty:.1f}" '
            f'stroke="{GRID_COLOUR}" stroke-width="1"/>'
            f'<text x="{left - 8}" y="{ty + 4:.1f}" text-anchor="end">{escape(label)}</text>'
        )
    for i, p in enumerate(points):
        out.append(
            f'<text x="{x(i):.1f}" y="{height - bottom + 18}" text-anchor="middle">'
            f"Q{p.period.number}</text>"
        )
        if i == 0 or p.period.number == 1:
            out.append(
                f'<text x="{x(i):.1f}" y="{height - bottom + 34}" text-anchor="middle">'
                f"{p.period.year_label}</text>"
            )
    out.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'stroke="{AXIS_COLOUR}" stroke-width="1"/></g>'
    )
    targets, _ = _series(points, 2, x, y)
    if targets:
        out.append(
            f'<path d="{targets}" fill="none" stroke="{TARGET_COLOUR}" stroke-width="2" '
            'stroke-dasharray="6 4"/>'
        )
    line, values = _series(points, 1, x, y)
    if line:
        out.append(f'<path d="{line}" fill="none" stroke="{VALUE_COLOUR}" stroke-width="3"/>')
    for cx, cy in values:
        out.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5" fill="{VALUE_COLOUR}" '
            'stroke="#ffffff" stroke-width="1.5"/>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text in it is escaped above


def sparkline(
    *,
    id_prefix: str,
    title: str,
    points: Sequence[Point],
    fmt: Formatter,
    latest_rag: str | None = None,
    yes_no: bool = False,
) -> SafeString:
    """A small chart for a dashboard row: the trend's shape, with the same text alternative."""
    width, height, pad = 120, 36, 5
    numbers = [float(v) for p in points for v in (p.value, p.target) if v is not None]
    low, high, _ = y_range(numbers, yes_no=yes_no)
    slots = max(len(points), 1)

    def x(i: int) -> float:
        return pad + (width - 2 * pad) * (i + 0.5) / slots

    def y(v: float) -> float:
        return pad + (height - 2 * pad) * (1 - (v - low) / (high - low))

    out = [
        _open(
            id_prefix,
            width,
            height,
            title,
            describe(title, points, fmt, latest_rag),
            "app-sparkline",
        )
    ]
    targets, _ = _series(points, 2, x, y)
    if targets:
        out.append(
            f'<path d="{targets}" fill="none" stroke="{TARGET_COLOUR}" stroke-width="1.5" '
            'stroke-dasharray="4 3"/>'
        )
    line, values = _series(points, 1, x, y)
    if line:
        out.append(f'<path d="{line}" fill="none" stroke="{VALUE_COLOUR}" stroke-width="2"/>')
    out.extend(
        f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="2.5" fill="{VALUE_COLOUR}"/>' for cx, cy in values
    )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text in it is escaped above
