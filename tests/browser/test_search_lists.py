"""Issue 31 in a real browser: the claims list searches as you type, accents and case
folded ("muller" finds Müller), punctuation kept ("A&E" finds only A&E), without a
click; and the evidence form offers recent sources before anything is typed. Screenshots
go to var/screenshots/ (``search-<what>-<width>.png``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from claims.models import Article
from tests.browser.test_review import screenshot, settled
from tests.browser.test_review_experience import at_width, fits

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_the_claims_list_searches_as_you_type(
    page: Page, width: int, viewer: User, make_article: Callable[..., Article], log_in
) -> None:
    make_article(
        [
            "Thomas Müller said A&E waiting times rose by 12 percent.",
            "Zoë Ball said A and E departments were full in March.",
            "The E&A ward reopened after the floods, the trust said.",
        ]
    )
    at_width(page, width)
    log_in(page, viewer)
    page.goto("/claims/")
    rows = page.locator("#claim-table tbody tr")
    expect(rows).to_have_count(3)

    page.locator("#id_q").press_sequentially("muller", delay=40)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Thomas Müller")
    assert "q=muller" in page.url, "the address follows the search"

    page.locator("#id_q").fill("")
    page.locator("#id_q").press_sequentially("A&E", delay=40)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("A&E waiting times")
    page.locator("#id_q").fill("zoe")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Zoë Ball")
    settled(page)
    fits(page)
    screenshot(page, f"search-claims-{width}")


def test_the_evidence_form_offers_recent_sources_and_finds_an_outlet(
    page: Page,
    fact_checker: User,
    make_article: Callable[..., Article],
    make_source,
    support,
    log_in,
) -> None:
    claim = make_article().claims.order_by("start").first()
    assert claim is not None
    support(claim, "https://www.reuters.com/world/budget")
    make_source("https://www.theguardian.com/uk/report", title="Hospital report")
    make_article(["Another story is here."], outlet="The Guardian", outlet_domain="theguardian.com")
    log_in(page, fact_checker)
    page.goto(f"/articles/{claim.article_id}/?claim={claim.pk}")
    settled(page)
    page.locator("summary", has_text="Add evidence").click()
    picker = page.locator(f"#source-options-{claim.pk}")
    expect(picker.locator("option", has_text="Hospital report")).to_have_count(1)
    expect(picker.locator("option", has_text="reuters.com")).to_have_count(1)

    page.locator(f"#source-search-{claim.pk}").press_sequentially("guardian", delay=40)
    expect(picker.locator("option", has_text="reuters.com")).to_have_count(0)
    expect(picker.locator("option", has_text="Hospital report")).to_have_count(1)
    screenshot(page, "search-source-picker-1280")
