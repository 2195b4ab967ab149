"""The desk dashboard in a real browser at phone and desktop widths: every chart drawn,
no horizontal overflow, axe clean, a chart's link opens the claims it counts.
Screenshots go to var/screenshots/, or docs/screenshots/ with ``UPDATE_SCREENSHOTS=1``."""

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
from claims.models import Article, Claim, ClaimEvent, Evidence
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
    contradicted by two people, one confirmation lapsed."""
    now = timezone.now()
    for day in range(0, 21, 3):
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
        support(bridge, f"https://www.bbc.co.uk/news/{day}", stance=Evidence.Stance.REFUTES)
        Claim.objects.filter(pk=jobs.pk).update(assignee=fact_checker)


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
    fits(page)
    accessible(page)
    screenshot(page, f"dashboard-{width}", full_page=width == 1280)
    page.locator("#chart-contradictions-outlets summary").click()
    screenshot(page, f"dashboard-table-{width}", full_page=False)
    page.locator("#chart-contradictions-outlets").get_by_role(
        "link", name="See these claims"
    ).click()
    expect(page).to_have_url(re.compile(r"contradicted=true"))
    expect(page.locator("#claim-table")).to_contain_text("The bridge will open")
    expect(page.locator("#claim-table")).not_to_contain_text("Unemployment fell")
