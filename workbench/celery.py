"""The Celery application, configured from Django settings (``CELERY_*``), and the beat
schedule (here rather than in the settings, so reading them does not load Celery)."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")

app = Celery("workbench")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.beat_schedule = {
    "requeue-stuck-articles": {
        "task": "claims.requeue_stuck",
        "schedule": crontab(minute="*/2"),
    },
    "recheck-sources": {
        "task": "claims.recheck_sources",
        "schedule": crontab(minute="*/30"),
    },
    "embed-pending": {  # vectors missed (broker down) or from an older model version
        "task": "claims.embed_pending",
        "schedule": crontab(minute="*/15"),
    },
    # Each feed has its own interval; this only looks for the feeds that are due.
    "poll-due-feeds": {
        "task": "claims.poll_due_feeds",
        "schedule": 60.0,
    },
}
app.autodiscover_tasks()
