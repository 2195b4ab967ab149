"""The desk dashboard in a real browser at phone and desktop widths: every chart drawn,
no horizontal overflow, axe clean, a chart's link opens the claims it counts.
The table's screenshots go to var/screenshots/, or docs/screenshots/ with
``UPDATE_SCREENSHOTS=1``."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect

from claims.confirmation import service as status
from claims.dashboard import figures
from claims.models import Article, Claim, ClaimEvent, ClaimMatch, Evidence, Source, Speaker
from claims.models import desk as aggregates
from claims.review.evidence import remove_evidence
from tests.browser.test_review import screenshot
from tests.browser.test_review_experience import accessible, at_width, fits

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(
    make_article: Callable[..., Article],
    support: Callable[..., Evidence],
    fact_checker: User,
    editor: User,
) -> None:
    """Three weeks of a small desk: stories from two outlets, claims confirmed and
    contradicted by two people, two confirmations lapsed, sources alive, changed and
    dead, claims matched to earlier ones, one speaker quoted under two names."""
    now = timezone.now()
    mayor = Speaker.objects.create(name="Ada Lin", role="mayor")
    earlier: Claim | None = None
    for day in range(18, -1, -3):
        outlet = "Daily Example" if day % 2 else "Morning Wire"
        article = make_article(
            [
                f"The council approved {day + 4} million dollars for schools on Monday.",
                f"Unemployment fell to {day / 10 + 4:.1f} percent last year.",
                f"The bridge will open in {2027 + day % 3}, the mayor said.",
            ],
            title=f"Story {day}",
            outlet=outlet,
            url=f"https://www.dailyexample.com/news/{day}",
        )
        Article.objects.filter(pk=article.pk).update(created_at=now - timedelta(days=day))
        budget, jobs, bridge = article.claims.order_by("start")
        Claim.objects.filter(article=article).update(created_at=now - timedelta(days=day, hours=6))
        support(budget, f"https://www.reuters.com/world/{day}", excerpt=budget.text[4:40])
        checker = fact_checker if day % 2 else editor
        budget.refresh_from_db()
        status.confirm(budget, by=checker, note="The minutes agree.")
        ClaimEvent.objects.filter(claim=budget).update(at=now - timedelta(days=day, hours=1))
        refuting = support(
            bridge, f"https://www.bbc.co.uk/news/{day}", stance=Evidence.Stance.REFUTES
        )
        Source.objects.filter(pk=refuting.source_id).update(publisher="bbc.co.uk")
        Evidence.objects.filter(pk=refuting.pk).update(added_at=now - timedelta(days=day))
        if day in (6, 15):  # its evidence removed two days later: the confirmation lapses
            removed = budget.evidence.get()
            remove_evidence(evidence=removed, by=editor)
            ClaimEvent.objects.filter(claim=budget, at__gt=now - timedelta(minutes=5)).update(
                at=now - timedelta(days=day - 2)
            )
        for evidence in (*budget.evidence.all(), refuting):  # checked: a link state in history
            source = Source.objects.get(pk=evidence.source_id)
            source.link_state = {9: "changed", 12: "dead"}.get(day, "alive")
            source.save()
            source.history.update(history_date=now - timedelta(days=day))
        if earlier is not None:
            match = ClaimMatch.objects.create(claim=jobs, matched_claim=earlier, score=0.9)
            ClaimMatch.objects.filter(pk=match.pk).update(created_at=now - timedelta(days=day))
        earlier = jobs
        Claim.objects.filter(pk=jobs.pk).update(assignee=fact_checker)
        # Two wordings of one speaker: the dashboard counts them as one record.
        said = "the mayor" if day % 2 else "Mayor Ada Lin"
        Claim.objects.filter(pk=bridge.pk).update(speaker=said, speaker_record=mayor)
    aggregates.rebuild()  # the events were re-dated behind record's back, as a migration would


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    from django.core.cache import cache

    cache.clear()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_dashboard_draws_every_chart_and_fits_the_screen(
    page: Page, desk: None, editor: User, log_in: Callable[[Page, User], None], width: int
) -> None:
    at_width(page, width)
    log_in(page, editor)
    page.goto("/dashboard/")
    for key in figures.KEYS:
        chart = page.locator(f"#chart-{key} svg")
        expect(chart).to_be_visible()
        box = chart.bounding_box()
        assert box and box["width"] <= width
    expect(page.locator("#chart-backlog h2")).to_contain_text("await a decision")
    # On a phone the range and filters are folded, so the first chart is on the first
    # screen; on a desktop they are open above the charts.
    form = page.locator("#dashboard-form")
    if width < 1101:
        expect(form).to_be_hidden()
        first = page.locator(".chart-card h2").first.bounding_box()
        assert first and first["y"] < page.viewport_size["height"] / 2
        page.get_by_text("Range and filters").click()
        expect(page.locator("#id_range")).to_be_visible()
    else:
        expect(page.locator("#id_range")).to_be_visible()
    fits(page)
    accessible(page)
    # The docs' dashboard-<width>.png are the demo desk's (test_dashboard_demo.py).
    page.locator("#chart-contradictions-outlets summary").click()
    screenshot(page, f"dashboard-table-{width}", full_page=False)
    page.locator("#chart-contradictions-outlets").get_by_role(
        "link", name="See these claims"
    ).click()
    expect(page).to_have_url(re.compile(r"contradicted=true"))
    expect(page.locator("#claim-table")).to_contain_text("The bridge will open")
    expect(page.locator("#claim-table")).not_to_contain_text("Unemployment fell")
    page.go_back()
    speakers = page.locator("#chart-contradictions-speakers")
    expect(speakers.locator("h2")).to_contain_text("Ada Lin has the most contradicted claims: 7")
    speakers.locator("summary").click()
    speakers.get_by_role("link", name="Ada Lin", exact=True).click()
    expect(page).to_have_url(re.compile(r"/speakers/\d+/$"))
