"""Add the publisher families of ``claims/data/publishers.json`` that are missing (a
publisher or domain edited in the admin is left as it is), then re-evaluate the
confirmed claims, since independence may have changed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from claims.confirmation import rule as confirmation
from claims.confirmation import service as status
from claims.models import Claim, Publisher, PublisherDomain
from claims.sources import publishers


class Command(BaseCommand):
    help = "Add missing seed publishers and their domains; re-evaluate confirmed claims."

    def handle(self, *args: Any, **options: Any) -> None:
        created = confirmation.install_seed(Publisher, PublisherDomain)
        publishers.recompute_wires()
        lapsed = status.reevaluate(Claim.objects.all(), cause="seed publishers added")
        self.stdout.write(
            f"{created} publisher(s) added; {Publisher.objects.count()} in all; "
            f"{len(lapsed)} claim(s) moved to needs re-review."
        )
