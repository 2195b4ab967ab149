"""The desk in a real browser: today's queue with a bulk assignment, and the printable
verification report of a blocked story (screen and print media). Screenshots go to
var/screenshots/, or docs/screenshots/ with ``UPDATE_SCREENSHOTS=1``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from claims.confirmation import service as status
from claims.models import Article, Claim, Evidence
from tests.browser.test_review import screenshot

pytestmark = pytest.mark.browser

SENTENCES = [
    "The city council approved a budget of 4.2 million dollars for schools on Monday.",
    "The mayor said the new bridge over the river will open in March 2027.",
    "Unemployment in the district fell to 5.1 percent last year, the statistics office said.",
    "Officials reportedly plan to close two libraries next spring.",
]


@pytest.fixture
def story(
    make_article: Callable[..., Article],
    support: Callable[..., Evidence],
    fact_checker: User,
    editor: User,
) -> Article:
    """A story of today: one claim confirmed, one contradicted, two open (one hedged)."""
    article = make_article(SENTENCES, title="Council approves school budget", created_by=editor)
    budget, bridge, unemployment, libraries = article.claims.order_by("start")
    support(
        budget,
        url="https://www.reuters.com/world/council-budget",
        excerpt="approved a budget of 4.2 million dollars for schools",
        added_by=fact_checker,
    )
    status.confirm(budget, by=fact_checker, note="matches the council minutes")
    support(
        bridge,
        url="https://www.bbc.co.uk/news/bridge-delay",
        stance=Evidence.Stance.REFUTES,
        excerpt="the bridge will not open before 2029",
        added_by=fact_checker,
    )
    Claim.objects.filter(pk=libraries.pk).update(hedged=True, checkworthiness=0.55)
    Claim.objects.filter(pk=unemployment.pk).update(checkworthiness=0.74)
    return article


def test_the_desk_assigns_from_todays_queue_and_prints_the_report(
    page: Page,
    story: Article,
    editor: User,
    fact_checker: User,
    log_in: Callable[[Page, User], None],
) -> None:
    log_in(page, editor)

    page.goto("/queue/")
    rows = page.locator("#queue-table li.queue-item")
    expect(rows).to_have_count(2)  # the confirmed and the contradicted claims are not in it
    expect(rows.first).to_contain_text("Unemployment in the district fell")
    expect(page.locator("#queue-contradicted li.queue-item")).to_have_count(1)
    page.check("input[data-check-all]")
    page.select_option("#bulk_assignee", label=fact_checker.username)
    screenshot(page, "todays-queue")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.locator(".message.success")).to_contain_text("2 claims assigned to")
    expect(rows.first.locator(".assignee")).to_have_text(f"assigned to {fact_checker.username}")

    page.goto(f"/articles/{story.pk}/")
    expect(page.locator("#readiness .verdict")).to_contain_text("Blocked")
    screenshot(page, "article-readiness", full_page=False)
    page.click("text=Verification report")
    expect(page.locator("#readiness")).to_contain_text("1 claim is contradicted")
    expect(page.locator(".report-claim")).to_have_count(4)
    expect(page.locator("#report")).to_contain_text("Confirmed by fred")
    expect(page.locator("#report")).to_contain_text("matches the council minutes")
    expect(page.locator("#report")).to_contain_text("the bridge will not open before 2029")
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator("[data-print]")).to_be_hidden()
    screenshot(page, "verification-report")
    pdf = Path(settings.VAR_DIR) / "screenshots" / "verification-report.pdf"
    pdf.parent.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(pdf), format="A4")
    assert pdf.read_bytes().startswith(b"%PDF")
