"""What the worker does around each task, as Django does around a request: the query log
that ``DEBUG`` keeps is emptied (bench/memory.py: without it a worker's memory grew by
the log's 9,000 statements, +12.8% from article 100 to 1,000), and an eager task leaves
its caller's log and connection alone."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from celery.signals import task_postrun, task_prerun
from django.db import connection
from django.test.utils import CaptureQueriesContext

import workbench.celery  # noqa: F401  (connects the handlers)


def task(*, eager: bool) -> SimpleNamespace:
    return SimpleNamespace(request=SimpleNamespace(is_eager=eager))


@pytest.mark.django_db
@pytest.mark.parametrize("signal", [task_prerun, task_postrun])
def test_a_worker_task_starts_and_ends_with_an_empty_query_log(signal) -> None:
    with CaptureQueriesContext(connection):  # forces the log on, as DEBUG does
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        assert connection.queries_log
        signal.send(sender=None, task=task(eager=False))
        assert not connection.queries_log


@pytest.mark.django_db
def test_an_eager_task_keeps_its_callers_log() -> None:
    with CaptureQueriesContext(connection):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        task_prerun.send(sender=None, task=task(eager=True))
        assert len(connection.queries_log) == 1
