"""Webhooks: signed JSON events for the newsroom's other systems.

``send_event(event, data)`` is the one way to emit an event: after the current
transaction commits it writes one ``WebhookDelivery`` per active subscriber of that event
and queues ``claims.deliver_webhook`` for each. A delivery POSTs the body through the
safe fetcher's address rules (``fetching.safe_post``: no loopback, private or reserved
targets, no redirects), signed as the Standard Webhooks spec says
(https://www.standardwebhooks.com/), so any of its libraries verifies it:

- ``webhook-id``: the delivery's id (a UUID; the same on every retry: drop duplicates),
- ``webhook-timestamp``: the Unix time of *this* attempt, in seconds,
- ``webhook-signature``: ``v1,`` + the base64 HMAC-SHA256 of ``"{id}.{timestamp}.{body}"``;
  during a secret rotation (``rotate_secret``) one such signature per active secret,
  separated by a space.

The signature covers the time, so a receiver that refuses timestamps more than five
minutes from its clock refuses a captured delivery replayed later; each retry is signed
afresh. The key of a ``whsec_<base64>`` secret is the decoded bytes; of any other secret
its UTF-8 bytes (``signing_key``). Beside them, for receivers written before, the
original headers:

- ``X-Workbench-Event``: the event name,
- ``X-Workbench-Delivery``: the delivery's id again,
- ``X-Workbench-Signature``: ``sha256=`` + the hex HMAC-SHA256 of the body alone, with
  the current secret (no timestamp: not replay-safe).

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

import base64
import binascii
import hashlib
import hmac
import json
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from claims import jobs
from claims.models import Article, Claim, Source, WebhookDelivery, WebhookSubscriber
from claims.publication import serialisers

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
ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
STANDARD_SIGNATURE_HEADER = "webhook-signature"
SECRET_PREFIX = "whsec_"
ROTATION_OVERLAP = timedelta(hours=24)


class BadSecret(ValueError):
    """A ``whsec_`` secret that is not base64, or an empty secret."""


def new_secret() -> str:
    """A signing secret for a subscriber added without one: 32 random bytes, written as
    the Standard Webhooks libraries expect them (``whsec_`` + base64)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def signing_key(secret: str) -> bytes:
    """The HMAC key of a secret: a ``whsec_<base64>`` secret is its decoded bytes (as the
    Standard Webhooks spec says); any other secret is its UTF-8 bytes."""
    if not secret.startswith(SECRET_PREFIX):
        if not secret:
            raise BadSecret("the secret is empty")
        return secret.encode("utf-8")
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:  # unpadded base64 is accepted, as the spec's libraries accept it
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except binascii.Error:
        raise BadSecret("a whsec_ secret must be base64 after the prefix") from None
    if not key:
        raise BadSecret("the secret is empty")
    return key


def sign(body: bytes, secret: str) -> str:
    """The ``X-Workbench-Signature`` value of ``body`` (the body alone: not replay-safe;
    kept for receivers written before the ``webhook-*`` headers)."""
    return "sha256=" + hmac.new(signing_key(secret), body, hashlib.sha256).hexdigest()


def sign_standard(msg_id: str, timestamp: int, body: bytes, secret: str) -> str:
    """One ``webhook-signature`` entry: ``v1,`` + base64 HMAC-SHA256 of ``id.timestamp.body``."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    mac = hmac.new(signing_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode("ascii")


def active_secrets(subscriber: WebhookSubscriber, now: datetime) -> list[str]:
    """The current secret, and the previous one while its rotation overlap lasts."""
    until = subscriber.previous_secret_until
    if subscriber.previous_secret and until is not None and now < until:
        return [subscriber.secret, subscriber.previous_secret]
    return [subscriber.secret]


def signed_headers(delivery: WebhookDelivery, *, now: datetime) -> dict[str, str]:
    """Every header of one attempt at ``now``: its own timestamp, so its own signatures."""
    subscriber, body = delivery.subscriber, delivery.body.encode("utf-8")
    timestamp = int(now.timestamp())
    signatures = [
        sign_standard(delivery.delivery_id, timestamp, body, secret)
        for secret in active_secrets(subscriber, now)
    ]
    return {
        ID_HEADER: delivery.delivery_id,
        TIMESTAMP_HEADER: str(timestamp),
        STANDARD_SIGNATURE_HEADER: " ".join(signatures),
        SIGNATURE_HEADER: sign(body, subscriber.secret),
        DELIVERY_HEADER: delivery.delivery_id,
        EVENT_HEADER: delivery.event,
        "User-Agent": "ClaimWorkbench-Webhooks/1",
    }


def rotate_secret(
    subscriber: WebhookSubscriber, *, secret: str = "", overlap: timedelta = ROTATION_OVERLAP
) -> str:
    """Give the subscriber a new secret (``secret``, or a generated one) and keep the
    current one signing as well for ``overlap``: meanwhile every delivery carries one
    ``v1`` signature per secret, so the receiver can switch to the new secret at any
    moment of the change without refusing a delivery. Returns the new secret."""
    new = secret or new_secret()
    signing_key(new)  # refuse a malformed secret before anything is written
    with transaction.atomic():
        current = WebhookSubscriber.objects.select_for_update(no_key=True).get(pk=subscriber.pk)
        if new == current.secret:
            raise BadSecret("the new secret is the current one")
        WebhookSubscriber.objects.filter(pk=current.pk).update(
            secret=new,
            previous_secret=current.secret,
            previous_secret_until=timezone.now() + overlap,
        )
    return new


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
    """``article.extracted`` / ``article.failed``: the article as the API lists it (with
    its readiness and the CMS's ``external_id``), and the extraction's ``error``."""
    if not _anyone_listening():
        return
    article = Article.objects.defer("body", "dropped").select_related("external").get(pk=article_id)
    data = serialisers.API_ARTICLE.data(article, base_url=_base()) | {"error": article.error}
    send_event(event, {"article": data})


def claim_status_event(claim: Claim, *, previous: str) -> None:
    """``claim.status_changed`` (and ``claim.needs_rereview`` when it lapsed)."""
    if claim.status == previous:
        return
    base = _base()
    data = {
        "claim": serialisers.CLAIM.data(claim, base_url=base)
        | {
            "article_api_url": serialisers.api_url("api-article-detail", claim.article_id, base),
            "previous_status": previous,
            "changed_by": str(claim.status_changed_by or "") or None,
            "changed_at": serialisers.iso(claim.status_changed_at),
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
        enqueue_delivery(delivery.pk)


def enqueue_delivery(delivery_pk: int) -> None:
    """The one sender of ``claims.deliver_webhook``: once the current transaction commits
    (at once outside one). A broker that is down is logged (``jobs.unsent()`` sees it);
    the delivery row is kept, and ``send_unsent`` sends it again."""
    jobs.send_on_commit(
        "claims.deliver_webhook",
        args=[delivery_pk],
        if_down=f"webhook delivery {delivery_pk} kept; beat sends it again",
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
    try:
        headers = signed_headers(delivery, now=timezone.now())
    except BadSecret as exc:  # typed in before secrets were checked: a person must fix it
        return _give_up(delivery, f"refused: the subscriber's secret is unusable ({exc})")
    result = safe_post(delivery.subscriber.url, delivery.body.encode("utf-8"), headers=headers)
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
        enqueue_delivery(delivery_id)
    return unsent


def send_again(delivery_ids: list[int]) -> list[int]:
    """Queue the chosen deliveries again ("Send again" in the admin): a failed one gets
    a fresh retry window from now (same delivery id); a pending one (never attempted, or
    its task lost) is simply sent. Deliveries being retried, delivered ones and those of
    deactivated subscribers are left alone. Returns the ids queued."""
    failed, pending = WebhookDelivery.State.FAILED, WebhookDelivery.State.PENDING
    with transaction.atomic():
        chosen = dict(
            WebhookDelivery.objects.select_for_update(of=("self",), no_key=True)
            .filter(pk__in=delivery_ids, subscriber__active=True, state__in=(failed, pending))
            .values_list("pk", "state")
        )
        WebhookDelivery.objects.filter(
            pk__in=[pk for pk, state in chosen.items() if state == failed]
        ).update(state=pending, created_at=timezone.now(), next_attempt_at=None)
        for delivery_id in sorted(chosen):
            enqueue_delivery(delivery_id)
    return sorted(chosen)


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
