"""``manage.py export_corrections [--format jsonl|csv] [--since DATE]``: what editors fixed.

One record per correction of a machine label (``Claim.correct``: speaker, claim type,
check-worthy, factuality), read from its ``corrected`` event (``ClaimEvent``): the
sentence as it was when corrected, the article and claim ids, the field, the raw value
before and after, who and when. A claim corrected twice (or in two fields) gives two
records, oldest first; the last one for a field is the label that stands.
``train_checkworthiness --extra FILE`` reads either format back.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from claims.models import ClaimEvent, EventKind

FORMATS = ("jsonl", "csv")
COLUMNS = ("claim_id", "article_id", "text", "field", "before", "after", "by", "at", "reason")


def corrections(since: dt.datetime | None = None) -> Iterator[dict[str, Any]]:
    """Every correction (a ``corrected`` event), by claim and oldest first."""
    events = ClaimEvent.objects.filter(kind=EventKind.CORRECTED)
    if since is not None:
        events = events.filter(at__gte=since)
    for event in events.select_related("by").order_by("claim_ref", "at", "pk").iterator():
        yield {
            "claim_id": event.claim_ref,
            "article_id": event.article_id,
            "text": event.data.get("text", ""),
            "field": event.data["field"],
            "before": event.data.get("old"),
            "after": event.data.get("new"),
            "by": event.by.get_username() if event.by else None,
            "at": event.at.isoformat(),
            "reason": event.sentence,
        }


def _since(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise CommandError(f"--since must be a date (YYYY-MM-DD) or a datetime, not {value!r}.")
        moment = dt.datetime.combine(day, dt.time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    return moment


class Command(BaseCommand):
    help = (
        "Print editors' corrections of speaker, claim type, check-worthy and factuality, "
        "one per line (JSONL) or as CSV, for training and audit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=FORMATS, default="jsonl", dest="fmt")
        parser.add_argument("--since", default=None, help="Only corrections from this date on.")

    def handle(self, *args: Any, fmt: str, since: str | None, **options: Any) -> None:
        records = corrections(_since(since))
        if fmt == "jsonl":
            for record in records:
                self.stdout.write(json.dumps(record, ensure_ascii=False))
            return
        writer = csv.DictWriter(self.stdout, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for record in records:
            writer.writerow({**record, **_csv_values(record)})


def _csv_values(record: dict[str, Any]) -> dict[str, str]:
    """Before and after as text: ``true``/``false`` for check-worthy, empty for none."""
    return {key: _text(record[key]) for key in ("before", "after")}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)
