"""Celery tasks: thin adapters over the workflows in ``ingest.py`` (and ``sources.py``).

Arguments are JSON (primary keys, strings); names are stable. Only named transient
errors are retried, with backoff and a limit; any other failure marks the article
failed with a message a person can act on (and a retry button).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError

import workbench.celery  # noqa: F401  (the project's app: the shared tasks bind to it)
from claims.ingest import articles as ingest

log = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError)
SOFT_LIMIT = 240
HARD_LIMIT = 270
# A fetch has its own deadline (``WORKBENCH_FETCH_DEADLINE_SECONDS``, 30 s): these limits
# only catch what comes after it (extraction, parsing), and record it as the failure.
CAPTURE_SOFT_LIMIT = 90
POLL_SOFT_LIMIT = 120


@shared_task(
    name="claims.extract_claims",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=SOFT_LIMIT,
    time_limit=HARD_LIMIT,
    max_retries=3,
)
def extract_claims(self: Any, article_id: int, revision: int, **kwargs: Any) -> str:
    attempt = ingest.claim_job(article_id, revision)
    if attempt is None:
        return ingest.SKIPPED
    try:
        return ingest.process(attempt)
    except TRANSIENT as exc:
        if self.request.retries >= self.max_retries:
            ingest.mark_failed(attempt, f"The database kept failing ({exc}); try again later.")
            raise
        ingest.release(attempt)
        raise self.retry(exc=exc, countdown=5 * 2**self.request.retries) from exc
    except SoftTimeLimitExceeded:
        ingest.mark_failed(
            attempt,
            f"Extraction took longer than {SOFT_LIMIT} seconds and was stopped; "
            "split the article into smaller parts.",
        )
        return "failed: time limit"
    except Exception as exc:
        ingest.mark_failed(
            attempt,
            f"Extraction failed unexpectedly ({type(exc).__name__}: {exc}). "
            "Retry; if it fails again, report it to the maintainers.",
        )
        raise


@shared_task(name="claims.requeue_stuck", acks_late=True)
def requeue_stuck(**kwargs: Any) -> list[int]:
    requeued = ingest.requeue_stuck()
    if requeued:
        log.info("re-queued stuck articles: %s", requeued)
    return requeued


@shared_task(
    name="claims.capture_source",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=CAPTURE_SOFT_LIMIT,
    time_limit=120,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=3,
)
def capture_source(source_id: int, **kwargs: Any) -> str:
    from claims.sources import capture as sources

    try:
        return sources.capture(source_id)
    except SoftTimeLimitExceeded:
        reason = f"failed: the capture took longer than {CAPTURE_SOFT_LIMIT} s and was stopped"
        return sources.record_stopped(source_id, reason)


@shared_task(name="claims.requeue_pending_sources", acks_late=True, soft_time_limit=60)
def requeue_pending_sources(**kwargs: Any) -> list[int]:
    """Beat: queue again the captures of sources left pending (their job was lost)."""
    from claims.sources import capture as sources

    requeued = sources.requeue_pending()
    if requeued:
        log.info("re-queued pending sources: %s", requeued)
    return requeued


@shared_task(
    name="claims.read_provided_file",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=120,
    time_limit=150,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=3,
)
def read_provided_file(provided_id: int, **kwargs: Any) -> str:
    """Read a PDF or HTML file uploaded as a source's content (in a subprocess on a
    budget: ``WORKBENCH_PARSE_*``, whose wall clock stays well under the soft limit) and
    save it as the source's capture."""
    from claims.sources import provided

    try:
        return provided.read_pending(provided_id)
    except SoftTimeLimitExceeded:
        provided.give_up(provided_id, "Reading the file took longer than 120 s and was stopped.")
        return "failed: time limit"


@shared_task(name="claims.requeue_provided_files", acks_late=True, soft_time_limit=60)
def requeue_provided_files(**kwargs: Any) -> list[int]:
    """Beat: send the job again for uploads the broker or a lost worker left waiting."""
    from claims.sources import provided

    return provided.requeue_waiting()


@shared_task(
    name="claims.recheck_sources",
    acks_late=True,
    soft_time_limit=900,
    time_limit=960,
)
def recheck_sources(
    older_than_hours: float | None = None, limit: int | None = None, **kwargs: Any
) -> dict[str, int]:
    """Re-capture one batch of sources due for a check (link rot and drift)."""
    from datetime import timedelta

    from claims.sources import capture as sources

    older_than = None if older_than_hours is None else timedelta(hours=older_than_hours)
    try:
        outcomes = sources.recheck_due(older_than=older_than, limit=limit)
    except SoftTimeLimitExceeded:
        log.warning("source re-check stopped at the time limit; the rest waits for next run")
        return {"stopped": 1}
    if outcomes:
        log.info("re-checked sources: %s", dict(outcomes))
    return dict(outcomes)


@shared_task(
    name="claims.match_claims",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=240,
    time_limit=270,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=3,
)
def match_claims(article_id: int, **kwargs: Any) -> str:
    """Embed an article's claims, then match them against other articles' claims and the
    fact-check archive (idempotent: vectors and matches are keyed by claim and target)."""
    from claims.matching import embeddings
    from claims.matching import service as matching

    try:
        embeddings.embed_pending(article_id=article_id)
        return matching.match_article(article_id)
    except SoftTimeLimitExceeded:
        log.warning("matching article %s stopped at the time limit", article_id)
        return "stopped: time limit"


@shared_task(
    name="claims.embed_pending",
    bind=True,
    acks_late=True,
    soft_time_limit=3600,
    time_limit=3660,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=3,
)
def embed_pending(self: Any, **kwargs: Any) -> dict[str, int]:
    """Embed every claim and fact-check without a current vector (new, changed, or from
    another model version); progress in the task state (``PROGRESS``, done / total).
    Work already written is kept if the time limit stops it; the next run resumes."""
    from claims.matching import embeddings

    def progress(done: int, total: int) -> None:
        if self.request.id:  # run by a worker (not called directly)
            self.update_state(state="PROGRESS", meta={"done": done, "total": total})
        log.info("embedded %s of %s", done, total)

    try:
        return embeddings.embed_pending(progress=progress)
    except SoftTimeLimitExceeded:
        log.warning("embedding stopped at the time limit; the next run resumes")
        return {"stopped": 1}


@shared_task(
    name="claims.deliver_webhook",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=60,
    time_limit=90,
    max_retries=None,  # bounded by time instead: ``WORKBENCH_WEBHOOK_RETRY_HOURS``
)
def deliver_webhook(self: Any, delivery_id: int, **kwargs: Any) -> str:
    """POST one webhook delivery; retry with exponential backoff until the window closes."""
    from claims.integrations import webhooks

    outcome = webhooks.attempt(delivery_id)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return "delivered" if outcome.delivered else f"gave up: {outcome.reason}"


@shared_task(
    name="claims.poll_feed",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=POLL_SOFT_LIMIT,
    time_limit=150,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=3,
)
def poll_feed(feed_id: int, **kwargs: Any) -> str:
    """Poll one feed (conditional GET) and ingest its new items."""
    from claims.ingest import feeds

    try:
        return feeds.poll(feed_id)
    except SoftTimeLimitExceeded:
        reason = f"failed: the poll took longer than {POLL_SOFT_LIMIT} s and was stopped"
        return feeds.record_stopped(feed_id, reason)


@shared_task(name="claims.poll_due_feeds", acks_late=True)
def poll_due_feeds(**kwargs: Any) -> list[int]:
    """Beat, every minute: queue a poll of each feed whose interval has passed."""
    from claims.ingest import feeds

    return feeds.queue_due()


@shared_task(
    name="claims.audit_confirmations",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=1800,
    time_limit=1900,
)
def audit_confirmations(**kwargs: Any) -> str:
    """Re-judge every confirmed claim (daily on beat): the safety net behind basis_change."""
    from claims.confirmation import audit

    run = audit.audit()
    return f"{run.checked} checked, {run.lapsed} lapsed"


@shared_task(name="claims.send_unsent_webhooks", acks_late=True, soft_time_limit=60)
def send_unsent_webhooks(**kwargs: Any) -> int:
    """Send the outbox's deliveries that were never attempted (broker down at commit)."""
    from claims.integrations import webhooks

    return len(webhooks.send_unsent())
