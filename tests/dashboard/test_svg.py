"""The dashboard's SVG charts (``claims/dashboard/svg.py``): well-formed, accessible,
CSP-safe, and drawing exactly the numbers given."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from claims.dashboard import svg

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


@given(st.floats(min_value=1e-6, max_value=1e12, allow_nan=False))
def test_ticks_start_at_zero_cover_the_top_and_are_round(top: float) -> None:
    ticks = svg.nice_ticks(top)
    assert ticks[0] == 0 and ticks[-1] >= top * (1 - 1e-9)
    assert 2 <= len(ticks) <= 7
    step = ticks[1] - ticks[0]
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 5, 10))


def test_ticks_of_nothing_are_zero_and_one() -> None:
    assert svg.nice_ticks(0) == [0.0, 1.0]
    assert svg.nice_ticks(float("nan")) == [0.0, 1.0]


def test_an_area_chart_is_accessible_and_uses_no_style_attribute() -> None:
    markup = svg.area_chart(
        "backlog", "Backlog grew 18%", "Daily counts", ["1 Dec", "2 Dec", "3 Dec"],
        [svg.Series("Unconfirmed", (3, 4, 5)), svg.Series("Confirmed", (1, 1, 2))],
    )  # fmt: skip
    root = parse(markup)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "backlog-title backlog-desc"
    assert root.find("s:title", NS).text == "Backlog grew 18%"
    assert root.find("s:desc", NS).text == "Daily counts"
    assert "style=" not in markup and "<script" not in markup
    assert len(root.findall("s:polygon", NS)) == 2


@given(
    st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=30),
    st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=30),
)
def test_stacked_bars_are_as_tall_as_their_values(first: list[int], second: list[int]) -> None:
    n = min(len(first), len(second))
    a, b = tuple(first[:n]), tuple(second[:n])
    markup = svg.bar_chart(
        "c", "t", "d", [f"w{i}" for i in range(n)], [svg.Series("A", a), svg.Series("B", b)]
    )
    root = parse(markup)
    rects = root.findall("s:rect", NS)
    drawn = [r for r in rects if r.find("s:title", NS) is not None]
    assert len(drawn) == sum(1 for v in a + b if v)
    if not any(a + b):
        return
    top = svg.nice_ticks(max(x + y for x, y in zip(a, b, strict=True)))[-1]
    scale = svg.PLOT_HEIGHT / top
    for rect in drawn:
        label = rect.find("s:title", NS).text or ""
        value = float(label.rsplit(": ", 1)[1].replace(",", ""))
        assert math.isclose(float(rect.get("height")), value * scale, abs_tol=0.06)


def test_hostile_labels_are_escaped() -> None:
    markup = svg.hbar_chart(
        "o", "<b>x</b>", "d & e", [("<script>alert(1)</script>", 3, "3 of 4 (75%)")]
    )
    parse(markup)
    assert "<script>" not in markup and "&lt;script&gt;" in markup


def test_empty_data_says_so() -> None:
    root = parse(svg.area_chart("e", "Nothing", "d", [], []))
    assert "No data" in "".join(root.itertext())


def test_series_and_labels_must_agree() -> None:
    import pytest

    with pytest.raises(ValueError, match="values for 2 labels"):
        svg.area_chart("x", "t", "d", ["a", "b"], [svg.Series("A", (1, 2, 3))])


@given(st.integers(min_value=1, max_value=10**9))
def test_counts_get_whole_ticks(top: int) -> None:
    ticks = svg.nice_ticks(top, whole=True)
    assert all(float(t).is_integer() for t in ticks)
    assert ticks[-1] >= top


def test_a_line_breaks_where_there_is_nothing_to_show() -> None:
    series = [
        svg.Series("Median hours", (None, 4.0, 5.0, None, 3.0)),
        svg.Series("90th percentile hours", (None, 9.0, 9.0, None, 6.0)),
    ]
    root = parse(svg.area_chart("t", "T", "D", list("abcde"), series, stacked=False))
    lines = root.findall("s:polyline", NS)
    assert len(lines) == 4  # two runs per series: b-c, then e alone
    assert len(root.findall("s:circle", NS)) == 6  # a dot per value shown
    # The median (first series) is drawn last, on top; the other is dashed.
    assert lines[-1].find("s:title", NS).text == "Median hours"  # type: ignore[union-attr]
    assert lines[0].get("stroke-dasharray") and not lines[-1].get("stroke-dasharray")


def _extents(root: ET.Element) -> list[tuple[float, float, float]]:
    """Each text's (left, right, baseline), measured as the drawing measures it."""
    out = []
    for text in root.iter("{http://www.w3.org/2000/svg}text"):
        x, width = float(text.get("x") or 0), svg._wide(text.text or "")
        anchor = text.get("text-anchor") or "start"
        left = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
        out.append((left, left + width, float(text.get("y") or 0)))
    return out


labels = st.lists(st.text("ab 1<&", min_size=1, max_size=14), min_size=1, max_size=31)


@given(labels, st.booleans())
def test_no_text_overlaps_another_or_leaves_the_chart(names: list[str], bars: bool) -> None:
    series = [
        svg.Series(name, tuple(float(i % 7) for i in range(len(names))))
        for name in ("Unconfirmed", "Needs re-review", "The claim's wording changed")
    ]
    draw = svg.bar_chart if bars else svg.area_chart
    root = parse(draw("c", "t", "d", names, series))
    height = float((root.get("viewBox") or "").split()[3])
    texts = _extents(root)
    for left, right, y in texts:
        assert left >= 0 and right <= svg.WIDTH and y <= height, (left, right, y)
    for i, (left, right, y) in enumerate(texts):
        for other_left, other_right, other_y in texts[i + 1 :]:
            if abs(y - other_y) < svg.FONT:  # on one line
                assert right <= other_left or other_right <= left, (names, y)


def test_a_long_name_in_horizontal_bars_is_shortened_to_the_chart() -> None:
    rows = [("A very long speaker name that would not fit beside a bar", 3.0, "3 of 4 (75%)")]
    root = parse(svg.hbar_chart("h", "t", "d", rows))
    assert all(right <= svg.WIDTH for _, right, _ in _extents(root))
