"""``manage.py add_feed URL --outlet O [--every SECONDS]``: watch an RSS/Atom feed or sitemap."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from claims.ingest import feeds


class Command(BaseCommand):
    help = "Watch an outlet's RSS/Atom feed or sitemap; new items are ingested once."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("url")
        parser.add_argument("--outlet", required=True)
        parser.add_argument("--every", type=int, default=900, help="seconds between polls")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            feed, created = feeds.add_feed(
                url=options["url"], outlet=options["outlet"], every=options["every"]
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages), returncode=2) from None
        verb = "added" if created else "updated"
        self.stdout.write(
            f"feed {feed.pk} {verb}: {feed.url} ({feed.outlet}, every {feed.every} s)"
        )
