from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand

from claims import roles


class Command(BaseCommand):
    help = "Create or update the Editors, Fact-checkers and Viewers groups and permissions."

    def handle(self, *args: Any, **options: Any) -> None:
        roles.sync_roles(apps)
        self.stdout.write("Roles are up to date: " + ", ".join(roles.ROLE_PERMISSIONS))
