"""Re-judge every confirmed claim by the confirmation rule as it stands now (after
changing ``WORKBENCH_CONFIRMATIONS_REQUIRED``, say): those whose confirmation no longer
holds move to needs re-review, with the cause in their history."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from claims.confirmation import service as status
from claims.models import Claim
from claims.text.plural import counted


class Command(BaseCommand):
    help = "Re-evaluate every confirmed claim; lapsed ones move to needs re-review."

    def handle(self, *args: Any, **options: Any) -> None:
        confirmed = Claim.objects.filter(status=Claim.Status.CONFIRMED)
        total = confirmed.count()
        lapsed = status.reevaluate(confirmed, cause="re-evaluated (manage.py reevaluate_claims)")
        self.stdout.write(
            f"Re-evaluated {counted(total, 'confirmed claim')}: "
            f"{len(lapsed)} moved to needs re-review."
        )
        for claim in lapsed:
            self.stdout.write(f"  #{claim.pk}: {claim.status_note}")
