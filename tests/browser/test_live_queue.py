"""Issue 31 in a real browser: the claim panel updates by itself when a source's capture
finishes (the real worker captures a page served on 127.0.0.1), without touching what is
typed in the panel's forms; today's queue opens with what needs a person, fits 390 px,
and each count opens the list of exactly its claims; the article page lists the lapsed
claim first and its counters are links. Screenshots go to var/screenshots/, or to
docs/screenshots/ with ``UPDATE_SCREENSHOTS=1``."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from claims.confirmation import service as status
from claims.models import Article, Claim, Evidence, Source
from claims.review import evidence as verification
from tests import live
from tests.browser.test_review import report_page, screenshot, settled
from tests.httpserver import LocalServer, local_server_fixture  # noqa: F401

pytestmark = pytest.mark.browser

SENTENCES = [
    "The city council approved a budget of 4.2 million dollars for schools on Monday.",
    "The mayor said the new bridge over the river will open in March 2027.",
    "Unemployment in the district fell to 5.1 percent last year, the statistics office said.",
    "Officials reportedly plan to close two libraries next spring, according to a memo.",
    "The regional transport authority will double the number of night buses by 2026.",
]


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width[0]} px in {width[1]} px"


# --- The live panel ------------------------------------------------------------------------------


def test_the_panel_shows_the_capture_when_it_finishes_and_keeps_what_is_typed(
    page: Page,
    worker: live.Worker,
    fact_checker: User,
    make_article: Callable[..., Article],
    local_server: LocalServer,
    log_in: Callable[[Page, User], None],
) -> None:
    article = make_article(SENTENCES[:2], title="Council approves school budget")
    claim = article.claims.order_by("start").first()
    assert claim is not None
    released = threading.Event()  # the page is served when the test says so
    url = local_server.add(
        "/live-report", report_page(claim.text), content_type="text/html", gate=released
    )
    log_in(page, fact_checker)
    page.goto(f"/articles/{article.pk}/?claim={claim.pk}")
    panel = page.locator("#panel")
    expect(panel.locator("h2")).to_have_text(f"Claim #{claim.pk}")
    page.evaluate("window.__marker = 1")

    panel.locator("details.add-evidence summary").click()
    panel.locator(f"#ev-url-{claim.pk}").fill(url)
    panel.locator(f"#ev-excerpt-{claim.pk}").fill(claim.text)
    settled(page)
    panel.get_by_role("button", name="Add evidence").click()
    row = panel.locator("ul.evidence li[id^=evidence-]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Waiting to be fetched")
    expect(row.locator(".verdict")).to_contain_text("Does not count")
    expect(panel.locator(f"#evidence-live-{claim.pk}")).to_have_attribute("hx-trigger", "every 2s")
    settled(page)

    # Someone types while the source is fetched: a confirmation note, and a new evidence
    # form's URL and note.
    note = panel.locator(f"#status-note-{claim.pk}")
    note.fill("Typed while the source was fetched")
    panel.locator("details.add-evidence summary").click()
    panel.locator(f"#ev-url-{claim.pk}").fill("https://www.example.org/half-typed")
    panel.locator(f"#ev-note-{claim.pk}").fill("a second source, half typed")
    panel.locator(f"#ev-note-{claim.pk}").focus()

    released.set()  # the worker's fetch gets its answer
    expect(row).to_contain_text("Captured", timeout=30_000)
    expect(row).to_contain_text("Quote check: Found in source")
    expect(row.locator(".verdict")).to_contain_text("Counts as 127.0.0.1")
    expect(panel.locator(f"#claim-verdict-{claim.pk}")).to_contain_text("Can be confirmed")
    expect(panel.locator(f"#confirm-{claim.pk}")).to_have_class(re.compile(r"\bprimary\b"))
    # The poller stops: nothing is pending any more.
    expect(panel.locator(f"#evidence-live-{claim.pk}")).not_to_have_attribute(
        "hx-trigger", re.compile(".")
    )
    assert Source.objects.get(evidence__claim=claim).fetch_state == Source.FetchState.OK
    # What was typed is all there, and the page was not reloaded.
    expect(note).to_have_value("Typed while the source was fetched")
    expect(panel.locator(f"#ev-url-{claim.pk}")).to_have_value("https://www.example.org/half-typed")
    expect(panel.locator(f"#ev-note-{claim.pk}")).to_have_value("a second source, half typed")
    expect(panel.locator(f"#ev-note-{claim.pk}")).to_be_focused()
    expect(panel.locator("details.add-evidence")).to_have_attribute("open", "")
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"

    # The note typed meanwhile is the one the confirmation keeps.
    panel.locator(f"#confirm-{claim.pk}").click()
    expect(panel).to_contain_text("Confirmed by fred")
    assert Claim.objects.get(pk=claim.pk).status_note == "Typed while the source was fetched"
    settled(page)
    panel.locator("ul.evidence").screenshot(path=str(screenshot_path("evidence-live")))


def screenshot_path(name: str) -> object:
    from tests.browser.test_review import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"


# --- Today's queue and the article page -----------------------------------------------------------


@pytest.fixture
def newsroom(
    make_article: Callable[..., Article],
    support: Callable[..., Evidence],
    fact_checker: User,
    editor: User,
) -> dict[str, Claim]:
    """Today's story: a lapsed claim (it scores lowest), a contradicted one, one assigned
    to the fact-checker, and new ones."""
    article = make_article(SENTENCES, title="Council approves school budget", created_by=editor)
    budget, bridge, unemployment, _libraries, buses = article.claims.order_by("start")
    Claim.objects.filter(pk=buses.pk).update(checkworthiness=0.31)
    evidence = support(buses, url="https://www.reuters.com/world/night-buses")
    status.confirm(buses, by=fact_checker, note="the authority's press release")
    verification.remove_evidence(evidence=evidence, by=fact_checker)
    support(
        bridge,
        url="https://www.bbc.co.uk/news/bridge-delay",
        stance=Evidence.Stance.REFUTES,
        excerpt="the bridge will not open before 2029",
    )
    unemployment.assign(to=fact_checker, by=editor)
    return {"lapsed": buses, "contradicted": bridge, "mine": unemployment, "new": budget}


@pytest.mark.parametrize("width", [390, 1280])
def test_todays_queue_opens_with_what_needs_a_person_and_fits_the_screen(
    page: Page,
    newsroom: dict[str, Claim],
    fact_checker: User,
    log_in: Callable[[Page, User], None],
    width: int,
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, fact_checker)

    expect(page).to_have_url(re.compile(r"/queue/$"))  # a fact-checker lands on the queue
    sections = page.locator("section.queue-section h2")
    expect(sections).to_have_count(4)
    expect(sections.nth(0)).to_contain_text("Needs re-review")
    expect(sections.nth(1)).to_contain_text("Contradicted")
    expect(sections.nth(2)).to_contain_text("Assigned to you")
    expect(sections.nth(3)).to_contain_text("New check-worthy claims")
    lapsed = page.locator(f"#queue-rereview-{newsroom['lapsed'].pk}")
    expect(lapsed.locator(".queue-lapse")).to_contain_text("Evidence removed")
    expect(page.locator(f"#queue-contradicted-{newsroom['contradicted'].pk}")).to_be_visible()
    expect(page.locator(f"#queue-mine-{newsroom['mine'].pk}")).to_be_visible()
    no_sideways_scroll(page)
    screenshot(page, f"queue-{width}")

    # Each section's count opens the claims list with exactly its claims.
    for key, claim in [("rereview", "lapsed"), ("contradicted", "contradicted")]:
        page.goto("/queue/")
        count = page.locator(f'[data-section-count="{key}"]')
        expect(count).to_have_text("1")
        count.click()
        expect(page.locator("main")).to_contain_text(newsroom[claim].text[:50])
        expect(page.locator("main")).to_contain_text("1 in all")

    # The article page: the lapsed claim first, though it scores lowest; its counter a link.
    page.goto(f"/articles/{newsroom['new'].article_id}/")
    first = page.locator("#claim-items li.claim-item").first
    expect(first).to_have_attribute("data-claim", str(newsroom["lapsed"].pk))
    expect(page.locator("#claim-items li.claim-item").nth(1)).to_have_attribute(
        "data-claim", str(newsroom["contradicted"].pk)
    )
    page.locator("#counters a", has_text="re-review").click()
    expect(page).to_have_url(re.compile(r"/claims/\?article=\d+&count=rereview$"))
    expect(page.locator("main")).to_contain_text(newsroom["lapsed"].text[:50])
    expect(page.locator("main")).to_contain_text("1 in all")
