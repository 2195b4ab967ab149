"""Sending jobs (``claims/jobs.py``): by task name, after commit, a broker that is down
logged and seen by ``jobs.unsent()``; and no topic module imports ``claims.tasks``.

The sends go to the session's embedded test Redis (a real broker, flushed after each
test), and the messages are read back from its queues."""

from __future__ import annotations

import ast
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from claims import jobs
from tests import live
from tests.live_fixtures import broker_fixture  # noqa: F401

CLAIMS = Path(__file__).resolve().parents[1] / "claims"


@pytest.fixture
def queue(broker: live.Broker) -> Iterator[live.Broker]:
    broker.flush()
    yield broker
    broker.flush()


def queued(broker: live.Broker, queue: str) -> list[tuple[str, list[Any]]]:
    """(task name, args) of the messages waiting in ``queue``, oldest first."""
    client = broker.client()
    try:
        raw = client.lrange(queue, 0, -1)
    finally:
        client.close()
    messages = [json.loads(item) for item in reversed(raw)]  # kombu LPUSHes
    return [(m["headers"]["task"], m["headers"]["argsrepr"]) for m in messages]


def imported(source: str, package: str) -> list[tuple[int, str]]:
    """(line, module) of every import in ``source``, relative ones resolved against
    ``package``; ``from x import y`` counts as importing both ``x`` and ``x.y``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found += [(node.lineno, base)]
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def test_no_module_under_claims_but_tasks_imports_claims_tasks() -> None:
    offenders = []
    for path in sorted(CLAIMS.rglob("*.py")):
        if path == CLAIMS / "tasks.py":
            continue
        package = ".".join(path.relative_to(CLAIMS.parent).parts[:-1])
        for line, module in imported(path.read_text(encoding="utf-8"), package):
            if module == "claims.tasks":
                offenders.append(f"{path.relative_to(CLAIMS.parent)}:{line}")
    assert offenders == []


def job_sends(source: str) -> list[tuple[int, str]]:
    """(line, first argument) of every ``jobs.send``/``jobs.send_on_commit`` call; the
    argument is the task's name when it is a literal, ``?`` otherwise."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("send", "send_on_commit")
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "jobs"
        ):
            first = node.args[0] if node.args else None
            name = first.value if isinstance(first, ast.Constant) else "?"
            found.append((node.lineno, str(name)))
    return found


def test_each_task_is_sent_from_one_function_by_its_literal_name() -> None:
    """Issue 29: one sender per task (``feeds.enqueue_poll``, ``webhooks.enqueue_delivery``,
    ``capture.enqueue_capture``, ``provided.enqueue_read``...), which every caller uses."""
    senders: dict[str, list[str]] = {}
    for path in sorted(CLAIMS.rglob("*.py")):
        for line, name in job_sends(path.read_text(encoding="utf-8")):
            senders.setdefault(name, []).append(f"{path.relative_to(CLAIMS.parent)}:{line}")
    task_names = set(re.findall(r'name="(claims\.\w+)"', (CLAIMS / "tasks.py").read_text()))

    assert "?" not in senders, senders.get("?")
    assert {name: where for name, where in senders.items() if len(where) > 1} == {}
    assert set(senders) <= task_names
    assert {"claims.poll_feed", "claims.deliver_webhook", "claims.capture_source"} <= set(senders)


def test_the_send_check_sees_both_ways_of_sending() -> None:
    source = "jobs.send('claims.a', args=[1])\njobs.send_on_commit(name)\nother.send('x')"
    assert job_sends(source) == [(1, "claims.a"), (2, "?")]


@pytest.mark.parametrize(
    ("source", "package"),
    [
        ("from .tasks import extract_claims", "claims"),
        ("from . import tasks", "claims"),
        ("from ..tasks import poll_feed", "claims.management"),
        ("from claims.tasks import extract_claims", "claims.management.commands"),
        ("import claims.tasks", "claims"),
    ],
)
def test_the_import_check_sees_every_spelling_of_the_import(source: str, package: str) -> None:
    assert (1, "claims.tasks") in imported(source, package)


def test_a_job_is_sent_by_name_to_its_route_once_the_transaction_commits(
    queue: live.Broker, transactional_db: Any
) -> None:
    with jobs.unsent() as unsent, transaction.atomic():
        jobs.send_on_commit("claims.extract_claims", args=[7, 2])
        jobs.send_on_commit("claims.capture_source", args=[3])
        assert queued(queue, "extraction") == []  # not before the commit

    assert unsent == []
    assert queued(queue, "extraction") == [("claims.extract_claims", "[7, 2]")]
    assert queued(queue, "default") == [("claims.capture_source", "[3]")]


def test_no_job_is_sent_for_work_that_is_rolled_back(
    queue: live.Broker, transactional_db: Any
) -> None:
    with transaction.atomic():
        jobs.send_on_commit("claims.extract_claims", args=[7, 2])
        transaction.set_rollback(True)

    assert queued(queue, "extraction") == []


def test_a_named_queue_overrides_the_route(queue: live.Broker, transactional_db: Any) -> None:
    jobs.send_on_commit("claims.poll_feed", args=[5], queue="extraction")

    assert queued(queue, "extraction") == [("claims.poll_feed", "[5]")]


def test_a_broker_that_is_down_is_logged_and_seen_by_unsent_not_raised(
    broker: live.Broker,
    db: Any,
    django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    live.point_app_at("redis://127.0.0.1:1/0")  # nothing listens on port 1
    try:
        with (
            caplog.at_level(logging.WARNING, logger="claims.jobs"),
            jobs.unsent() as outer,
            django_capture_on_commit_callbacks(execute=True),
        ):
            jobs.send_on_commit("claims.extract_claims", args=[7, 2], if_down="it waits")
            with jobs.unsent() as inner:
                sent = jobs.send("claims.poll_feed", args=[5])
    finally:
        live.point_app_at(broker.url)

    assert sent is False
    assert inner == ["claims.poll_feed(5,)"]
    assert outer == ["claims.poll_feed(5,)", "claims.extract_claims(7, 2)"]
    assert "broker unavailable, claims.extract_claims(7, 2) not sent (it waits)" in caplog.text
    assert jobs.send("claims.poll_feed", args=[5]) is True  # the broker is back
