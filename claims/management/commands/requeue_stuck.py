from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand

from claims.ingest import articles as ingest
from claims.text.plural import counted


class Command(BaseCommand):
    help = "Re-queue articles left queued or processing for longer than the timeout."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            metavar="SECONDS",
            help="timeout in seconds (default: WORKBENCH_STUCK_AFTER_SECONDS)",
        )

    def handle(self, *args: Any, older_than: int | None, **options: Any) -> None:
        delta = None if older_than is None else timedelta(seconds=older_than)
        requeued = ingest.requeue_stuck(older_than=delta)
        self.stdout.write(f"Re-queued {counted(len(requeued), 'article')}: {requeued}")
