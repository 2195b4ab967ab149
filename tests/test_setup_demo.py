"""``setup_demo`` on a normal first run (issue 31, item 9). ``make run`` runs it before
``runworkbench`` starts the embedded Redis: the demo article's job is held back, not
tried, so there is no "broker unavailable" warning; the article waits queued, and
runworkbench's start (``requeue_stuck``) sends it. With the broker up, it is sent at
once; with an external broker (``REDIS_URL``) that is down, the warning stays: that one
is a fault. (The demo desk's history before it needs no job: ``test_demo_desk.py``.)"""

from __future__ import annotations

import io
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from claims.ingest import articles as ingest
from claims.models import Article
from tests import live
from tests.live_fixtures import broker_fixture  # noqa: F401
from tests.test_jobs import queued


@pytest.fixture
def queue(broker: live.Broker) -> Any:
    broker.flush()
    yield broker
    broker.flush()


def run_setup_demo() -> str:
    out = io.StringIO()
    call_command("setup_demo", stdout=out)
    return out.getvalue()


def test_a_first_run_before_the_broker_is_quiet_and_the_worker_start_sends_the_job(
    queue: live.Broker,
    transactional_db: Any,
    settings: Any,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.USES_EMBEDDED_REDIS = True
    settings.EMBEDDED_REDIS_SOCKET = socket = tmp_path / "redis.sock"  # not started yet
    live.point_app_at(f"redis+socket://{socket}")  # as make run's setup_demo finds it
    try:
        with caplog.at_level(logging.INFO):
            out = run_setup_demo()
    finally:
        live.point_app_at(queue.url)  # runworkbench's Redis, now up

    article = Article.objects.get(outlet="Demo Wire")
    assert [r for r in caplog.records if r.levelno >= logging.INFO] == []
    assert "broker unavailable" not in out + caplog.text
    assert out.splitlines()[-1] == (
        f"Demo article #{article.pk} saved; its extraction starts with the worker "
        "(manage.py runworkbench, which make run starts next)."
    )
    assert article.state == Article.State.QUEUED
    assert queued(queue, "extraction") == [], "held back, not sent"

    # What runworkbench does first once its Redis is up.
    assert ingest.requeue_stuck(older_than=timedelta(0)) == [article.pk]
    assert queued(queue, "extraction") == [
        ("claims.extract_claims", f"[{article.pk}, {article.revision}]")
    ]


def test_with_the_broker_up_the_demo_article_is_sent_at_once(
    queue: live.Broker, transactional_db: Any, settings: Any
) -> None:
    if queue.embedded is None:
        pytest.skip("the session broker is an external Redis (REDIS_URL)")
    settings.USES_EMBEDDED_REDIS = True
    settings.EMBEDDED_REDIS_SOCKET = queue.embedded.socket  # answering

    out = run_setup_demo()

    article = Article.objects.get(outlet="Demo Wire")
    assert out.splitlines()[-1] == f"Demo article #{article.pk} queued for extraction."
    assert queued(queue, "extraction") == [
        ("claims.extract_claims", f"[{article.pk}, {article.revision}]")
    ]


def test_an_external_broker_that_is_down_is_still_a_warning(
    broker: live.Broker,
    transactional_db: Any,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.USES_EMBEDDED_REDIS = False
    live.point_app_at("redis://127.0.0.1:1/0")  # nothing listens on port 1
    try:
        with caplog.at_level(logging.WARNING, logger="claims.jobs"):
            out = run_setup_demo()
    finally:
        live.point_app_at(broker.url)

    article = Article.objects.get(outlet="Demo Wire")
    assert "broker unavailable" in caplog.text
    assert "the job queue did not answer" in out
    assert article.state == Article.State.QUEUED
