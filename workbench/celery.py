"""The Celery application, configured from Django settings (``CELERY_*``)."""

from __future__ import annotations

import os
from typing import Any

from celery import Celery
from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")

app = Celery("workbench")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def close_unusable_connections(**kwargs: Any) -> None:
    """What Django does around a request: drop a connection that is broken, in a
    transaction left open, or older than ``CONN_MAX_AGE`` (see CELERY_DB_REUSE_MAX)."""
    close_old_connections()
