"""Webhooks: each event reaches a receiver on 127.0.0.1 signed with the subscriber's
secret, once per subscriber; a receiver that fails is tried again with exponential
backoff (the third try gets it), for 24 hours; targets follow the safe fetcher's address
rules. Events go out only after the change commits.

Deliveries are queued to the session's embedded test Redis (a real broker, flushed
after each test); the tests then run each delivery's task in this process
(``deliver_webhook.apply``), whose retries run at once instead of after the backoff.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import socket
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
import standardwebhooks.webhooks as standard
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from claims.api import schema as openapi
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
    Received,
    WebhookReceiver,
    local_server_fixture,  # noqa: F401
    webhook_receiver_fixture,  # noqa: F401
)
from tests.live_fixtures import broker_fixture  # noqa: F401
from tests.support import ROOT

SECRET = "s3cret-for-tests"
WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # the Standard Webhooks spec's example


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


# --- Standard Webhooks: replay-safe signatures, verified by the spec's own library ---------


class StandardReceiver(WebhookReceiver):
    """A receiver built on the ``standardwebhooks`` package: it answers 401 to whatever
    its ``Webhook.verify`` refuses, and keeps the reason."""

    def __init__(self, secret: str | bytes) -> None:
        super().__init__()
        self.hook = standard.Webhook(secret)
        self.refused: list[str] = []

    def answer(self, request: Received) -> int:
        try:
            self.hook.verify(request.body, request.headers)
        except standard.WebhookVerificationError as exc:
            with self.lock:
                self.received.append(request)
                self.refused.append(str(exc))
                self.answered.append(401)
            return 401
        return super().answer(request)

    def replay(self, request: Received) -> int:
        """POST a captured request again, exactly as it was."""
        replayed = urllib.request.Request(
            self.url(request.path), data=request.body, headers=request.headers, method="POST"
        )
        try:
            with urllib.request.urlopen(replayed, timeout=5) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as exc:
            return exc.code


@pytest.fixture
def standard_receiver() -> Iterator[Callable[[str | bytes], StandardReceiver]]:
    started: list[StandardReceiver] = []

    def start(secret: str | bytes) -> StandardReceiver:
        receiver = StandardReceiver(secret)
        receiver.start()
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.stop()


def subscriber_at(receiver: WebhookReceiver, secret: str) -> WebhookSubscriber:
    return WebhookSubscriber.objects.create(
        url=receiver.url(), secret=secret, events=list(webhooks.EVENTS)
    )


def clock_moved(monkeypatch: pytest.MonkeyPatch, by: timedelta) -> None:
    """The receiving library's clock, ``by`` later than ours (the replay comes later)."""

    class Later(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return datetime.now(tz) + by

    monkeypatch.setattr(standard, "datetime", Later)


def test_every_attempt_including_retries_hours_after_the_event_verifies_with_the_library(
    db: Any, standard_receiver: Callable[[str | bytes], StandardReceiver]
) -> None:
    secret = webhooks.new_secret()
    receiver = standard_receiver(secret)
    receiver.fail_first = 2
    subscriber = subscriber_at(receiver, secret)
    delivery = delivery_for(subscriber, created_at=timezone.now() - timedelta(hours=3))

    assert deliver_webhook.apply(args=[delivery.pk]).get() == "delivered"

    assert receiver.refused == []  # an event three hours old, and every retry, verifies
    assert receiver.answered == [500, 500, 204]
    assert {r.headers["webhook-id"] for r in receiver.received} == {delivery.delivery_id}
    for received in receiver.received:
        assert abs(int(received.headers["webhook-timestamp"]) - timezone.now().timestamp()) < 60
        assert received.headers["X-Workbench-Delivery"] == delivery.delivery_id


def test_a_secret_that_is_not_whsec_is_used_as_its_utf8_bytes(
    db: Any, standard_receiver: Callable[[str | bytes], StandardReceiver]
) -> None:
    receiver = standard_receiver(SECRET.encode())
    delivery = delivery_for(subscriber_at(receiver, SECRET))

    assert webhooks.attempt(delivery.pk).delivered
    assert receiver.refused == [] and receiver.answered == [204]
    assert_signed(receiver.received[0])  # the original header is still there


def test_a_captured_delivery_replayed_after_five_minutes_is_refused(
    db: Any,
    standard_receiver: Callable[[str | bytes], StandardReceiver],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = webhooks.new_secret()
    receiver = standard_receiver(secret)
    delivery = delivery_for(subscriber_at(receiver, secret))
    assert webhooks.attempt(delivery.pk).delivered
    captured = receiver.received[0]

    clock_moved(monkeypatch, timedelta(minutes=4))
    assert receiver.replay(captured) == 204  # within the window: drop it by webhook-id
    clock_moved(monkeypatch, timedelta(minutes=6))
    assert receiver.replay(captured) == 401
    forged = dict(captured.headers) | {
        "webhook-timestamp": str(int(datetime.now(UTC).timestamp()) + 360)
    }
    assert receiver.replay(Received(captured.path, forged, captured.body)) == 401

    assert receiver.refused == ["Message timestamp too old", "No matching signature found"]


def test_during_a_rotation_both_secrets_verify_and_after_it_only_the_new_one(
    db: Any, standard_receiver: Callable[[str | bytes], StandardReceiver]
) -> None:
    old = webhooks.new_secret()
    old_receiver = standard_receiver(old)
    subscriber = subscriber_at(old_receiver, old)
    out = StringIO()
    call_command("rotate_webhook_secret", str(subscriber.pk), stdout=out)
    new = re.search(r"new secret (whsec_\S+)", out.getvalue())[1]  # type: ignore[index]
    new_receiver = standard_receiver(new)
    subscriber.refresh_from_db()
    assert (subscriber.secret, subscriber.previous_secret) == (new, old)

    for receiver in (old_receiver, new_receiver):
        WebhookSubscriber.objects.filter(pk=subscriber.pk).update(url=receiver.url())
        delivery = WebhookDelivery.objects.create(
            subscriber=subscriber, delivery_id=f"d-{receiver.url()}", event="x", body="{}"
        )
        assert webhooks.attempt(delivery.pk).delivered
        assert len(receiver.received[-1].headers["webhook-signature"].split(" ")) == 2

    WebhookSubscriber.objects.filter(pk=subscriber.pk).update(
        url=old_receiver.url(), previous_secret_until=timezone.now() - timedelta(seconds=1)
    )
    late = WebhookDelivery.objects.create(
        subscriber=subscriber, delivery_id="late", event="x", body="{}"
    )
    assert webhooks.attempt(late.pk).retry_in is not None  # the old secret no longer signs
    assert old_receiver.refused == ["No matching signature found"]
    assert len(old_receiver.received[-1].headers["webhook-signature"].split(" ")) == 1


def test_rotation_refuses_a_malformed_or_unchanged_secret(db: Any) -> None:
    subscriber = WebhookSubscriber.objects.create(url="https://x.example/h", secret=SECRET)

    with pytest.raises(CommandError, match="base64"):
        call_command("rotate_webhook_secret", str(subscriber.pk), "--secret", "whsec_!!")
    with pytest.raises(CommandError, match="current one"):
        call_command("rotate_webhook_secret", str(subscriber.pk), "--secret", SECRET)
    with pytest.raises(CommandError, match="base64"):
        call_command(
            "add_webhook", "https://x.example/h", "--secret", "whsec_%%", "--events", "all"
        )
    subscriber.refresh_from_db()
    assert (subscriber.secret, subscriber.previous_secret) == (SECRET, "")


def docs_example(marker: str, namespace: dict[str, Any]) -> dict[str, Any]:
    """Run the Python example of docs/integration.md that contains ``marker``, as it is
    written there, in ``namespace``."""
    page = (ROOT / "docs" / "integration.md").read_text()
    [example] = [b for b in re.findall(r"```python\n(.*?)```", page, re.S) if marker in b]
    exec(compile(example, "docs/integration.md", "exec"), namespace)
    return namespace


def docs_verify() -> Callable[..., dict[str, Any]]:
    return docs_example("def verify(", {})["verify"]  # type: ignore[no-any-return]


def test_the_documented_library_example_verifies_a_delivery(
    db: Any, webhook_receiver: WebhookReceiver
) -> None:
    delivery = delivery_for(subscriber_at(webhook_receiver, WHSEC))
    assert webhooks.attempt(delivery.pk).delivered
    received = webhook_receiver.received[0]

    @dataclass
    class Request:  # what a Django view has: the raw body and the headers
        body: bytes
        headers: dict[str, str]

    ran = docs_example(
        "standardwebhooks", {"SECRET": WHSEC, "request": Request(received.body, received.headers)}
    )

    assert ran["event"] == json.loads(delivery.body)
    forged = Request(received.body + b" ", received.headers)
    with pytest.raises(standard.WebhookVerificationError):
        docs_example("standardwebhooks", {"SECRET": WHSEC, "request": forged})


@pytest.mark.parametrize("secret", [WHSEC, SECRET, "whsec_QUJD"])
def test_the_documented_verify_accepts_a_delivery_and_refuses_a_replay(
    db: Any, webhook_receiver: WebhookReceiver, secret: str
) -> None:
    verify = docs_verify()
    subscriber = subscriber_at(webhook_receiver, secret)
    delivery = delivery_for(subscriber)
    assert webhooks.attempt(delivery.pk).delivered
    received = webhook_receiver.received[0]

    assert verify(received.body, received.headers, secret) == json.loads(delivery.body)
    delivery.subscriber = subscriber
    replay = webhooks.signed_headers(delivery, now=timezone.now() - timedelta(minutes=6))
    with pytest.raises(PermissionError, match="5-minute window"):
        verify(received.body, replay, secret)
    moved = dict(received.headers) | {"webhook-timestamp": replay["webhook-timestamp"]}
    with pytest.raises(PermissionError, match="5-minute window"):
        verify(received.body, moved, secret)
    fresh = dict(received.headers) | {"webhook-timestamp": str(int(timezone.now().timestamp()) + 1)}
    with pytest.raises(PermissionError, match="bad signature"):
        verify(received.body, fresh, secret)
    with pytest.raises(PermissionError, match="bad signature"):
        verify(received.body + b" ", received.headers, secret)


@given(
    key=st.binary(min_size=1, max_size=64),
    msg_id=st.text(st.characters(exclude_characters=" ,"), min_size=1, max_size=40),
    timestamp=st.integers(min_value=0, max_value=2**33),
    body=st.text(max_size=200),
)
def test_our_signature_is_the_one_the_library_computes(
    key: bytes, msg_id: str, timestamp: int, body: str
) -> None:
    secret = "whsec_" + base64.b64encode(key).decode()
    library = standard.Webhook(secret).sign(msg_id, datetime.fromtimestamp(timestamp, UTC), body)

    assert webhooks.sign_standard(msg_id, timestamp, body.encode(), secret) == library
    assert webhooks.signing_key(secret) == key
    assert webhooks.signing_key(secret.rstrip("=")) == key  # unpadded, as the library takes it


def test_the_openapi_document_names_every_header_a_delivery_carries(
    subscriber: WebhookSubscriber, webhook_receiver: WebhookReceiver
) -> None:
    schema = openapi.document()  # the document /api/schema/ serves
    delivery = delivery_for(subscriber)
    assert webhooks.attempt(delivery.pk).delivered

    sent = {name.lower() for name in webhook_receiver.received[0].headers}
    documented = {
        p["name"].lower() for p in schema["webhooks"][delivery.event]["post"]["parameters"]
    }
    assert documented == {name for name in sent if name.startswith(("webhook-", "x-workbench-"))}
