"""Issue 31, item 4: the phone is a first-class screen. At 390 (a phone), 820 (a tablet)
and 1280 px (a laptop), no page a signed-in person can reach is wider than the screen,
with a newsroom's real mess in it: long words, long URLs, long names, a row of entity
chips. The claim list is a stack of cards on a phone, with each claim's status, and its
filters folded above the results; the claim sheet puts the status, the re-review reason
and Confirm before the labels; the article page links to its claims from the top.

Screenshots of the article page and the claim list (``article-<width>.png``,
``claims-<width>.png``) go to var/screenshots/, or docs/screenshots/ with
``UPDATE_SCREENSHOTS=1``:

    UPDATE_SCREENSHOTS=1 WORKBENCH_CHROMIUM=/usr/bin/chromium \\
        .venv/bin/python -m pytest tests/browser/test_phone.py -k screenshots -p no:cacheprovider
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import Page, expect

from claims.confirmation import service as status
from claims.models import (
    Article,
    Claim,
    ClaimMatch,
    Evidence,
    Feed,
    Source,
    Speaker,
)
from claims.publication.verdicts import publish
from tests.browser.test_review import screenshot, settled
from tests.conftest import PASSWORD
from tests.support import build_checked_article

pytestmark = pytest.mark.browser

WIDTHS = [390, 820, 1280]
HEIGHTS = {390: 844, 820: 1180, 1280: 900}

LONG_WORD = "Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz"
LONG_URL = (
    "https://www.ons.gov.uk/employmentandlabourmarket/peopleinwork/employmentandemployeetypes/"
    "bulletins/uklabourmarket/december2026?utm_source=newsletter&utm_campaign=weekly-digest"
)
LONG_NAME = "Maximiliana Wolkenkratzer-Fernández de la Cruz-Oyelaran"
SENTENCES = [
    f"The {LONG_WORD} cost the ministry 32 million euros in 2025, officials said.",
    f"Figures published at {LONG_URL} show unemployment fell to 4.1 percent.",
    "The health board said waiting lists at A&E rose by 18 percent since January.",
    "Ministers promised 40,000 new homes by 2030 but only 8,000 have been built.",
    f"{LONG_NAME} said the hospital treated 12,500 patients in the winter of 2025.",
    "The council reportedly plans to close 3 of its 14 libraries next spring.",
]
ENTITIES = [
    {"text": LONG_WORD, "label": "LAW"},
    {"text": "Bundesministerium für Ernährung und Landwirtschaft", "label": "ORG"},
    {"text": "32 million euros", "label": "MONEY"},
    {"text": "2025", "label": "DATE"},
    {"text": "Europäische Kommission", "label": "ORG"},
    {"text": "Nordrhein-Westfalen", "label": "GPE"},
    {"text": "Dr. Maximiliana Wolkenkratzer-Fernández", "label": "PERSON"},
]

# Every named URL of the workbench: a page (checked below at every width), or why not.
NOT_PAGES = {
    "logout": "POST only",
    "healthz": "a health probe, not a page",
    "home": "redirects to the articles or the queue",
    "password_change_done": "Django's admin page after a change",
    "password_reset": "404 without a mail server; Django's admin page with one",
    "password_reset_done": "404 without a mail server; Django's admin page with one",
    "article-status": "an htmx fragment of the article page",
    "article-refinement": "an htmx fragment of the article page",
    "claim-evidence-live": "an htmx fragment of the claim panel (the live evidence rows)",
    "article-retry": "POST only",
    "article-archive": "POST only",
    "claim-status": "POST only",
    "claim-assign": "POST only",
    "claim-correct": "POST only",
    "claim-split": "POST only",
    "claim-merge": "POST only",
    "claim-create": "POST only",
    "evidence-add": "POST only",
    "evidence-delete": "POST only",
    "evidence-stance": "POST only",
    "match-accept": "POST only",
    "match-dismiss": "POST only",
    "api-token-revoke": "POST only",
    "verdict-publish": "POST only",
    "team-add": "POST only",
    "team-role": "POST only",
    "team-active": "POST only",
    "team-link": "POST only",
    "speaker-edit": "POST only",
    "speaker-merge": "POST only",
    "speaker-split": "POST only",
    "dashboard-csv": "a download",
}
PAGES = [
    "login",
    "article-list",
    "article-new",
    "article-detail",
    "article-detail+panel",
    "article-edit",
    "article-retry-with",
    "article-report",
    "claim-list",
    "claim-panel",
    "claim-matches",
    "source-list",
    "source-detail",
    "source-capture",
    "todays-queue",
    "feed-list",
    "feed-detail",
    "speaker-list",
    "speaker-detail",
    "dashboard",
    "team",
    "api-tokens",
    "verdict-public",
    "password_change",
    "password_reset_confirm",
    "password_reset_complete",
]


def _names(patterns: list[URLPattern | URLResolver]) -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace != "admin":
                yield from _names(pattern.url_patterns)
        elif pattern.name and not pattern.callback.__module__.startswith("claims.api"):
            yield pattern.name  # the API's views and the downloads are not pages


def test_every_named_url_is_a_checked_page_or_says_why_not(db: Any) -> None:
    """A new page cannot escape the width checks: it is in PAGES, or NOT_PAGES says why.
    (``db``: this package's fixtures set up the roles in the database.)"""
    named = set(_names(get_resolver().url_patterns))
    checked = {name.split("+")[0] for name in PAGES}
    assert named - checked - set(NOT_PAGES) == set(), "pages missing from the width checks"
    assert checked - named == set() and set(NOT_PAGES) - named == set(), "stale names"


@pytest.fixture
def newsroom(
    editor: User,
    fact_checker: User,
    make_article: Callable[..., Article],
    make_source: Callable[..., Source],
    support: Callable[..., Evidence],
) -> dict[str, Any]:
    """A working day's data, as messy as a newsroom's: long words, URLs and names, a row
    of entity chips, a claim needing re-review, a contradicted one, a published verdict, a
    match, a feed, a speaker, a failed article."""
    fact_checker.username = "frederica.longname-ohara"
    fact_checker.first_name, fact_checker.last_name = "Frederica", "Longname-O'Hara"
    fact_checker.save()
    checked = build_checked_article(make_article, support, fact_checker)
    article = make_article(
        SENTENCES,
        title=f"Ministry's {LONG_WORD} cost 32 million euros, figures at {LONG_URL} show",
        outlet="The Daily Example Morning Chronicle and Evening Herald",
        url=LONG_URL,
        created_by=editor,
    )
    law, _figures, waiting, homes, hospital, libraries = article.claims.order_by("start")
    speaker = Speaker.objects.create(name=LONG_NAME, role="medical director of the trust")
    Claim.objects.filter(pk=law.pk).update(entities=ENTITIES, assignee=fact_checker)
    Claim.objects.filter(pk=hospital.pk).update(speaker=LONG_NAME, speaker_record=speaker)
    Claim.objects.filter(pk=libraries.pk).update(hedged=True)
    quoted = "waiting lists at A&E rose by 18 percent"
    support(waiting, "https://www.reuters.com/world/uk/nhs-waiting-lists", excerpt=quoted)
    support(waiting, "https://apnews.com/article/nhs-waiting-lists-a-and-e", excerpt=quoted)
    support(waiting, f"{LONG_URL}&page=2", stance=Evidence.Stance.CONTEXT, excerpt=quoted)
    support(homes, "https://www.theguardian.com/society/homes", stance=Evidence.Stance.REFUTES)
    waiting.refresh_from_db()
    status.confirm(waiting, by=fact_checker, note="ONS and the BBC agree.")
    status.lapse([waiting], cause="a supporting source changed its figures", by=editor)
    ClaimMatch.objects.create(claim=law, matched_claim=checked["quoted"], score=0.91)
    page = publish(checked["quoted"], by=editor)
    feed = Feed.objects.create(
        url=f"{LONG_URL}&format=rss", outlet="The Daily Example", last_error=LONG_URL * 2
    )
    source = make_source(f"{LONG_URL}&page=3")
    failed = make_article(
        ["Nothing was fetched."],
        title="Failed fetch",
        state=Article.State.FAILED,
        error=f"The page at {LONG_URL} answered 403 Forbidden.",
    )
    return {
        "article": article,
        "law": law,
        "rereview": waiting,
        "speaker": speaker,
        "verdict": page,
        "feed": feed,
        "source": source,
        "failed": failed,
        "fact_checker": fact_checker,
    }


def urls(seed: dict[str, Any], editor: User) -> dict[str, str]:
    article, law = seed["article"], seed["law"]
    uid = urlsafe_base64_encode(force_bytes(seed["fact_checker"].pk))
    token = default_token_generator.make_token(seed["fact_checker"])
    made = {
        "login": reverse("login"),
        "article-list": reverse("article-list"),
        "article-new": reverse("article-new"),
        "article-detail": article.get_absolute_url(),
        "article-detail+panel": f"{article.get_absolute_url()}?claim={law.pk}",
        "article-edit": reverse("article-edit", args=[article.pk]),
        "article-retry-with": reverse("article-retry-with", args=[seed["failed"].pk]),
        "article-report": reverse("article-report", args=[article.pk]),
        "claim-list": reverse("claim-list"),
        "claim-panel": reverse("claim-panel", args=[seed["rereview"].pk]),
        "claim-matches": reverse("claim-matches", args=[law.pk]),
        "source-list": reverse("source-list"),
        "source-detail": seed["source"].get_absolute_url(),
        "source-capture": reverse("source-capture", args=[seed["source"].pk]),
        "todays-queue": reverse("todays-queue"),
        "feed-list": reverse("feed-list"),
        "feed-detail": seed["feed"].get_absolute_url(),
        "speaker-list": reverse("speaker-list"),
        "speaker-detail": seed["speaker"].get_absolute_url(),
        "dashboard": reverse("dashboard"),
        "team": reverse("team"),
        "api-tokens": reverse("api-tokens"),
        "verdict-public": seed["verdict"].get_absolute_url(),
        "password_change": reverse("password_change"),
        "password_reset_confirm": reverse("password_reset_confirm", args=[uid, token]),
        "password_reset_complete": reverse("password_reset_complete"),
    }
    assert list(made) == PAGES
    return made


def at_width(page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": HEIGHTS[width]})


# The widest boxes, and texts, that stick out of ``root`` (the page): what a failure names.
OVERFLOW = """(selector) => {
  const root = selector ? document.querySelector(selector) : document.documentElement;
  const limit = (selector ? root.getBoundingClientRect().right : window.innerWidth) + 1;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (el.classList.length ? "." + Array.from(el.classList).join(".") : "");
  const out = [];
  for (const el of root.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > limit) out.push([Math.round(box.right), name(el)]);
  }
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    if (box.width && box.right > limit) {
      const text = node.textContent.trim().slice(0, 40);
      out.push([Math.round(box.right), `text in ${name(node.parentElement)}: ${text}`]);
    }
  }
  out.sort((a, b) => b[0] - a[0]);
  const wide = selector ? root.scrollWidth : document.documentElement.scrollWidth;
  const room = selector ? root.clientWidth : window.innerWidth;
  return {wide, room, culprits: out.slice(0, 5)};
}"""


def overflow(page: Page, selector: str = "") -> str:
    """'' when the page (or the element ``selector``) fits its width without a sideways
    scroll; else how wide it is and what sticks out."""
    found = page.evaluate(OVERFLOW, selector)
    if found["wide"] <= found["room"] + 1:
        return ""
    return f"{found['wide']} px wide in {found['room']}: {found['culprits']}"


def log_in_as(page: Page, user: User) -> None:
    page.goto(reverse("login"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, "the login failed"


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_is_wider_than_the_screen(
    page: Page, width: int, newsroom: dict[str, Any], editor: User
) -> None:
    """Every page an editor can reach (the role that reaches most), and the login page
    before that, fits 390, 820 and 1280 px: nothing scrolls sideways. The claim panel
    holds its entity chips without a sideways scroll of its own."""
    at_width(page, width)
    editor.username = "edna.editor-in-chief"
    editor.save()
    pages = urls(newsroom, editor)
    wide = {}
    for name, url in pages.items():
        if name == "login":
            response = page.goto(url)
        else:
            if "/accounts/login/" in page.url or page.url == "about:blank":
                log_in_as(page, editor)
            response = page.goto(url)
        assert response is not None and response.status < 400, f"{name}: {response}"
        assert "/accounts/login/" not in page.url or name == "login", f"{name} asked to log in"
        settled(page)
        if problem := overflow(page):
            wide[name] = problem
        if name == "article-detail+panel" and (problem := overflow(page, "#panel")):
            wide["the claim panel"] = problem
    assert not wide, f"at {width} px:\n" + "\n".join(f"{k}: {v}" for k, v in wide.items())


BEFORE = "el => getComputedStyle(el, '::before').content"
DISPLAY = "el => getComputedStyle(el).display"


@pytest.mark.parametrize("width", [390, 1280])
def test_the_claim_list_is_cards_with_their_status_and_filters_first_on_a_phone(
    page: Page, width: int, newsroom: dict[str, Any], editor: User
) -> None:
    at_width(page, width)
    log_in_as(page, editor)
    page.goto(reverse("claim-list"))
    rows = page.locator("tr.claim-row")
    expect(rows.first).to_be_visible()
    filters = page.locator("#claim-filters")
    first_row = rows.first.bounding_box()
    box = page.locator("aside.filters").bounding_box()
    assert first_row is not None and box is not None
    if width == 390:
        # Folded above the results, and opened with a tap.
        expect(filters).to_be_hidden()
        assert box["y"] + box["height"] <= first_row["y"], (box, first_row)
        assert box["y"] < HEIGHTS[width], "the filters are not in the first screenful"
        page.locator(".filter-box > summary").click()
        expect(filters).to_be_visible()
        expect(page.locator(".filter-box > summary")).to_have_text("Filter")
        page.select_option("#id_status", "needs_rereview")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("A&E")
        page.locator(".filter-box > summary").click()
        expect(filters).to_be_hidden()
        expect(page.locator(".filter-box > summary")).to_have_text("Filter (1 on)")
        # Cards: one column, each with its status on screen, the column names as labels.
        page.goto(reverse("claim-list"))
        assert page.locator("tr.claim-row").first.evaluate(DISPLAY) == "flex"
        # Every column sorts (issue 31 item 8): the header strip keeps each as a sort link.
        expect(page.locator("table.cards thead th", has_text="Type").locator("a")).to_be_visible()
        for row in page.locator("tr.claim-row").all():
            badge = row.locator(".cell-status .badge").last
            expect(badge).to_be_visible()
            spot = badge.bounding_box()
            assert spot is not None and spot["x"] >= 0 and spot["x"] + spot["width"] <= width
        assignee = page.locator(f"#claim-row-{newsroom['law'].pk} td[data-label=Assignee]")
        expect(assignee).to_have_text("frederica.longname-ohara")
        score = page.locator(f"#claim-row-{newsroom['law'].pk} td.cell-score")
        for cell, label in ((assignee, "Assignee"), (score, "Check-worthiness")):
            expect(cell).to_be_visible()
            assert cell.evaluate(BEFORE) == f'"{label} "', f"{label} has no label on its card"
    else:
        # Beside the results, open, and the results a table.
        expect(filters).to_be_visible()
        table = page.locator("#claim-table .table-wrap").bounding_box()
        assert table is not None and table["x"] + table["width"] <= box["x"], (table, box)
        assert rows.first.evaluate(DISPLAY) == "table-row"
        assert not overflow(page, "#claim-table .table-wrap"), "the table scrolls sideways"
        assert page.locator("td.cell-score").first.evaluate(BEFORE) == "none"
        expect(page.locator("table.cards thead th", has_text="Type")).to_be_visible()


def test_the_article_page_jumps_to_its_claims_on_a_phone(
    page: Page, newsroom: dict[str, Any], editor: User
) -> None:
    article = newsroom["article"]
    at_width(page, 390)
    log_in_as(page, editor)
    page.goto(article.get_absolute_url())
    claims = page.locator("#claims")
    jump = page.get_by_role("link", name="Jump to the claims")
    box = jump.bounding_box()
    assert box is not None and box["y"] < HEIGHTS[390], "the link is not in the first screenful"
    start = claims.bounding_box()
    assert start is not None and start["y"] > HEIGHTS[390], "the claims were already in view"
    jump.click()
    page.wait_for_function(
        "() => Math.abs(document.getElementById('claims').getBoundingClientRect().top) < 5"
    )
    assert page.url.endswith("#claims")
    expect(page.locator("#claim-items .claim-item").first).to_be_in_viewport()
    for item in page.locator("#claim-items .claim-item").all():  # each card shows its status
        badge = item.locator(".badges .badge").first
        expect(badge).to_be_visible()
        spot = badge.bounding_box()
        assert spot is not None and spot["x"] >= 0 and spot["x"] + spot["width"] <= 390

    # At 1280 px the claims are beside the text: no link.
    at_width(page, 1280)
    expect(jump).to_be_hidden()


@pytest.mark.parametrize("width", [390, 820])
def test_the_claim_sheet_shows_status_reason_and_confirm_before_the_labels(
    page: Page, width: int, newsroom: dict[str, Any], editor: User
) -> None:
    claim = newsroom["rereview"]
    at_width(page, width)
    log_in_as(page, editor)
    page.goto(f"{newsroom['article'].get_absolute_url()}?claim={claim.pk}")
    settled(page)
    panel = page.locator("#panel")
    sheet = panel.bounding_box()
    reason = panel.locator(".status-box .warning", has_text="Needs re-review").bounding_box()
    confirm = panel.get_by_role("button", name="Confirm", exact=True).bounding_box()
    facts = panel.locator("dl.facts").bounding_box()
    assert sheet and reason and confirm and facts
    assert reason["y"] < facts["y"] and confirm["y"] < facts["y"], (reason, confirm, facts)
    bottom = sheet["y"] + sheet["height"]
    assert reason["y"] + reason["height"] <= bottom, "the reason is below the sheet's fold"
    assert confirm["y"] + confirm["height"] <= bottom, "Confirm is below the sheet's fold"
    expect(panel.locator(".status-box")).to_contain_text("a supporting source changed")


@pytest.mark.parametrize("width", WIDTHS)
def test_screenshots_of_the_article_page_and_the_claim_list(
    page: Page, width: int, newsroom: dict[str, Any], editor: User
) -> None:
    """At 1280 px the article page with the claim that has a row of entity chips open; at
    390 and 820 px the top of the page, then the sheet of a claim that needs re-review
    (``article-sheet-<width>.png``). The claim list at each width."""
    at_width(page, width)
    log_in_as(page, editor)
    article = newsroom["article"].get_absolute_url()
    page.goto(f"{article}?claim={newsroom['law'].pk}" if width == 1280 else article)
    settled(page)
    assert not overflow(page)
    screenshot(page, f"article-{width}", full_page=False)
    if width < 1280:
        page.goto(f"{article}?claim={newsroom['rereview'].pk}")
        settled(page)
        screenshot(page, f"article-sheet-{width}", full_page=False)
    page.goto(reverse("claim-list"))
    settled(page)
    assert not overflow(page)
    screenshot(page, f"claims-{width}")


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("name", ["article-list", "source-list"])
def test_the_articles_and_sources_lists_put_their_filters_first_on_a_phone(
    page: Page, width: int, name: str, newsroom: dict[str, Any], editor: User
) -> None:
    """The articles and sources lists fold their filters above the results on a phone, as
    the claims list does, and keep them open beside the results on a laptop."""
    at_width(page, width)
    log_in_as(page, editor)
    page.goto(reverse(name))
    table = page.locator(".changelist-main .table-wrap").bounding_box()
    box = page.locator("aside.filters").bounding_box()
    inside = page.locator("aside.filters .filter-box > :not(summary)").first
    assert table is not None and box is not None
    if width == 390:
        expect(inside).to_be_hidden()
        assert box["y"] + box["height"] <= table["y"], (box, table)
        assert box["y"] < HEIGHTS[width], "the filters are not in the first screenful"
        page.locator(".filter-box > summary").click()
        expect(inside).to_be_visible()
    else:
        expect(inside).to_be_visible()
        assert table["x"] + table["width"] <= box["x"], (table, box)
