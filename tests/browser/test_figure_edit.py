"""Issue 28, item 4, in a real browser with a real worker, at desktop (1280 px) and phone
(390 px) widths: an editor changes a figure in a confirmed claim's sentence; after the
re-extraction the claim needs re-review, the panel shows the confirmed and the current
wording with the change marked, no longer says it can be confirmed, and Confirm is
refused because the evidence still quotes the old figure ("figures differ").
Screenshots: var/screenshots/figure-edit-<width>.png."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from claims.confirmation import service as status
from claims.models import Article, Claim
from tests.browser.test_review import screenshot, settled
from tests.browser.test_review_experience import accessible, at_width, fits

pytestmark = pytest.mark.browser

BUDGET = "The city council approved a budget of 48 million pounds on Monday."
WIDTHS = [1280, 390]


def _wait_for(predicate: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "the worker did not re-extract the article"
        time.sleep(0.2)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_figure_edited_in_a_confirmed_claim_is_refused_with_figures_differ(
    page: Page,
    width: int,
    editor: User,
    fact_checker: User,
    make_article: Callable[..., Article],
    support,
    log_in,
    worker,
) -> None:
    article = make_article([BUDGET, "The mayor said the new bridge will open in 2027."])
    claim = article.claims.get(text=BUDGET)
    support(claim, "https://www.reuters.com/world/budget", excerpt=BUDGET)
    status.confirm(claim, by=fact_checker, note="Reuters reports the same figure")

    at_width(page, width)
    log_in(page, editor)
    page.goto(f"/articles/{article.pk}/edit/")
    text = page.locator("#id_text")
    text.fill(text.input_value().replace("48 million", "46 million"))
    page.get_by_role("button", name="Save new revision").click()
    _wait_for(lambda: Claim.objects.get(pk=claim.pk).revision == 2)
    claim.refresh_from_db()
    assert "46 million" in claim.text
    assert claim.status == Claim.Status.NEEDS_REREVIEW

    page.goto(f"/articles/{article.pk}/?claim={claim.pk}")
    expect(page.locator("#panel h2")).to_have_text(f"Claim #{claim.pk}")
    settled(page)
    change = page.locator(f"#wording-change-{claim.pk}")
    change.scroll_into_view_if_needed()
    expect(change.locator(".confirmed-wording del")).to_contain_text(["48"])
    expect(change.locator(".current-wording ins")).to_contain_text(["46"])
    panel = page.locator("#panel")
    expect(panel).to_contain_text("figures differ")
    expect(panel).not_to_contain_text("Can be confirmed")

    panel.get_by_role("button", name="Confirm").first.click()
    expect(page.locator("#result-status")).to_contain_text("figures differ")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.NEEDS_REREVIEW
    assert claim.confirmations.count() == 1
    fits(page)
    accessible(page)
    screenshot(page, f"figure-edit-{width}", full_page=False)
