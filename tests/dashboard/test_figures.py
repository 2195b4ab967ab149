"""The desk dashboard's figures (``claims/dashboard/figures.py``) agree with a replay of
every claim's own history, day by day."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.dashboard import figures
from claims.models import Article, Claim, ClaimEvent, DeskStock, Evidence, Speaker
from claims.models.events import record

Status = Claim.Status
TODAY = timezone.localdate()


def at(days_ago: int, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(TODAY - timedelta(days=days_ago), time(hour)))


def desk(days: int = 10, **kw: Any) -> figures.DeskFilter:
    return figures.DeskFilter(TODAY - timedelta(days=days - 1), TODAY, **kw)


def move(claim: Claim, to: str, days_ago: int, by: User | None = None) -> None:
    """Move ``claim`` to status ``to`` as of ``days_ago``, with its event."""
    kind = ClaimEvent.Kind.LAPSED if to == Status.NEEDS_REREVIEW else ClaimEvent.Kind.STATUS_CHANGED
    record(
        claim, kind, sentence=f"status {claim.status} → {to}", by=by,
        from_status=claim.status, to_status=to, at=at(days_ago),
        cause="evidence_removed" if kind == ClaimEvent.Kind.LAPSED else "",
    )  # fmt: skip
    Claim.objects.filter(pk=claim.pk).update(status=to)
    claim.status = to


def created(article: Article, days_ago: int) -> list[Claim]:
    claims = list(article.claims.all())
    Claim.objects.filter(article=article).update(created_at=at(days_ago, 8))
    return claims


# A claim's story: the day it was created, its (days ago, new status) moves, and the day
# a refuting source was added to it (or never).
stories = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=12),
        st.lists(
            st.tuples(st.integers(min_value=0, max_value=12), st.sampled_from(list(Status.values))),
            max_size=4,
        ),
        st.none() | st.integers(min_value=0, max_value=12),
    ),
    min_size=1,
    max_size=6,
)


@pytest.mark.django_db
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=30)
@given(stories=stories)
def test_the_backlog_of_each_day_is_the_replay_of_every_claim(
    stories: list[tuple[int, list[tuple[int, str]], int | None]],
    make_article: Callable[..., Article],
    support: Callable[..., Evidence],
) -> None:
    Evidence.objects.all().delete()
    Article.objects.all().delete()
    # The examples rewrite history in place (creation days, evidence dates), which no
    # event announces: forget the closed days the last example kept.
    DeskStock.objects.all().delete()
    expected: dict[Any, dict[str, int]] = {}
    replay = []
    for index, (born, moves, refuted) in enumerate(stories):
        article = make_article([f"Claim number {index} says 4.2 million people agreed."])
        (claim,) = created(article, born)
        timeline = [(born, Status.UNCONFIRMED)]
        for days_ago, to in sorted(((min(d, born), s) for d, s in moves), key=lambda m: -m[0]):
            if to != claim.status:
                move(claim, to, days_ago)
                timeline.append((days_ago, to))
        if refuted is not None:
            refuted = min(refuted, born)
            url = f"https://www.bbc.com/news/{index}"
            evidence = support(claim, url, stance=Evidence.Stance.REFUTES)
            Evidence.objects.filter(pk=evidence.pk).update(added_at=at(refuted, 9))
            timeline.append((refuted, "contradicted"))  # from then on, whatever the status
        replay.append(timeline)
    window = desk(10)
    for day in window.days:
        days_ago = (TODAY - day).days
        counts = {s: 0 for s in figures.STATES}
        for timeline in replay:
            state = None
            for when, status in timeline:  # oldest first: the last move by that day wins
                if when >= days_ago and state != "contradicted":
                    state = status
            if state:
                counts[state] += 1
        expected[day] = counts
    figure = figures.backlog(window)
    for day_index, day in enumerate(window.days):
        got = {s: figure.series[figures.STATE_NAMES[s]][day_index] for s in figures.STATES}
        assert got == expected[day], day


def test_contradicted_claims_count_from_their_first_refuting_source(
    make_article: Callable[..., Article], support: Callable[..., Evidence]
) -> None:
    article = make_article(["The bridge cost 4.2 million dollars.", "It opened in 2027."])
    first, _second = created(article, 9)
    evidence = support(first, "https://www.bbc.com/news/x", stance=Evidence.Stance.REFUTES)
    Evidence.objects.filter(pk=evidence.pk).update(added_at=at(3))
    figure = figures.backlog(desk(10))
    contradicted = figure.series["Contradicted"]
    unconfirmed = figure.series["Unconfirmed"]
    assert contradicted[-4] == 1 and contradicted[-5] == 0
    assert unconfirmed[-1] == 1  # the other claim; the contradicted one is not also here
    assert unconfirmed[-5] == 2  # before its refuting source, it was unconfirmed too
    assert unconfirmed[0] == 2  # both created 9 days ago, the first day of 10


def test_lapses_are_counted_per_week_by_cause(
    make_article: Callable[..., Article], fact_checker: User
) -> None:
    (claim,) = created(make_article(["Unemployment fell to 4.1 percent in May."]), 20)
    move(claim, Status.CONFIRMED, 6, fact_checker)
    move(claim, Status.NEEDS_REREVIEW, 2)
    figure = figures.lapses(desk(14))
    assert figure.series == {"Evidence removed": [*([0.0] * (len(figure.labels) - 1)), 1.0]} or (
        sum(figure.series["Evidence removed"]) == 1
    )
    assert "1 confirmation lapsed" in figure.title and "evidence removed" in figure.title


def test_time_to_verify_and_throughput_count_first_decisions_by_person(
    make_article: Callable[..., Article], fact_checker: User, editor: User
) -> None:
    quick, slow = created(make_article(["Prices rose 3 percent.", "Rents rose 9 percent."]), 5)
    Claim.objects.filter(pk=quick.pk).update(created_at=at(5, 8))
    move(quick, Status.CONFIRMED, 5, fact_checker)  # 4 hours after extraction
    move(slow, Status.CONFIRMED, 1, editor)  # 4 days and 4 hours after
    move(slow, Status.UNCONFIRMED, 1, editor)
    move(slow, Status.CONFIRMED, 0, editor)  # a second confirmation is not a first decision
    _weekly, histogram = figures.time_to_verify(desk(10))
    assert sum(histogram.series["Claims"]) == 2
    assert histogram.series["Claims"][2] == 1  # 4 to 24 h
    assert histogram.series["Claims"][4] == 1  # 3 to 7 days
    decisions, _load = figures.throughput(desk(10))
    assert sum(decisions.series[editor.username]) == 3
    assert sum(decisions.series[fact_checker.username]) == 1
    assert "4 decisions" in decisions.title


def test_contradictions_by_outlet_are_shares_of_checked_claims(
    make_article: Callable[..., Article], support: Callable[..., Evidence]
) -> None:
    wire = make_article(["Exports rose 12 percent.", "Imports fell 3 percent."], outlet="Wire")
    one, two = created(wire, 2)
    support(one, "https://www.bbc.com/news/a", stance=Evidence.Stance.REFUTES)
    Claim.objects.filter(pk=two.pk).update(status=Status.CONFIRMED)
    outlets, _speakers = figures.contradictions(desk(10))
    assert outlets.labels == ["Wire"]
    assert outlets.series["Share contradicted"] == [0.5]
    assert outlets.title.startswith("Wire has the most contradicted claims: 1 of 2 checked (50%)")
    assert "contradicted=true" in outlets.links["Wire"] and "outlet=Wire" in outlets.links["Wire"]


def test_filters_by_outlet_and_assignee(
    make_article: Callable[..., Article], fact_checker: User
) -> None:
    created(make_article(["Crime fell 5 percent."], outlet="Gazette"), 1)
    (mine,) = created(make_article(["Crime rose 7 percent."], outlet="Herald"), 1)
    Claim.objects.filter(pk=mine.pk).update(assignee=fact_checker)
    assert figures.backlog(desk(3, outlet="Gazette")).series["Unconfirmed"][-1] == 1
    assert figures.backlog(desk(3)).series["Unconfirmed"][-1] == 2
    only = desk(3, assignee_id=fact_checker.pk)
    assert figures.backlog(only).series["Unconfirmed"][-1] == 1
    _decisions, load = figures.throughput(only)
    assert load.labels == [fact_checker.username] and load.series["Open claims assigned"] == [1.0]


def test_every_figure_has_rows_matching_its_labels(make_article: Callable[..., Article]) -> None:
    created(make_article(), 3)
    for figure in figures.all_figures(desk(30)):
        assert figure.title and figure.desc
        assert len(figure.rows()) == len(figure.labels)
        for name, values in figure.series.items():
            assert len(values) == len(figure.labels), (figure.key, name)
        out = io.StringIO()
        csv.writer(out).writerows(figure.rows())


def test_contradictions_by_speaker_count_the_record_not_the_wording(
    make_article: Callable[..., Article], support: Callable[..., Evidence]
) -> None:
    lin = Speaker.objects.create(name="Ada Lin")
    article = make_article(["Exports rose 12 percent.", "Imports fell 3 percent."])
    one, two = created(article, 2)
    Claim.objects.filter(pk=one.pk).update(speaker="Mayor Ada Lin", speaker_record=lin)
    Claim.objects.filter(pk=two.pk).update(
        speaker="the mayor", speaker_record=lin, status=Status.CONFIRMED
    )
    support(one, "https://www.bbc.com/news/a", stance=Evidence.Stance.REFUTES)
    _outlets, speakers = figures.contradictions(desk(10))
    assert speakers.labels == ["Ada Lin"]  # one record, two wordings
    assert speakers.series["Share contradicted"] == [0.5]
    assert speakers.pages == {"Ada Lin": f"/speakers/{lin.pk}/"}
    assert f"speaker_id={lin.pk}" in speakers.links["Ada Lin"]
