"""Webhooks: signed JSON events for the newsroom's other systems.

``send_event(event, data)`` is the one way to emit an event: after the current
transaction commits it writes one ``WebhookDelivery`` per active subscriber of that event
and queues ``claims.deliver_webhook`` for each. A delivery POSTs the body through the
safe fetcher's address rules (``fetching.safe_post``: no loopback, private or reserved
targets, no redirects) with

- ``X-Workbench-Event``: the event name,
- ``X-Workbench-Delivery``: the delivery's id (a UUID; the same on every retry),
- ``X-Workbench-Signature``: ``sha256=`` + the hex HMAC-SHA256 of the body with the
  subscriber's secret.

A failed attempt (network trouble or a non-2xx answer) is retried with exponential
backoff (``WORKBENCH_WEBHOOK_BACKOFF`` seconds, doubling) for
``WORKBENCH_WEBHOOK_RETRY_HOURS`` hours after the event; then the delivery gives up.
Every attempt's outcome is kept on the delivery (the admin's delivery log). A delivery
whose subscriber has been deactivated ends ``failed`` ("subscriber deactivated") at its
next attempt, without being posted. Each POST has one deadline for connecting, sending
and the answer (``WORKBENCH_WEBHOOK_DEADLINE_SECONDS``): a receiver that drips its answer
is a failed attempt like any other.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from claims import jobs
from claims.models import Article, Claim, ExternalStory, Source, WebhookDelivery, WebhookSubscriber
from claims.publication import exports

log = logging.getLogger(__name__)

EVENTS = (
    "article.extracted",
    "article.failed",
    "claim.status_changed",
    "claim.needs_rereview",
    "source.changed",
)
SIGNATURE_HEADER = "X-Workbench-Signature"
DELIVERY_HEADER = "X-Workbench-Delivery"
EVENT_HEADER = "X-Workbench-Event"


def new_secret() -> str:
    """A signing secret for a subscriber added without one (256 random bits)."""
    return secrets.token_urlsafe(32)


def sign(body: bytes, secret: str) -> str:
    """The ``X-Workbench-Signature`` value of ``body``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def send_event(event: str, data: dict[str, Any]) -> None:
    """Write ``event`` with ``data`` to the outbox (one delivery row per subscriber) in
    the caller's transaction: a status change and its event commit together or not at
    all, so a subscriber never misses a lapse and never hears of work rolled back. The
    delivery tasks are sent once it commits; deliveries left unsent (the broker was
    down, the process died) are sent again by ``send_unsent``, and each subscriber gets
    its deliveries in order (``attempt``)."""
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    _fan_out(event, data, timezone.now())


# --- What each event carries ------------------------------------------------------------


def _base() -> str:
    return settings.WORKBENCH_BASE_URL.rstrip("/")


def _anyone_listening() -> bool:
    """Skip building a body nobody will receive (one cheap query)."""
    return WebhookSubscriber.objects.filter(active=True).exists()


def article_event(event: str, article_id: int) -> None:
    """``article.extracted`` / ``article.failed``: the article as the API lists it, with
    the CMS's ``external_id`` when it came through the write API."""
    if not _anyone_listening():
        return
    article = Article.objects.defer("body", "dropped").get(pk=article_id)
    data = exports.article_data(article, base_url=_base())
    stories = ExternalStory.objects.filter(article_id=article_id)
    data["external_id"] = stories.values_list("external_id", flat=True).first()
    data["error"] = article.error
    send_event(event, {"article": data})


def claim_status_event(claim: Claim, *, previous: str) -> None:
    """``claim.status_changed`` (and ``claim.needs_rereview`` when it lapsed)."""
    if claim.status == previous:
        return
    base = _base()
    data = {
        "claim": {
            "id": claim.pk,
            "api_url": base + reverse("api-claim-detail", args=[claim.pk]),
            "article": claim.article_id,
            "article_api_url": base + reverse("api-article-detail", args=[claim.article_id]),
            "text": claim.text,
            "status": claim.status,
            "previous_status": previous,
            "changed_by": str(claim.status_changed_by or "") or None,
            "changed_at": claim.status_changed_at.isoformat() if claim.status_changed_at else None,
            "note": claim.status_note,
        }
    }
    send_event("claim.status_changed", data)
    if claim.status == Claim.Status.NEEDS_REREVIEW:
        send_event("claim.needs_rereview", data)


def source_event(source_id: int, *, outcome: str) -> None:
    """``source.changed``: the source's text changed, or the page died."""
    if not _anyone_listening():
        return
    source = Source.objects.get(pk=source_id)
    claims = list(
        Claim.objects.filter(evidence__source=source).distinct().values_list("pk", flat=True)
    )
    data = {
        "source": {
            "id": source.pk,
            "api_url": _base() + reverse("api-source-detail", args=[source.pk]),
            "url": source.url,
            "change": outcome,
            "link_state": source.link_state,
            "http_status": source.http_status,
            "error": source.fetch_error,
            "claims": sorted(claims),
        }
    }
    send_event("source.changed", data)


def _fan_out(event: str, data: dict[str, Any], sent_at: Any) -> None:
    for subscriber in WebhookSubscriber.objects.filter(active=True):
        if event not in subscriber.events:
            continue
        delivery_id = str(uuid.uuid4())
        body = {"event": event, "delivery": delivery_id, "sent_at": sent_at.isoformat()}
        delivery = WebhookDelivery.objects.create(
            subscriber=subscriber,
            delivery_id=delivery_id,
            event=event,
            body=json.dumps(body | {"data": data}, ensure_ascii=False, sort_keys=True),
            created_at=sent_at,
        )
        jobs.send_on_commit(  # the broker is down: logged, the delivery row is kept
            "claims.deliver_webhook",
            args=[delivery.pk],
            if_down=f"webhook delivery {delivery.delivery_id} kept; send it again in the admin",
        )


# --- One attempt ------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    delivered: bool
    retry_in: float | None  # seconds until the next attempt; None: do not retry
    reason: str = ""


def retry_window() -> timedelta:
    return timedelta(hours=settings.WORKBENCH_WEBHOOK_RETRY_HOURS)


MAX_BACKOFF = 3600.0  # an hour: under the Redis broker's visibility timeout


def backoff(attempts: int) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt: base, 2 x base, 4 x base...
    at most an hour."""
    return min(MAX_BACKOFF, float(settings.WORKBENCH_WEBHOOK_BACKOFF) * 2 ** max(0, attempts - 1))


def attempt(delivery_id: int) -> Attempt:
    """POST the delivery once and record the outcome; say whether (and when) to retry."""
    from claims.sources.fetching import safe_post

    delivery = WebhookDelivery.objects.select_related("subscriber").get(pk=delivery_id)
    if delivery.state in (WebhookDelivery.State.DELIVERED, WebhookDelivery.State.FAILED):
        return Attempt(delivery.state == WebhookDelivery.State.DELIVERED, None, "already done")
    if not delivery.subscriber.active:
        return _give_up(delivery, DEACTIVATED)
    if _earlier_pending(delivery):
        # In order: an earlier event to this subscriber goes first (it is being tried,
        # or ``send_unsent`` sends it again); this one waits without using an attempt.
        return Attempt(False, ORDER_WAIT, "waiting for an earlier delivery")
    body = delivery.body.encode("utf-8")
    headers = {
        SIGNATURE_HEADER: sign(body, delivery.subscriber.secret),
        DELIVERY_HEADER: delivery.delivery_id,
        EVENT_HEADER: delivery.event,
        "User-Agent": "ClaimWorkbench-Webhooks/1",
    }
    result = safe_post(delivery.subscriber.url, body, headers=headers)
    return _record(delivery, result.ok, result.http_status, result.reason)


DEACTIVATED = "subscriber deactivated"
ORDER_WAIT = 5.0  # seconds a delivery waits for an earlier one to the same subscriber
UNSENT_AFTER = timedelta(minutes=2)


def _earlier_pending(delivery: WebhookDelivery) -> bool:
    return (
        WebhookDelivery.objects.filter(
            subscriber_id=delivery.subscriber_id,
            pk__lt=delivery.pk,
            state__in=(WebhookDelivery.State.PENDING, WebhookDelivery.State.RETRYING),
        )
        .exclude(created_at__lt=timezone.now() - retry_window())
        .exists()
    )


def send_unsent(*, older_than: timedelta = UNSENT_AFTER) -> list[int]:
    """Send again the deliveries written to the outbox but never attempted (the broker
    was down when they committed, or the process died before sending): on beat."""
    cutoff = timezone.now() - older_than
    unsent = list(
        WebhookDelivery.objects.filter(
            state=WebhookDelivery.State.PENDING, attempts=0, created_at__lt=cutoff
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
    for delivery_id in unsent:
        jobs.send("claims.deliver_webhook", args=[delivery_id])
    return unsent


def send_again(delivery_ids: list[int]) -> list[int]:
    """Queue the chosen deliveries again ("Send again" in the admin): a failed one gets
    a fresh retry window from now (same delivery id); a pending one (never attempted, or
    its task lost) is simply sent. Deliveries being retried, delivered ones and those of
    deactivated subscribers are left alone. Returns the ids queued."""
    chosen = WebhookDelivery.objects.filter(pk__in=delivery_ids, subscriber__active=True)
    failed = chosen.filter(state=WebhookDelivery.State.FAILED)
    pending = chosen.filter(state=WebhookDelivery.State.PENDING)
    queued = sorted([*failed.values_list("pk", flat=True), *pending.values_list("pk", flat=True)])
    failed.update(state=WebhookDelivery.State.PENDING, created_at=timezone.now())
    for delivery_id in queued:
        jobs.send_on_commit("claims.deliver_webhook", args=[delivery_id])
    return queued


def _give_up(delivery: WebhookDelivery, reason: str) -> Attempt:
    """End the delivery without posting it (no attempt is counted)."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state=WebhookDelivery.State.FAILED, last_error=reason, next_attempt_at=None
    )
    return Attempt(False, None, reason)


def _record(delivery: WebhookDelivery, ok: bool, http_status: int | None, reason: str) -> Attempt:
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_status, delivery.last_error = http_status, "" if ok else reason
    if ok:
        delivery.state, delivery.delivered_at, delivery.next_attempt_at = "delivered", now, None
        outcome = Attempt(True, None)
    else:
        wait = backoff(delivery.attempts)
        give_up = now + timedelta(seconds=wait) > delivery.created_at + retry_window()
        refused = reason.startswith("refused")  # policy, not a passing fault
        if give_up or refused:
            delivery.state, delivery.next_attempt_at = WebhookDelivery.State.FAILED, None
            outcome = Attempt(False, None, reason)
        else:
            delivery.state = WebhookDelivery.State.RETRYING
            delivery.next_attempt_at = now + timedelta(seconds=wait)
            outcome = Attempt(False, wait, reason)
    delivery.save()
    return outcome
