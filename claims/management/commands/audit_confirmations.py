"""``manage.py audit_confirmations``: re-judge every confirmed claim now (the daily beat
task does the same) and lapse those whose confirmation no longer holds, naming the cause."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from claims.confirmation import audit
from claims.text.plural import counted


class Command(BaseCommand):
    help = "Re-judge every confirmed claim and lapse those whose basis no longer holds."

    def handle(self, *args: Any, **options: Any) -> None:
        run = audit.audit()
        self.stdout.write(
            f"{counted(run.checked, 'confirmed claim')} checked; {run.lapsed} lapsed."
        )
        for finding in run.findings:
            self.stdout.write(f"  claim #{finding['claim']}: {finding['cause']}")
        if run.counts_repaired:
            self.stdout.write(
                f"{counted(run.counts_repaired, 'article')}: stored claim counts differed "
                "from a recount; rewritten."
            )
