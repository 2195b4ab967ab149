"""The desk's pages: today's queue (the most check-worthy unreviewed claims of the last
24 hours, assignable in bulk) and the printable verification report of an article."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims.confirmation import service as status
from claims.models import Article, Claim, Evidence

QUEUE = reverse("todays-queue")


def arrived(article: Article, hours_ago: float) -> Article:
    Article.objects.filter(pk=article.pk).update(
        created_at=timezone.now() - timedelta(hours=hours_ago)
    )
    return article


def test_the_queue_lists_unreviewed_claims_of_the_last_day_best_first_then_newest_story(
    client: Client,
    fact_checker: User,
    make_article: Callable[..., Article],
    support: Callable[..., Evidence],
) -> None:
    older = arrived(make_article(title="Older"), 5)
    newer = arrived(make_article(title="Newer"), 1)
    arrived(make_article(title="Yesterday's"), 25)
    reviewed = newer.claims.order_by("start")[1]
    support(reviewed)  # has evidence: someone is on it
    client.force_login(fact_checker)

    page = client.get(QUEUE).context["page"]

    listed = [(c.article.title, c.checkworthiness) for c in page]
    assert listed == [("Newer", 0.9), ("Older", 0.9), ("Older", 0.8)]
    assert reviewed.pk not in [c.pk for c in page]
    assert {c.article_id for c in page} == {older.pk, newer.pk}


def test_claims_are_assigned_in_bulk_from_the_queue(
    client: Client, fact_checker: User, editor: User, make_article: Callable[..., Article]
) -> None:
    claims = list(make_article().claims.all())
    client.force_login(editor)

    response = client.post(
        QUEUE, {"action": "assign", "ids": [c.pk for c in claims], "assignee": fact_checker.pk}
    )

    assert response.status_code == 302 and response["Location"] == QUEUE
    assert set(Claim.objects.values_list("assignee", flat=True)) == {fact_checker.pk}
    history = claims[0].history.first()
    assert history.history_change_reason == "assigned to fred" and history.history_user == editor


def test_viewers_see_the_queue_but_cannot_assign(
    client: Client, viewer: User, fact_checker: User, make_article: Callable[..., Article]
) -> None:
    claim = make_article().claims.first()
    client.force_login(viewer)

    page = client.get(QUEUE)
    response = client.post(
        QUEUE, {"action": "assign", "ids": [claim.pk], "assignee": fact_checker.pk}
    )

    assert page.status_code == 200 and b"Assign the checked claims" not in page.content
    assert response.status_code == 403
    assert Claim.objects.get(pk=claim.pk).assignee is None


def test_outsiders_get_no_queue_and_no_report(
    client: Client, outsider: User, make_article: Callable[..., Article]
) -> None:
    article = make_article()
    client.force_login(outsider)

    assert client.get(QUEUE).status_code == 403
    assert client.get(reverse("article-report", args=[article.pk])).status_code == 403


def test_the_report_lists_each_claim_its_status_evidence_and_who_decided(
    client: Client,
    viewer: User,
    fact_checker: User,
    make_article: Callable[..., Article],
    support: Callable[..., Evidence],
) -> None:
    article = make_article()
    first, second = article.claims.order_by("start")
    evidence = support(first, excerpt="approved a budget of 4.2 million dollars")
    status.confirm(first, by=fact_checker, note="council minutes")
    client.force_login(viewer)

    response = client.get(reverse("article-report", args=[article.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert first.text in html and second.text in html
    assert "Confirmed by <strong>fred</strong>" in html and "council minutes" in html
    assert evidence.source.url in html and "approved a budget of 4.2 million dollars" in html
    assert "Found in source" in html
    assert "Not reviewed yet" in html  # the second claim
    assert "verdict-needs_work" in html and "data-print" in html
    assert client.post(reverse("article-report", args=[article.pk])).status_code == 405
