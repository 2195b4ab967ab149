"""Issue 32's headline check in a real browser with a real worker, at desktop (1280 px)
and phone (390 px) widths: a health story whose headline says £48m while its body says
£46m is flagged on the article page and held in readiness; the flag links to the claim
that says otherwise; neither the headline line nor the "Opposition doubts" sub-heading
is a claim, and "£31,200" keeps its "£"; an editor corrects the text and the flag is
gone, at once and after the re-extraction. Screenshots:
var/screenshots/headline-check-<width>.png and headline-check-corrected-<width>.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from claims.models import Article
from tests.browser.test_figure_edit import _wait_for
from tests.browser.test_review import paste_article, screenshot, settled
from tests.browser.test_review_experience import accessible, at_width, fits

pytestmark = pytest.mark.browser

STORY = (Path(__file__).parents[1] / "fixtures" / "headline_story.txt").read_text("utf-8")
TITLE = "St Mary's hospital to get £48m cancer wing"


def _done(pk: int, revision: int) -> bool:
    article = Article.objects.get(pk=pk)
    return article.revision == revision and article.state == Article.State.DONE


@pytest.mark.parametrize("width", [1280, 390])
def test_a_headline_the_body_contradicts_is_flagged_until_the_text_is_corrected(
    page: Page, width: int, editor: User, log_in, worker
) -> None:
    at_width(page, width)
    log_in(page, editor)
    pk = paste_article(page, title=TITLE, outlet="Leeds Post", text=STORY)
    _wait_for(lambda: _done(pk, 1))

    page.goto(f"/articles/{pk}/")
    check = page.locator("#headline-check")
    expect(check).to_contain_text("The headline says £48m; the body says £46m.")
    expect(page.locator("#readiness")).to_contain_text("Needs work")
    expect(page.locator("#readiness .reasons")).to_contain_text(
        "the headline says £48m; the body says £46m"
    )
    items = page.locator(".claim-item")
    expect(items.filter(has_text="Opposition doubts")).to_have_count(0)  # furniture
    expect(items.filter(has_text=TITLE)).to_have_count(0)  # the headline, not a claim
    fits(page)
    accessible(page)
    screenshot(page, f"headline-check-{width}", full_page=False)

    check.get_by_role("link").click()
    expect(page.locator("#panel")).to_contain_text("will cost £46m")
    settled(page)

    page.goto(f"/articles/{pk}/edit/")
    text = page.locator("#id_text")
    text.fill(text.input_value().replace("will cost £46m", "will cost £48m"))
    page.get_by_role("button", name="Save new revision").click()
    expect(page.locator("#headline-check")).to_have_count(0)  # at once, before re-extraction
    _wait_for(lambda: _done(pk, 2))

    page.goto(f"/articles/{pk}/?all=1")
    expect(page.locator("#headline-check")).to_have_count(0)
    expect(page.locator("#readiness .reasons")).not_to_contain_text("headline says")
    fits(page)
    screenshot(page, f"headline-check-corrected-{width}", full_page=False)
    claim = Article.objects.get(pk=pk).claims.get(text__contains="£31,200")
    assert ("£31,200", "MONEY") in {(e["text"], e["label"]) for e in claim.entities}
