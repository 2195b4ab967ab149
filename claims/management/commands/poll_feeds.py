"""``manage.py poll_feeds [--timeout S]``: poll every active feed now, through the
worker, and wait for each poll to finish."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from claims import jobs
from claims.ingest import feeds
from claims.models import Feed
from claims.text.plural import counted


class Command(BaseCommand):
    help = "Poll every active feed now (by the worker) and wait; prints each outcome."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait")

    def handle(self, *args: Any, **options: Any) -> None:
        before = dict(Feed.objects.filter(active=True).values_list("pk", "polls"))
        if not before:
            self.stdout.write("no active feeds (manage.py add_feed URL --outlet O)")
            return
        with jobs.unsent() as unsent:
            for pk in before:
                feeds.enqueue_poll(pk)  # outside a transaction: sent at once
        if unsent:
            raise CommandError("the job queue is unavailable (the log says why)", returncode=1)
        deadline = time.monotonic() + options["timeout"]
        while time.monotonic() < deadline:
            done = Feed.objects.filter(pk__in=before).values_list("pk", "polls")
            if all(polls > before[pk] for pk, polls in done):
                break
            time.sleep(0.5)
        failed = 0
        for feed in Feed.objects.filter(pk__in=before).order_by("pk"):
            if feed.polls <= before[feed.pk]:
                failed += 1
                self.stderr.write(
                    f"feed {feed.pk} {feed.url}: not polled in time (is a worker running?)"
                )
                continue
            failed += bool(feed.last_error)
            self.stdout.write(f"feed {feed.pk} {feed.url}: {feed.last_error or feed.last_outcome}")
        if failed:
            raise CommandError(f"{counted(failed, 'feed')} failed or did not finish", returncode=1)
