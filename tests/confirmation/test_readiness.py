"""Readiness: a story is *ready* when every check-worthy claim is confirmed, *needs work*
while one is open (or extraction is not done), *blocked* when a claim is contradicted
or needs re-review; the verdict follows the claims as they are confirmed, refuted or
lapse, on the article page, in the articles list's filter and in the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from claims.confirmation import readiness
from claims.confirmation import service as status
from claims.models import Article, Claim, Evidence


def verdict(article: Article) -> str:
    return readiness.of(article).verdict


def test_readiness_follows_confirmation_refutation_and_lapse(
    make_article: Callable[..., Article], support: Callable[..., Evidence], fact_checker: User
) -> None:
    article = make_article()
    first, second = article.claims.order_by("start")
    assert verdict(article) == "needs_work"
    assert readiness.of(article).reasons == ["2 check-worthy claims are not confirmed yet"]

    support(first)
    status.confirm(first, by=fact_checker)
    assert readiness.of(article).reasons == ["1 check-worthy claim is not confirmed yet"]

    support(second, url="https://apnews.com/article/bridge")
    status.confirm(second, by=fact_checker)
    assert verdict(article) == "ready"
    assert readiness.of(article).reasons == ["all 2 check-worthy claims are confirmed"]

    support(second, url="https://www.bbc.co.uk/news/bridge", stance=Evidence.Stance.REFUTES)
    assert verdict(article) == "blocked"
    assert "1 claim is contradicted by refuting evidence" in readiness.of(article).reasons

    Evidence.objects.filter(stance=Evidence.Stance.REFUTES).delete()
    assert verdict(article) == "ready"
    status.lapse([first], cause="the source was withdrawn")
    assert verdict(article) == "blocked"
    assert readiness.of(article).reasons[0] == (
        "1 claim needs re-review: the basis of its confirmation lapsed"
    )


def test_an_article_still_in_extraction_or_failed_needs_work(
    make_article: Callable[..., Article],
) -> None:
    queued = make_article(state=Article.State.QUEUED)
    failed = make_article(state=Article.State.FAILED, title="Failed")

    assert verdict(queued) == verdict(failed) == "needs_work"
    assert "claim extraction failed: retry it, with another URL or pasted text" in (
        readiness.of(failed).reasons
    )


def test_claims_that_are_not_check_worthy_or_orphaned_do_not_hold_a_story(
    make_article: Callable[..., Article],
) -> None:
    article = make_article()
    first, second = article.claims.order_by("start")
    Claim.objects.filter(pk=first.pk).update(check_worthy=False)
    Claim.objects.filter(pk=second.pk).update(orphaned=True, status=Claim.Status.NEEDS_REREVIEW)

    assert verdict(article) == "ready"
    assert readiness.of(article).reasons == ["no check-worthy claims were found"]


def test_hedged_claims_are_a_caution_not_a_block(
    make_article: Callable[..., Article],
) -> None:
    article = make_article()
    article.claims.update(hedged=True)

    assert verdict(article) == "needs_work"
    assert (
        "2 hedged claims left in the text (caution, not blocking)" in readiness.of(article).reasons
    )


def test_the_articles_list_filters_by_readiness_and_the_page_shows_the_verdict(
    client: Client,
    viewer: User,
    make_article: Callable[..., Article],
    support: Callable[..., Evidence],
) -> None:
    open_story = make_article(title="Open story")
    blocked = make_article(title="Blocked story")
    support(blocked.claims.first(), stance=Evidence.Stance.REFUTES)
    client.force_login(viewer)

    listed = client.get(reverse("article-list"), {"readiness": "blocked"})
    page = client.get(open_story.get_absolute_url())

    assert [a.title for a in listed.context["page"]] == ["Blocked story"]
    assert client.get(reverse("article-list"), {"readiness": "maybe"}).status_code == 400
    html = page.content.decode()
    assert "verdict-needs_work" in html and "2 check-worthy claims are not confirmed yet" in html


def test_the_api_filters_by_readiness(
    client: Client,
    viewer: User,
    make_article: Callable[..., Article],
    support: Callable[..., Evidence],
) -> None:
    make_article(title="Open story")
    blocked = make_article(title="Blocked story")
    support(blocked.claims.first(), stance=Evidence.Stance.REFUTES)
    client.force_login(viewer)

    data: Any = client.get(reverse("api-article-list"), {"readiness": "blocked"}).json()

    assert [a["title"] for a in data["results"]] == ["Blocked story"]
    assert data["results"][0]["readiness"]["verdict"] == "blocked"


def test_a_status_change_in_the_panel_refreshes_the_verdict_out_of_band(
    client: Client,
    fact_checker: User,
    make_article: Callable[..., Article],
    support: Callable[..., Evidence],
) -> None:
    claim = make_article().claims.order_by("start").first()
    support(claim)
    client.force_login(fact_checker)

    response = client.post(
        reverse("claim-status", args=[claim.pk]), {"action": "confirm"}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert 'id="readiness" aria-label="Readiness" hx-swap-oob="true"' in html
    assert "1 check-worthy claim is not confirmed yet" in html


def test_unverified_reports_are_named_apart_from_hedges(
    make_article: Callable[..., Article],
) -> None:
    article = make_article()
    first, second = article.claims.order_by("start")
    Claim.objects.filter(pk=first.pk).update(hedged=True, factuality="unverified_report")
    Claim.objects.filter(pk=second.pk).update(hedged=True, factuality="hedged")
    reasons = readiness.of(article).reasons
    assert "1 unverified report left in the text (caution, not blocking)" in reasons
    assert "1 hedged claim left in the text (caution, not blocking)" in reasons
