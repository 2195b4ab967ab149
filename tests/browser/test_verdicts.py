"""Line endings and public verdict pages in a real browser: a pasted article (sent as
CRLF, as every browser sends a textarea) whose claims still anchor in the text once a
client renders it as HTML; an editor publishes a verdict from the claim panel, and a
reader without an account opens the page and reads its ClaimReview JSON-LD."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect

from claims.models import Article, Evidence, VerdictPage
from tests import live
from tests.browser.conftest import TIMEOUT_MS, VIEWPORT
from tests.browser.test_review import EXTRACTION_MS, paste_article, screenshot, settled
from tests.jsonld_strict import expand_strictly
from tests.support import build_checked_article

pytestmark = pytest.mark.browser

SAMPLE = "claims/fixtures/demo_article.txt"

# In the page: fetch the article from the API, render its body as HTML the way a client
# would (CRs are dropped by the HTML parser), and try every claim's selectors on the
# rendered text. JavaScript counts UTF-16 units, as dom-anchor-text-quote does.
RESOLVE_CLAIMS = """async (apiUrl) => {
  const article = await (await fetch(apiUrl)).json();
  const holder = document.createElement("div");
  holder.innerHTML = "<p>" + article.body.replace(/&/g, "&amp;").replace(/</g, "&lt;") + "</p>";
  const rendered = holder.textContent;
  const shown = document.getElementById("body-text").textContent;
  return article.claims.map((claim) => {
    const [position, quote] = claim.target.selector;
    const exact = quote.exact;
    return {
      id: claim.id,
      byPosition: rendered.slice(position.start, position.end) === exact,
      onThePage: shown.slice(position.start, position.end) === exact,
      byQuote: rendered.indexOf(quote.prefix + exact + quote.suffix) >= 0,
      contextUnits: [quote.prefix.length, quote.suffix.length],
    };
  });
}"""


def test_a_crlf_paste_keeps_every_claim_anchored_in_the_rendered_text(
    page: Page,
    worker: live.Worker,
    editor: User,
    log_in: Callable[[Page, User], None],
) -> None:
    log_in(page, editor)
    text = Path(SAMPLE).read_text(encoding="utf-8").replace("\n", "\r\n")
    with page.expect_request(lambda request: request.method == "POST") as sent:
        pk = paste_article(page, title="Kerry pledges support", outlet="Daily Example", text=text)
    sent_body = sent.value.post_data or ""
    assert "capital.\r\nKerry, who" in sent_body or "capital.%0D%0AKerry" in sent_body, (
        "the browser sent the text with CRLF line breaks"
    )
    expect(page.locator("#claim-items li.claim-item").first).to_be_visible(timeout=EXTRACTION_MS)
    settled(page)

    results = page.evaluate(RESOLVE_CLAIMS, f"/api/articles/{pk}/?include=claims")

    assert len(results) >= 10
    for claim in results:
        assert claim["byPosition"] and claim["onThePage"] and claim["byQuote"], claim
        assert max(claim["contextUnits"]) <= 32, claim
    assert "\r" not in Article.objects.get(pk=pk).body


def test_an_editor_publishes_a_verdict_that_an_anonymous_reader_opens_with_its_json_ld(
    page: Page,
    browser: Browser,
    live_server: Any,
    editor: User,
    fact_checker: User,
    make_article: Callable[..., Article],
    support: Callable[..., Evidence],
    settings: Any,
    log_in: Callable[[Page, User], None],
    csp_violations: list[str],
) -> None:
    settings.WORKBENCH_CONFIRMATIONS_REQUIRED = 1
    settings.WORKBENCH_BASE_URL = live_server.url
    settings.WORKBENCH_NEWSROOM_NAME = "Daily Example Fact Check"
    checked = build_checked_article(make_article, support, fact_checker)
    claim = checked["quoted"]
    log_in(page, editor)
    page.goto(f"/articles/{claim.article_id}/?claim={claim.pk}")

    page.get_by_role("button", name="Publish the verdict page").click()

    link = page.locator(".verdict-box a")
    expect(link).to_have_text(re.compile(r"^/verdicts/.+-\d+/$"))
    path = link.inner_text()
    assert VerdictPage.objects.get(claim=claim).published

    anonymous = browser.new_context(viewport=VIEWPORT, base_url=live_server.url)
    anonymous.set_default_timeout(TIMEOUT_MS)
    anonymous.on(
        "console", lambda m: "Content Security" in m.text and csp_violations.append(m.text)
    )
    reader = anonymous.new_page()
    response = reader.goto(path)
    assert response is not None and response.status == 200
    assert "/accounts/login/" not in reader.url
    expect(reader.locator("h1")).to_have_text(claim.text)
    expect(reader.locator(".verdict-rating")).to_contain_text("Confirmed")
    expect(reader.locator(".evidence li")).to_contain_text(["reuters.com"])
    review = json.loads(reader.locator('script[type="application/ld+json"]').text_content() or "")
    screenshot(reader, "verdict-page")
    anonymous.close()

    [node] = expand_strictly(review)
    assert review["url"] == live_server.url + path
    assert node["@id"] == live_server.url + path + "#claimreview"
    assert review["reviewRating"]["name"] == "Confirmed"
    assert review["itemReviewed"]["appearance"]["url"] == checked["article"].url
    assert review["author"]["name"] == "Daily Example Fact Check"
