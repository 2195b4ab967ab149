"""The dashboard's figures are cached one chart at a time, each under the marks of the
tables it reads (``figures.READS``): a change recomputes the charts that read what
changed, the others are served from the cache, and what is served always equals what
would be computed now. The charts computed together (sharing their reads) equal each
computed alone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from claims.dashboard import figures
from claims.models import Article, Claim, ClaimEvent, DeskStock, Evidence, Source
from claims.models.events import record

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def desk_data(
    make_article: Callable[..., Article], support: Callable[..., Evidence], fact_checker: User
) -> list[Claim]:
    wire = make_article(["Exports rose 12 percent.", "Imports fell 3 percent."], outlet="Wire")
    herald = make_article(["Crime fell 5 percent.", "Rents rose 9 percent."], outlet="Herald")
    claims = [*wire.claims.all(), *herald.claims.all()]
    Claim.objects.update(created_at=timezone.now() - timedelta(days=12))
    support(claims[0], "https://www.bbc.com/news/a", stance=Evidence.Stance.REFUTES)
    Claim.objects.filter(pk=claims[1].pk).update(assignee=fact_checker)
    for days_ago, claim in ((9, claims[1]), (3, claims[2])):
        record(claim, ClaimEvent.Kind.STATUS_CHANGED, sentence="confirmed", by=fact_checker,
               from_status="unconfirmed", to_status="confirmed",
               at=timezone.now() - timedelta(days=days_ago))  # fmt: skip
        Claim.objects.filter(pk=claim.pk).update(status="confirmed")
    return claims


def computing(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The chart keys ``figures.compute`` is asked for from now on."""
    asked: list[str] = []
    real = figures.compute

    def spy(f: figures.DeskFilter, keys: Any = figures.KEYS) -> dict[str, figures.Figure]:
        asked.extend(keys)
        return real(f, keys)

    monkeypatch.setattr(figures, "compute", spy)
    return asked


def test_a_change_recomputes_only_the_charts_that_read_it(
    desk_data: list[Claim], fact_checker: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = figures.DeskFilter(TODAY - timedelta(days=13), TODAY)
    first = figures.all_figures(desk)
    asked = computing(monkeypatch)
    assert figures.all_figures(desk) == first and asked == []  # all from the cache
    # A source changes (its history row): the sources' charts only.
    source = Source.objects.get()
    source.link_state = Source.LinkState.DEAD
    source.save()
    moved = figures.all_figures(desk)
    assert sorted(asked) == ["cited-outlets", "sources"]
    assert moved == figures.all_figures(desk, use_cache=False)
    assert moved != first
    # An event (an assignment, written by the one write path): the charts of events.
    asked.clear()
    record(desk_data[3], ClaimEvent.Kind.ASSIGNED, sentence="assigned", by=fact_checker)
    again = figures.all_figures(desk)
    assert {k for k, tables in figures.READS.items() if figures.EVENTS in tables} == set(asked)
    assert again == figures.all_figures(desk, use_cache=False)


def test_a_csv_is_served_from_the_page_cache_and_a_page_from_a_csv(
    desk_data: list[Claim], monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = figures.DeskFilter(TODAY - timedelta(days=6), TODAY)
    page = figures.all_figures(desk)
    asked = computing(monkeypatch)
    assert figures.one(desk, "lapses") == page[figures.KEYS.index("lapses")]
    assert asked == []
    other = figures.DeskFilter(TODAY - timedelta(days=29), TODAY, outlet="Wire")
    backlog = figures.one(other, "backlog")
    assert asked == ["backlog"]  # computed alone
    asked.clear()
    assert figures.all_figures(other)[0] == backlog
    assert "backlog" not in asked and len(asked) == len(figures.KEYS) - 1


@pytest.mark.parametrize(
    "filters", [{}, {"outlet": "Wire"}, {"outlet": "Herald"}, {"assignee": True}]
)
def test_the_charts_computed_together_equal_each_computed_alone(
    desk_data: list[Claim], fact_checker: User, filters: dict[str, Any]
) -> None:
    kw = dict(filters)
    if kw.pop("assignee", False):
        kw["assignee_id"] = fact_checker.pk
    for days in (7, 30):
        desk = figures.DeskFilter(TODAY - timedelta(days=days - 1), TODAY, **kw)
        together = figures.compute(desk)
        for key, (make, index) in figures.MAKERS.items():
            DeskStock.objects.all().delete()
            alone = make(desk)
            assert together[key] == (alone if index is None else alone[index]), key
