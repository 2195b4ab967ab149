"""Add the publisher families of ``claims/data/publishers.json`` that are missing (a
publisher or domain edited in the admin is left as it is), then re-evaluate the
confirmed claims, since independence may have changed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from claims.confirmation import rule as confirmation
from claims.models import Publisher, PublisherDomain
from claims.sources import families
from claims.text.plural import counted


class Command(BaseCommand):
    help = "Add missing seed publishers and their domains; re-evaluate confirmed claims."

    def handle(self, *args: Any, **options: Any) -> None:
        created: list[int] = []
        lapsed = families.change_publishers(
            lambda: created.append(confirmation.install_seed(Publisher, PublisherDomain)),
            cause="seed publishers added",
            by=None,
            wires=True,
        )
        self.stdout.write(
            f"{counted(created[0], 'publisher')} added; {Publisher.objects.count()} in all; "
            f"{counted(len(lapsed), 'claim')} moved to needs re-review."
        )
