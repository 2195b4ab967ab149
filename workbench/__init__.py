"""The Django project of the claim verification workbench.

``celery_app`` (``workbench.celery.app``) is imported on first use, not with the
package (PEP 562): reading the settings (``manage.py extract``) does not load Celery.
Every process that sends or runs tasks imports the app itself: ``claims.jobs`` to send,
``claims.tasks`` so that its shared tasks bind to it, and ``celery -A workbench`` (the
worker and beat find ``workbench.celery.app``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["celery_app"]


def __getattr__(name: str) -> Any:
    if name == "celery_app":
        from .celery import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
