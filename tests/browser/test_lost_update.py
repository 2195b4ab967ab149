"""Issue 31, item 1, in a real browser: the lost update, with two tabs (two browser
contexts, two editors). Tab A saves "32 to 8"; tab B, opened earlier, saves "£15
million". B is refused with both versions shown and the differences marked; its
editor holds its text with A's change merged in (they touch different words); B saves
again, and both changes are in the article. Screenshots: var/screenshots/lost-update-<width>.png."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import Browser, Page, expect

from claims import roles
from claims.models import Article
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.test_review import screenshot
from tests.browser.test_review_experience import HEIGHTS, accessible, at_width, fits
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

SCORE = "The home side won the final 32 to 6 on Saturday."
MONEY = "The new stand cost £12 million, the club said."


@pytest.mark.parametrize("width", [1280, 390])
def test_two_tabs_editing_one_article_never_lose_a_change(
    page: Page,
    browser: Browser,
    live_server: Any,
    width: int,
    editor: User,
    make_article: Callable[..., Article],
    log_in,
) -> None:
    article = make_article([SCORE, MONEY])
    second = User.objects.create_user("eric", "eric@example.org", PASSWORD)
    second.groups.add(Group.objects.get(name=roles.EDITORS))
    at_width(page, width)
    log_in(page, editor)
    context_b = browser.new_context(
        viewport={"width": width, "height": HEIGHTS[width]}, base_url=live_server.url
    )
    context_b.set_default_timeout(TIMEOUT_MS)
    try:
        tab_b = context_b.new_page()
        log_in(tab_b, second)
        tab_b.goto(f"/articles/{article.pk}/edit/")  # B opens the editor first
        page.goto(f"/articles/{article.pk}/edit/")

        text_a = page.locator("#id_text")
        text_a.fill(text_a.input_value().replace("32 to 6", "32 to 8"))
        page.get_by_role("button", name="Save new revision").click()
        expect(page.locator("#messages")).to_contain_text("New revision saved")

        text_b = tab_b.locator("#id_text")
        text_b.fill(text_b.input_value().replace("£12 million", "£15 million"))
        tab_b.get_by_role("button", name="Save new revision").click()

        expect(tab_b.locator("#conflict")).to_contain_text(
            "Not saved: this edit was based on revision 1, but someone saved revision 2"
        )
        expect(tab_b.locator("#newer-text del")).to_have_text(["£12"])
        expect(tab_b.locator("#your-text ins")).to_have_text(["£15"])
        expect(tab_b.locator("#newer-title")).to_contain_text("Revision 2, saved by edna")
        expect(tab_b.locator("#merge-note")).to_contain_text("the editor below holds both")
        merged = text_b.input_value()  # B's work is kept, with A's change merged in
        assert "£15 million" in merged and "32 to 8" in merged
        assert Article.objects.get(pk=article.pk).revision == 2
        fits(tab_b)
        accessible(tab_b)
        screenshot(tab_b, f"lost-update-{width}")

        tab_b.get_by_role("button", name="Save new revision").click()
        expect(tab_b.locator("#messages")).to_contain_text("New revision saved")
    finally:
        context_b.close()
    article.refresh_from_db()
    assert article.revision == 3
    assert "32 to 8" in article.body and "£15 million" in article.body
