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

# Drawn at about a phone card's width (a 390 px screen leaves ~340 px for the chart), so
# the text is drawn at its own size there, 13 px; the page lays the cards out at about
# that width on a laptop too (three columns at 1280 px), so it is never scaled far. The
# layout below measures text by ``CHAR``, a generous average advance of system-ui.
WIDTH = 340
FONT = 13
CHAR = 0.6 * FONT
LINE = 18  # a line of x labels or of the legend
PLOT_HEIGHT = 170  # the plotting area of line, area and bar charts
TOP, RIGHT = 10, 10
INK, MUTED, GRID = "#1d2330", "#505968", "#d8dce3"


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


def _open(ident: str, title: str, desc: str, width: int, height: float) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height:.0f}" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{ident}-title {ident}-desc" font-family="system-ui, sans-serif" '
        f'font-size="{FONT}">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(desc)}</desc>',
    ]


def _wide(text: str) -> float:
    """About how wide ``text`` is drawn, in the chart's units."""
    return CHAR * len(text)


@dataclass(frozen=True)
class _Frame:
    """Where a chart with axes draws: its y ticks and scale, and the plotting area."""

    ticks: list[float]
    width: int

    @property
    def left(self) -> float:
        """Room for the longest tick label, right-aligned 6 units from the axis."""
        return 8 + max(_wide(fmt(t)) for t in self.ticks) + 6

    @property
    def bottom(self) -> float:
        return TOP + PLOT_HEIGHT

    @property
    def scale(self) -> float:
        return PLOT_HEIGHT / self.ticks[-1]

    def y(self, value: float) -> float:
        return self.bottom - value * self.scale

    def y_axis(self) -> list[str]:
        out = []
        for tick in self.ticks:
            y = self.y(tick)
            out.append(
                f'<line x1="{self.left:.1f}" x2="{self.width - RIGHT}" y1="{y:.1f}" '
                f'y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>'
                f'<text x="{self.left - 6:.1f}" y="{y + FONT * 0.35:.1f}" text-anchor="end" '
                f'fill="{MUTED}">{fmt(tick)}</text>'
            )
        return out


def _x_labels(
    labels: Sequence[str], xs: Sequence[float], top: float, width: int, *, every_slot: bool
) -> tuple[list[str], int]:
    """The x labels under the plot, and how many lines they take. Line and area charts
    thin them evenly to what fits on one line; bar charts label every bar, on two
    staggered lines when one would overlap, and thin them only past that. A label that
    would still touch its neighbour on the line (one hung inwards at an edge) is left out."""
    gap = xs[1] - xs[0] if len(xs) > 1 else float(width)
    widest = max(_wide(label) for label in labels) + 8
    rows = 2 if every_slot and widest > gap else 1
    every = max(1, math.ceil(widest / (gap * rows)))
    if not every_slot:
        every = max(every, math.ceil(len(labels) / 6))
    out, ends = [], [-math.inf] * rows
    for i in range(0, len(labels), every):
        label, x, row = labels[i], xs[i], (i // every) % rows
        half = _wide(label) / 2
        # Near an edge a label hangs inwards, so it is never cut off.
        left = min(max(x - half, 2.0), width - 2 - 2 * half)
        if left < ends[row] + 8:
            continue
        ends[row] = left + 2 * half
        anchor = "end" if x + half > width - 2 else "start" if x - half < 2 else "middle"
        at = {"start": left, "middle": x, "end": left + 2 * half}[anchor]
        y = top + FONT + 6 + LINE * row
        out.append(
            f'<text x="{at:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{MUTED}">'
            f"{escape(label)}</text>"
        )
    return out, rows


def _legend(series: Sequence[Series], width: int, top: float) -> tuple[list[str], int]:
    """Swatches and names from ``top`` down, wrapping to a new line when one is full;
    with the number of lines."""
    out, x, line = [], 8.0, 0
    for index, one in enumerate(series):
        colour = one.colour or PALETTE[index % len(PALETTE)]
        room = 14 + _wide(one.name) + 12
        if x + room > width and x > 8:
            x, line = 8.0, line + 1
        y = top + LINE * line + FONT
        out.append(
            f'<rect x="{x:.0f}" y="{y - FONT + 2:.0f}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14:.0f}" y="{y:.0f}" fill="{INK}">{escape(one.name)}</text>'
        )
        x += room
    return out, line + 1


def _finish(
    ident: str,
    title: str,
    desc: str,
    frame: _Frame,
    marks: list[str],
    x_labels: tuple[list[str], int],
    series: Sequence[Series] | None,
) -> str:
    """The chart's SVG: as tall as its plot, its x labels and its legend need."""
    labels, rows = x_labels
    below = frame.bottom + LINE * rows + 8
    legend, lines = _legend(series, frame.width, below) if series else ([], 0)
    height = below + LINE * lines + 4
    parts = _open(ident, title, desc, frame.width, height)
    return "".join([*parts, *frame.y_axis(), *marks, *labels, *legend, "</svg>"])


def _empty(ident: str, title: str, desc: str) -> str:
    parts = _open(ident, title, desc, WIDTH, 60)
    parts.append(f'<text x="8" y="34" fill="{MUTED}">No data in this range.</text></svg>')
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
    frame = _Frame(nice_ticks(max(max(t for _, top in bands for t in top), 1), whole=whole), width)
    # The last point stands in far enough for its label to sit centred under it.
    inner = width - frame.left - max(RIGHT, _wide(labels[-1]) / 2 + 2)
    xs = [frame.left + (inner * i / (n - 1) if n > 1 else inner / 2) for i in range(n)]
    marks = []
    drawn = list(enumerate(zip(series, bands, strict=True)))
    for index, (one, (base, top)) in drawn if stacked else reversed(drawn):
        colour = one.colour or PALETTE[index % len(PALETTE)]
        if not stacked:
            marks += _line(one, xs, frame.y, colour, dashed=index > 0)
            continue
        upper = " ".join(f"{x:.1f},{frame.y(v):.1f}" for x, v in zip(xs, top, strict=True))
        lower = " ".join(
            f"{x:.1f},{frame.y(v):.1f}" for x, v in reversed(list(zip(xs, base, strict=True)))
        )
        marks.append(
            f'<polygon points="{upper} {lower}" fill="{colour}" fill-opacity="0.75" '
            f'stroke="{colour}" stroke-width="1"><title>{escape(one.name)}</title></polygon>'
        )
    x_labels = _x_labels(labels, xs, frame.bottom, width, every_slot=False)
    return _finish(ident, title, desc, frame, marks, x_labels, series)


def _line(one: Series, xs: Sequence[float], y: Any, colour: str, *, dashed: bool) -> list[str]:
    """A polyline per run of values (broken where a value is None), a dot on each."""
    out, run = [], []  # type: list[str], list[str]
    dash = ' stroke-dasharray="6 4"' if dashed else ""
    for x, value in [*zip(xs, one.values, strict=True), (0.0, None)]:
        if value is not None:
            run.append(f"{x:.1f},{y(value):.1f}")
            out.append(f'<circle cx="{x:.1f}" cy="{y(value):.1f}" r="3" fill="{colour}"/>')
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
) -> str:
    """Vertical bars, one group per label: stacked segments, or side by side."""
    if not labels or not series or all(not any(s.values) for s in series):
        return _empty(ident, title, desc)
    n = len(labels)
    totals = [sum(s.values[i] or 0.0 for s in series) for i in range(n)]
    highest = max(totals) if stacked else max(max(s.numbers or [0.0]) for s in series)
    whole = all(float(v).is_integer() for one in series for v in one.numbers)
    frame = _Frame(nice_ticks(max(highest, 1), whole=whole), width)
    slot = (width - frame.left - RIGHT) / n
    bar = slot * 0.7 / (1 if stacked else len(series))
    marks, centres = [], []
    for i in range(n):
        x0 = frame.left + slot * i + slot * 0.15
        centres.append(frame.left + slot * i + slot / 2)
        bottom = frame.bottom
        for index, one in enumerate(series):
            value = one.values[i] or 0.0
            colour = one.colour or PALETTE[index % len(PALETTE)]
            h = value * frame.scale
            x = x0 if stacked else x0 + bar * index
            y = bottom - h
            if value:
                marks.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                    f'fill="{colour}"><title>{escape(labels[i])}, {escape(one.name)}: '
                    f"{fmt(value)}</title></rect>"
                )
            if stacked:
                bottom = y
    x_labels = _x_labels(labels, centres, frame.bottom, width, every_slot=True)
    return _finish(ident, title, desc, frame, marks, x_labels, series if len(series) > 1 else None)


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
    given; ``maximum`` fixes the scale (1.0 for shares). Each label is on its own line
    above its bar, so a long name needs no room beside the bars."""
    if not rows:
        return _empty(ident, title, desc)
    row_height, bar_height = FONT + 24, 14
    height = TOP + row_height * len(rows)
    top = maximum or max(value for _, value, _ in rows) or 1
    inner = max(40.0, width - 16 - max(_wide(text) for _, _, text in rows))
    room = int((width - 16) / CHAR)
    parts = _open(ident, title, desc, width, height)
    for i, (label, value, text) in enumerate(rows):
        y = TOP + row_height * i
        w = max(0.0, value) / top * inner
        short = label if len(label) <= room else label[: room - 1] + "…"
        bar_y = y + FONT + 5
        parts.append(
            f'<text x="8" y="{y + FONT}" fill="{INK}">{escape(short)}</text>'
            f'<rect x="8" y="{bar_y}" width="{w:.1f}" height="{bar_height}" '
            f'fill="{PALETTE[0]}"><title>{escape(label)}: {escape(text)}</title></rect>'
            f'<text x="{8 + w + 6:.1f}" y="{bar_y + bar_height - 2}" fill="{INK}">'
            f"{escape(text)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
