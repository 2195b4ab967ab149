from __future__ import annotations

from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Claim verification"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import search  # noqa: F401 (the ``ufcontains`` lookup and SQLite's wb_fold)
