"""Issue 28, "people decide", in a real browser at desktop (1280 px) and phone (390 px)
widths: ``u`` on a confirmed, published claim opens the form that asks why; ``c`` on a
confirmed claim only says that it is confirmed; a claim in needs re-review shows its
confirmed and current wording with the change marked. Screenshots go to
var/screenshots/ (``people-<what>-<width>.png``)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, Request, expect

from claims.confirmation import service as status
from claims.models import Article, Claim
from claims.publication import verdicts
from tests.browser.test_review import press, screenshot, settled
from tests.browser.test_review_experience import HEIGHTS, accessible, at_width, fits

pytestmark = pytest.mark.browser

WIDTHS = [1280, 390]


def confirmed_claim(make_article: Callable[..., Article], support, by: User) -> Claim:
    claim = make_article().claims.order_by("start").first()
    support(claim, "https://www.reuters.com/world/budget")
    status.confirm(claim, by=by, note="Reuters reports the same figure")
    return claim


def open_panel(page: Page, claim: Claim) -> None:
    page.goto(f"/articles/{claim.article_id}/?claim={claim.pk}")
    expect(page.locator("#panel h2")).to_have_text(f"Claim #{claim.pk}")
    settled(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_u_on_a_confirmed_published_claim_opens_the_form_that_asks_why(
    page: Page, width: int, fact_checker: User, editor: User, make_article, support, log_in
) -> None:
    claim = confirmed_claim(make_article, support, fact_checker)
    verdict = verdicts.publish(claim, by=editor)
    at_width(page, width)
    log_in(page, fact_checker)
    open_panel(page, claim)
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    form = page.locator(f"#unconfirm-{claim.pk}")
    expect(form).not_to_have_attribute("open", "")
    press(page, "u")
    expect(form).to_have_attribute("open", "")
    expect(page.locator(f"#status-note-{claim.pk}")).to_be_focused()
    warning = page.locator(f"#published-warning-{claim.pk}")
    expect(warning).to_contain_text("This claim's verdict is published at")
    expect(warning.get_by_role("link")).to_have_attribute(
        "href", f"{page.url.split('/articles/')[0]}{verdict.get_absolute_url()}"
    )
    assert posts == [], "u must not send anything by itself"
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.CONFIRMED
    fits(page)
    accessible(page)
    screenshot(page, f"people-unconfirm-form-{width}", full_page=False)

    page.keyboard.type("The budget figure is last year's")
    form.get_by_role("button", name="Unconfirm").click()
    expect(page.locator("#result-status")).to_contain_text("Claim marked unconfirmed.")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.UNCONFIRMED
    assert claim.status_note == "The budget figure is last year's"


@pytest.mark.parametrize("width", WIDTHS)
def test_c_on_a_confirmed_claim_only_says_that_it_is_confirmed(
    page: Page, width: int, fact_checker: User, make_article, support, log_in
) -> None:
    claim = confirmed_claim(make_article, support, fact_checker)
    at_width(page, width)
    log_in(page, fact_checker)
    open_panel(page, claim)
    sent: list[Request] = []
    page.on("request", lambda r: sent.append(r) if r.method == "POST" else None)
    said = page.locator(f"#already-confirmed-{claim.pk}")
    expect(said).to_be_hidden()
    press(page, "c")
    expect(said).to_be_visible()
    expect(said).to_have_text("This claim is already confirmed; nothing to do.")
    expect(page.locator("#announce")).to_contain_text("already confirmed")
    settled(page)
    assert sent == []
    assert claim.confirmations.count() == 1
    claim.refresh_from_db()
    assert claim.status_note == "Reuters reports the same figure"
    fits(page)
    screenshot(page, f"people-c-confirmed-{width}", full_page=False)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_claim_in_needs_rereview_shows_both_wordings_with_the_change_marked(
    page: Page, width: int, fact_checker: User, make_article, support, log_in
) -> None:
    claim = confirmed_claim(make_article, support, fact_checker)
    Claim.objects.filter(pk=claim.pk).update(
        text="The city council approved a budget of 4.6 million dollars on Tuesday."
    )
    status.lapse([claim], cause="the article was edited")
    at_width(page, width)
    log_in(page, fact_checker)
    open_panel(page, claim)
    change = page.locator(f"#wording-change-{claim.pk}")
    change.scroll_into_view_if_needed()
    old, new = change.locator(".confirmed-wording"), change.locator(".current-wording")
    expect(old).to_contain_text("4.2 million dollars on Monday")
    expect(new).to_contain_text("4.6 million dollars on Tuesday")
    expect(old.locator("del")).to_have_text(["4.2", "Monday."])
    expect(new.locator("ins")).to_have_text(["4.6", "Tuesday."])
    expect(new.locator("del")).to_have_count(0)
    left, right = old.bounding_box(), new.bounding_box()
    assert left and right
    if width >= 1100:  # side by side
        assert abs(left["y"] - right["y"]) < 2 and right["x"] > left["x"] + left["width"]
    else:  # stacked on a phone
        assert right["y"] >= left["y"] + left["height"] and abs(left["x"] - right["x"]) < 2
    assert page.viewport_size["height"] == HEIGHTS[width]
    fits(page)
    accessible(page)
    screenshot(page, f"people-rereview-wording-{width}", full_page=False)


@pytest.mark.parametrize("width", WIDTHS)
def test_bulk_confirm_lists_each_claim_confirmed_or_refused_with_the_reason(
    page: Page, width: int, fact_checker: User, make_article, support, log_in
) -> None:
    confirmed = confirmed_claim(make_article, support, fact_checker)
    fresh, unsupported = make_article(
        [
            "Unemployment fell to 3.1 percent in May, the agency said.",
            "The mayor said the new bridge will open in 2027.",
        ],
        title="Jobs",
    ).claims.order_by("start")
    support(fresh, "https://apnews.com/article/jobs")
    at_width(page, width)
    log_in(page, fact_checker)
    page.goto("/claims/")
    for claim in (confirmed, fresh, unsupported):
        page.check(f'input[name="ids"][value="{claim.pk}"]')
    page.select_option("#bulk-action", "confirm")
    page.get_by_role("button", name="Go").click()
    groups = page.locator("#messages .bulk-result > li")
    expect(groups).to_have_count(3)
    expect(page.locator("#messages")).to_contain_text("Bulk confirm: 1 confirmed, 2 refused.")
    for claim, reason in [
        (fresh, "Confirmed"),
        (confirmed, "Refused: already confirmed"),
        (unsupported, "Refused: needs 1 more supporting source"),
    ]:
        group = groups.filter(has=page.locator("strong", has_text=re.compile(f"^{reason}")))
        expect(group).to_contain_text("(1 claim)")
        link = group.get_by_role("link")
        expect(link).to_have_attribute("href", claim.get_absolute_url())
        expect(link).to_contain_text(f"#{claim.pk} ")
    assert confirmed.confirmations.count() == 1
    fits(page)
    accessible(page)
    screenshot(page, f"people-bulk-result-{width}", full_page=False)
