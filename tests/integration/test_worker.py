"""Ingestion with a real Celery worker and a real broker (the embedded Redis by default,
the Redis of ``REDIS_URL`` in CI): the sample article, a worker killed mid-article, and
the broker going away and coming back."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Count

from claims import jobs
from claims.ingest import articles as ingest
from claims.models import Article, Claim
from claims.nlp import extract
from tests import live
from tests.httpserver import LocalServer, local_server_fixture  # noqa: F401

pytestmark = pytest.mark.integration

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "seed_article.txt"
SAMPLE_CLAIMS = 11
DONE_TIMEOUT = 120.0

SUBJECTS = ["The council", "The ministry", "The regional hospital", "Police", "The union"]
VERBS = ["reported", "announced", "estimated", "recorded", "confirmed"]
OBJECTS = [
    "a rise of {n} percent in {year}",
    "{n} new cases in {year}",
    "a budget of {n} million dollars for {year}",
    "{n} arrests in {year}",
    "{n} jobs lost in {year}",
]


def large_article(sentences: int = 1600) -> str:
    """Distinct, claim-like sentences in short paragraphs: several seconds of extraction."""
    lines = [
        f"{SUBJECTS[i % 5]} {VERBS[i // 5 % 5]} "
        f"{OBJECTS[i // 25 % 5].format(n=7 * i + 3, year=1800 + i)} in district {i}."
        for i in range(sentences)
    ]
    return "\n\n".join(" ".join(lines[i : i + 4]) for i in range(0, sentences, 4))


def article(pk: int) -> Article:
    return Article.objects.get(pk=pk)


def wait_until_finished(pk: int, worker: live.Worker | None = None) -> Article:
    """The article once it is done or failed (bounded wait)."""

    def finished() -> Article | None:
        current = article(pk)
        return None if current.is_active else current

    return live.wait_for(
        finished,
        timeout=DONE_TIMEOUT,
        what=f"article {pk} to finish",
        on_timeout=lambda: f"state: {article(pk).state}\n{worker.tail() if worker else ''}",
    )


def duplicated_anchors(pk: int) -> list[dict[str, Any]]:
    return list(
        Claim.objects.filter(article_id=pk)
        .values("revision", "start", "end")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )


def submit_in_thread(**fields: Any) -> tuple[Article, list[str]]:
    """``submit_article`` that must come back: it runs in a thread joined with a bound.
    With the jobs whose send failed (``jobs.unsent()``)."""
    outcome: list[tuple[Article, list[str]]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with jobs.unsent() as unsent:
                article = ingest.submit_article(**fields)
            outcome.append((article, unsent))
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "submitting an article hung while the broker was down"
    if errors:
        raise errors[0]
    return outcome[0]


# --- The sample article ---------------------------------------------------------------------


def test_the_sample_article_gets_its_11_claims_from_the_worker(
    worker: live.Worker, editor: User
) -> None:
    with jobs.unsent() as unsent:
        submitted = ingest.submit_article(
            title="Sample", text=SAMPLE.read_text(encoding="utf-8"), by=editor
        )

    assert unsent == []
    done = wait_until_finished(submitted.pk, worker)
    assert done.state == Article.State.DONE, done.error
    assert done.claims.count() == SAMPLE_CLAIMS
    assert done.attempts == 1
    assert duplicated_anchors(done.pk) == []


def test_the_ingest_command_waits_for_the_worker_and_prints_done(
    worker: live.Worker, editor: User
) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "ingest", str(SAMPLE), "--wait", "--timeout", "120"],
        cwd=settings.BASE_DIR,
        env=worker.env(),  # the worker's broker and test database
        capture_output=True,
        text=True,
        timeout=180,
    )

    assert result.returncode == 0, result.stderr
    pk, state = result.stdout.split()
    assert state == "done"
    assert article(int(pk)).claims.count() == SAMPLE_CLAIMS
    assert article(int(pk)).created_by == editor


# --- A worker killed in the middle of an article ----------------------------------------------


def test_an_article_whose_worker_was_killed_is_completed_exactly_once(
    start_worker: Callable[..., live.Worker], editor: User
) -> None:
    text = large_article()
    first = start_worker()
    with jobs.unsent() as unsent:
        submitted = ingest.submit_article(title="Long report", text=text, by=editor)
    assert unsent == []
    live.wait_for(
        lambda: Article.objects.filter(
            pk=submitted.pk, state=Article.State.PROCESSING, progress_done__gt=0
        ).exists(),
        timeout=DONE_TIMEOUT,
        interval=0.05,
        what="the worker to be part-way through the article",
        on_timeout=first.tail,
    )

    first.kill()
    assert first.process is not None
    assert live.live_group_members(first.process.pid) == []  # the pool child died too
    assert article(submitted.pk).state == Article.State.PROCESSING  # left half-done
    second = start_worker()
    requeued = ingest.requeue_stuck(older_than=timedelta(0))

    assert requeued == [submitted.pk]
    done = wait_until_finished(submitted.pk, second)
    assert done.state == Article.State.DONE, done.error
    assert done.attempts == 2
    assert duplicated_anchors(done.pk) == []
    expected = extract(text, threshold=settings.WORKBENCH_CHECKWORTHY_THRESHOLD)
    assert done.claims.count() == len(expected.claims)


# --- The broker goes away and comes back ------------------------------------------------------


def test_an_article_submitted_while_the_broker_is_down_is_processed_by_the_sweeper(
    outage_broker: live.EmbeddedBroker, start_worker: Callable[..., live.Worker], editor: User
) -> None:
    worker = start_worker(outage_broker.url)
    outage_broker.stop()

    submitted, unsent = submit_in_thread(
        title="Sample", text=SAMPLE.read_text(encoding="utf-8"), by=editor
    )

    assert unsent == [f"claims.extract_claims({submitted.pk}, 1)"]
    assert article(submitted.pk).state == Article.State.QUEUED  # saved, waiting
    outage_broker.start()
    assert ingest.requeue_stuck(older_than=timedelta(0)) == [submitted.pk]
    done = wait_until_finished(submitted.pk, worker)
    assert done.state == Article.State.DONE, done.error
    assert done.claims.count() == SAMPLE_CLAIMS


def test_the_form_says_processing_will_start_when_the_queue_is_back(
    outage_broker: live.EmbeddedBroker, transactional_db: Any, editor: User, client: Any
) -> None:
    outage_broker.stop()
    client.force_login(editor)

    response = client.post(
        "/articles/new/",
        {"title": "Broker down", "text": SAMPLE.read_text(encoding="utf-8")},
        follow=True,
    )

    assert response.status_code == 200
    assert "processing will start when the queue is back" in response.content.decode()
    saved = Article.objects.get(title="Broker down")
    assert saved.state == Article.State.QUEUED
    assert response.redirect_chain[-1][0] == saved.get_absolute_url()


# --- Bad input through ingestion ----------------------------------------------------------------


def test_an_article_url_that_answers_404_ends_failed_with_a_readable_error(
    worker: live.Worker, editor: User, local_server: LocalServer
) -> None:
    url = local_server.url("/status/404")

    submitted = ingest.submit_article(title="", fetch_url=url, by=editor)

    failed = wait_until_finished(submitted.pk, worker)
    assert failed.state == Article.State.FAILED
    assert failed.error == f"Could not fetch {url}: failed: HTTP 404"
    assert Article.objects.filter(pk=submitted.pk).exists()
    assert failed.claims.count() == 0


def test_a_page_without_article_text_ends_failed_with_a_clear_error(
    worker: live.Worker, editor: User, local_server: LocalServer
) -> None:
    url = local_server.add(
        "/empty",
        b"<!doctype html><html><head><title>Photo gallery</title></head>"
        b"<body><div class='gallery'><img src='/image.png' alt=''></div></body></html>",
        content_type="text/html; charset=utf-8",
    )

    submitted = ingest.submit_article(title="", fetch_url=url, by=editor)

    failed = wait_until_finished(submitted.pk, worker)
    assert failed.state == Article.State.FAILED
    assert failed.error == f"No article text was found at {url}."
    assert failed.claims.count() == 0
