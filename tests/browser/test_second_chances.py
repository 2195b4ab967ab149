"""Issue 31, item 7, in a real browser: back after creating an article, then Save
again, opens the first article instead of making a silent duplicate; a failed article
is retried with pasted text from its own page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from claims.models import Article, ArticleRevision
from tests.browser.test_review_experience import at_width, fits

pytestmark = pytest.mark.browser

TEXT = "The council approved a budget of 4.2 million dollars on Monday."


@pytest.mark.parametrize("width", [1280, 390])
def test_back_then_save_again_opens_the_first_article(
    page: Page, width: int, editor: User, log_in: Callable[[Page, User], None]
) -> None:
    at_width(page, width)
    log_in(page, editor)
    page.goto("/articles/new/")
    page.locator("#id_title").fill("Council budget")
    page.locator("#id_text").fill(TEXT)
    page.get_by_role("button", name="Save and extract claims").click()
    page.wait_for_url("**/articles/*/")
    first = page.url

    page.go_back()
    expect(page.locator("#id_text")).to_have_value(TEXT)
    page.get_by_role("button", name="Save and extract claims").click()

    page.wait_for_url(first)
    expect(page.locator("#messages")).to_contain_text(
        "This form was already sent: here is the article it created."
    )
    assert Article.objects.count() == 1
    fits(page)


def test_a_new_form_with_the_same_text_warns_and_links_to_the_first(
    page: Page, editor: User, log_in: Callable[[Page, User], None], make_article
) -> None:
    earlier = make_article([TEXT], title="Council budget")
    log_in(page, editor)
    page.goto("/articles/new/")
    page.locator("#id_text").fill(TEXT)
    page.get_by_role("button", name="Save and extract claims").click()

    warning = page.locator("#duplicate")
    expect(warning).to_contain_text("This text is already the article")
    expect(warning.get_by_role("link", name="“Council budget”")).to_have_attribute(
        "href", earlier.get_absolute_url()
    )
    warning.get_by_role("button", name="Save it as a new article anyway").click()
    page.wait_for_url("**/articles/*/")
    assert Article.objects.count() == 2


def test_a_failed_article_is_retried_with_pasted_text(
    page: Page, editor: User, log_in: Callable[[Page, User], None]
) -> None:
    url = "https://www.dailyexample.com/gone"
    article = Article.objects.create(
        title=url, url=url, origin=Article.Origin.URL, state=Article.State.FAILED,
        error=f"Could not fetch {url}: HTTP 404", created_by=editor,
    )  # fmt: skip
    ArticleRevision.objects.create(article=article, number=1, body="", created_by=editor)
    log_in(page, editor)
    page.goto(article.get_absolute_url())
    expect(page.locator("#readiness")).to_contain_text("claim extraction failed: retry it")

    page.get_by_role("link", name="Retry with another URL or pasted text").click()
    page.locator("#id_text").fill(TEXT)
    page.get_by_role("button", name="Save and extract claims").click()

    page.wait_for_url(f"**{article.get_absolute_url()}")
    expect(page.locator("#messages")).to_contain_text("saved")  # and queued, or waits for it
    article.refresh_from_db()
    assert article.revision == 2 and article.body == TEXT
