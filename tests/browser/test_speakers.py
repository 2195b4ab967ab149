"""Issue 32, the speaker page in a real browser at phone (390 px) and desktop (1280 px)
widths: the verdict counts and the claims across stories fit the screen, axe finds no
serious problem, and an editor merges a duplicate record with the page's form.
Screenshots go to var/screenshots/ (``speaker-<width>.png``, ``speaker-merged-<width>.png``)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from claims.models import Claim, Evidence, Speaker, SpeakerAlias
from tests.browser.test_review import screenshot
from tests.browser.test_review_experience import accessible, at_width, fits

pytestmark = pytest.mark.browser


def record(name: str, *aliases: str) -> Speaker:
    made = Speaker.objects.create(name=name, kind=Speaker.Kind.PERSON, role="medical director")
    for alias in {name, *aliases}:
        SpeakerAlias.objects.create(speaker=made, name=alias)
    return made


@pytest.mark.parametrize("width", [390, 1280])
def test_the_speaker_page_shows_verdicts_across_stories_and_merges_a_duplicate(
    page: Page, width: int, editor: User, make_article, support, log_in
) -> None:
    first = make_article(
        ["Dr Okafor said 412 operations were cancelled at St Luke's Hospital in March.",
         "Okafor said the children's ward closed in 2024 after 3 years of shortages."],
        title="Hospital waiting lists reach a record high",
    )  # fmt: skip
    second = make_article(
        ["Amara Okafor said 1 in 8 anaesthetist posts in England were vacant in 2025."],
        title="Anaesthetist vacancies",
        url="https://www.dailyexample.com/news/vacancies",
    )
    okafor, duplicate = record("Amara Okafor", "Dr Okafor", "Okafor"), record("Dr A. Okafor")
    claims = [*first.claims.order_by("start"), *second.claims.all()]
    for claim in claims:
        stated = claim.text.split(" said")[0]
        Claim.objects.filter(pk=claim.pk).update(speaker=stated, speaker_record=okafor)
    Claim.objects.filter(pk=claims[0].pk).update(status=Claim.Status.CONFIRMED)
    support(claims[1], stance=Evidence.Stance.REFUTES)
    Claim.objects.filter(pk=claims[2].pk).update(speaker_record=duplicate)

    at_width(page, width)
    log_in(page, editor)
    page.goto(f"/speakers/{okafor.pk}/")
    expect(page.locator("h1")).to_have_text("Amara Okafor")
    expect(page.locator('[data-count="confirmed"]')).to_have_text("1")
    expect(page.locator('[data-count="contradicted"]')).to_have_text("1")
    expect(page.locator('[data-count="total"]')).to_have_text("2")
    fits(page)
    accessible(page)
    screenshot(page, f"speaker-{width}")

    page.select_option("#merge-other", label="Dr A. Okafor")
    page.get_by_role("button", name="Merge into Amara Okafor").click()
    expect(page.locator('[data-count="total"]')).to_have_text("3")
    expect(page.locator("#speaker-history")).to_contain_text("merged Dr A. Okafor")
    expect(page.get_by_role("link", name="Anaesthetist vacancies")).to_be_visible()
    fits(page)
    screenshot(page, f"speaker-merged-{width}")
