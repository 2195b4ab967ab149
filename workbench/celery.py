"""The Celery application, configured from Django settings (``CELERY_*``), and the beat
schedule (here rather than in the settings, so reading them does not load Celery)."""

from __future__ import annotations

import logging
import os
from typing import Any

from celery import Celery
from celery._state import get_current_task
from celery.schedules import crontab
from celery.signals import after_setup_logger, after_setup_task_logger, task_postrun, task_prerun
from django.conf import settings
from django.db import close_old_connections, reset_queries
from pythonjsonlogger.json import JsonFormatter

from workbench import heartbeat, logs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")

app = Celery("workbench")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.beat_schedule = {
    "requeue-stuck-articles": {
        "task": "claims.requeue_stuck",
        "schedule": crontab(minute="*/2"),
    },
    "requeue-pending-sources": {  # captures whose job was lost (broker down, worker died)
        "task": "claims.requeue_pending_sources",
        "schedule": crontab(minute="*/5"),
    },
    "requeue-provided-files": {
        "task": "claims.requeue_provided_files",
        "schedule": crontab(minute="*/5"),
    },
    "recheck-sources": {
        "task": "claims.recheck_sources",
        "schedule": crontab(minute="*/30"),
    },
    "embed-pending": {  # vectors missed (broker down) or from an older model version
        "task": "claims.embed_pending",
        "schedule": crontab(minute="*/15"),
    },
    "audit-confirmations": {  # the safety net behind basis_change: re-judge every one
        "task": "claims.audit_confirmations",
        "schedule": crontab(minute=17, hour=3),
    },
    "send-unsent-webhooks": {  # the outbox's deliveries never attempted (broker down)
        "task": "claims.send_unsent_webhooks",
        "schedule": crontab(minute="*/2"),
    },
    # Each feed has its own interval; this only looks for the feeds that are due.
    "poll-due-feeds": {
        "task": "claims.poll_due_feeds",
        "schedule": 60.0,
    },
}
app.autodiscover_tasks()
# Signs of life for /healthz: every worker writes its queues to the broker every few
# seconds, and the scheduler each tick (``workbench/heartbeat.py``).
app.steps["worker"].add(heartbeat.WorkerHeartbeat)
app.conf.beat_scheduler = "workbench.heartbeat:Scheduler"
# Beat wakes at least this often (its sign of life lasts heartbeat.BEAT_TTL seconds).
app.conf.beat_max_interval = 30


@after_setup_logger.connect
@after_setup_task_logger.connect
def json_log_lines(logger: logging.Logger, **kwargs: Any) -> None:
    """With LOG_FORMAT=json, Celery's own handlers (worker, beat, tasks) write JSON lines
    like the rest of the workbench (the settings' LOGGING)."""
    if settings.LOG_FORMAT != "json":
        return
    for handler in logger.handlers:
        handler.setFormatter(TaskJsonFormatter(**logs.json_options()))


class TaskJsonFormatter(JsonFormatter):
    """JSON lines that name the task being run, if any (as Celery's task format does)."""

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        super().add_fields(log_data, record, message_dict)
        task = get_current_task()
        if task is not None and task.request.id:
            log_data["task_id"] = task.request.id
            log_data["task_name"] = task.name


@task_prerun.connect
@task_postrun.connect
def close_unusable_connections(task: Any = None, **kwargs: Any) -> None:
    """What Django does around a request: empty the query log that ``DEBUG`` keeps
    (up to 9,000 statements, the claims' JSON included: tens of MB in a worker that
    never sees a request), and drop a connection that is broken, in a transaction left
    open, or older than ``CONN_MAX_AGE`` (see CELERY_DB_REUSE_MAX). Only in a worker: a
    task run eagerly (``task_always_eager``, ``.apply()``) runs inside its caller's
    transaction, whose connection and log are the caller's to manage."""
    if task is not None and task.request.is_eager:
        return
    reset_queries()
    close_old_connections()
