"""Fixtures of the integration tests: a real broker, real workers, the roles.

``broker`` (session): the embedded test Redis, or the Redis of ``REDIS_URL`` (flushed);
the in-process Celery app publishes to it. ``start_worker`` (per test) starts workers as
subprocesses against that broker and the test database; they are stopped, and the broker
flushed, when the test ends. A failed test shows the tail of each worker's log.
``outage_broker`` is a second embedded Redis that a test may stop and start again.

The tests run in ``transactional_db``: a worker is another process and only sees
committed rows. Flushing the tables between tests also drops the groups made by the data
migration, so ``_roles`` makes them again before the personas are created.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests import live
from tests.live_fixtures import broker_fixture, roles_fixture  # noqa: F401 (fixtures)


@pytest.fixture
def start_worker(
    broker: live.Broker, transactional_db: Any, tmp_path: Any, request: pytest.FixtureRequest
) -> Iterator[Callable[..., live.Worker]]:
    """``start_worker(broker_url=...)``: a ready worker; all are stopped after the test."""
    workers: list[live.Worker] = []
    request.node.live_workers = workers

    def start(broker_url: str = broker.url) -> live.Worker:
        worker = live.Worker(broker_url, tmp_path / f"worker-{len(workers) + 1}.log")
        workers.append(worker)
        return worker.start()

    yield start
    for worker in workers:
        worker.stop()
    broker.flush()


@pytest.fixture
def worker(start_worker: Callable[..., live.Worker]) -> live.Worker:
    return start_worker()


@pytest.fixture
def outage_broker(broker: live.Broker) -> Iterator[live.EmbeddedBroker]:
    """A broker of the test's own, running; the app publishes to it during the test."""
    spare = live.EmbeddedBroker(live.socket_path("test-outage")).start()
    live.point_app_at(spare.url)
    yield spare
    live.point_app_at(broker.url)
    spare.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call" and report.failed:
        for worker in getattr(item, "live_workers", []):
            report.sections.append((f"worker log {worker.log_path.name}", worker.tail()))
    return report
