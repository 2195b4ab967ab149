from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Claim verification"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The ``ufcontains`` and ``matches`` lookups, SQLite's wb_fold, the FTS5 triggers.
        from claims.models import search

        post_migrate.connect(search.repair_after_migrate, sender=self)
