"""``GET /healthz``: 200 when the database, the broker, the workers and beat are all well,
503 naming the failing part otherwise; no login, nothing private, a constant cost.

The broker is a real Redis (the embedded one of the test session, or ``REDIS_URL``'s);
the workers' and beat's signs are written with the functions the worker bootstep and the
beat scheduler call (``tests/production/test_health_processes.py`` runs the real processes).
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper as SqliteWrapper
from django.test import Client
from django.urls import reverse

from claims import tasks
from tests import live
from tests.live_fixtures import broker_fixture  # noqa: F401 (a fixture)
from workbench import health, heartbeat
from workbench.celery import app


@pytest.fixture(autouse=True)
def fresh(broker: live.Broker, settings: Any) -> Iterator[None]:
    """Each test starts from an empty broker and computes its own answer."""
    settings.WORKBENCH_HEALTH_CACHE_SECONDS = 0
    broker.flush()
    health.forget()
    yield
    broker.flush()
    health.forget()


def signs(broker: live.Broker, *, workers: list[list[str]], beats: int = 1) -> None:
    client = broker.client()
    for number, queues in enumerate(workers):
        heartbeat.record_worker(client, f"celery{number}@{socket.gethostname()}", queues)
    for number in range(beats):
        heartbeat.record_beat(client, f"beat-{number}")
    client.close()


def healthz() -> tuple[int, dict[str, Any]]:
    response = Client().get(reverse("healthz"))
    assert response["Content-Type"] == "application/json"
    return response.status_code, json.loads(response.content)


@pytest.mark.django_db
def test_it_answers_200_with_every_part_ok_and_the_queue_lengths_without_login(
    broker: live.Broker,
) -> None:
    signs(broker, workers=[["default", "extraction"]])
    tasks.requeue_stuck.apply_async()  # no worker here: it waits in "default"
    client = broker.client()
    heartbeat.record_sent(client, "requeue-stuck-articles")
    client.close()

    status, body = healthz()

    assert status == 200
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert body["database"] == {"status": "ok", "pending_migrations": 0}
    assert body["broker"] == {"status": "ok", "queues": {"default": 1, "extraction": 0}}
    assert body["workers"] == {
        "status": "ok",
        "count": 1,
        "queues": {"default": 1, "extraction": 1},
    }
    assert body["beat"]["status"] == "ok"
    assert body["beat"]["count"] == 1
    assert body["beat"]["last_task"] == "requeue-stuck-articles"
    assert 0 <= body["beat"]["last_tick_seconds_ago"] < 5


@pytest.mark.django_db
def test_it_names_no_host_and_shows_no_error_text(broker: live.Broker) -> None:
    signs(broker, workers=[["default", "extraction"]])

    text = Client().get(reverse("healthz")).content.decode()

    assert socket.gethostname() not in text
    assert "celery0" not in text
    assert "beat-0" not in text


@pytest.mark.django_db
def test_it_answers_503_naming_the_database_when_a_migration_is_not_applied(
    broker: live.Broker,
) -> None:
    signs(broker, workers=[["default", "extraction"]])
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM django_migrations WHERE id = (SELECT MAX(id) FROM django_migrations)"
        )

    status, body = healthz()

    assert status == 503
    assert body["failing"] == ["database"]
    assert body["database"]["pending_migrations"] == 1
    assert "manage.py migrate" in body["database"]["reason"]


@pytest.mark.django_db  # lets this test open a connection at all
def test_it_reports_an_unreachable_database_as_failing(tmp_path: Any) -> None:
    unreachable = SqliteWrapper(
        {
            **connection.settings_dict,
            "NAME": str(tmp_path / "no-such-folder" / "db.sqlite3"),
            "OPTIONS": {},
        },
        alias="unreachable",
    )
    try:
        part = health.check_database(unreachable)
    finally:
        unreachable.close()

    assert part == {"status": "failing", "reason": "the database is unreachable"}


@pytest.mark.django_db
def test_it_answers_503_naming_the_broker_when_it_is_down_quickly(broker: live.Broker) -> None:
    stopped = live.EmbeddedBroker(live.socket_path("test-health-down")).start()
    stopped.stop()
    live.point_app_at(stopped.url)
    try:
        started = time.monotonic()
        status, body = healthz()
        took = time.monotonic() - started
    finally:
        live.point_app_at(broker.url)

    assert status == 503
    assert body["failing"] == ["broker"]
    assert body["broker"] == {"status": "failing", "reason": "the broker is unreachable"}
    assert body["workers"]["status"] == "unknown"
    assert body["beat"]["status"] == "unknown"
    assert body["database"]["status"] == "ok"
    assert took < 3


@pytest.mark.django_db
def test_it_answers_503_naming_the_workers_when_none_is_alive(broker: live.Broker) -> None:
    signs(broker, workers=[])

    status, body = healthz()

    assert status == 503
    assert body["failing"] == ["workers"]
    assert body["workers"]["count"] == 0
    assert body["workers"]["reason"] == "no live worker consumes default, extraction"


@pytest.mark.django_db
def test_it_answers_503_when_no_worker_consumes_the_extraction_queue(
    broker: live.Broker,
) -> None:
    signs(broker, workers=[["default"], ["default"]])

    status, body = healthz()

    assert status == 503
    assert body["failing"] == ["workers"]
    assert body["workers"]["queues"] == {"default": 2, "extraction": 0}
    assert body["workers"]["reason"] == "no live worker consumes extraction"


@pytest.mark.django_db
def test_it_answers_503_naming_beat_when_no_scheduler_ticks(broker: live.Broker) -> None:
    signs(broker, workers=[["default", "extraction"]], beats=0)

    status, body = healthz()

    assert status == 503
    assert body["failing"] == ["beat"]
    assert body["beat"]["reason"] == f"no beat scheduler ticked in the last {heartbeat.BEAT_TTL} s"


@pytest.mark.django_db
def test_it_answers_503_when_two_beat_schedulers_run(broker: live.Broker) -> None:
    signs(broker, workers=[["default", "extraction"]], beats=2)

    status, body = healthz()

    assert status == 503
    assert body["failing"] == ["beat"]
    assert body["beat"]["reason"] == "2 beat schedulers are running; run exactly one"


@pytest.mark.django_db
def test_signs_of_life_expire(broker: live.Broker) -> None:
    client = broker.client()
    heartbeat.record_worker(client, "celery@gone", ["default", "extraction"])
    heartbeat.record_beat(client, "gone")
    worker_ttl = int(client.ttl(heartbeat.WORKER_KEY + "celery@gone"))  # type: ignore[arg-type]
    beat_ttl = int(client.ttl(heartbeat.BEAT_KEY + "gone"))  # type: ignore[arg-type]
    client.close()

    assert 0 < worker_ttl <= heartbeat.WORKER_TTL
    assert 0 < beat_ttl <= heartbeat.BEAT_TTL


@pytest.mark.django_db
def test_its_cost_does_not_grow_with_the_claims_and_it_keeps_its_answer(
    broker: live.Broker,
    settings: Any,
    make_article: Any,
    django_assert_max_num_queries: Any,
    django_assert_num_queries: Any,
) -> None:
    signs(broker, workers=[["default", "extraction"]])
    for number in range(30):
        make_article(url=f"https://www.dailyexample.com/news/{number}")
    settings.WORKBENCH_HEALTH_CACHE_SECONDS = 60

    with django_assert_max_num_queries(2):
        first = healthz()
    broker.flush()  # the workers and beat go: the kept answer does not know yet
    with django_assert_num_queries(0):
        second = healthz()

    assert first == second
    assert first[0] == 200
    health.forget()
    assert healthz()[0] == 503


@pytest.mark.django_db
def test_it_answers_only_get() -> None:
    assert Client().post(reverse("healthz")).status_code == 405


@pytest.mark.django_db
def test_the_scheduler_records_its_ticks_and_the_periodic_tasks_it_sends(
    broker: live.Broker, tmp_path: Any
) -> None:
    signs(broker, workers=[["default", "extraction"]], beats=0)
    scheduler = heartbeat.Scheduler(app=app, schedule_filename=str(tmp_path / "schedule"))
    try:
        scheduler.tick()
        scheduler.apply_async(scheduler.schedule["requeue-stuck-articles"])
        status, body = healthz()
    finally:
        scheduler.close()

    assert status == 200
    assert body["beat"]["count"] == 1
    assert body["beat"]["last_task"] == "requeue-stuck-articles"
    assert body["broker"]["queues"]["default"] == 1  # the task it sent, waiting
    assert healthz()[1]["failing"] == ["beat"]  # closed: its sign is gone at once
