"""``manage.py import_factchecks FILE [FILE ...]``: load fact-check archives.

Reads ClaimReview JSON-LD (one object, a list, or ``<script type="application/ld+json">``
blocks in .html pages), JSON Lines or CSV (columns ``id, text, title, url, rating, date``;
``id`` may be left out when ``url`` is given). Entries are keyed by the archive's id (or
URL): importing the same file again updates entries, it never duplicates them. Each file
is read completely before anything is written, so a bad file changes nothing. Text is
cleaned on the way in (``claims/text/cleaning.py``); a URL that is not http(s) is dropped, and
each dropped URL is reported on stderr.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims.matching import archives
from claims.matching import service as matching


class Command(BaseCommand):
    help = "Import previously checked claims (ClaimReview JSON-LD, JSON Lines or CSV)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")

    def handle(self, *args: Any, files: list[Path], **options: Any) -> None:
        for path in files:
            try:
                entries = archives.read_archive(path)
            except archives.ArchiveRejected as exc:
                raise CommandError(str(exc)) from None
            for entry in entries:
                for warning in entry["warnings"]:
                    self.stderr.write(warning)
            counts = matching.import_factchecks(entries)
            self.stdout.write(
                f"{path.name}: {counts['created']} created, {counts['updated']} updated, "
                f"{counts['unchanged']} unchanged"
            )
