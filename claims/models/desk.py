"""The desk dashboard's aggregates (issue 33): the claim events counted per day, so the
dashboard reads a few thousand rows instead of a million events.

- ``DeskDay``: events per day x kind x statuses before and after x cause x outlet x
  assignee x person. ``count`` adds each event written by ``events.record`` and
  ``events.record_many`` (the one write path of events) in the same transaction, so
  a rollback takes the count back with the event.
- ``FirstDecision``: each claim's first decision (its first confirmation or first
  refuting source), once per claim, with the hours it took from extraction; an earlier
  decision written later (a back-dated event) replaces it.
- ``DeskStock``: the backlog (claims per state) at the end of each closed day, per
  filter, written the first time that day is shown after it ended (``figures.backlog``);
  an event back-dated into a closed day drops the stored days from that one on.

The outlet and assignee are the event's own (``ClaimEvent.outlet``/``assignee``: the
claim's at the time of the event), so a filter answers "at the time". ``rebuild``
recomputes the three from the events alone (the migration's backfill, events written
with ``COPY``); ``tests/dashboard/test_aggregates.py`` holds ``count`` equal to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, tzinfo
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.db import connection, models
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

if TYPE_CHECKING:
    from claims.models.events import ClaimEvent

# The columns a DeskDay row is keyed by (its unique constraint).
DAY_KEY = ("day", "kind", "from_status", "to_status", "cause", "outlet", "assignee_ref", "by_ref")


class DeskDay(models.Model):
    day = models.DateField()
    kind = models.CharField(max_length=32)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    cause = models.CharField(max_length=32, blank=True)
    outlet = models.CharField(max_length=200, blank=True)
    assignee_ref = models.PositiveIntegerField(default=0, help_text="The assignee's id; 0: none.")
    by_ref = models.PositiveIntegerField(default=0, help_text="Who wrote it (user id); 0: none.")
    n = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=list(DAY_KEY), name="deskday_key")]
        # One kind over a range of days (the throughput reads status changes, the lapses
        # chart lapses), from the index alone on PostgreSQL.
        indexes = [
            models.Index(
                fields=["kind", "day"],
                include=["to_status", "cause", "outlet", "assignee_ref", "by_ref", "n"],
                name="deskday_kind_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} x{self.n}"


class FirstDecision(models.Model):
    claim_ref = models.PositiveBigIntegerField(primary_key=True)
    decided_at = models.DateTimeField()
    day = models.DateField()
    tenths = models.PositiveIntegerField(help_text="Tenths of hours from extraction, rounded down.")
    outlet = models.CharField(max_length=200, blank=True)
    assignee_ref = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["day", "tenths"], name="firstdecision_day"),
            # The time to verify filtered by an outlet or an assignee reads only theirs.
            models.Index(fields=["outlet", "day"], include=["tenths"], name="firstdecision_outlet"),
            models.Index(
                fields=["assignee_ref", "day"], include=["tenths"], name="firstdecision_assignee"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.claim_ref} decided {self.decided_at:%Y-%m-%d %H:%M}"


class DeskStock(models.Model):
    scope = models.CharField(max_length=300, help_text="The filter: '' for every claim.")
    day = models.DateField()
    state = models.CharField(max_length=16)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "day", "state"], name="deskstock_key")
        ]

    def __str__(self) -> str:
        return f"{self.scope or 'all'} {self.day} {self.state}: {self.n}"


def decisive(kind: str, to_status: str, data: Any) -> bool:
    """``events.DECISIVE`` for one event in memory."""
    if kind == "status_changed":
        return to_status == "confirmed"
    return kind == "evidence_added" and isinstance(data, dict) and data.get("stance") == "refutes"


def tenths(decided_at: datetime, extracted_at: datetime) -> int:
    return max(0, int((decided_at - extracted_at).total_seconds() // 360))


def _day_key(e: ClaimEvent, tz: tzinfo | None = None) -> tuple[Any, ...]:
    return (timezone.localdate(e.at, tz), e.kind, e.from_status, e.to_status, e.cause,
            e.outlet, e.assignee_id or 0, e.by_id or 0)  # fmt: skip


def count(events: Sequence[ClaimEvent]) -> None:
    """Add ``events`` (just saved) to the aggregates, in the caller's transaction.

    Called for every event written, so kept lean (issue 34): the current time zone is
    looked up once, not per event; the events are tallied by key in one pass (the
    earliest day is the least of the keys'); and the keys are added with one upsert
    whose SQL is built once per row count (``_day_upsert``): an extraction's events
    share one key, so its count is one short statement."""
    if not events:
        return
    tz = timezone.get_current_timezone()
    tally: dict[tuple[Any, ...], int] = {}
    decisions = []
    for e in events:
        key = _day_key(e, tz)
        tally[key] = tally.get(key, 0) + 1
        if decisive(e.kind, e.to_status, e.data):
            decisions.append(e)
    adapt = connection.ops.adapt_datefield_value
    rows = sorted(tally.items(), key=lambda item: tuple(str(part) for part in item[0]))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            cursor.execute(
                _day_upsert(connection.vendor, len(chunk)),
                [v for key, n in chunk for v in (adapt(key[0]), *key[1:], n)],
            )
    if decisions:
        _first_decisions(decisions)
    # back-dated: the stored backlog from the earliest day on is stale
    earliest = min(key[0] for key in tally)
    if earliest < timezone.localdate(timezone=tz):
        DeskStock.objects.filter(day__gte=earliest).delete()


@lru_cache(maxsize=64)
def _day_upsert(vendor: str, rows: int) -> str:
    """The upsert of ``rows`` DeskDay keys and counts, for the ``vendor``'s quoting (the
    same SQL on PostgreSQL and SQLite)."""
    table = connection.ops.quote_name(DeskDay._meta.db_table)
    return (
        f"INSERT INTO {table} ({', '.join(DAY_KEY)}, n) VALUES "
        + ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * rows)
        + f" ON CONFLICT ({', '.join(DAY_KEY)}) DO UPDATE SET n = {table}.n + EXCLUDED.n"
    )


def _first_decisions(events: Iterable[ClaimEvent]) -> None:
    firsts: dict[int, ClaimEvent] = {}
    for e in sorted(events, key=lambda e: (e.at, e.pk or 0)):
        if e.claim_id is not None:
            firsts.setdefault(e.claim_id, e)
    if not firsts:
        return
    from django.apps import apps

    claim_model = apps.get_model("claims", "Claim")
    extracted = dict(
        claim_model.objects.filter(pk__in=list(firsts)).values_list("pk", "created_at")
    )
    rows = [
        (claim_id, e.at, timezone.localdate(e.at), tenths(e.at, extracted[claim_id]), e.outlet,
         e.assignee_id or 0)
        for claim_id, e in sorted(firsts.items())
        if claim_id in extracted
    ]  # fmt: skip
    if rows:
        _upsert_first(rows)


def _upsert_first(rows: list[tuple[int, datetime, date, int, str, int]]) -> None:
    ops = connection.ops
    table = ops.quote_name(FirstDecision._meta.db_table)
    columns = ("claim_ref", "decided_at", "day", "tenths", "outlet", "assignee_ref")
    update = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns[1:])
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk))
                + f" ON CONFLICT (claim_ref) DO UPDATE SET {update}"
                + f" WHERE EXCLUDED.decided_at < {table}.decided_at",
                [
                    v
                    for ref, at, day, t, outlet, assignee in chunk
                    for v in (
                        ref,
                        ops.adapt_datetimefield_value(at),
                        ops.adapt_datefield_value(day),
                        t,
                        outlet,
                        assignee,
                    )
                ],
            )


def recompute(
    event_model: Any, claim_model: Any
) -> tuple[dict[tuple[Any, ...], int], dict[int, tuple[Any, ...]]]:
    """The aggregates as they should be, from the events alone: the DeskDay counts by
    key, and each claim's first decision (decided at, day, tenths, outlet, assignee)."""
    days: dict[tuple[Any, ...], int] = {}
    grouped = (
        event_model.objects.order_by()
        .annotate(day=TruncDate("at"))
        .values(
            "day", "kind", "from_status", "to_status", "cause", "outlet", "assignee_id", "by_id"
        )
        .annotate(n=Count("id"))
    )
    for row in grouped.iterator(chunk_size=5000):
        key = (row["day"], row["kind"], row["from_status"], row["to_status"], row["cause"],
               row["outlet"], row["assignee_id"] or 0, row["by_id"] or 0)  # fmt: skip
        days[key] = days.get(key, 0) + row["n"]
    decisions = (
        event_model.objects.filter(
            models.Q(kind="status_changed", to_status="confirmed")
            | models.Q(kind="evidence_added", data__stance="refutes"),
            claim__isnull=False,
        )
        .order_by("claim_id", "at", "pk")
        .values_list("claim_id", "at", "outlet", "assignee_id", "claim__created_at")
    )
    firsts: dict[int, tuple[Any, ...]] = {}
    for claim_id, at, outlet, assignee, extracted in decisions.iterator(chunk_size=5000):
        if claim_id not in firsts:
            firsts[claim_id] = (at, timezone.localdate(at), tenths(at, extracted), outlet,
                                assignee or 0)  # fmt: skip
    return days, firsts


def rebuild(
    event_model: Any = None, claim_model: Any = None, day_model: Any = None,
    first_model: Any = None, stock_model: Any = None,
) -> None:  # fmt: skip
    """Recompute the aggregates from the events (models given: a migration's)."""
    if event_model is None:
        from claims.models import Claim, ClaimEvent

        event_model, claim_model = ClaimEvent, Claim
        day_model, first_model, stock_model = DeskDay, FirstDecision, DeskStock
    days, firsts = recompute(event_model, claim_model)
    day_model.objects.all().delete()
    first_model.objects.all().delete()
    stock_model.objects.all().delete()
    made = [day_model(**dict(zip(DAY_KEY, key, strict=True)), n=n) for key, n in days.items()]
    day_model.objects.bulk_create(made, batch_size=2000)
    first_model.objects.bulk_create(
        [
            first_model(
                claim_ref=ref,
                decided_at=at,
                day=day,
                tenths=t,
                outlet=outlet,
                assignee_ref=assignee,
            )
            for ref, (at, day, t, outlet, assignee) in firsts.items()
        ],
        batch_size=2000,
    )
