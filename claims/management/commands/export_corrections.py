"""``manage.py export_corrections [--format jsonl|csv] [--since DATE]``: what editors fixed.

One record per correction of a machine label (``Claim.correct``: speaker, claim type,
check-worthy, factuality), read from the claim's history: the sentence as it was when
corrected, the article and claim ids, the field, the raw value before and after, who and
when. A claim corrected twice (or in two fields) gives two records, oldest first; the
last one for a field is the label that stands. ``train_checkworthiness --extra FILE``
reads either format back.
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

from claims.models import CORRECTABLE, Claim

FORMATS = ("jsonl", "csv")
COLUMNS = ("claim_id", "article_id", "text", "field", "before", "after", "by", "at", "reason")
# The history's change reason starts with the field's human name (``Claim.correct``).
PREFIXES = {f"{name} corrected from ": field for field, name in CORRECTABLE.items()}


def _corrected_field(reason: str | None) -> str | None:
    for prefix, field in PREFIXES.items():
        if (reason or "").startswith(prefix):
            return field
    return None


def corrections(since: dt.datetime | None = None) -> Iterator[dict[str, Any]]:
    """Every correction, oldest first; the value before is the previous history row's."""
    claim_ids = Claim.history.filter(history_change_reason__contains=" corrected from ")
    rows = (
        Claim.history.filter(id__in=claim_ids.values("id"))
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    previous: Any = None
    for row in rows.iterator():
        before = previous if previous is not None and previous.id == row.id else None
        previous = row
        field = _corrected_field(row.history_change_reason)
        if field is None or (since is not None and row.history_date < since):
            continue
        yield {
            "claim_id": row.id,
            "article_id": row.article_id,
            "text": row.text,
            "field": field,
            "before": getattr(before, field) if before is not None else None,
            "after": getattr(row, field),
            "by": row.history_user.get_username() if row.history_user else None,
            "at": row.history_date.isoformat(),
            "reason": row.history_change_reason,
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
