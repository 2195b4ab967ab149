"""Sending jobs: the one way a topic module queues a Celery task.

``send_on_commit("claims.extract_claims", args=[article.pk, article.revision])`` sends
the task *by name* (``app.send_task``) once the current transaction commits, so no
topic module imports ``tasks.py`` and no job is sent for work that is rolled back.
Outside a transaction it is sent at once (Django runs ``on_commit`` callbacks then).

A broker that is down is logged, never raised: the row that needed the job is already
saved, and each job has its way back (the sweeper ``claims.requeue_stuck`` re-sends
queued articles, the beat schedule re-runs embedding and feed polls, a capture waits
for the link check). A view that tells the person whether the job went out watches the
sends it causes::

    with jobs.unsent() as unsent:
        article = ingest.submit_article(...)
    if unsent:
        messages.warning(request, "... processing starts when the queue is back.")

Task names are the stable names given in ``tasks.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import transaction

log = logging.getLogger(__name__)

# The lists of every ``unsent()`` block open in this context (innermost last).
_watchers: ContextVar[tuple[list[str], ...]] = ContextVar("unsent_jobs", default=())
# The list of the ``held()`` block open in this context: its jobs are not sent.
_held: ContextVar[list[str] | None] = ContextVar("held_jobs", default=None)


def send_on_commit(
    name: str,
    *,
    args: Sequence[Any] = (),
    kwargs: dict[str, Any] | None = None,
    queue: str | None = None,
    if_down: str = "",
) -> None:
    """Send task ``name`` with JSON ``args``/``kwargs`` once the transaction commits.

    ``queue`` overrides the route in ``CELERY_TASK_ROUTES``; ``if_down`` says in the log
    what becomes of the work when the broker is down ("article 7 stays queued for the
    sweeper").
    """
    job_args, job_kwargs = list(args), dict(kwargs or {})
    transaction.on_commit(
        lambda: send(name, args=job_args, kwargs=job_kwargs, queue=queue, if_down=if_down)
    )


def send(
    name: str,
    *,
    args: Sequence[Any] = (),
    kwargs: dict[str, Any] | None = None,
    queue: str | None = None,
    if_down: str = "",
) -> bool:
    """Send task ``name`` now; False (logged, recorded for ``unsent()``) when the broker
    is down. Prefer ``send_on_commit``: this is for callers outside any transaction that
    must know at once (``manage.py poll_feeds``)."""
    from kombu.exceptions import OperationalError

    from workbench.celery import app

    held = _held.get()
    if held is not None:
        held.append(f"{name}{tuple(args)!r}")
        log.debug("%s held back: %s", held[-1], if_down or "not sent")
        return False
    # As ``apply_async`` does for our tasks: no subscription to a result nobody reads.
    options: dict[str, Any] = {"ignore_result": app.conf.task_ignore_result}
    if queue is not None:
        options["queue"] = queue
    try:
        app.send_task(name, args=list(args), kwargs=dict(kwargs or {}), **options)
    except (OperationalError, OSError) as exc:
        job = f"{name}{tuple(args)!r}"
        log.warning("broker unavailable, %s not sent (%s): %s", job, if_down or "not retried", exc)
        for watcher in _watchers.get():
            watcher.append(job)
        return False
    return True


@contextmanager
def held() -> Iterator[list[str]]:
    """Jobs sent inside the block are held back, not sent (each one's work waits where
    its ``if_down`` says), and listed. For a command that runs before the broker does,
    knowing it: ``setup_demo`` runs before ``runworkbench`` starts the embedded Redis,
    whose start re-sends every queued article. Nothing is tried, so there is no
    "broker unavailable" warning for a first run that is going as it should."""
    jobs: list[str] = []
    token = _held.set(jobs)
    try:
        yield jobs
    finally:
        _held.reset(token)


@contextmanager
def unsent() -> Iterator[list[str]]:
    """The jobs (``name(args)``) whose send failed inside the block, because the broker
    was down. Jobs deferred past the block (an outer transaction still open) are not
    seen: their send has not happened yet."""
    failed: list[str] = []
    token = _watchers.set((*_watchers.get(), failed))
    try:
        yield failed
    finally:
        _watchers.reset(token)
