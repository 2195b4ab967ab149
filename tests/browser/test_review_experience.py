"""Issue 15 in a real browser, at phone (390 px), tablet (820 px) and desktop (1280 px)
widths: the claim search, the panel that stays in view, corrections in the panel, pages
that fit a phone, and the smaller items (stale banners, progress, Confirm, assignees,
long URLs, select all matching, the article table, error pages, the favicon). Every page
is checked with axe-core. Screenshots go to var/screenshots/ (``UPDATE_SCREENSHOTS=1``:
docs/screenshots/), named ``<page>-<width>.png``."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User
from playwright.sync_api import Dialog, Page, expect

from claims.models import Article, Claim
from tests import live
from tests.browser.test_review import EXTRACTION_MS, press, screenshot, settled

pytestmark = pytest.mark.browser

WIDTHS = [390, 820, 1280]
HEIGHTS = {390: 844, 820: 1180, 1280: 900}
SENTENCES = [
    f"The council said {n} new bridges will cost {n + 3} million dollars by 2030."
    for n in range(24)
]
AXE = Axe()


def at_width(page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": HEIGHTS[width]})


def fits(page: Page) -> None:
    """Nothing makes the page wider than the screen."""
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= page.viewport_size["width"], f"{page.url} is {wide} px wide"


def in_view(page: Page, selector: str) -> None:
    settled(page)
    expect(page.locator(selector)).to_be_visible()
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not shown"
    height = page.viewport_size["height"]
    assert box["y"] < height and box["y"] + box["height"] > 0, f"{selector} is off screen: {box}"


def accessible(page: Page) -> None:
    """axe-core finds no serious or critical violation on the page as it is now."""
    violations = AXE.run(page).response["violations"]
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{page.url}: " + "; ".join(bad)


def review_article(make_article: Callable[..., Article]) -> Article:
    """24 claims; the first is attributed to Mike Pence, the second names Joe Biden, and
    the last sentence is a faded repeat of the first."""
    article = make_article(SENTENCES)
    claims = list(article.claims.order_by("start"))
    first, second, last = claims[0], claims[1], claims[-1]
    Claim.objects.filter(pk=first.pk).update(
        speaker="Mike Pence", claim_type=Claim.Type.STATEMENT,
        occurrences=[[first.start, first.end], [last.start, last.end]],
    )  # fmt: skip
    Claim.objects.filter(pk=second.pk).update(entities=[{"text": "Joe Biden", "label": "PERSON"}])
    last.delete()
    return article


# --- 1. The claim list's search ----------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_1_the_claim_search_finds_what_is_typed_and_a_new_search_replaces_it(
    page: Page, width: int, viewer: User, make_article: Callable[..., Article], log_in
) -> None:
    make_article(SENTENCES[:20])
    make_article(["Dr Fauci said the vaccine was tested on 30,000 people."], title="Vaccine")
    at_width(page, width)
    log_in(page, viewer)
    page.goto("/claims/")
    if width < 1101:  # one column: the filters are folded above the results (issue 31)
        page.locator(".filter-box > summary").click()
    page.select_option("#id_status", "unconfirmed")  # a filter first, as a user would
    settled(page)
    page.fill("#id_q", "Fauci")
    page.press("#id_q", "Enter")
    rows = page.locator("#claim-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Fauci")
    assert "q=Fauci" in page.url and "status=unconfirmed" in page.url
    page.fill("#id_q", "bridges will cost 5 million")
    page.press("#id_q", "Enter")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("2 new bridges")
    fits(page)
    accessible(page)
    screenshot(page, f"claim-search-{width}")


# --- 2. The panel stays in view ----------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_2_the_panel_stays_in_view_and_says_what_each_action_did(
    page: Page,
    width: int,
    fact_checker: User,
    make_article: Callable[..., Article],
    log_in,
) -> None:
    article = review_article(make_article)
    first = article.claims.order_by("start").first()
    at_width(page, width)
    log_in(page, fact_checker)
    page.goto(f"/articles/{article.pk}/")
    for _ in range(20):
        press(page, "j")
    settled(page)
    expect(page.locator("#panel h2")).to_have_text(re.compile(r"Claim #\d+"))
    in_view(page, "#panel h2")
    expect(page.locator("#announce")).to_contain_text("Claim 20 of 23")

    press(page, "c")  # refused: no source; the reason is beside Confirm, and announced
    result = page.locator("#result-status")
    expect(result).to_contain_text("Cannot confirm")
    in_view(page, "#result-status")
    expect(page.locator("#announce")).to_contain_text("Cannot confirm")
    screenshot(page, f"panel-refused-{width}", full_page=False)

    if width < 1100:  # the sheet covers the text: close it to reach the repeat
        page.get_by_role("link", name="Close the claim panel").click()
        expect(page.locator("#panel")).to_be_hidden()
    repeat = page.locator(f'.repeat[data-claim="{first.pk}"]')
    repeat.scroll_into_view_if_needed()
    repeat.click()
    expect(page.locator("#panel h2")).to_have_text(f"Claim #{first.pk}")
    in_view(page, "#panel h2")
    fits(page)
    accessible(page)


# --- 3. Corrections in the panel ---------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_3_a_fact_checker_corrects_the_speaker_type_and_check_worthiness_in_the_panel(
    page: Page,
    width: int,
    fact_checker: User,
    make_article: Callable[..., Article],
    log_in,
) -> None:
    article = review_article(make_article)
    first = article.claims.order_by("start").first()
    at_width(page, width)
    log_in(page, fact_checker)
    page.goto(f"/articles/{article.pk}/?claim={first.pk}")
    panel = page.locator("#panel")
    panel.get_by_text("Correct the machine's labels").click()
    speaker = panel.locator(f"#correct-{first.pk}-speaker-value")
    expect(speaker).to_have_value("Mike Pence")
    options = page.locator(f"#people-{first.pk} option")
    expect(options).to_have_count(2)  # the article's people: Joe Biden, Mike Pence
    speaker.fill("Joe Biden")
    panel.locator(f"#correct-{first.pk}-speaker-reason").fill("the video shows Biden")
    panel.get_by_role("button", name="Correct speaker").click()
    expect(panel.locator("#result-correct-speaker")).to_contain_text("The speaker is now Joe Biden")
    in_view(page, "#result-correct-speaker")
    expect(panel.locator("ol.history")).to_contain_text(
        "speaker corrected from Mike Pence to Joe Biden by fred: the video shows Biden"
    )
    settled(page)
    panel.locator(f"#correct-{first.pk}-claim_type-value").select_option("event")
    panel.locator(f"#correct-{first.pk}-claim_type-reason").fill("it reports an event")
    panel.get_by_role("button", name="Correct claim type").click()
    expect(panel.locator("#result-correct-claim_type")).to_contain_text("Event")
    settled(page)
    panel.locator(f"#correct-{first.pk}-check_worthy-value").select_option("False")
    panel.locator(f"#correct-{first.pk}-check_worthy-reason").fill("a quote of a quote")
    panel.get_by_role("button", name="Correct check-worthy").click()
    expect(panel.locator("#result-correct-check_worthy")).to_contain_text("now no")
    expect(panel.locator("dl.facts")).to_contain_text("Joe Biden")
    expect(panel.locator("dl.facts .badge.human")).to_have_count(3)
    expect(panel.locator("ol.history")).to_contain_text(
        "claim type corrected from Quote / statement to Event by fred"
    )
    first.refresh_from_db()
    assert first.speaker == "Joe Biden" and first.claim_type == "event" and not first.check_worthy
    assert sorted(first.corrected_fields) == ["check_worthy", "claim_type", "speaker"]
    fits(page)
    accessible(page)
    screenshot(page, f"panel-corrections-{width}", full_page=False)


@pytest.mark.parametrize("width", [390, 1280])
def test_3_the_panel_says_whether_a_score_is_the_first_pass_or_refined(
    page: Page,
    width: int,
    viewer: User,
    make_article: Callable[..., Article],
    log_in,
) -> None:
    from claims.matching import embeddings

    article = make_article(
        ["Unemployment in Ohio fell to 4.1 percent in March, the lowest rate since 2001."]
    )
    claim = article.claims.get()
    at_width(page, width)
    log_in(page, viewer)
    page.goto(f"/articles/{article.pk}/?claim={claim.pk}")
    facts = page.locator("#panel dl.facts")
    expect(facts).to_contain_text("first pass")
    embeddings.embed_pending(article_id=article.pk)  # what the matching task runs
    claim.refresh_from_db()
    page.reload()
    expect(facts).to_contain_text(f"{claim.checkworthiness:.2f} (check-worthy) · refined")
    expect(page.locator("#panel ol.history")).to_contain_text(
        "refined by MiniLM's fine-tuned top layers"
    )
    fits(page)
    accessible(page)
    screenshot(page, f"panel-refined-{width}", full_page=False)


@pytest.mark.parametrize("width", [390, 1280])
def test_3_the_page_says_when_the_refinement_changed_the_check_worthy_list(
    page: Page,
    width: int,
    viewer: User,
    make_article: Callable[..., Article],
    log_in,
) -> None:
    from django.utils import timezone

    from claims.matching import embeddings

    chatter = "Thank you very much, and good evening to all of you."
    article = make_article(
        ["Unemployment in Ohio fell to 4.1 percent in March, the lowest rate since 2001.", chatter],
        finished_at=timezone.now(),  # just extracted: the matching task has not run yet
    )
    at_width(page, width)
    log_in(page, viewer)
    page.goto(f"/articles/{article.pk}/")
    items = page.locator("#claim-items li.claim-item")
    expect(items).to_have_count(2)
    notice = page.locator("#refinement")
    expect(notice).to_contain_text("Refining check-worthiness in the background")
    embeddings.embed_pending(article_id=article.pk)  # what the matching task runs
    expect(notice).to_contain_text("the check-worthy list has changed", timeout=10_000)
    expect(items).to_have_count(2)  # nothing is redrawn under the editor by itself
    fits(page)
    accessible(page)
    screenshot(page, f"article-refined-notice-{width}")
    notice.get_by_role("link", name="Reload to see it").click()
    expect(items).to_have_count(1)
    expect(page.locator("#claim-items")).not_to_contain_text(chatter)
    expect(page.locator("#refinement")).to_have_count(0)


# --- 4. A phone's width -------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_4_every_page_fits_the_screen_with_the_username_and_tables_usable(
    page: Page,
    width: int,
    fact_checker: User,
    make_article: Callable[..., Article],
    make_source,
    log_in,
) -> None:
    article = review_article(make_article)
    source = make_source("https://www.reuters.com/world/" + "very-long-path-segment-" * 8)
    at_width(page, width)
    fact_checker.username = "frederica.longname"
    fact_checker.save()
    log_in(page, fact_checker)
    pages = {
        "article-list": "/articles/",
        "article-new": "/articles/new/",
        "article-review": f"/articles/{article.pk}/",
        "article-edit": f"/articles/{article.pk}/edit/",
        "claim-list": "/claims/",
        "source-list": "/sources/",
        "source-detail": f"/sources/{source.pk}/",
        "source-capture": f"/sources/{source.pk}/capture/",
        "api-tokens": "/account/tokens/",
    }
    for name, url in pages.items():
        page.goto(url)
        fits(page)
        who = page.locator(".whoami span").bounding_box()
        assert who is not None and who["x"] >= 0 and who["x"] + who["width"] <= width, name
        expect(page.locator(".whoami span")).to_contain_text("frederica.longname")
        screenshot(page, f"{name}-{width}")

    # Tables scroll inside their box, and at 1280 px nothing runs under the filter box.
    page.goto("/articles/")
    assignee = page.locator("#article-table th", has_text="Assignee").bounding_box()
    filters = page.locator("aside.filters").bounding_box()
    assert assignee is not None and filters is not None
    if width == 1280:
        assert assignee["x"] + assignee["width"] <= filters["x"], (assignee, filters)
    page.locator("#article-table .table-wrap").evaluate("el => el.scrollLeft = el.scrollWidth")
    in_view(page, "#article-table th:has-text('Assignee')")

    # Tapping a claim opens its panel where it can be seen.
    page.goto(f"/articles/{article.pk}/")
    last = article.claims.order_by("-checkworthiness").filter(check_worthy=True).last()
    page.locator(f"#claim-{last.pk} a").click()
    expect(page.locator("#panel h2")).to_have_text(f"Claim #{last.pk}")
    in_view(page, "#panel h2")
    in_view(page, "#panel .claim-quote")
    screenshot(page, f"article-tap-{width}", full_page=False)


# --- 5. The smaller items -----------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_5_a_pasted_article_ends_done_with_no_stale_banner_and_its_claims(
    page: Page, width: int, worker: live.Worker, editor: User, log_in
) -> None:
    at_width(page, width)
    log_in(page, editor)
    page.goto("/articles/new/")
    page.fill("#id_title", "Budget")
    page.fill("#id_text", " ".join(SENTENCES[:6]))
    page.click("text=Save and extract claims")
    expect(page.locator("#messages")).to_contain_text("saved and queued")
    state = page.locator(".head-actions .state")
    expect(state).to_contain_text("✓ Done", timeout=EXTRACTION_MS)
    expect(page.locator("#claim-items li.claim-item").first).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Claims appear here")
    expect(page.locator("#messages")).not_to_contain_text("queued")
    fits(page)
    accessible(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_5_progress_moves_block_by_block_in_the_list_and_on_the_article(
    page: Page, width: int, viewer: User, make_article: Callable[..., Article], log_in
) -> None:
    article = make_article(state=Article.State.PROCESSING, progress_done=2, progress_total=12)
    at_width(page, width)
    log_in(page, viewer)
    for url in ("/articles/", f"/articles/{article.pk}/"):
        Article.objects.filter(pk=article.pk).update(progress_done=2)
        page.goto(url)
        state = page.locator(f"#article-state-{article.pk}")
        expect(state).to_contain_text("block 2 of 12")
        Article.objects.filter(pk=article.pk).update(progress_done=9)
        expect(state).to_contain_text("block 9 of 12")  # polled, no reload
        expect(state.locator("progress")).to_have_attribute("value", "9")
        accessible(page)
    screenshot(page, f"article-progress-{width}", full_page=False)


@pytest.mark.parametrize("width", WIDTHS)
def test_5_the_panel_confirm_assignees_history_and_long_urls(
    page: Page,
    width: int,
    fact_checker: User,
    viewer: User,
    make_article: Callable[..., Article],
    support,
    log_in,
) -> None:
    article = review_article(make_article)
    claim = article.claims.order_by("start")[2]
    long_url = "https://www.reuters.com/world/" + "a-very-long-slug-without-breaks" * 6
    support(claim, long_url)
    bare = article.claims.order_by("start")[3]
    at_width(page, width)
    log_in(page, fact_checker)
    page.goto(f"/articles/{article.pk}/?claim={bare.pk}")
    confirm = page.locator("#panel").get_by_role("button", name="Confirm", exact=True)
    expect(confirm).not_to_have_class(re.compile("primary"))  # it would be refused
    options = page.locator(f"#assign-{bare.pk} option")
    expect(options).not_to_contain_text(["vera"])
    assert "vera" not in options.all_inner_texts()

    page.goto(f"/articles/{article.pk}/?claim={claim.pk}")
    expect(confirm).to_have_class(re.compile("primary"))
    overflow = page.locator("#panel ul.evidence li").first.evaluate(
        "el => el.scrollWidth - el.clientWidth"
    )
    assert overflow <= 0, "a long evidence URL runs out of the panel"
    confirm.click()
    expect(page.locator("#result-status")).to_contain_text("Claim confirmed.")
    expect(confirm).to_have_count(0)  # confirmed: nothing to confirm again (issue 28)
    expect(page.locator(f"#unconfirm-{claim.pk} summary")).to_have_text("Unconfirm…")
    expect(page.locator("#panel .badge.status-confirmed").first).to_contain_text("confirmed")
    expect(page.locator("#panel ol.history")).not_to_contain_text("no_excerpt")
    accessible(page)
    screenshot(page, f"panel-confirmed-{width}", full_page=False)


@pytest.mark.parametrize("width", WIDTHS)
def test_5_bulk_actions_apply_to_every_matching_claim_after_showing_the_count(
    page: Page,
    width: int,
    editor: User,
    fact_checker: User,
    make_article: Callable[..., Article],
    log_in,
) -> None:
    make_article([f"The council spent {n} million dollars on roads." for n in range(51)])
    make_article(["The mayor opened a school on Friday."], title="School")
    at_width(page, width)
    log_in(page, editor)
    page.goto("/claims/?q=council")
    expect(page.locator(".pagination")).to_contain_text("51 in all")
    page.select_option("#bulk-action", "assign")
    page.select_option("#bulk-assignee", label="fred")
    page.get_by_label(re.compile("all 51 claims matching")).check()
    asked: list[str] = []

    def answer(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", answer)
    page.get_by_role("button", name="Go").click()
    expect(page.locator("#messages")).to_contain_text("Bulk assign: 51 claims assigned to")
    assert asked and "all 51 claims" in asked[0]
    assert Claim.objects.filter(assignee=fact_checker).count() == 51
    fits(page)
    accessible(page)
    screenshot(page, f"claim-bulk-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_5_error_pages_are_in_the_workbench_frame_and_there_is_a_favicon(
    page: Page, width: int, outsider: User, viewer: User, log_in
) -> None:
    at_width(page, width)
    log_in(page, outsider)
    response = page.goto("/claims/")
    assert response is not None and response.status == 403
    expect(page.locator("h1")).to_have_text("Your role does not allow this")
    expect(page.locator("nav[aria-label=Main]")).to_be_visible()
    fits(page)
    accessible(page)
    screenshot(page, f"error-403-{width}")
    response = page.goto("/no-such-page/")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("There is nothing at this address")
    accessible(page)
    screenshot(page, f"error-404-{width}")
    icon = page.request.get("/favicon.ico")
    assert icon.ok and "svg" in (icon.headers.get("content-type") or "")


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_passes_axe_core_and_is_usable_with_the_keyboard(
    page: Page,
    width: int,
    editor: User,
    make_article: Callable[..., Article],
    make_source,
    log_in,
) -> None:
    article = review_article(make_article)
    source = make_source()
    at_width(page, width)
    page.goto("/accounts/login/")
    accessible(page)
    screenshot(page, f"login-{width}")
    log_in(page, editor)
    claim = article.claims.order_by("start").first()
    for url in [
        "/articles/",
        "/articles/new/",
        f"/articles/{article.pk}/",
        f"/articles/{article.pk}/?claim={claim.pk}",
        f"/articles/{article.pk}/?all=1",
        f"/articles/{article.pk}/edit/",
        "/claims/",
        "/claims/?status=bogus",
        "/sources/",
        f"/sources/{source.pk}/",
        f"/sources/{source.pk}/capture/",
        f"/claims/{claim.pk}/matches/",
        "/account/tokens/",
        "/articles/999999/",
    ]:
        page.goto(url)
        accessible(page)
    # Keyboard: Tab reaches the claim list and a visible focus ring is drawn.
    page.goto(f"/articles/{article.pk}/")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('#claim-items')"):
            break
    else:
        pytest.fail("Tab never reached the claim list")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    expect(page.locator("#panel h2")).to_have_text(re.compile(r"Claim #\d+"))
