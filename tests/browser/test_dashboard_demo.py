"""The dashboard on the demo desk (``manage.py setup_demo``, what ``make run`` shows) in
a real browser, at a phone's and a desktop's width: every chart has data (not its empty
state), its text is legible (at least 12 px on the screen), nothing is wider than the
screen (its table of numbers unfolded too: on a laptop each fits its card), and axe finds
nothing serious. The screenshots of the docs are taken here
(``dashboard-390.png``, ``dashboard-1280.png``; ``UPDATE_SCREENSHOTS=1``)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from playwright.sync_api import Page, expect

from claims.dashboard import figures
from tests.browser.test_review import screenshot
from tests.browser.test_review_experience import accessible, at_width, fits
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

EMPTY = "No data in this range."
# The smallest text of a chart as drawn on the screen, in CSS pixels: each text's font
# size times the scale its SVG is drawn at.
SMALLEST_TEXT = """() => Math.min(...[...document.querySelectorAll("svg.chart text")].map(
  (t) => parseFloat(getComputedStyle(t).fontSize) * t.closest("svg").getScreenCTM().a))"""


# The charts whose table of numbers is wider than its box (and so scrolls sideways in it).
WIDE_TABLES = """() => [...document.querySelectorAll(".chart-table .table-wrap")]
  .filter((wrap) => wrap.scrollWidth > wrap.clientWidth)
  .map((wrap) => `${wrap.closest("section").id}: ${wrap.scrollWidth} > ${wrap.clientWidth}`)"""


@pytest.fixture
def demo_desk(
    transactional_db: Any, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> User:
    settings.USES_EMBEDDED_REDIS = True
    settings.EMBEDDED_REDIS_SOCKET = tmp_path / "redis.sock"  # as make run: not started yet
    monkeypatch.setenv("WORKBENCH_DEMO_PASSWORD", PASSWORD)
    call_command("setup_demo", stdout=io.StringIO())
    return User.objects.get(username="editor")


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    from django.core.cache import cache

    cache.clear()


@pytest.mark.parametrize("width", [390, 1280])
def test_on_the_demo_desk_every_chart_has_data_and_reads_on_the_screen(
    page: Page, demo_desk: User, log_in: Callable[[Page, User], None], width: int
) -> None:
    at_width(page, width)
    log_in(page, demo_desk)
    page.goto("/dashboard/")
    for key in figures.KEYS:
        section = page.locator(f"#chart-{key}")
        chart = section.locator("svg.chart")
        expect(chart).to_be_visible()
        expect(chart).not_to_contain_text(EMPTY)
        assert chart.locator("polygon, polyline, rect").count() > 0, f"{key} draws nothing"
        expect(section.locator("table tbody")).not_to_contain_text(EMPTY)
        box = chart.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (key, box)
    smallest = page.evaluate(SMALLEST_TEXT)
    assert smallest >= 12, f"chart text drawn at {smallest:.1f} px at {width} px"
    fits(page)
    accessible(page)
    screenshot(page, f"dashboard-{width}", full_page=True)
    for key in figures.KEYS:
        page.locator(f"#chart-{key} summary").click()
        expect(page.locator(f"#chart-{key} table")).to_be_visible()
    fits(page)
    if width == 1280:  # on a phone the backlog's five columns scroll in their own box
        assert page.evaluate(WIDE_TABLES) == []
