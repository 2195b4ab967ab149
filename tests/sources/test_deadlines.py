"""One deadline per outbound request, whatever the server does (issue 35, items 1-2).

A dripping server (``/drip`` on the local test server: headers, then one byte a second,
each well inside the read timeout) must not hold a worker: the fetch fails at its
deadline with its own reason, and the article, the source, the feed and the webhook
delivery each record that reason. The deadlines are shortened to 2 s here; elapsed times
are only bounded generously (3 x the deadline), never compared.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from claims import tasks
from claims.ingest import articles as ingest
from claims.ingest import feeds
from claims.integrations import webhooks
from claims.models import Article, Feed, Source, WebhookDelivery, WebhookSubscriber
from claims.sources import capture as sources
from claims.sources import fetching
from tests.httpserver import (
    DRIP_EVERY,
    LocalServer,
    WebhookReceiver,
    local_server_fixture,  # noqa: F401
    webhook_receiver_fixture,  # noqa: F401
)

DEADLINE = 2.0
STALLED = "failed: the server sent "


@pytest.fixture(autouse=True)
def short_deadlines(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    """Loopback allowed for the local servers, no real DNS, and 2-second deadlines."""
    settings.WORKBENCH_FETCH_ALLOW_LOOPBACK = True
    settings.WORKBENCH_FETCH_DEADLINE_SECONDS = DEADLINE
    settings.WORKBENCH_WEBHOOK_DEADLINE_SECONDS = DEADLINE

    def resolve(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(fetching, "resolve_host", resolve)


def timed(work: Callable[[], Any]) -> tuple[Any, float]:
    started = time.monotonic()
    outcome = work()
    return outcome, time.monotonic() - started


# --- the fetcher -------------------------------------------------------------------------


def test_a_server_dripping_its_body_fails_at_the_deadline_with_its_own_reason(
    local_server: LocalServer,
) -> None:
    result, elapsed = timed(lambda: fetching.safe_fetch(local_server.url("/drip")))

    assert result.status == "failed"
    assert result.reason.startswith(STALLED) and result.reason.endswith(" in 2 s")
    assert "larger than" not in result.reason
    assert elapsed < 3 * DEADLINE


def test_a_server_dripping_its_headers_fails_at_the_deadline(local_server: LocalServer) -> None:
    result, elapsed = timed(lambda: fetching.safe_fetch(local_server.url("/drip-headers")))

    assert result.status == "failed" and result.reason.startswith(STALLED)
    assert elapsed < 3 * DEADLINE


@pytest.fixture
def dripping_handshake() -> Iterator[str]:
    """A server on 127.0.0.1 that answers a TLS hello with the start of a 16 kB record,
    then one byte of it a second: the handshake never completes on its own."""
    listener = socket.create_server(("127.0.0.1", 0))
    stopping = threading.Event()

    def serve() -> None:
        with contextlib.suppress(OSError):
            client, _ = listener.accept()
            with client:
                client.recv(4096)
                client.sendall(b"\x16\x03\x03\x40\x00")
                while not stopping.wait(DRIP_EVERY):
                    client.sendall(b"\x02")

    threading.Thread(target=serve, daemon=True).start()
    yield f"https://127.0.0.1:{listener.getsockname()[1]}/"
    stopping.set()
    listener.close()


def test_a_tls_handshake_dripped_byte_by_byte_ends_at_the_deadline(
    dripping_handshake: str,
) -> None:
    result, elapsed = timed(lambda: fetching.safe_fetch(dripping_handshake))

    assert result.status == "failed" and result.reason.startswith(STALLED)
    assert elapsed < 3 * DEADLINE


def test_a_server_slower_than_the_minimum_rate_is_cut_off_after_the_grace_period(
    local_server: LocalServer, settings: Any
) -> None:
    settings.WORKBENCH_FETCH_DEADLINE_SECONDS = 30
    settings.WORKBENCH_FETCH_RATE_GRACE_SECONDS = 1.5

    result, elapsed = timed(lambda: fetching.safe_fetch(local_server.url("/drip")))

    assert result.status == "failed" and result.reason.startswith(STALLED)
    assert result.reason.endswith("slower than 1 KB/s")
    assert elapsed < 10


def test_a_webhook_receiver_dripping_its_answer_is_a_failed_attempt_with_the_reason(
    webhook_receiver: WebhookReceiver, db: Any
) -> None:
    webhook_receiver.drip = True
    subscriber = WebhookSubscriber.objects.create(
        url=webhook_receiver.url(), secret="s", events=list(webhooks.EVENTS)
    )
    delivery = WebhookDelivery.objects.create(
        subscriber=subscriber, delivery_id="d-1", event="claim.status_changed", body="{}"
    )

    outcome, elapsed = timed(lambda: webhooks.attempt(delivery.pk))

    delivery.refresh_from_db()
    assert outcome.retry_in is not None  # a passing fault: tried again later
    assert delivery.state == "retrying" and delivery.attempts == 1
    assert delivery.last_error.startswith(STALLED)
    assert elapsed < 3 * DEADLINE


# --- what each caller records ------------------------------------------------------------


def test_an_article_url_that_drips_fails_with_the_stall_reason(
    local_server: LocalServer, editor: Any
) -> None:
    url = local_server.url("/drip")
    article = ingest.submit_article(title=url, fetch_url=url, by=editor, origin=Article.Origin.URL)

    outcome, elapsed = timed(lambda: ingest.run_extraction(article.pk, 1))

    article.refresh_from_db()
    assert outcome.startswith("failed")
    assert article.state == Article.State.FAILED
    assert article.error.startswith(f"Could not fetch {url}: {STALLED}")
    assert "too large" not in article.error
    assert elapsed < 3 * DEADLINE


def test_an_evidence_source_that_drips_records_failed_with_the_stall_reason(
    local_server: LocalServer, make_source: Callable[..., Source]
) -> None:
    source = make_source(local_server.url("/drip"))
    assert source.fetch_state == Source.FetchState.PENDING

    outcome, elapsed = timed(lambda: sources.capture(source.pk))

    source.refresh_from_db()
    assert outcome == "failed"
    assert source.fetch_state == Source.FetchState.FAILED
    assert source.fetch_error.startswith(STALLED)
    assert elapsed < 3 * DEADLINE


def test_a_feed_that_drips_records_the_failed_poll(local_server: LocalServer, db: Any) -> None:
    url = local_server.url("/drip?type=application/rss%2Bxml")
    feed = Feed.objects.create(url=url, outlet="Daily Example")

    outcome, elapsed = timed(lambda: feeds.poll(feed.pk))

    feed.refresh_from_db()
    assert outcome.startswith(STALLED)
    assert (feed.last_outcome, feed.failures, feed.polls) == ("failed", 1, 1)
    assert feed.last_error.startswith(STALLED)
    assert elapsed < 3 * DEADLINE


# --- no source stays pending without a job -------------------------------------------------


def test_the_sweeper_requeues_sources_left_pending_past_the_period_once(
    make_source: Callable[..., Source], django_capture_on_commit_callbacks: Any
) -> None:
    lost = make_source("https://www.reuters.com/world/lost")
    recent = make_source("https://www.reuters.com/world/recent")
    failed = make_source("https://www.reuters.com/world/failed", fetch_state="failed")
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Source.objects.filter(pk__in=[lost.pk, failed.pk]).update(updated_at=an_hour_ago)

    with django_capture_on_commit_callbacks(execute=False) as sent:
        requeued = tasks.requeue_pending_sources.run()
        again = sources.requeue_pending()

    assert requeued == [lost.pk]
    assert len(sent) == 1  # one capture job, for the lost source
    assert again == []  # claimed: not re-queued again until the period passes anew
    assert recent.pk not in requeued and failed.pk not in requeued


# --- a job stopped at its time limit still records an outcome ------------------------------


def test_a_capture_stopped_at_its_time_limit_records_the_failure(
    make_source: Callable[..., Source], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = make_source("https://www.reuters.com/world/slow")
    monkeypatch.setattr(sources, "capture", stopped)

    outcome = tasks.capture_source.run(source.pk)

    source.refresh_from_db()
    assert outcome == "failed"
    assert source.fetch_state == Source.FetchState.FAILED
    assert source.fetch_error == "failed: the capture took longer than 90 s and was stopped"


def test_a_poll_stopped_at_its_time_limit_records_the_failure(
    db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = Feed.objects.create(url="https://example.org/feed.xml", outlet="Daily Example")
    monkeypatch.setattr(feeds, "poll", stopped)

    tasks.poll_feed.run(feed.pk)

    feed.refresh_from_db()
    assert (feed.last_outcome, feed.failures) == ("failed", 1)
    assert feed.last_error == "failed: the poll took longer than 120 s and was stopped"


def stopped(pk: int) -> str:
    raise SoftTimeLimitExceeded()
