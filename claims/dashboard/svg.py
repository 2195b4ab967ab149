"""Small, accessible SVG charts drawn on the server (no Django, no JavaScript).

Each chart is one ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` (what a screen
reader announces), a ``viewBox`` so it scales to its box, and only presentation
attributes (no ``style=``), so it prints, reads without JavaScript and passes the
Content-Security-Policy. The numbers drawn are exactly the numbers given: the page puts
the same numbers in a table beside the chart and in its CSV.

Why not a plotting library: the package lists' SVG plotters either pull in a large
dependency tree (matplotlib, plotly), draw with inline ``style`` attributes and scripts
that the CSP refuses (pygal, bokeh), or emit several hundred kilobytes per chart. Four
chart shapes are all the dashboard needs; they are below, ~250 lines with tests.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

# Okabe-Ito: distinguishable with the common colour-vision deficiencies, and in print.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000")

# A narrow drawing scales up well on a desktop card and stays legible on a phone.
WIDTH = 480
HEIGHT = 250
LEFT, RIGHT, TOP, BOTTOM = 44, 10, 12, 58


@dataclass(frozen=True)
class Series:
    """One named row of values, one per x label."""

    name: str
    values: tuple[float | None, ...]  # None: nothing to show there (lines only)
    colour: str = ""

    @property
    def numbers(self) -> list[float]:
        return [v for v in self.values if v is not None]


def nice_ticks(top: float, *, most: int = 5, whole: bool = False) -> list[float]:
    """Round tick values from 0 to at least ``top``: at most ``most`` + 1 ticks, each a
    multiple of 1, 2 or 5 times a power of ten (of whole numbers only if ``whole``: a
    count has no tick at 0.2)."""
    if not math.isfinite(top) or top <= 0:
        return [0.0, 1.0]
    raw = top / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if whole:
        step = max(step, 1)
    count = math.ceil(top / step - 1e-9)
    return [round(i * step, 10) for i in range(count + 1)]


def fmt(value: float) -> str:
    """A tick or value label: integers without a decimal point, others to 2 places."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _open(ident: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{ident}-title {ident}-desc" font-family="system-ui, sans-serif" '
        f'font-size="12">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(desc)}</desc>',
    ]


def _y_axis(ticks: list[float], scale: float, width: int, height: int) -> list[str]:
    out = []
    for tick in ticks:
        y = height - BOTTOM - tick * scale
        out.append(
            f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#d8dce3" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#5b6474">'
            f"{fmt(tick)}</text>"
        )
    return out


def _x_labels(labels: Sequence[str], xs: Sequence[float], height: int) -> list[str]:
    """At most ~6 labels, evenly thinned, so they never overlap."""
    every = max(1, math.ceil(len(labels) / 6))
    out = []
    for i, (label, x) in enumerate(zip(labels, xs, strict=True)):
        if i % every:
            continue
        # Near an edge a label hangs inwards, so it is never cut off.
        anchor = "end" if x > WIDTH - 40 else "start" if x < LEFT + 20 else "middle"
        out.append(
            f'<text x="{x:.1f}" y="{height - BOTTOM + 16}" text-anchor="{anchor}" '
            f'fill="#5b6474">{escape(label)}</text>'
        )
    return out


def _legend(series: Sequence[Series], width: int, height: int) -> list[str]:
    """Swatches and names under the chart, wrapping to a second line when full."""
    out, x, y = [], 8.0, height - 26.0
    for index, one in enumerate(series):
        colour = one.colour or PALETTE[index % len(PALETTE)]
        room = 22 + 6.6 * len(one.name)
        if x + room > width and x > 8:
            x, y = 8.0, y + 16
        out.append(
            f'<rect x="{x:.0f}" y="{y - 9:.0f}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14:.0f}" y="{y:.0f}" fill="#1d2330">{escape(one.name)}</text>'
        )
        x += room
    return out


def _empty(ident: str, title: str, desc: str) -> str:
    parts = _open(ident, title, desc, WIDTH, 80)
    parts.append('<text x="12" y="44" fill="#5b6474">No data in this range.</text></svg>')
    return "".join(parts)


def area_chart(
    ident: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    stacked: bool = True,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> str:
    """A stacked area chart (``stacked=True``) or plain lines over ``labels``; a line
    breaks where its value is None (nothing to show), and the first series is drawn on
    top, the others dashed."""
    if not labels or not series or all(not any(s.numbers) for s in series):
        return _empty(ident, title, desc)
    n = len(labels)
    for one in series:
        if len(one.values) != n:
            raise ValueError(f"series {one.name!r} has {len(one.values)} values for {n} labels")
    tops = [0.0] * n
    bands = []
    for one in series:
        base = list(tops) if stacked else [0.0] * n
        top = [b + (v or 0.0) for b, v in zip(base, one.values, strict=True)]
        bands.append((base, top))
        tops = [max(t, u) for t, u in zip(tops, top, strict=True)] if not stacked else top
    whole = all(float(v).is_integer() for one in series for v in one.numbers)
    ticks = nice_ticks(max(max(t for _, top in bands for t in top), 1), whole=whole)
    scale = (height - TOP - BOTTOM) / ticks[-1]
    inner = width - LEFT - RIGHT
    xs = [LEFT + (inner * i / (n - 1) if n > 1 else inner / 2) for i in range(n)]

    def y(value: float) -> float:
        return height - BOTTOM - value * scale

    parts = _open(ident, title, desc, width, height)
    parts += _y_axis(ticks, scale, width, height)
    drawn = list(enumerate(zip(series, bands, strict=True)))
    for index, (one, (base, top)) in drawn if stacked else reversed(drawn):
        colour = one.colour or PALETTE[index % len(PALETTE)]
        upper = " ".join(f"{x:.1f},{y(v):.1f}" for x, v in zip(xs, top, strict=True))
        if not stacked:
            parts += _line(one, xs, y, colour, dashed=index > 0)
            continue
        if stacked:
            lower = " ".join(
                f"{x:.1f},{y(v):.1f}" for x, v in reversed(list(zip(xs, base, strict=True)))
            )
            parts.append(
                f'<polygon points="{upper} {lower}" fill="{colour}" fill-opacity="0.75" '
                f'stroke="{colour}" stroke-width="1"><title>{escape(one.name)}</title></polygon>'
            )
        else:
            parts.append(
                f'<polyline points="{upper}" fill="none" stroke="{colour}" stroke-width="2">'
                f"<title>{escape(one.name)}</title></polyline>"
            )
    parts += _x_labels(labels, xs, height)
    parts += _legend(series, width, height)
    parts.append("</svg>")
    return "".join(parts)


def _line(one: Series, xs: Sequence[float], y: Any, colour: str, *, dashed: bool) -> list[str]:
    """A polyline per run of values (broken where a value is None), a dot on each."""
    out, run = [], []  # type: list[str], list[str]
    dash = ' stroke-dasharray="6 4"' if dashed else ""
    for x, value in [*zip(xs, one.values, strict=True), (0.0, None)]:
        if value is not None:
            run.append(f"{x:.1f},{y(value):.1f}")
            out.append(f'<circle cx="{x:.1f}" cy="{y(value):.1f}" r="2.5" fill="{colour}"/>')
        elif run:
            out.append(
                f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                f'stroke-width="2"{dash}><title>{escape(one.name)}</title></polyline>'
            )
            run = []
    return out


def bar_chart(
    ident: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    stacked: bool = True,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> str:
    """Vertical bars, one group per label: stacked segments, or side by side."""
    if not labels or not series or all(not any(s.values) for s in series):
        return _empty(ident, title, desc)
    n = len(labels)
    totals = [sum(s.values[i] or 0.0 for s in series) for i in range(n)]
    highest = max(totals) if stacked else max(max(s.numbers or [0.0]) for s in series)
    whole = all(float(v).is_integer() for one in series for v in one.numbers)
    ticks = nice_ticks(max(highest, 1), whole=whole)
    scale = (height - TOP - BOTTOM) / ticks[-1]
    slot = (width - LEFT - RIGHT) / n
    bar = slot * 0.7 / (1 if stacked else len(series))
    parts = _open(ident, title, desc, width, height)
    parts += _y_axis(ticks, scale, width, height)
    centres = []
    for i in range(n):
        x0 = LEFT + slot * i + slot * 0.15
        centres.append(LEFT + slot * i + slot / 2)
        bottom: float = height - BOTTOM
        for index, one in enumerate(series):
            value = one.values[i] or 0.0
            colour = one.colour or PALETTE[index % len(PALETTE)]
            h = value * scale
            x = x0 if stacked else x0 + bar * index
            y = bottom - h
            if value:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                    f'fill="{colour}"><title>{escape(labels[i])}, {escape(one.name)}: '
                    f"{fmt(value)}</title></rect>"
                )
            if stacked:
                bottom = y
    parts += _x_labels(labels, centres, height)
    if len(series) > 1:
        parts += _legend(series, width, height)
    parts.append("</svg>")
    return "".join(parts)


def hbar_chart(
    ident: str,
    title: str,
    desc: str,
    rows: Sequence[tuple[str, float, str]],
    *,
    width: int = WIDTH,
    maximum: float | None = None,
) -> str:
    """Horizontal bars, one per row ``(label, value, value text)``, largest first as
    given; ``maximum`` fixes the scale (1.0 for shares)."""
    if not rows:
        return _empty(ident, title, desc)
    row_height, label_width = 24, 150
    height = TOP + row_height * len(rows) + 8
    top = maximum or max(value for _, value, _ in rows) or 1
    longest = max(len(text) for _, _, text in rows)
    inner = max(40.0, width - label_width - 10 - 6.8 * longest)
    parts = _open(ident, title, desc, width, height)
    for i, (label, value, text) in enumerate(rows):
        y = TOP + row_height * i
        w = max(0.0, value) / top * inner
        short = label if len(label) <= 22 else label[:21] + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end" fill="#1d2330">'
            f"{escape(short)}</text>"
            f'<rect x="{label_width}" y="{y + 3}" width="{w:.1f}" height="{row_height - 8}" '
            f'fill="{PALETTE[0]}"><title>{escape(label)}: {escape(text)}</title></rect>'
            f'<text x="{label_width + w + 6:.1f}" y="{y + 14}" fill="#1d2330">'
            f"{escape(text)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
