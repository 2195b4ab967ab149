"""One serialiser per resource, for every consumer: the API, the JSON export and the
webhook payloads carry the same fields, built by ``claims/publication/serialisers.py``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from claims.integrations import webhooks
from claims.models import Article, Claim, Evidence, WebhookDelivery, WebhookSubscriber
from claims.publication import exports, serialisers


@pytest.fixture(autouse=True)
def same_host(settings: Any) -> None:
    """Webhooks link to WORKBENCH_BASE_URL, the API to the request's host: make them one."""
    settings.WORKBENCH_BASE_URL = "http://testserver"


def _listen(*events: str) -> None:
    WebhookSubscriber.objects.create(
        url="https://hooks.example.org/in", secret="s" * 32, events=list(events)
    )


def _payload() -> dict[str, Any]:
    return json.loads(WebhookDelivery.objects.get().body)["data"]


def test_article_extracted_carries_the_api_article_with_its_readiness(
    client: Client, viewer: User, make_article: Callable[..., Article]
) -> None:
    _listen("article.extracted")
    article = make_article()
    client.force_login(viewer)

    webhooks.article_event("article.extracted", article.pk)

    sent = _payload()["article"]
    listed = client.get(reverse("api-article-list")).json()["results"][0]
    assert sent == listed | {"error": ""}
    assert sent["readiness"]["verdict"] == "needs_work"


def test_a_status_change_carries_the_api_claim_and_the_change(
    client: Client,
    viewer: User,
    make_article: Callable[..., Article],
    support: Callable[..., Evidence],
) -> None:
    _listen("claim.status_changed")
    claim = make_article().claims.order_by("start").first()
    support(claim, stance=Evidence.Stance.REFUTES)
    client.force_login(viewer)

    webhooks.claim_status_event(Claim.objects.get(pk=claim.pk), previous="confirmed")

    sent = _payload()["claim"]
    shown = client.get(reverse("api-claim-detail", args=[claim.pk])).json()
    shown.pop("evidence")
    change = {"article_api_url", "previous_status", "changed_by", "changed_at", "note"}
    assert {k: v for k, v in sent.items() if k not in change} == shown
    assert sent["verdict"] == "contradicted" and sent["previous_status"] == "confirmed"


def test_the_json_export_is_the_api_claim_detail(
    client: Client, viewer: User, make_article: Callable[..., Article]
) -> None:
    article = make_article()
    client.force_login(viewer)

    exported = json.loads(
        "".join(exports.article_json_chunks(article, base_url="http://testserver"))
    )

    for claim in exported["claims"]:
        assert claim == client.get(claim["api_url"]).json()
        assert set(claim) == set(serialisers.CLAIM_DETAIL.fields)
