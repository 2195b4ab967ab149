"""The desk dashboard's figures, from the claim events (``ClaimEvent``) and the rows.

Every figure is a small ``Figure``: its x labels, its named series, a title that states
the finding, and the link to the claims it counts. The page draws it (``svg``), prints it
as a table and serves it as CSV, all from this one object, so the three never disagree.

How the backlog is counted without replaying every claim: today's counts come from the
claims themselves (one grouped query); each day before is today minus the status changes
after it (one grouped query over the events, on their ``(kind, at)`` index). A claim
counts from the day it was created. The population is the claims that are check-worthy
and not orphaned, in the outlet and assignee chosen, when the day is counted. A closed
day, once counted, is kept (``DeskStock``), so a view counts only the days not yet kept
(today, and yesterday on the first view of the day).

The charts that count events (time to verify, throughput, lapses) read the daily
aggregates (``claims.models.desk``) with the outlet and assignee at the time of each
event.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from claims.models import (
    Article,
    Claim,
    ClaimEvent,
    ClaimMatch,
    DeskDay,
    DeskStock,
    Evidence,
    FirstDecision,
    Source,
    Speaker,
)

Kind = ClaimEvent.Kind
Status = Claim.Status

# The four states of the backlog, in stacking order: a claim with refuting evidence is
# contradicted whatever its status (as in ClaimReview), otherwise its status.
STATES = ("unconfirmed", "needs_rereview", "confirmed", "contradicted")
STATE_NAMES = {
    "unconfirmed": "Unconfirmed",
    "needs_rereview": "Needs re-review",
    "confirmed": "Confirmed",
    "contradicted": "Contradicted",
}
STATE_COLOURS = {
    "unconfirmed": "#E69F00",
    "needs_rereview": "#D55E00",
    "confirmed": "#009E73",
    "contradicted": "#CC79A7",
}
# Hours from extraction to the first decision, in the histogram's bins.
BINS = ((0, 1, "< 1 h"), (1, 4, "1 to 4 h"), (4, 24, "4 to 24 h"), (24, 72, "1 to 3 days"),
        (72, 168, "3 to 7 days"), (168, None, "> 7 days"))  # fmt: skip


@dataclass(frozen=True)
class DeskFilter:
    """The dashboard's range (whole days, both ends included) and filters."""

    start: date
    end: date
    outlet: str = ""
    assignee_id: int | None = None

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    @property
    def since(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def until(self) -> datetime:
        """The end of the last day (exclusive)."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    def claims(self) -> QuerySet[Claim]:
        """The population: check-worthy claims (not orphaned), unordered (no join to the
        article for its default order; the partial index ``claim_desk`` answers it)."""
        claims = Claim.objects.order_by().filter(check_worthy=True, orphaned=False)
        if self.outlet:
            claims = claims.filter(article__outlet=self.outlet)
        if self.assignee_id:
            claims = claims.filter(assignee_id=self.assignee_id)
        return claims

    def through(self, to_claim: str) -> dict[str, Any]:
        """The population as lookups through the foreign key ``to_claim`` of a table with
        few rows (refuting evidence, matches): a join from those rows, where
        ``claim__in=claims()`` would make PostgreSQL hash the whole population first."""
        lookups: dict[str, Any] = {
            f"{to_claim}__check_worthy": True,
            f"{to_claim}__orphaned": False,
        }
        if self.outlet:
            lookups[f"{to_claim}__article__outlet"] = self.outlet
        if self.assignee_id:
            lookups[f"{to_claim}__assignee_id"] = self.assignee_id
        return lookups

    def events(self, *kinds: str) -> QuerySet[ClaimEvent]:
        events = ClaimEvent.objects.order_by().filter(
            kind__in=kinds, at__gte=self.since, at__lt=self.until
        )
        # ``IN`` the population, not a join: PostgreSQL hashes the population once, where
        # a join through the claim and its article plans worse for an outlet.
        return events.filter(claim_id__in=self.claims().values("id"))

    @property
    def scope(self) -> str:
        """The filter as a ``DeskStock`` scope ('' for every claim)."""
        parts = [f"o:{self.outlet}"] if self.outlet else []
        if self.assignee_id:
            parts.append(f"a:{self.assignee_id}")
        return "|".join(parts)

    def per_day(self, model: Any, **lookups: Any) -> QuerySet[Any]:
        """Rows of a daily aggregate in the range, in the outlet and assignee chosen (those
        of each event, at the time)."""
        rows = model.objects.order_by().filter(day__gte=self.start, day__lte=self.end, **lookups)
        if self.outlet:
            rows = rows.filter(outlet=self.outlet)
        if self.assignee_id:
            rows = rows.filter(assignee_ref=self.assignee_id)
        return rows

    def list_query(self, **extra: Any) -> str:
        """The claims list's query string for what a chart shows."""
        params: dict[str, Any] = {}
        if self.outlet:
            params["outlet"] = self.outlet
        if self.assignee_id:
            params["assignee"] = self.assignee_id
        params.update({k: v for k, v in extra.items() if v not in (None, "")})
        return urlencode(params)


@dataclass
class Figure:
    """One chart's numbers: ``rows`` are (label, value per series)."""

    key: str
    title: str
    desc: str
    columns: list[str]
    labels: list[str]
    series: Mapping[str, Sequence[float | None]]
    kind: str = "area"  # area, lines, bars, stacked-bars, hbars
    link: str = ""
    links: dict[str, str] = field(default_factory=dict)  # per label, for hbars
    pages: dict[str, str] = field(default_factory=dict)  # per label: its own page (a speaker)
    colours: dict[str, str] = field(default_factory=dict)
    notes: str = ""

    def rows(self) -> list[list[Any]]:
        return [
            [label, *(self.series[name][i] for name in self.series)]
            for i, label in enumerate(self.labels)
        ]

    @property
    def empty(self) -> bool:
        return not any(any(values) for values in self.series.values())


def _day(d: date) -> str:
    return f"{d.day} {d:%b}"


def _week_start(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _weeks(f: DeskFilter) -> list[date]:
    first, weeks = _week_start(f.start), []
    while first <= f.end:
        weeks.append(first)
        first += timedelta(days=7)
    return weeks


def _change(values: list[float], span: int) -> str:
    """``grew 18%`` / ``fell 3%`` / ``held steady`` over the last ``span`` points."""
    if len(values) < 2:
        return "held steady"
    before, now = values[max(0, len(values) - 1 - span)], values[-1]
    if before == now:
        return "held steady"
    if before == 0:
        return f"rose from 0 to {now:,.0f}"
    change = (now - before) / before * 100
    return f"{'grew' if change > 0 else 'fell'} {abs(change):.0f}%"


# --- What several charts read ----------------------------------------------------------------


@dataclass(frozen=True)
class Refuted:
    """A claim of the population with refuting evidence: its first refuting source."""

    claim_id: int
    status: str
    created_at: datetime
    outlet: str
    speaker_id: int | None
    first: datetime


class Reads:
    """The rows that several charts count, each read once for one computation of the
    page (the backlog and the contradictions share one read of the refuted claims; the
    throughput and the lapses one read of ``DeskDay``). Every chart takes one (its own
    when computed alone)."""

    def __init__(self, f: DeskFilter) -> None:
        self.f = f
        self._refuted: list[Refuted] | None = None
        self._decided: list[dict[str, Any]] | None = None
        self._users: dict[int, str] | None = None

    def refuted(self) -> list[Refuted]:
        """The claims of the population with refuting evidence (few; the partial index
        ``evidence_refuting_claim``), with what the backlog and the contradictions need
        of each: one row per claim, its first refuting source's time."""
        if self._refuted is None:
            rows = (
                Evidence.objects.order_by()
                .filter(stance=Evidence.Stance.REFUTES, **self.f.through("claim"))
                .values_list(
                    "claim_id",
                    "claim__status",
                    "claim__created_at",
                    "claim__article__outlet",
                    "claim__speaker_record_id",
                )
                .annotate(first=Min("added_at"))
            )
            self._refuted = [Refuted(*row) for row in rows]
        return self._refuted

    def decided(self) -> list[dict[str, Any]]:
        """``DeskDay``'s status changes and lapses in the range, by kind, new status,
        cause, person and day (one range of the covering index ``deskday_kind_day``)."""
        if self._decided is None:
            self._decided = list(
                self.f.per_day(DeskDay, kind__in=[Kind.STATUS_CHANGED, Kind.LAPSED])
                .values("kind", "to_status", "cause", "by_ref", "day")
                .annotate(n=Sum("n"))
            )
        return self._decided

    def users(self) -> dict[int, str]:
        if self._users is None:
            self._users = dict(get_user_model().objects.values_list("pk", "username"))
        return self._users


# --- Backlog over time -----------------------------------------------------------------------


def _refuting(claim: Any) -> QuerySet[Evidence]:
    """Refuting evidence of ``claim`` (an ``OuterRef``; the partial index
    ``evidence_refuting_claim`` answers it)."""
    return Evidence.objects.filter(claim=claim, stance=Evidence.Stance.REFUTES)


def _state_now(reads: Reads) -> Counter[str]:
    """Today's count of each state: by status (the partial index ``claim_desk``), less the
    claims that refuting evidence makes contradicted (counted from that evidence)."""
    counts: Counter[str] = Counter()
    for row in reads.f.claims().values("status").annotate(n=Count("id")):
        counts[row["status"]] += row["n"]
    for each in reads.refuted():
        counts[each.status] -= 1
        counts["contradicted"] += 1
    return counts


def backlog(f: DeskFilter, reads: Reads | None = None) -> Figure:
    today = timezone.localdate()
    closed = min(f.end, today - timedelta(days=1))
    kept: dict[date, dict[str, int]] = defaultdict(dict)
    if f.start <= closed:
        stored = DeskStock.objects.filter(scope=f.scope, day__gte=f.start, day__lte=closed)
        for day, state, n in stored.values_list("day", "state", "n"):
            kept[day][state] = n
    values = {d: kept[d] for d in f.days if len(kept.get(d, ())) == len(STATES)}
    missing = [d for d in f.days if d not in values]
    if missing:
        # The same population (claims, outlet, assignee): the same reads, fewer days.
        counted = _replay(DeskFilter(missing[0], f.end, f.outlet, f.assignee_id), reads or Reads(f))
        values.update({d: counted[d] for d in missing})
        DeskStock.objects.bulk_create(
            [
                DeskStock(scope=f.scope, day=d, state=state, n=counted[d][state])
                for d in missing
                if d < today
                for state in STATES
            ],
            ignore_conflicts=True,  # another view kept the same day meanwhile
        )
    series: dict[str, list[float]] = {s: [float(values[d][s]) for d in f.days] for s in STATES}
    waiting = [u + r for u, r in zip(series["unconfirmed"], series["needs_rereview"], strict=True)]
    span = 7 if len(waiting) > 7 else len(waiting) - 1
    period = "this week" if span == 7 else "over the range"
    title = f"Backlog {_change(waiting, span)} {period}: {waiting[-1]:,.0f} claims await a decision"
    return Figure(
        key="backlog",
        title=title,
        desc=(
            "Daily counts of check-worthy claims by state at the end of each day, "
            f"{f.start:%d %b %Y} to {f.end:%d %b %Y}. Awaiting a decision means unconfirmed or "
            "needing re-review."
        ),
        columns=["Day", *(STATE_NAMES[s] for s in STATES)],
        labels=[_day(d) for d in f.days],
        series={STATE_NAMES[s]: series[s] for s in STATES},
        colours={STATE_NAMES[s]: STATE_COLOURS[s] for s in STATES},
        kind="area",
        link=f.list_query(status="unconfirmed"),
        links={
            STATE_NAMES["unconfirmed"]: f.list_query(status="unconfirmed"),
            STATE_NAMES["needs_rereview"]: f.list_query(status="needs_rereview"),
            STATE_NAMES["confirmed"]: f.list_query(status="confirmed"),
            STATE_NAMES["contradicted"]: f.list_query(contradicted="true"),
        },
    )


def _replay(f: DeskFilter, reads: Reads) -> dict[date, dict[str, int]]:
    """Each day of ``f``: the claims in each state at its end, walked back from today."""
    today = timezone.localdate()
    claims = f.claims()
    counts = _state_now(reads)
    # Walk back from today: undo each day's status changes, and the claims created that day.
    after = DeskFilter(f.start, max(today, f.end), f.outlet, f.assignee_id)
    moves: dict[date, Counter[str]] = defaultdict(Counter)
    changes = (
        after.events(Kind.STATUS_CHANGED, Kind.LAPSED)
        .exclude(Exists(_refuting(OuterRef("claim_id"))))
        .annotate(day=TruncDate("at"))
        .values("day", "from_status", "to_status")
        .annotate(n=Count("at"))  # "at", not "id": the covering index answers alone
    )
    for row in changes:
        moves[row["day"]][row["from_status"]] -= row["n"]
        moves[row["day"]][row["to_status"]] += row["n"]
    created = (
        # ``status__in``: one range of ``claim_desk`` per status, not the whole index.
        claims.filter(status__in=Status.values, created_at__gte=f.since)
        .exclude(Exists(_refuting(OuterRef("pk"))))
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(n=Count("id"))
    )
    for made in created:
        moves[made["day"]]["unconfirmed"] += made["n"]
    # Contradicted claims: from the first refuting evidence on (few; counted per claim).
    first_day = {row.claim_id: timezone.localdate(row.first) for row in reads.refuted()}
    contradicted_from = Counter(first_day.values())
    # Before its first refuting source, a contradicted claim counted in its status then.
    # Only the claims first refuted after the first day counted were anything else then.
    created_at = {row.claim_id: row.created_at for row in reads.refuted()}
    before = _statuses_before({c: d for c, d in first_day.items() if d > f.start}, created_at, f)
    day = max(today, f.end)
    state = Counter({s: counts[s] for s in STATES if s != "contradicted"})
    contradicted = counts["contradicted"]
    values: dict[date, tuple[Counter[str], int]] = {}
    while day >= f.start:
        values[day] = (Counter(state), contradicted)
        state.subtract(moves.get(day, Counter()))
        contradicted -= contradicted_from.get(day, 0)
        day -= timedelta(days=1)
    out: dict[date, dict[str, int]] = {}
    for d in f.days:
        at, refuted = values[d]
        out[d] = {s: max(0, at[s]) + before[d][s] for s in STATES[:3]}
        out[d]["contradicted"] = max(0, refuted)
    return out


def _statuses_before(
    first_day: dict[int, date], created: dict[int, datetime], f: DeskFilter
) -> dict[date, Counter[str]]:
    """Per day of the range, the statuses of the given claims (created when ``created``
    says) on the days before their first refuting source (each replayed from its creation
    and status events)."""
    out: dict[date, Counter[str]] = defaultdict(Counter)
    if not first_day:
        return out
    moves: dict[int, list[tuple[date, str]]] = defaultdict(list)
    events = (
        ClaimEvent.objects.filter(
            claim_id__in=list(first_day),
            kind__in=(Kind.STATUS_CHANGED, Kind.LAPSED),
            at__lt=f.until,
        )
        .order_by("at", "pk")
        .values_list("claim_id", "at", "to_status")
    )
    for claim_id, moved_at, to in events:
        moves[claim_id].append((timezone.localdate(moved_at), to))
    for claim_id, until in first_day.items():
        if claim_id not in created:
            continue
        born = timezone.localdate(created[claim_id])
        for d in f.days:
            if d < born or d >= until:
                continue
            status: str = Status.UNCONFIRMED
            for moved_on, to in moves[claim_id]:
                if moved_on <= d:
                    status = to
            out[d][status] += 1
    return out


# --- Time to verify ---------------------------------------------------------------------------


def _decisions(f: DeskFilter) -> list[tuple[date, float, int]]:
    """(day, hours, claims) of the claims whose first decision (first confirmation, or
    first refuting source) fell in the range, to the tenth of an hour (``FirstDecision``,
    written once per claim with its first decision)."""
    rows = f.per_day(FirstDecision).values("day", "tenths").annotate(n=Count("claim_ref"))
    return [(row["day"], row["tenths"] / 10, row["n"]) for row in rows]


def _interpolate(q: float, total: int, nth: Callable[[int], float]) -> float:
    """The ``q`` quantile of ``total`` values, ``nth(i)`` the i-th smallest (from 0),
    interpolated between the two nearest (as ``statistics.quantiles(method="inclusive")``)."""
    position = q * (total - 1)
    low_index, fraction = int(position), position - int(position)
    low = nth(low_index)
    return low + (nth(low_index + 1) - low) * fraction if fraction else low


def _quantile(counted: list[tuple[float, int]], q: float) -> float:
    """The ``q`` quantile of values given with their counts."""
    ordered = sorted(counted)
    total = sum(n for _, n in ordered)
    if not total:
        return 0.0

    def nth(index: int) -> float:
        seen = 0
        for value, n in ordered:
            seen += n
            if index < seen:
                return value
        return ordered[-1][0]

    return _interpolate(q, total, nth)


@dataclass
class Decided:
    """What the time to verify shows: per week (Monday) the decisions, their median and
    90th percentile hours; over the range, the median and the count per bin of ``BINS``."""

    weeks: dict[date, int]
    medians: dict[date, float]
    p90: dict[date, float]
    overall: float
    bins: list[int]


def _bin(hours: float) -> int | None:
    for index, (low, high, _label) in enumerate(BINS):
        if hours >= low and (high is None or hours < high):
            return index
    return None


def _decided_here(f: DeskFilter) -> Decided:
    """``Decided`` from the range's (day, tenths) counts, in Python."""
    per_week: dict[date, list[tuple[float, int]]] = defaultdict(list)
    hours_all: list[tuple[float, int]] = []
    bins = [0] * len(BINS)
    for day, hours, n in _decisions(f):
        per_week[_week_start(day)].append((hours, n))
        hours_all.append((hours, n))
        index = _bin(hours)
        if index is not None:
            bins[index] += n
    return Decided(
        weeks={w: sum(n for _, n in counted) for w, counted in per_week.items()},
        medians={w: _quantile(counted, 0.5) for w, counted in per_week.items()},
        p90={w: _quantile(counted, 0.9) for w, counted in per_week.items()},
        overall=_quantile(hours_all, 0.5),
        bins=bins,
    )


# From how many decisions in the range the quantiles are taken in SQL (below, the
# decisions' (day, tenths) counts are read and the quantiles taken in Python).
SQL_QUANTILES_FROM = 6000


def _decided_in_sql(f: DeskFilter) -> Decided:
    """``Decided`` on PostgreSQL, without reading the decisions into Python: the count
    per day and per bin of the histogram (one grouped query), then only the values at
    the ranks the quantiles interpolate between (``percentile_disc`` at the middle of
    each rank: one small sort per week, and one over the range). The same numbers as
    ``_decided_here``: the same ranks, the same arithmetic."""
    from django.db import connection

    # A bin of hours [low, high) is the tenths [10 low, 10 high): tenths / 10 < high
    # exactly when tenths < 10 high, for whole hours.
    bins = {
        f"b{index}": Count(
            "claim_ref",
            filter=Q(tenths__gte=low * 10, **({"tenths__lt": high * 10} if high else {})),
        )
        for index, (low, high, _label) in enumerate(BINS)
    }
    per_day = f.per_day(FirstDecision).values("day").annotate(n=Count("claim_ref"), **bins)
    weeks: Counter[date] = Counter()
    bin_counts = [0] * len(BINS)
    for row in per_day:
        weeks[_week_start(row["day"])] += row["n"]
        for index in range(len(BINS)):
            bin_counts[index] += row[f"b{index}"]
    total = sum(weeks.values())
    if not total:
        return Decided({}, {}, {}, 0.0, bin_counts)
    if total < SQL_QUANTILES_FROM:  # few (a filter): reading them is cheaper
        return _decided_here(f)
    # The ranks each quantile needs (None: the whole range).
    sizes: dict[date | None, int] = {None: total}
    for week, n in weeks.items():
        sizes[week] = n
    wanted: dict[date | None, set[int]] = defaultdict(set)
    for key, size in sizes.items():
        ranks_of = wanted[key]

        def note(index: int, ranks_of: set[int] = ranks_of, size: int = size) -> float:
            ranks_of.add(min(index, size - 1))
            return 0.0

        for q in (0.5, 0.9) if key is not None else (0.5,):
            _interpolate(q, size, note)
    ranks = {key: sorted(found) for key, found in wanted.items()}
    parts: list[str] = []
    args: list[Any] = []
    for key in ranks:
        # The middle of rank i of n: percentile_disc answers the (i + 1)-th value.
        fractions = [(i + 0.5) / sizes[key] for i in ranks[key]]
        part = f if key is None else DeskFilter(
            max(f.start, key), min(f.end, key + timedelta(days=6)), f.outlet, f.assignee_id
        )  # fmt: skip
        inner, params = part.per_day(FirstDecision).values("tenths").query.sql_with_params()
        parts.append(
            f"SELECT {len(parts)}, percentile_disc(%s::float8[]) WITHIN GROUP (ORDER BY d.tenths)"
            f" FROM ({inner}) d"
        )
        args += [fractions, *params]
    keys = list(ranks)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), args)
        found = {
            (keys[index], rank): tenths / 10
            for index, tenths_at in cursor.fetchall()
            for rank, tenths in zip(ranks[keys[index]], tenths_at, strict=True)
        }

    def quantile(key: date | None, q: float) -> float:
        return _interpolate(q, sizes[key], lambda i: found[key, min(i, sizes[key] - 1)])

    return Decided(
        weeks=dict(weeks),
        medians={w: quantile(w, 0.5) for w in weeks},
        p90={w: quantile(w, 0.9) for w in weeks},
        overall=quantile(None, 0.5),
        bins=bin_counts,
    )


def decisions(f: DeskFilter) -> Decided:
    from django.db import connection

    return _decided_in_sql(f) if connection.vendor == "postgresql" else _decided_here(f)


def time_to_verify(f: DeskFilter, reads: Reads | None = None) -> tuple[Figure, Figure]:
    found = decisions(f)
    weeks = _weeks(f)
    # A week without a decision has no median: None (a gap in the line, empty in the table).
    medians = [round(found.medians[w], 1) if found.weeks.get(w) else None for w in weeks]
    p90 = [round(found.p90[w], 1) if found.weeks.get(w) else None for w in weeks]
    decided = sum(found.weeks.values())
    overall = found.overall
    title = (
        f"Half of the claims decided were decided within {overall:,.1f} hours of extraction"
        if decided
        else "No claim was decided in this range"
    )
    weekly = Figure(
        key="time-to-verify",
        title=title,
        desc="Hours from extraction to the first decision (confirmed, or contradicted by a "
        "refuting source), median and 90th percentile per week.",
        columns=["Week of", "Median hours", "90th percentile hours"],
        labels=[_day(w) for w in weeks],
        series={"Median hours": medians, "90th percentile hours": p90},
        kind="lines",
        link=f.list_query(status="confirmed"),
    )
    counts = found.bins
    quick = sum(counts[:3])
    histogram = Figure(
        key="verify-histogram",
        title=(
            f"{quick / decided:.0%} of decisions came within a day"
            if decided
            else "No decisions in this range"
        ),
        desc="How many claims were first decided after how long, in bins of hours.",
        columns=["Time to decision", "Claims"],
        labels=[label for _, _, label in BINS],
        series={"Claims": [float(c) for c in counts]},
        kind="bars",
        link=f.list_query(status="confirmed"),
    )
    return weekly, histogram


# --- Throughput per person -------------------------------------------------------------------


def throughput(f: DeskFilter, reads: Reads | None = None) -> tuple[Figure, Figure]:
    reads = reads or Reads(f)
    weeks = _weeks(f)
    users = reads.users()
    counts: dict[str, Counter[date]] = defaultdict(Counter)
    for row in reads.decided():
        if not row["by_ref"] or row["to_status"] not in (Status.CONFIRMED, Status.UNCONFIRMED):
            continue
        counts[users.get(row["by_ref"], f"#{row['by_ref']}")][_week_start(row["day"])] += row["n"]
    people = sorted(counts, key=lambda name: -sum(counts[name].values()))[:8]
    total = sum(sum(c.values()) for c in counts.values())
    busiest = people[0] if people else ""
    weekly = Figure(
        key="throughput",
        title=(
            f"{total:,} decisions; {busiest} made the most ({sum(counts[busiest].values()):,})"
            if people
            else "No decisions by anyone in this range"
        ),
        desc="Confirmations and unconfirmations per person per week (the eight busiest).",
        columns=["Week of", *people],
        labels=[_day(w) for w in weeks],
        series={name: [float(counts[name][w]) for w in weeks] for name in people},
        kind="stacked-bars",
    )
    open_claims = (
        f.claims()
        .exclude(assignee=None)
        .exclude(status=Status.CONFIRMED)
        .values("assignee_id")
        .annotate(n=Count("id"))
        .order_by("-n")[:12]
    )
    rows = [(users.get(r["assignee_id"], "?"), r["assignee_id"], r["n"]) for r in open_claims]
    load = Figure(
        key="assigned",
        title=(
            f"{rows[0][0]} has the most open claims assigned ({rows[0][2]:,})"
            if rows
            else "No open claim is assigned to anyone"
        ),
        desc="Check-worthy claims assigned and not confirmed, per person, now.",
        columns=["Person", "Open claims assigned"],
        labels=[name for name, _, _ in rows],
        series={"Open claims assigned": [float(n) for _, _, n in rows]},
        kind="hbars",
        links={name: f.list_query(assignee=pk, status="unconfirmed") for name, pk, _ in rows},
    )
    return weekly, load


# --- Where contradictions come from -----------------------------------------------------------


def _shares(rows: Iterable[dict[str, Any]], key: str) -> list[tuple[str, int, int, int]]:
    out = []
    for row in rows:
        checked = row["confirmed"] + row["contradicted"]
        if checked and row[key]:
            out.append((row["name"], row["contradicted"], row["confirmed"], checked))
    return out


def _checked_by(
    refuted: list[Refuted], confirmed: dict[tuple[str, int | None], int], group: str
) -> list[dict[str, Any]]:
    """Per outlet or speaker (``group``): contradicted claims (some refuting evidence)
    and confirmed ones (confirmed, none refuting). Counted from the refuting evidence
    (few rows) and the confirmed claims by (outlet, speaker), never by testing every
    claim."""

    def name_of(outlet: str, speaker: int | None) -> Any:
        return outlet if group == "outlets" else speaker

    none: Any = "" if group == "outlets" else None
    rows: dict[Any, dict[str, Any]] = {}
    for each in refuted:
        name = name_of(each.outlet, each.speaker_id)
        if name == none:
            continue
        entry = rows.setdefault(name, {"name": name, "contradicted": 0, "confirmed": 0})
        entry["contradicted"] += 1
        entry["confirmed"] -= each.status == Status.CONFIRMED
    for (outlet, speaker), n in confirmed.items():
        name = name_of(outlet, speaker)
        if name == none:
            continue
        entry = rows.setdefault(name, {"name": name, "contradicted": 0, "confirmed": 0})
        entry["confirmed"] += n
    return sorted(rows.values(), key=lambda r: (-r["contradicted"], -r["confirmed"], r["name"]))


def contradictions(f: DeskFilter, reads: Reads | None = None) -> tuple[Figure, Figure]:
    """The outlets (as written on the articles) and the speakers (their records, one per
    person or organisation across the variants of their name) with the most contradicted
    claims."""
    reads = reads or Reads(f)
    refuted = [r for r in reads.refuted() if f.since <= r.created_at < f.until]
    confirmed: dict[tuple[str, int | None], int] = {
        (outlet, speaker): n
        for outlet, speaker, n in f.claims()
        .filter(created_at__gte=f.since, created_at__lt=f.until, status=Status.CONFIRMED)
        .values_list("article__outlet", "speaker_record_id")
        .annotate(n=Count("id"))
    }
    made = []
    for label in ("outlets", "speakers"):
        rows = _checked_by(refuted, confirmed, label)[:10]
        names: dict[Any, str] = {}
        if label == "speakers":
            records = dict(
                Speaker.objects.filter(pk__in=[r["name"] for r in rows]).values_list("pk", "name")
            )
            taken = Counter(records.values())
            names = {
                pk: name if taken[name] == 1 else f"{name} (#{pk})" for pk, name in records.items()
            }
            for row in rows:
                row["key"], row["name"] = row["name"], names.get(row["name"], f"#{row['name']}")
        else:
            for row in rows:
                row["key"] = row["name"]
        keys = {row["name"]: row["key"] for row in rows}
        shares = _shares(rows, "contradicted") + [
            s for s in _shares(rows, "confirmed") if not s[1]
        ]  # fmt: skip
        shares = shares[:10]
        key = f"contradictions-{label}"
        first = shares[0] if shares else None
        if label == "outlets":
            links = {n: f.list_query(contradicted="true", outlet=n) for n, *_ in shares}
            pages: dict[str, str] = {}
        else:
            links = {n: f.list_query(contradicted="true", speaker_id=keys[n]) for n, *_ in shares}
            pages = {n: reverse("speaker-detail", args=[keys[n]]) for n, *_ in shares}
        made.append(
            Figure(
                key=key,
                title=(
                    f"{first[0]} has the most contradicted claims: {first[1]} of "
                    f"{first[3]} checked ({first[1] / first[3]:.0%})"
                    if first and first[1]
                    else f"No contradicted claims from any of the {label} in this range"
                ),
                desc=(
                    f"The {label} with the most contradicted claims, and the share of their "
                    "checked claims (confirmed or contradicted) that were contradicted, for "
                    "claims extracted in the range."
                    + (
                        " Speakers are their records: one per person or organisation, "
                        "whatever the wording of the name."
                        if label == "speakers"
                        else ""
                    )
                ),
                columns=[
                    label[:-1].capitalize(),
                    "Contradicted",
                    "Confirmed",
                    "Share contradicted",
                ],
                labels=[name for name, *_ in shares],
                series={
                    "Contradicted": [float(c) for _, c, _, _ in shares],
                    "Confirmed": [float(k) for _, _, k, _ in shares],
                    "Share contradicted": [round(c / t, 3) for _, c, _, t in shares],
                },
                kind="hbars",
                link=f.list_query(contradicted="true"),
                links=links,
                pages=pages,
            )
        )
    return made[0], made[1]


# --- Lapses -----------------------------------------------------------------------------------


def lapses(f: DeskFilter, reads: Reads | None = None) -> Figure:
    weeks = _weeks(f)
    causes = dict(ClaimEvent.LapseCause.choices)
    counts: dict[str, Counter[date]] = defaultdict(Counter)
    for row in (reads or Reads(f)).decided():
        if row["kind"] == Kind.LAPSED:
            counts[row["cause"] or "other"][_week_start(row["day"])] += row["n"]
    order = sorted(counts, key=lambda c: -sum(counts[c].values()))
    total = sum(sum(c.values()) for c in counts.values())
    top = order[0] if order else ""
    return Figure(
        key="lapses",
        title=(
            f"{total:,} confirmation{'s' if total != 1 else ''} lapsed; most often: "
            f"{causes.get(top, top).lower()} ({sum(counts[top].values())})"
            if total
            else "No confirmation lapsed in this range"
        ),
        desc="Confirmations that went to needs re-review, per week, by cause.",
        columns=["Week of", *(causes.get(c, c) for c in order)],
        labels=[_day(w) for w in weeks],
        series={causes.get(c, c): [float(counts[c][w]) for w in weeks] for c in order},
        kind="stacked-bars",
        link=f.list_query(status="needs_rereview"),
    )


# --- Sources ----------------------------------------------------------------------------------


def sources(f: DeskFilter, reads: Reads | None = None) -> tuple[Figure, Figure]:
    """Live, changed and dead sources at the end of each week (from the sources' own
    history: the state of each source's latest version by then), and the outlets most
    cited as evidence in the range."""
    weeks = _weeks(f)
    history = Source.history.model
    states = (Source.LinkState.ALIVE, Source.LinkState.CHANGED, Source.LinkState.DEAD)
    names = {s: Source.LinkState(s).label for s in states}
    cuts = [
        timezone.make_aware(
            datetime.combine(min(w + timedelta(days=7), f.end + timedelta(days=1)), time.min)
        )
        for w in weeks
    ]
    counts = [Counter() for _ in weeks]  # type: list[Counter[str]]
    # One pass over the sources' versions up to the last cut, oldest first per source:
    # each week counts the state of each source's latest version before its end.
    rows = (
        history.objects.filter(history_date__lt=cuts[-1] if cuts else f.until)
        .order_by("id", "history_date", "history_id")
        .values_list("id", "history_date", "link_state", "history_type")
    )
    versions: list[tuple[datetime, str, str]] = []
    current = None

    def tally(versions: list[tuple[datetime, str, str]]) -> None:
        for index, cut in enumerate(cuts):
            before = [v for v in versions if v[0] < cut]
            if before and before[-1][2] != "-":
                counts[index][before[-1][1]] += 1

    for source_id, when, state, kind in rows.iterator(chunk_size=5000):
        if source_id != current:
            tally(versions)
            versions, current = [], source_id
        versions.append((when, state, kind))
    tally(versions)
    series = {names[s]: [float(c[s]) for c in counts] for s in states}
    labels = [_day(w) for w in weeks]
    dead = series[names[Source.LinkState.DEAD]]
    health = Figure(
        key="sources",
        title=(
            f"Dead sources {_change(dead, 1)} since last week: {dead[-1]:,.0f} now"
            if weeks
            else "No sources"
        ),
        desc="Sources by link state at the end of each week: alive, changed since capture, dead.",
        columns=["Week of", *series],
        labels=labels,
        series=series,
        colours={
            names[Source.LinkState.ALIVE]: "#009E73",
            names[Source.LinkState.CHANGED]: "#E69F00",
            names[Source.LinkState.DEAD]: "#D55E00",
        },
        kind="stacked-bars",
    )
    cited = (
        Evidence.objects.filter(added_at__gte=f.since, added_at__lt=f.until)
        .exclude(source__publisher="")
        .values("source__publisher")
        .annotate(n=Count("id"))
        .order_by("-n")[:10]
    )
    rows = [(r["source__publisher"], r["n"]) for r in cited]
    outlets = Figure(
        key="cited-outlets",
        title=(
            f"{rows[0][0]} was cited most as evidence ({rows[0][1]:,} times)"
            if rows
            else "No evidence was added in this range"
        ),
        desc="The outlets most cited as evidence in the range.",
        columns=["Outlet", "Times cited"],
        labels=[name for name, _ in rows],
        series={"Times cited": [float(n) for _, n in rows]},
        kind="hbars",
    )
    return health, outlets


# --- Claim memory -----------------------------------------------------------------------------


def memory(f: DeskFilter, reads: Reads | None = None) -> Figure:
    weeks = _weeks(f)
    matches = ClaimMatch.objects.order_by().filter(
        created_at__gte=f.since, created_at__lt=f.until, **f.through("claim")
    )
    counts: dict[str, Counter[date]] = {"Earlier claims": Counter(), "Fact-checks": Counter()}
    for factcheck_id, at in matches.values_list("factcheck_id", "created_at"):
        key = "Fact-checks" if factcheck_id else "Earlier claims"
        counts[key][_week_start(timezone.localdate(at))] += 1
    total = sum(sum(c.values()) for c in counts.values())
    return Figure(
        key="memory",
        title=(
            f"{total:,} claims matched something seen before"
            if total
            else "No claim matched an earlier claim or fact-check in this range"
        ),
        desc="Claims matched to earlier claims or imported fact-checks, per week.",
        columns=["Week of", *counts],
        labels=[_day(w) for w in weeks],
        series={k: [float(v[w]) for w in weeks] for k, v in counts.items()},
        kind="stacked-bars",
        link=f.list_query(has_match="true"),
    )


# Each chart's key, and the function (and its position in what it returns) that makes it.
MAKERS: dict[str, tuple[Any, int | None]] = {
    "backlog": (backlog, None),
    "time-to-verify": (time_to_verify, 0),
    "verify-histogram": (time_to_verify, 1),
    "throughput": (throughput, 0),
    "assigned": (throughput, 1),
    "contradictions-outlets": (contradictions, 0),
    "contradictions-speakers": (contradictions, 1),
    "lapses": (lapses, None),
    "sources": (sources, 0),
    "cited-outlets": (sources, 1),
    "memory": (memory, None),
}
KEYS = tuple(MAKERS)


# What each chart reads, as the tables whose high-water marks (``marks``) it is cached
# under: a change to one table recomputes only the charts that read it.
EVENTS, CLAIMS, EVIDENCE, SOURCES, ARTICLES, MATCHES, SPEAKERS = (
    "events", "claims", "evidence", "sources", "articles", "matches", "speakers"
)  # fmt: skip
# The population (check-worthy claims, by the outlet of their article) is claims and
# articles; the charts that count events read the daily aggregates, which the events'
# one write path keeps (``claims.models.desk``): the events' mark alone.
READS: dict[str, tuple[str, ...]] = {
    "backlog": (EVENTS, CLAIMS, EVIDENCE, ARTICLES),
    "time-to-verify": (EVENTS,),
    "verify-histogram": (EVENTS,),
    "throughput": (EVENTS,),
    "assigned": (CLAIMS, ARTICLES),
    "contradictions-outlets": (CLAIMS, EVIDENCE, ARTICLES, SPEAKERS),
    "contradictions-speakers": (CLAIMS, EVIDENCE, ARTICLES, SPEAKERS),
    "lapses": (EVENTS,),
    "sources": (SOURCES,),
    "cited-outlets": (EVIDENCE, SOURCES),
    "memory": (MATCHES, CLAIMS, ARTICLES),
}


def compute(f: DeskFilter, keys: Iterable[str] = KEYS) -> dict[str, Figure]:
    """The figures ``keys`` (and the others their functions make on the way), computed
    now with one ``Reads``: what two charts both count is read once."""
    reads = Reads(f)
    made: dict[str, Figure] = {}
    for key in keys:
        if key in made:
            continue
        make, _index = MAKERS[key]
        result = make(f, reads)
        for other, (other_make, index) in MAKERS.items():
            if other_make is make:
                made[other] = result if index is None else result[index]
    return made


def one(f: DeskFilter, key: str) -> Figure:
    """The figure ``key``: from the cache (where the page put it) when its tables did not
    change since, else computed alone (a CSV download computes only its own chart)."""
    return figures_for(f, [key])[key]


# --- The cache ---------------------------------------------------------------------------------

CACHE_SECONDS = 600
# Each mark: the table and its append-only id.
MARKED = {
    EVENTS: (ClaimEvent, "id"),
    CLAIMS: (Claim.history.model, "history_id"),
    EVIDENCE: (Evidence.history.model, "history_id"),
    SOURCES: (Source.history.model, "history_id"),
    ARTICLES: (Article.history.model, "history_id"),
    MATCHES: (ClaimMatch.history.model, "history_id"),
    SPEAKERS: (Speaker.history.model, "history_id"),
}


def marks() -> dict[str, int]:
    """The high-water marks of everything the figures read: the newest claim event and
    the newest history row of claims, evidence, sources, articles, matches and speakers.
    Every change that can move a figure writes one of these rows (they are append-only),
    so a figure cached under the marks of the tables it reads is the figure computed now.
    Each mark is one backward step of a primary-key index; all in one query."""
    from django.db import connection

    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(
        f"(SELECT MAX({quote(key)}) FROM {quote(model._meta.db_table)})"
        for model, key in MARKED.values()
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone() or ()
    return {name: mark or 0 for name, mark in zip(MARKED, row, strict=True)}


def data_version() -> str:
    """All the marks in one string (it changes whenever any figure may)."""
    return ".".join(str(mark) for mark in marks().values())


def _cache_name(f: DeskFilter, key: str, now: dict[str, int]) -> str:
    name = f"desk:{key}:{f.start}:{f.end}:{f.outlet}:{f.assignee_id}:{timezone.localdate()}"
    name += ":" + ".".join(f"{table}={now[table]}" for table in READS[key])
    return "desk:" + hashlib.sha256(name.encode()).hexdigest()


def figures_for(f: DeskFilter, keys: Sequence[str]) -> dict[str, Figure]:
    """The figures ``keys``: each from the cache when the tables it reads did not change
    since it was put there (for this filter and today, at most ``CACHE_SECONDS``, so a
    change that writes no history row is seen within that), the others computed together
    and cached, each under its own key. One look-up of the marks, one of the cache."""
    from django.core.cache import cache

    now = marks()
    names = {key: _cache_name(f, key, now) for key in keys}
    found = cache.get_many(list(names.values()))
    out = {key: found[name] for key, name in names.items() if name in found}
    missing = [key for key in keys if key not in out]
    if missing:
        made = compute(f, missing)
        cache.set_many(
            {_cache_name(f, key, now): figure for key, figure in made.items()}, CACHE_SECONDS
        )
        out.update({key: made[key] for key in missing})
    return out


def all_figures(f: DeskFilter, *, use_cache: bool = True) -> list[Figure]:
    """Every figure of the page, from the cache when the tables it reads did not change."""
    made = figures_for(f, KEYS) if use_cache else compute(f)
    return [made[key] for key in KEYS]
