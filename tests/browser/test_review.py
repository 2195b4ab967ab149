"""The review workbench in a real browser (Debian's Chromium through Playwright), against
the live test server and a real worker: paste an article, review its claims with the
keyboard, add a captured source, confirm; a viewer who cannot change anything; an
article whose text holds HTML. Screenshots of the main pages go to var/screenshots/, or to
docs/screenshots/ (the README's pictures) with ``UPDATE_SCREENSHOTS=1``."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from claims.models import Article, Claim, Evidence
from tests import live
from tests.httpserver import LocalServer, local_server_fixture  # noqa: F401

pytestmark = pytest.mark.browser

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "seed_article.txt"
SCREENSHOTS = (
    Path(settings.BASE_DIR) / "docs" / "screenshots"
    if os.environ.get("UPDATE_SCREENSHOTS") == "1"
    else Path(settings.VAR_DIR) / "screenshots"
)
EXTRACTION_MS = 120_000
SAMPLE_CLAIMS = 11  # the gold file's distinct claims; the list shows the check-worthy ones


def screenshot(page: Page, name: str, *, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def paste_article(
    page: Page, *, title: str, outlet: str, text: str, screenshot_as: str = ""
) -> int:
    """Submit the new-article form; returns the new article's id."""
    page.goto("/articles/new/")
    page.fill("#id_title", title)
    page.fill("#id_outlet", outlet)
    page.fill("#id_text", text)
    if screenshot_as:
        screenshot(page, screenshot_as)
    with page.expect_response(re.compile(r"/articles/\d+/$")) as answer:
        page.click("text=Save and extract claims")
    assert answer.value.ok, f"the article page answered {answer.value.status}"
    return int(page.url.rstrip("/").rsplit("/", 1)[1])


def report_page(quote: str) -> bytes:
    """A wire-service report, on another publisher's site, that quotes ``quote``."""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Officials confirm the account - Wire Service</title></head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article><h1>Officials confirm the account</h1>
<p>Several officials contacted by our reporters on Tuesday gave the same account of the
events, and documents seen by the wire service support it in every detail.</p>
<p>{quote}</p>
<p>The statements were made on the record and were later repeated in a written briefing
distributed to the press, which this service has published in full.</p>
</article><footer>Wire Service</footer></body></html>""".encode()


def settled(page: Page) -> None:
    """Wait until no htmx request is in flight and swapped-in content is processed (htmx
    drops ``htmx-added`` then). Before that, a link or a form in new content is a plain
    one: clicking it would load a new page, as it would for a user without JavaScript."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-added, .htmx-settling')"
    )


def press(page: Page, key: str) -> None:
    """A review shortcut, typed with the focus out of any form field."""
    settled(page)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press(key)


# --- The editor's review ------------------------------------------------------------------------


def test_an_editor_reviews_a_pasted_article_with_the_keyboard_and_confirms_a_claim(
    page: Page,
    worker: live.Worker,
    editor: User,
    local_server: LocalServer,
    log_in: Callable[[Page, User], None],
) -> None:
    page.goto("/accounts/login/")
    screenshot(page, "login")
    log_in(page, editor)

    pk = paste_article(
        page, title="Kerry pledges support to Baghdad", outlet="Daily Example",
        text=SAMPLE.read_text(encoding="utf-8"), screenshot_as="article-new",
    )  # fmt: skip
    items = page.locator("#claim-items li.claim-item")
    expect(page.locator("#counters")).to_contain_text(
        f"{SAMPLE_CLAIMS} claims", timeout=EXTRACTION_MS
    )
    # The matching job, right after extraction, refines each claim's check-worthiness
    # (claims/matching/embeddings.py) and may take a claim off the check-worthy list: the page shows
    # the refined list once it is loaded after that.
    claims = Claim.objects.filter(article_id=pk)
    live.wait_for(
        lambda: not claims.filter(checkworthiness_model="").exists(),
        what="the claims' check-worthiness to be refined",
    )
    page.reload()
    worthy = claims.filter(check_worthy=True).count()
    assert 0 < worthy <= SAMPLE_CLAIMS
    expect(items).to_have_count(worthy)
    expect(page.locator("#counters")).to_contain_text("0 confirmed")

    # Review with the keyboard: j, j, k selects the first claim; nothing reloads the page.
    page.evaluate("window.__marker = 1")
    press(page, "j")
    press(page, "j")
    expect(items.nth(1)).to_have_class(re.compile(r"\bselected\b"))
    press(page, "k")
    first = items.nth(0)
    expect(first).to_have_class(re.compile(r"\bselected\b"))
    claim_id = int(first.get_attribute("data-claim") or 0)
    panel = page.locator("#panel")
    expect(panel.locator("h2")).to_have_text(f"Claim #{claim_id}")
    marks = page.locator(f'mark.hl[data-claim="{claim_id}"]')
    expect(marks.first).to_have_class(re.compile(r"\bactive\b"))
    expect(marks.first).to_have_class(re.compile(r"\bstatus-unconfirmed\b"))
    expect(panel.locator(".blocker")).to_contain_text("Cannot be confirmed now")

    # Add a source with a supporting excerpt (e opens the form).
    claim = Claim.objects.get(pk=claim_id)
    report_url = local_server.add("/report", report_page(claim.text), content_type="text/html")
    press(page, "e")
    expect(panel.locator("details.add-evidence")).to_have_attribute("open", "")
    panel.locator(f"#ev-url-{claim_id}").fill(report_url)
    panel.locator(f"#ev-excerpt-{claim_id}").fill(claim.text)
    settled(page)
    panel.get_by_role("button", name="Add evidence").click()
    evidence = panel.locator("ul.evidence li[id^=evidence-]")
    expect(evidence).to_have_count(1)
    expect(evidence).to_contain_text("Supports")
    expect(evidence).to_contain_text("127.0.0.1")
    # Not captured yet: the evidence does not count, and the panel says why.
    expect(evidence.locator(".verdict")).to_contain_text("Does not count: never captured")
    expect(panel.locator(".blocker")).to_contain_text("needs 1 more supporting source")

    # The worker captures the source; reopening the claim shows the quote check.
    live.wait_for(
        lambda: (
            Evidence.objects.filter(claim_id=claim_id)
            .exclude(quote_check=Evidence.QuoteCheck.UNCHECKED)
            .exists()
        ),
        timeout=60,
        what="the worker to capture the source and check the quote",
        on_timeout=worker.tail,
    )
    settled(page)
    first.locator("a").click()
    expect(evidence).to_contain_text("Quote check: Found in source")
    expect(evidence.locator(".verdict")).to_contain_text("Counts as 127.0.0.1")
    expect(panel.locator(".ok")).to_contain_text("Can be confirmed")

    # Confirm with c: highlight, list row, counters and history change in place.
    press(page, "c")
    expect(panel).to_contain_text("Confirmed by edna")
    expect(first).to_have_class(re.compile(r"\bstatus-confirmed\b"))
    expect(marks.first).to_have_class(re.compile(r"\bstatus-confirmed\b"))
    expect(page.locator("#counters")).to_contain_text("1 confirmed")
    expect(panel.locator("ol.history li").first).to_contain_text("edna")
    expect(panel.locator("ol.history li").first).to_contain_text("confirmed")
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"
    assert Claim.objects.get(pk=claim_id).status == Claim.Status.CONFIRMED
    screenshot(page, "article-review", full_page=False)
    screenshot(page, "article-review-full")

    # A second source whose page does not contain the excerpt: listed as not counting.
    other_url = local_server.add(
        "/other", report_page("The minister declined to comment."), content_type="text/html"
    )
    press(page, "e")
    panel.locator(f"#ev-url-{claim_id}").fill(other_url)
    panel.locator(f"#ev-excerpt-{claim_id}").fill(claim.text)
    settled(page)
    panel.get_by_role("button", name="Add evidence").click()
    expect(evidence).to_have_count(2)
    live.wait_for(
        lambda: Evidence.objects.filter(
            claim_id=claim_id, quote_check=Evidence.QuoteCheck.NOT_FOUND
        ).exists(),
        timeout=60,
        what="the worker to capture the second source",
        on_timeout=worker.tail,
    )
    settled(page)
    first.locator("a").click()
    expect(evidence.nth(1).locator(".verdict")).to_contain_text(
        "Does not count: excerpt not found in the capture of"
    )
    expect(evidence.nth(0).locator(".verdict")).to_contain_text("Counts")
    expect(panel).to_contain_text("Confirmed by edna")
    settled(page)
    # The locator's screenshot scrolls it into view, re-resolving it if htmx swapped it.
    panel.locator("ul.evidence").screenshot(path=str(SCREENSHOTS / "evidence-verdicts.png"))

    # Deleting the evidence the confirmation rested on: needs re-review, in place.
    page.once("dialog", lambda dialog: dialog.accept())
    evidence.nth(0).get_by_role("button", name="Remove").click()
    expect(evidence).to_have_count(1)
    expect(panel.locator(".warning")).to_contain_text("Needs re-review")
    expect(panel.locator(".warning")).to_contain_text("evidence removed")
    expect(first).to_have_class(re.compile(r"\bstatus-needs_rereview\b"))
    expect(marks.first).to_have_class(re.compile(r"\bstatus-needs_rereview\b"))
    expect(page.locator("#counters")).to_contain_text("0 confirmed")
    expect(page.locator("#counters")).to_contain_text("1 needs re-review")
    assert Claim.objects.get(pk=claim_id).status == Claim.Status.NEEDS_REREVIEW
    screenshot(page, "needs-rereview", full_page=False)

    page.goto("/articles/")
    expect(page.locator("main")).to_contain_text("Kerry pledges support to Baghdad")
    screenshot(page, "article-list")
    page.goto("/claims/")
    expect(page.locator("main")).to_contain_text(claim.text[:40])
    screenshot(page, "claim-list")
    page.goto("/sources/")
    expect(page.locator("main")).to_contain_text("127.0.0.1")
    screenshot(page, "source-list")
    assert Article.objects.get(pk=pk).state == Article.State.DONE


# --- The viewer ---------------------------------------------------------------------------------


def test_a_viewer_sees_the_review_but_cannot_change_anything(
    page: Page,
    viewer: User,
    make_article: Callable[..., Article],
    log_in: Callable[[Page, User], None],
) -> None:
    article = make_article()
    claim = article.claims.order_by("-checkworthiness").first()
    assert claim is not None
    log_in(page, viewer)

    response = page.goto(f"/articles/{article.pk}/")
    assert response is not None and response.ok, "the article page did not load"
    press(page, "j")

    panel = page.locator("#panel")
    expect(panel.locator("h2")).to_have_text(f"Claim #{claim.pk}")
    expect(panel.locator(".claim-quote")).to_have_text(claim.text)
    settled(page)
    expect(panel.locator("form")).to_have_count(0)  # no confirm, assign or evidence form
    expect(page.get_by_role("button", name="Confirm")).to_have_count(0)
    expect(page.locator("details.add-evidence")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit text")).to_have_count(0)
    expect(page.get_by_role("button", name="Re-run extraction")).to_have_count(0)
    press(page, "c")
    settled(page)
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        f"/claims/{claim.pk}/status/",
        form={"action": "confirm", "note": "viewer tries"},
        headers={"X-CSRFToken": csrf, "Referer": page.url},
    )
    assert response.status == 403
    assert "Your role does not allow this" in response.text()  # the role, not the token
    claim.refresh_from_db()
    assert claim.status == Claim.Status.UNCONFIRMED


# --- Text that looks like HTML -----------------------------------------------------------------


def test_an_article_with_script_and_html_in_its_text_is_shown_as_text(
    page: Page,
    worker: live.Worker,
    editor: User,
    log_in: Callable[[Page, User], None],
) -> None:
    text = (
        "The minister said the <b>budget</b> will rise by 12 percent in 2025.\n\n"
        "<script>window.__injected = 1;</script> Officials reported 40 new cases "
        'on Monday, according to <img src=x onerror="window.__injected = 2"> the ministry.\n'
    )
    log_in(page, editor)
    paste_article(page, title="<i>Markup</i> in the text", outlet="Daily Example", text=text)
    expect(page.locator("#claim-items li.claim-item").first).to_be_visible(timeout=EXTRACTION_MS)

    body = page.locator(".body-text")
    expect(body).to_contain_text("<script>window.__injected = 1;</script>")
    expect(body).to_contain_text("<b>budget</b>")
    expect(page.locator("h1")).to_have_text("<i>Markup</i> in the text")
    assert body.locator("script, b, img").count() == 0
    assert page.locator("main i, main img").count() == 0
    assert page.evaluate("window.__injected") is None
    expect(page.locator("#claim-items")).to_contain_text("<b>budget</b>")
