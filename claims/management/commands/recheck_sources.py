from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from claims.sources import capture as sources
from claims.text.plural import counted


class Command(BaseCommand):
    help = "Re-capture sources not checked recently: find dead links and changed pages."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=float,
            default=None,
            metavar="HOURS",
            help="re-check sources last checked longer ago than this "
            "(default: WORKBENCH_RECHECK_AFTER_HOURS, 24)",
        )
        parser.add_argument(
            "--limit",
            type=int,
            default=None,
            metavar="N",
            help="at most N sources (default: WORKBENCH_RECHECK_BATCH_SIZE, 25)",
        )

    def handle(
        self, *args: Any, older_than: float | None, limit: int | None, **options: Any
    ) -> None:
        delta = None if older_than is None else timedelta(hours=older_than)
        outcomes = sources.recheck_due(older_than=delta, limit=limit)
        total = sum(outcomes.values())
        detail = ", ".join(f"{count} {name}" for name, count in sorted(outcomes.items()))
        self.stdout.write(
            f"Re-checked {counted(total, 'source')}" + (f": {detail}" if detail else ".")
        )
