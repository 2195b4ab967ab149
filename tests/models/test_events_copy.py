"""Events written with ``COPY`` (``events.record_many`` on PostgreSQL) are the rows
``bulk_create`` writes, field for field, JSON included, with the same desk aggregates
(``DeskDay``, ``FirstDecision``, ``DeskStock``); they come back saved with their ids, in
the caller's transaction (these last on every database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from claims.models import (
    Article,
    Claim,
    ClaimEvent,
    DeskDay,
    DeskStock,
    EventKind,
    FirstDecision,
    desk,
)
from claims.models import events as events_mod

TEXT = st.text(alphabet=st.sampled_from(list("ab \t\\\n'\"é€\x01,{}|")), max_size=20)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(-2, 2) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)
NOW = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # a day boundary and a clock change nearby
AT = st.builds(
    lambda seconds, zone: (NOW + timedelta(seconds=seconds)).astimezone(ZoneInfo(zone)),
    st.floats(-3 * 24 * 3600, 3600).map(lambda s: round(s, 6)),
    st.sampled_from(["UTC", "Europe/London", "America/New_York", "Asia/Kolkata"]),
)


@st.composite
def event_fields(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(EventKind.values))
    data = draw(st.dictionaries(TEXT.map(lambda key: f"x{key}"), JSON, max_size=3))
    if draw(st.booleans()):  # a decision: a confirmation or a refuting source
        kind = draw(st.sampled_from([EventKind.STATUS_CHANGED, EventKind.EVIDENCE_ADDED]))
        data["stance"] = "refutes"
    return {
        "kind": kind,
        "sentence": draw(TEXT),
        "cause": draw(TEXT.map(lambda t: t[:32])),
        "from_status": draw(st.sampled_from(["", "pending", "confirmed"])),
        "to_status": draw(st.sampled_from(["", "pending", "confirmed"])),
        "at": draw(AT),
        "by": draw(st.booleans()),
        "claim": draw(st.integers(0, 2)),
        **data,
    }


def _rows(model: Any, skip: set[str], **filters: Any) -> list[dict[str, Any]]:
    rows = model.objects.filter(**filters).order_by("pk").values()
    return [{k: v for k, v in row.items() if k not in skip} for row in rows]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="COPY is PostgreSQL's; elsewhere bulk_create"
)
class CopiedEvents(HypothesisTestCase):
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(event_fields(), max_size=6), st.sampled_from(["", "The Courier"]))
    def test_copied_events_and_aggregates_equal_the_bulk_created_ones(
        self, fields: list[dict[str, Any]], outlet: str
    ) -> None:
        user, _ = User.objects.get_or_create(username="writer")
        article = Article.objects.create(title="a", body="x", outlet=outlet)
        claims = [
            Claim.objects.create(article=article, revision=1, text=f"c{i}", start=i, end=i + 1)
            for i in range(3)
        ]
        Claim.objects.filter(article=article).update(created_at=NOW - timedelta(days=5))
        claims[1].assignee = user
        DeskStock.objects.create(day=(NOW - timedelta(days=2)).date(), state="pending", n=3)
        FirstDecision.objects.create(
            claim_ref=claims[2].pk, decided_at=NOW - timedelta(days=1), day=NOW.date(),
            tenths=1, outlet="", assignee_ref=0,
        )  # fmt: skip

        def made() -> list[ClaimEvent]:
            return [
                events_mod.event(
                    claims[f["claim"]],
                    f["kind"],
                    **{k: v for k, v in f.items() if k not in ("claim", "by", "kind")},
                    by=user if f["by"] else None,
                )
                for f in fields
            ]

        def written(write: Any) -> tuple[list[Any], ...]:
            with transaction.atomic():
                events = made()
                returned = write(events)
                result = (
                    _rows(ClaimEvent, {"id"}, article=article),
                    _rows(DeskDay, {"id"}),
                    _rows(FirstDecision, set()),
                    _rows(DeskStock, {"id"}),
                    [(e.pk, e._state.adding, e._state.db) for e in returned],
                    [e.pk for e in ClaimEvent.objects.filter(article=article).order_by("pk")],
                )
                transaction.set_rollback(True)
            return result

        def bulk_created(events: list[ClaimEvent]) -> list[ClaimEvent]:
            saved = ClaimEvent.objects.bulk_create(events)  # what record_many did
            desk.count(saved)
            return saved

        copied = written(events_mod.record_many)
        inserted = written(bulk_created)
        assert copied[:4] == inserted[:4]
        # each path's events come back saved, with the ids of their rows, in order
        for rows, ids in ((copied[4], copied[5]), (inserted[4], inserted[5])):
            assert [pk for pk, _, _ in rows] == ids == sorted(ids)
            assert all(not adding and db == "default" for _, adding, db in rows)


@pytest.mark.django_db(transaction=True)
def test_events_are_written_in_the_callers_transaction() -> None:
    article = Article.objects.create(title="a", body="x")
    claim = Claim.objects.create(article=article, revision=1, text="c", start=0, end=1)
    with pytest.raises(RuntimeError), transaction.atomic():
        events_mod.record_many([events_mod.event(claim, "extracted", sentence="s")])
        assert ClaimEvent.objects.filter(claim=claim).count() == 1
        raise RuntimeError
    assert not ClaimEvent.objects.filter(claim=claim).exists()
    assert not DeskDay.objects.exists()


@pytest.mark.django_db
def test_an_event_with_an_id_keeps_it_and_an_unsaved_claim_is_refused() -> None:
    article = Article.objects.create(title="a", body="x")
    claim = Claim.objects.create(article=article, revision=1, text="c", start=0, end=1)
    given_id = events_mod.event(claim, "extracted", sentence="given")
    given_id.pk = 10_000_000
    other = events_mod.event(claim, "extracted", sentence="other")
    events_mod.record_many([given_id, other])
    assert ClaimEvent.objects.get(pk=10_000_000).sentence == "given"
    assert ClaimEvent.objects.get(pk=other.pk).sentence == "other"
    unsaved = ClaimEvent(claim=Claim(article=article), claim_ref=0, kind="extracted")
    with pytest.raises(ValueError, match="unsaved related object"):
        events_mod.record_many([unsaved])
