"""Issue 31, item 9 ("Polish"), as a person sees it in Chromium: a contradicted claim's
badge reads "✗ contradicted" once (the ✗ is the stylesheet's) with no "unconfirmed"
beside it; the score on a claim card is labelled; no empty dashed box under Assign; the
printed verification report keeps every digit of items 10 and on (measured with print
media, and read back from the PDF Chromium prints); the public verdict page is headed
with the newsroom's name and shows the note and the sources."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from claims.confirmation import service as status
from claims.models import Article, Evidence
from claims.publication import verdicts
from tests.browser.test_review import screenshot, settled

pytestmark = pytest.mark.browser

# Twelve sentences: the report numbers them 1 to 12, and print used to cut "10." to "0.".
SENTENCES = [
    f"The council said {n} new bridges would cost {n * 3}.5 million dollars by {2020 + n}."
    for n in range(1, 13)
]

# The badge's words as drawn: the ::before content (the stylesheet's ✗) and the text.
BADGE_AS_DRAWN = """(el) => {
  const before = getComputedStyle(el, "::before").content;
  const drawn = before && before !== "none" ? JSON.parse(before) : "";
  return drawn + el.textContent;
}"""

# Each number of the printed report: inside its item, inside the page, not clipped.
NUMBERS_LAID_OUT = """() => [...document.querySelectorAll(".report-number")].map((el) => {
  const box = el.getBoundingClientRect();
  const item = el.closest("li").getBoundingClientRect();
  return {text: el.textContent, left: box.left, itemLeft: item.left,
          fits: el.scrollWidth <= el.clientWidth, width: box.width};
})"""


def test_a_contradicted_claim_reads_contradicted_once_and_the_score_is_labelled(
    page: Page,
    editor: User,
    log_in: Callable[[Page, User], None],
    make_article: Callable[..., Article],
    support: Callable[..., Evidence],
) -> None:
    article = make_article()
    refuted, undecided = article.claims.order_by("start")
    support(refuted, "https://www.bbc.com/news/budget", stance=Evidence.Stance.REFUTES)
    log_in(page, editor)

    page.goto(f"/articles/{article.pk}/?claim={undecided.pk}")

    item = page.locator(f"#claim-{refuted.pk}")
    badge = item.locator(".badge.contradicted")
    expect(badge).to_have_count(1)
    assert badge.evaluate(BADGE_AS_DRAWN) == "✗ contradicted"
    expect(item.locator(".badge.status-unconfirmed")).to_have_count(0)
    expect(item.locator(".score")).to_have_text(re.compile(r"^Check-worthiness\s+0\.90$"))
    # The undecided claim's panel: Assign, and no empty verdict box under it.
    panel = page.locator("#panel")
    expect(panel.get_by_role("button", name="Assign")).to_be_visible()
    expect(panel.locator(".verdict-box")).to_have_count(0)
    screenshot(page, "polish-contradicted-badge", full_page=False)


def test_the_printed_report_keeps_every_digit_of_its_numbers(
    page: Page,
    editor: User,
    log_in: Callable[[Page, User], None],
    make_article: Callable[..., Article],
) -> None:
    article = make_article(SENTENCES, title="Twelve bridges")
    log_in(page, editor)
    page.goto(f"/articles/{article.pk}/report/")
    page.emulate_media(media="print")

    laid_out = page.evaluate(NUMBERS_LAID_OUT)

    assert [n["text"] for n in laid_out] == [f"{n}." for n in range(1, 13)]
    for number in laid_out:
        assert number["fits"], number
        assert number["left"] >= number["itemLeft"] >= 0, number
    # Room for three digits: "100." fits the same box.
    page.evaluate("document.querySelector('.report-number').textContent = '100.'")
    assert page.evaluate(NUMBERS_LAID_OUT)[0]["fits"]
    page.evaluate("document.querySelector('.report-number').textContent = '1.'")
    screenshot(page, "polish-report-print")

    # Printed: each number is drawn whole, inside the page's printable area (the
    # stylesheet's @page margin is 1.4 cm left and right).
    placed = numbers_in_pdf(page.pdf(format="A4", print_background=True))
    margin = 1.4 / 2.54 * 72
    assert set(placed) == {f"{n}." for n in range(1, 13)}
    for number, x in placed.items():
        assert x >= margin - 1, (number, x, margin, placed)


def numbers_in_pdf(pdf: bytes) -> dict[str, float]:
    """The report's numbers ("1." ...) in the PDF, with the x (points from the page's left
    edge) where each one's text starts."""
    found: dict[str, float] = {}

    def visit(text: str, cm: list[float], tm: list[float], *_: Any) -> None:
        if re.fullmatch(r"\d+\.", text.strip()):
            found[text.strip()] = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]

    for printed in PdfReader(io.BytesIO(pdf)).pages:
        printed.extract_text(visitor_text=visit)
    return found


def test_the_public_verdict_page_is_the_newsrooms_with_its_reasons(
    page: Page,
    editor: User,
    fact_checker: User,
    make_article: Callable[..., Article],
    support: Callable[..., Evidence],
    settings: Any,
) -> None:
    settings.WORKBENCH_CONFIRMATIONS_REQUIRED = 1
    settings.WORKBENCH_NEWSROOM_NAME = "Daily Example Fact Check"
    claim = make_article().claims.order_by("start").first()
    support(claim, "https://apnews.com/article/budget")
    claim.refresh_from_db()
    status.confirm(claim, by=fact_checker, note="The council's minutes give the figure.")
    published = verdicts.publish(claim, by=editor)

    page.goto(published.get_absolute_url())
    settled(page)

    expect(page.locator(".topbar .brand")).to_have_text("Daily Example Fact Check")
    expect(page).to_have_title(re.compile(r" · Daily Example Fact Check$"))
    expect(page.get_by_text("Claim workbench")).to_have_count(0)
    expect(page.locator("#verdict-note")).to_have_text("The council's minutes give the figure.")
    source = page.locator("#verdict-sources li")
    expect(source).to_have_count(1)
    expect(source.get_by_role("link")).to_have_attribute(
        "href", "https://apnews.com/article/budget"
    )
    expect(source).to_contain_text(re.compile(r"captured \d{1,2} \w+ \d{4}"))
    screenshot(page, "polish-verdict-page")
