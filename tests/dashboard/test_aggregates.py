"""The dashboard's daily aggregates (``claims.models.desk``) are what the events say:
whatever mix of single events, bulk writes and back-dated events in any order, and
events a migration wrote behind their back then backfilled, the stored aggregates equal
a recomputation from the raw events, and the charts that read them, served from the
cache, equal the charts computed now."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.dashboard import figures
from claims.models import Article, Claim, ClaimEvent, DeskDay, DeskStock, FirstDecision, desk
from claims.models.events import event, record, record_many

TODAY = timezone.localdate()
EVENT_CHARTS = ["time-to-verify", "verify-histogram", "throughput", "lapses"]
backfill = importlib.import_module("claims.migrations.0029_desk_aggregates").backfill

# (kind, from_status, to_status, cause, data)
KINDS = [
    ("status_changed", "unconfirmed", "confirmed", "", {}),
    ("status_changed", "confirmed", "unconfirmed", "", {}),
    ("lapsed", "confirmed", "needs_rereview", "source_dead", {}),
    ("evidence_added", "", "", "", {"stance": "refutes"}),
    ("evidence_added", "", "", "", {"stance": "supports"}),
    ("assigned", "", "", "", {}),
    ("extracted", "", "", "", {}),
]

one_event = st.tuples(
    st.integers(0, 3),  # which claim
    st.integers(0, len(KINDS) - 1),
    st.integers(0, 20),  # days ago
    st.integers(0, 23),  # hour
    st.integers(0, 2),  # by: nobody, or one of two people
    st.integers(0, 2),  # the claim's assignee at the time: nobody, or one of two
)
writes = st.lists(
    st.tuples(
        st.sampled_from(["record", "record_many", "raw"]),
        st.lists(one_event, min_size=1, max_size=5),
    ),
    min_size=1,
    max_size=6,
)


def stored() -> tuple[dict[tuple[Any, ...], int], dict[int, tuple[Any, ...]]]:
    days = {
        tuple(getattr(row, name) for name in desk.DAY_KEY): row.n
        for row in DeskDay.objects.all()
        if row.n
    }
    firsts = {
        row.claim_ref: (row.decided_at, row.day, row.tenths, row.outlet, row.assignee_ref)
        for row in FirstDecision.objects.all()
    }
    return days, firsts


@pytest.mark.django_db
@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=40, deadline=None
)
@given(writes=writes)
def test_the_aggregates_equal_a_recount_of_the_events(
    writes: list[tuple[str, list[tuple[int, int, int, int, int, int]]]],
    make_article: Callable[..., Article],
    editor: User,
    fact_checker: User,
) -> None:
    ClaimEvent.objects.all().delete()
    DeskDay.objects.all().delete()
    FirstDecision.objects.all().delete()
    Article.objects.all().delete()
    claims = [
        *make_article(
            ["Exports rose 12 percent.", "Imports fell 3 percent."], outlet="Wire"
        ).claims.all(),
        *make_article(
            ["Crime fell 5 percent.", "Rents rose 9 percent."], outlet="Herald"
        ).claims.all(),
    ]
    Claim.objects.update(created_at=timezone.now() - timedelta(days=25))
    claims = list(Claim.objects.filter(pk__in=[c.pk for c in claims]).select_related("article"))
    people = [None, editor, fact_checker]
    window = figures.DeskFilter(TODAY - timedelta(days=20), TODAY)
    raw_written = False
    for how, batch in writes:
        made = []
        for which, kind_index, days_ago, hour, by, assignee in batch:
            claim = claims[which % len(claims)]
            claim.assignee = people[assignee]
            kind, before, after, cause, data = KINDS[kind_index]
            when = timezone.make_aware(
                datetime.combine(TODAY - timedelta(days=days_ago), time(hour))
            )
            made.append(
                event(
                    claim,
                    kind,
                    sentence="test",
                    by=people[by],
                    cause=cause,
                    from_status=before,
                    to_status=after,
                    at=when,
                    **data,
                )
            )
        with transaction.atomic():
            if how == "record":
                for one in made:
                    _record_like(one)
            elif how == "record_many":
                record_many(made)
            else:  # a migration writing events itself (no aggregates), then its backfill
                ClaimEvent.objects.bulk_create(made)
                raw_written = True
        if raw_written:
            backfill(apps, None)
            raw_written = False
        assert stored() == desk.recompute(ClaimEvent, Claim)
        # The charts of events, served from their cache after each write (the first write
        # of an example still finds the last example's), equal those computed now.
        served = figures.figures_for(window, EVENT_CHARTS)
        assert served == {key: figures.compute(window, [key])[key] for key in EVENT_CHARTS}


def _record_like(made: ClaimEvent) -> None:
    """``record`` with the event's own fields (its claim as it was when it was made)."""
    claim = Claim.objects.select_related("article").get(pk=made.claim_id)
    claim.assignee_id = made.assignee_id
    record(
        claim, made.kind, sentence=made.sentence, by=made.by, cause=made.cause,
        from_status=made.from_status, to_status=made.to_status, at=made.at, **made.data,
    )  # fmt: skip


def test_a_rollback_takes_the_count_back(
    make_article: Callable[..., Article], editor: User
) -> None:
    (claim, *_rest) = make_article().claims.all()
    before = stored()
    with pytest.raises(RuntimeError), transaction.atomic():
        record(claim, "status_changed", sentence="x", by=editor, from_status="unconfirmed",
               to_status="confirmed")  # fmt: skip
        raise RuntimeError
    assert stored() == before


def test_filters_answer_at_the_time_of_the_event(
    make_article: Callable[..., Article], editor: User, fact_checker: User
) -> None:
    (claim,) = make_article(
        ["Unemployment fell to 4.1 percent in May."], outlet="Wire"
    ).claims.all()
    claim.assign(to=fact_checker, by=editor)
    record(claim, "status_changed", sentence="confirmed", by=fact_checker,
           from_status="unconfirmed", to_status="confirmed")  # fmt: skip
    claim.assign(to=editor, by=editor)  # reassigned after the decision
    week = figures.DeskFilter(TODAY - timedelta(days=6), TODAY, assignee_id=fact_checker.pk)
    decisions, _load = figures.throughput(week)
    assert sum(decisions.series[fact_checker.username]) == 1  # decided while assigned to fred
    _verify, histogram = figures.time_to_verify(week)
    assert sum(histogram.series["Claims"]) == 1
    later = figures.DeskFilter(TODAY - timedelta(days=6), TODAY, assignee_id=editor.pk)
    assert figures.throughput(later)[0].series == {}


def test_closed_days_are_kept_and_a_back_dated_event_drops_them(
    make_article: Callable[..., Article], fact_checker: User
) -> None:
    (claim,) = make_article(["Prices rose 3 percent."]).claims.all()
    Claim.objects.filter(pk=claim.pk).update(created_at=timezone.now() - timedelta(days=9))
    window = figures.DeskFilter(TODAY - timedelta(days=9), TODAY)
    first = figures.backlog(window)
    assert DeskStock.objects.filter(scope="").count() == 9 * len(figures.STATES)  # today is live
    assert figures.backlog(window).series == first.series
    three_days_ago = timezone.now() - timedelta(days=3)
    record(claim, "status_changed", sentence="confirmed", by=fact_checker,
           from_status="unconfirmed", to_status="confirmed", at=three_days_ago)  # fmt: skip
    Claim.objects.filter(pk=claim.pk).update(status="confirmed")
    assert not DeskStock.objects.filter(day__gte=timezone.localdate(three_days_ago)).exists()
    again = figures.backlog(window)
    assert again.series["Confirmed"][-4:] == [1, 1, 1, 1]
    assert again.series["Confirmed"][:-4] == [0] * 6
