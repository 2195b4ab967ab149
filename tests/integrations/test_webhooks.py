"""Webhooks: each event reaches a receiver on 127.0.0.1 signed with the subscriber's
secret, once per subscriber; a receiver that fails is tried again with exponential
backoff (the third try gets it), for 24 hours; targets follow the safe fetcher's address
rules. Events go out only after the change commits.

Deliveries are queued to the session's embedded test Redis (a real broker, flushed
after each test); the tests then run each delivery's task in this process
(``deliver_webhook.apply``), whose retries run at once instead of after the backoff.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
from collections.abc import Callable, Iterator
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import timezone

from claims.confirmation import service as status
from claims.ingest import articles as ingest
from claims.integrations import webhooks
from claims.models import Article, Claim, Evidence, WebhookDelivery, WebhookSubscriber
from claims.review import evidence as verification
from claims.sources import capture as sources
from claims.sources import fetching
from claims.tasks import deliver_webhook
from tests import live
from tests.httpserver import (
    LocalServer,
    WebhookReceiver,
    local_server_fixture,  # noqa: F401
    webhook_receiver_fixture,  # noqa: F401
)
from tests.live_fixtures import broker_fixture  # noqa: F401

SECRET = "s3cret-for-tests"


@pytest.fixture(autouse=True)
def only_loopback(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    """Loopback allowed for the local servers; no real DNS."""
    settings.WORKBENCH_FETCH_ALLOW_LOOPBACK = True

    def resolve(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(fetching, "resolve_host", resolve)


@pytest.fixture
def queue(broker: live.Broker) -> Iterator[None]:
    yield
    broker.flush()


@pytest.fixture
def subscriber(webhook_receiver: WebhookReceiver, db: Any) -> WebhookSubscriber:
    return WebhookSubscriber.objects.create(
        url=webhook_receiver.url(), secret=SECRET, events=list(webhooks.EVENTS)
    )


def deliver_all() -> None:
    for pk in WebhookDelivery.objects.order_by("pk").values_list("pk", flat=True):
        deliver_webhook.apply(args=[pk])


def events(receiver: WebhookReceiver) -> list[str]:
    return [json.loads(item.body)["event"] for item in receiver.received]


def assert_signed(received: Any) -> None:
    expected = hmac.new(SECRET.encode(), received.body, hashlib.sha256).hexdigest()
    assert received.headers["X-Workbench-Signature"] == f"sha256={expected}"


def test_a_status_change_is_written_to_the_outbox_with_it_and_sent_after_commit(
    subscriber: WebhookSubscriber,
    webhook_receiver: WebhookReceiver,
    make_article: Callable[..., Article],
    fact_checker: User,
    queue: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    claim = make_article().claims.first()
    with django_capture_on_commit_callbacks(execute=True):
        status.unconfirm(claim, by=fact_checker, note="no change")  # unconfirmed already
        assert not WebhookDelivery.objects.exists()
    with django_capture_on_commit_callbacks(execute=False) as pending:
        Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.CONFIRMED)
        claim.refresh_from_db()
        status.unconfirm(claim, by=fact_checker, note="the figure was wrong")
        # The outbox row is written in the status change's own transaction...
        assert WebhookDelivery.objects.filter(state="pending", attempts=0).count() == 1
    assert not webhook_receiver.received  # ...and nothing is sent before the commit
    for callback in pending:
        callback()

    deliver_all()

    [received] = webhook_receiver.received
    assert_signed(received)
    body = json.loads(received.body)
    assert body["event"] == "claim.status_changed"
    assert received.headers["X-Workbench-Event"] == "claim.status_changed"
    assert received.headers["X-Workbench-Delivery"] == body["delivery"]
    assert body["data"]["claim"] | {"changed_at": None} == body["data"]["claim"] | {
        "id": claim.pk,
        "status": "unconfirmed",
        "previous_status": "confirmed",
        "changed_by": "fred",
        "note": "the figure was wrong",
        "changed_at": None,
    }
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 1, 204)


def test_every_event_reaches_the_receiver_with_a_valid_signature(
    subscriber: WebhookSubscriber,
    webhook_receiver: WebhookReceiver,
    local_server: LocalServer,
    make_article: Callable[..., Article],
    fact_checker: User,
    editor: User,
    queue: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    article = make_article()
    claim = article.claims.first()
    page = "The council minutes say the city council approved a budget of 4.2 million dollars."
    url = local_server.add("/minutes", page.encode(), content_type="text/plain")
    with django_capture_on_commit_callbacks(execute=True):
        evidence = verification.add_evidence(
            claim=claim,
            by=fact_checker,
            stance=Evidence.Stance.SUPPORTS,
            url=url,
            excerpt="approved a budget of 4.2 million dollars",
        )
        sources.capture(evidence.source.pk)
        status.confirm(claim, by=fact_checker)  # claim.status_changed
        local_server.add("/minutes", b"This page was rewritten.", content_type="text/plain")
        sources.capture(evidence.source.pk)  # source.changed; the claim lapses
        attempt = ingest.Attempt(article.pk, article.revision, 1)
        Article.objects.filter(pk=article.pk).update(state="processing", attempts=1)
        ingest.mark_failed(attempt, "The text could not be read.")  # article.failed

    deliver_all()

    assert sorted(events(webhook_receiver)) == [
        "article.failed",
        "claim.needs_rereview",
        "claim.status_changed",
        "claim.status_changed",
        "source.changed",
    ]
    for received in webhook_receiver.received:
        assert_signed(received)
    bodies = {json.loads(r.body)["event"]: json.loads(r.body) for r in webhook_receiver.received}
    assert bodies["source.changed"]["data"]["source"]["claims"] == [claim.pk]
    assert bodies["claim.needs_rereview"]["data"]["claim"]["status"] == "needs_rereview"
    assert bodies["article.failed"]["data"]["article"]["error"] == "The text could not be read."
    assert len({r.headers["X-Workbench-Delivery"] for r in webhook_receiver.received}) == 5


def test_extraction_sends_article_extracted(
    subscriber: WebhookSubscriber,
    webhook_receiver: WebhookReceiver,
    editor: User,
    queue: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        article = ingest.submit_article(
            title="Budget", text="The council approved a budget of 4.2 million dollars.", by=editor
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert ingest.run_extraction(article.pk, article.revision).startswith("done")

    deliver_all()

    assert events(webhook_receiver) == ["article.extracted"]
    data = json.loads(webhook_receiver.received[0].body)["data"]["article"]
    assert (data["id"], data["state"]) == (article.pk, "done")


def test_a_subscriber_gets_only_its_events(
    webhook_receiver: WebhookReceiver,
    make_article: Callable[..., Article],
    fact_checker: User,
    queue: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    WebhookSubscriber.objects.create(
        url=webhook_receiver.url(), secret=SECRET, events=["source.changed"]
    )
    claim = make_article().claims.first()
    Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.CONFIRMED)
    claim.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        status.unconfirm(claim, by=fact_checker)

    assert not WebhookDelivery.objects.exists()


def delivery_for(subscriber: WebhookSubscriber, **fields: Any) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        subscriber=subscriber,
        delivery_id="5f0c2a54-8a6b-4c1e-9a59-0d1f2e3a4b5c",
        event="claim.status_changed",
        body='{"event": "claim.status_changed"}',
        **fields,
    )


def test_a_receiver_that_fails_twice_gets_the_delivery_on_the_third_try(
    subscriber: WebhookSubscriber, webhook_receiver: WebhookReceiver
) -> None:
    webhook_receiver.fail_first = 2
    delivery = delivery_for(subscriber)

    result = deliver_webhook.apply(args=[delivery.pk])

    assert result.get() == "delivered"
    assert webhook_receiver.answered == [500, 500, 204]
    ids = {r.headers["X-Workbench-Delivery"] for r in webhook_receiver.received}
    assert ids == {delivery.delivery_id}  # one delivery, tried three times
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 3, 204)


def test_failed_attempts_back_off_exponentially(
    subscriber: WebhookSubscriber, webhook_receiver: WebhookReceiver, settings: Any
) -> None:
    settings.WORKBENCH_WEBHOOK_BACKOFF = 30
    webhook_receiver.fail_first = 3
    delivery = delivery_for(subscriber)

    waits = [webhooks.attempt(delivery.pk).retry_in for _ in range(3)]

    assert waits == [30, 60, 120]
    delivery.refresh_from_db()
    assert delivery.state == "retrying" and delivery.last_status == 500
    assert delivery.last_error == "failed: HTTP 500"
    assert webhooks.backoff(20) == webhooks.MAX_BACKOFF  # never more than an hour apart


def test_it_gives_up_24_hours_after_the_event(
    subscriber: WebhookSubscriber, webhook_receiver: WebhookReceiver
) -> None:
    webhook_receiver.fail_first = 1
    delivery = delivery_for(
        subscriber, created_at=timezone.now() - timedelta(hours=23, minutes=59, seconds=50)
    )

    outcome = webhooks.attempt(delivery.pk)

    assert outcome.retry_in is None and not outcome.delivered
    delivery.refresh_from_db()
    assert delivery.state == "failed"
    assert webhooks.attempt(delivery.pk).reason == "already done"  # a late duplicate
    assert len(webhook_receiver.received) == 1


def test_private_and_loopback_targets_are_refused_without_the_test_allowance(
    subscriber: WebhookSubscriber, webhook_receiver: WebhookReceiver, settings: Any
) -> None:
    settings.WORKBENCH_FETCH_ALLOW_LOOPBACK = False
    delivery = delivery_for(subscriber)

    outcome = webhooks.attempt(delivery.pk)

    assert outcome.retry_in is None
    assert outcome.reason == "refused: address 127.0.0.1 is loopback"
    assert webhook_receiver.received == []
    for target in ("http://10.0.0.5/hooks", "http://169.254.169.254/latest"):
        WebhookSubscriber.objects.filter(pk=subscriber.pk).update(url=target)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(state="pending")
        assert webhooks.attempt(delivery.pk).reason.startswith("refused: address")


def test_add_webhook_from_the_shell(db: Any) -> None:
    out = StringIO()
    call_command(
        "add_webhook",
        "https://cms.example.org/hooks",
        "--secret",
        "abc",
        "--events",
        "claim.status_changed,source.changed",
        stdout=out,
    )

    hook = WebhookSubscriber.objects.get()
    assert hook.events == ["claim.status_changed", "source.changed"] and hook.secret == "abc"
    assert str(hook.pk) in out.getvalue()
    with pytest.raises(CommandError, match="unknown event"):
        call_command("add_webhook", "https://x.example/h", "--secret", "s", "--events", "nope")
    with pytest.raises(CommandError, match="http"):
        call_command("add_webhook", "javascript:alert(1)", "--secret", "s", "--events", "all")


def test_the_signature_is_the_hmac_sha256_of_the_body() -> None:
    body = b'{"event": "x"}'

    assert webhooks.sign(body, "k") == "sha256=" + hmac.new(b"k", body, hashlib.sha256).hexdigest()


def test_retries_stop_once_the_subscriber_is_deactivated(
    subscriber: WebhookSubscriber, webhook_receiver: WebhookReceiver
) -> None:
    webhook_receiver.fail_first = 5
    delivery = delivery_for(subscriber)
    assert webhooks.attempt(delivery.pk).retry_in is not None
    WebhookSubscriber.objects.filter(pk=subscriber.pk).update(active=False)

    outcome = webhooks.attempt(delivery.pk)

    assert outcome.retry_in is None and outcome.reason == "subscriber deactivated"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.last_error) == ("failed", "subscriber deactivated")
    assert delivery.attempts == 1 and len(webhook_receiver.received) == 1  # not posted


def test_send_again_queues_failed_and_pending_deliveries_only(
    subscriber: WebhookSubscriber, django_capture_on_commit_callbacks: Any
) -> None:
    long_ago = timezone.now() - timedelta(days=3)
    made = {
        state: WebhookDelivery.objects.create(
            subscriber=subscriber,
            delivery_id=f"delivery-{state}",
            event="claim.status_changed",
            body="{}",
            state=state,
            created_at=long_ago,
        )
        for state in ("failed", "pending", "retrying", "delivered")
    }

    with django_capture_on_commit_callbacks(execute=False) as sent:
        queued = webhooks.send_again([delivery.pk for delivery in made.values()])

    assert queued == sorted([made["failed"].pk, made["pending"].pk])
    assert len(sent) == 2
    made["failed"].refresh_from_db()
    assert made["failed"].state == "pending"
    assert made["failed"].created_at > long_ago  # a fresh retry window
