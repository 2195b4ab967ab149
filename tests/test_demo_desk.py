"""``setup_demo`` writes a few weeks of a demo desk (``claims.demo.history``) so that every
chart of the dashboard has something to show: through the app's own write paths, with
nothing fetched and no worker, coherent with the confirmation rule, the confirmation
audit and the dashboard's aggregates."""

from __future__ import annotations

import io
import socket
from collections import Counter
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from claims.confirmation import audit
from claims.dashboard import figures
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
    desk,
)
from claims.sources import capture, fetching

Kind = ClaimEvent.Kind


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Refuse (and list) every connection that is not to this machine."""
    tried: list[Any] = []
    connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in (
            "127.0.0.1",
            "::1",
            "localhost",
        ):
            tried.append(address)
            raise OSError(f"the demo must not connect to {address}")
        return connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    return tried


@pytest.fixture
def demo(db: Any, settings: Any, tmp_path: Path, no_network: list[Any]) -> str:
    """``setup_demo`` as ``make run`` runs it: before the embedded Redis is up."""
    settings.USES_EMBEDDED_REDIS = True
    settings.EMBEDDED_REDIS_SOCKET = tmp_path / "redis.sock"  # not started
    out = io.StringIO()
    call_command("setup_demo", stdout=out)
    assert no_network == []
    return out.getvalue()


def window() -> figures.DeskFilter:
    today = timezone.localdate()
    return figures.DeskFilter(today - timedelta(days=29), today)  # the page's default


def test_every_chart_of_the_dashboard_has_data(demo: str) -> None:
    made = {figure.key: figure for figure in figures.all_figures(window(), use_cache=False)}
    assert set(made) == set(figures.KEYS)
    assert [key for key, figure in made.items() if figure.empty] == []
    lapses = made["lapses"].series
    assert {name for name, values in lapses.items() if any(values)} == {
        "Evidence removed",
        "A source changed",
        "A source died",
        "The claim's wording changed",
    }
    health = made["sources"].series
    assert health["Changed since capture"][-1] == 1 and health["Dead"][-1] == 1
    assert all(any(values) for values in made["memory"].series.values())  # claims, fact-checks
    assert len(made["contradictions-outlets"].labels) == 3
    assert set(made["throughput"].series) == {"amara", "ben", "editor"}
    assert "Demo desk: 7 stories" in demo


def test_the_history_is_spread_over_four_weeks_in_order(demo: str) -> None:
    now = timezone.now()
    events = ClaimEvent.objects.exclude(claim__article__outlet="Demo Wire")
    weeks = {(now - at).days // 7 for at in events.values_list("at", flat=True)}
    assert weeks == {0, 1, 2, 3}
    assert not events.filter(at__gt=now).exists()
    for claim in Claim.objects.filter(article__outlet__in=["Harbour Gazette", "City Ledger"]):
        extracted = claim.events.get(kind__in=[Kind.EXTRACTED])
        assert abs(extracted.at - claim.created_at) < timedelta(seconds=5)
        assert claim.article.created_at <= claim.created_at
        later = claim.events.exclude(pk=extracted.pk).values_list("at", flat=True)
        assert all(at > claim.created_at for at in later)
    decided = Claim.objects.filter(status=Claim.Status.CONFIRMED).exclude(
        article__outlet="Demo Wire"
    )
    for claim in decided:
        record = claim.confirmations.latest("confirmed_at")
        event = claim.events.filter(kind=Kind.STATUS_CHANGED, to_status="confirmed").first()
        assert event is not None and abs(event.at - record.confirmed_at) < timedelta(seconds=5)


def test_every_confirmation_holds_on_captured_quoted_independent_sources(demo: str) -> None:
    confirmed = Claim.objects.filter(status=Claim.Status.CONFIRMED)
    assert confirmed.count() >= 8
    run = audit.audit()  # re-judges every confirmed claim under the rule
    assert (run.checked, run.lapsed) == (confirmed.count(), 0)
    for claim in confirmed:
        basis = claim.confirmations.latest("confirmed_at").basis
        assert basis, claim
        for item in basis:  # captured by the capture job's path, not provided by hand
            assert item["capture"] and item["capture_sha256"] and not item["provided_by"]
            assert item["quote_check"] in ("found", "approximate")
            assert item["publisher"] != claim.article.outlet_domain


def test_the_aggregates_equal_a_recount_of_the_events(demo: str) -> None:
    days, firsts = desk.recompute(ClaimEvent, Claim)
    rows = DeskDay.objects.all()
    assert {tuple(getattr(row, key) for key in desk.DAY_KEY): row.n for row in rows} == days
    assert {
        row.claim_ref: (row.decided_at, row.day, row.tenths, row.outlet, row.assignee_ref)
        for row in FirstDecision.objects.all()
    } == firsts
    assert len(firsts) >= 15


def _replayed_backlog(days: list[Any]) -> dict[Any, Counter[str]]:
    """Each day's backlog from every claim's own history: its creation, its status
    events, and its first refuting source (contradicted from then on)."""
    counts: dict[Any, Counter[str]] = {day: Counter() for day in days}
    for claim in Claim.objects.filter(check_worthy=True, orphaned=False):
        moves = list(
            claim.events.filter(kind__in=[Kind.STATUS_CHANGED, Kind.LAPSED])
            .order_by("at", "pk")
            .values_list("at", "to_status")
        )
        refuted = (
            claim.evidence.filter(stance=Evidence.Stance.REFUTES)
            .order_by("added_at")
            .values_list("added_at", flat=True)
            .first()
        )
        for day in days:
            end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
            if claim.created_at >= end:
                continue
            state = "unconfirmed"
            for at, to in moves:
                if at < end:
                    state = to
            counts[day]["contradicted" if refuted and refuted < end else state] += 1
    return counts


def test_the_backlog_and_its_kept_days_equal_a_replay_of_every_claim(demo: str) -> None:
    f = window()
    expected = _replayed_backlog(f.days)
    for _view in ("first view: counted and kept", "second view: read from DeskStock"):
        figure = figures.backlog(f)
        for i, day in enumerate(f.days):
            got = {s: figure.series[figures.STATE_NAMES[s]][i] for s in figures.STATES}
            assert got == {s: expected[day][s] for s in figures.STATES}, (_view, day)
    assert DeskStock.objects.filter(day__lt=timezone.localdate()).exists()


def test_nothing_is_fetched_and_no_job_is_left_for_a_worker(demo: str) -> None:
    assert capture.safe_fetch is fetching.safe_fetch  # the snapshots' seam is put back
    stories = Article.objects.exclude(outlet="Demo Wire")
    assert stories.count() == 7 and not stories.exclude(state=Article.State.DONE).exists()
    demo_article = Article.objects.get(outlet="Demo Wire")
    assert demo_article.state == Article.State.QUEUED  # the worker extracts it, as before
    sources = Source.objects.all()
    assert not sources.filter(fetch_state=Source.FetchState.PENDING).exists()
    assert not capture.due_for_recheck().exists()  # the beat fetches no invented page
    assert ClaimMatch.objects.filter(state=ClaimMatch.State.ACCEPTED).count() >= 4


def test_running_it_again_changes_nothing(demo: str, settings: Any) -> None:
    counts = (Article.objects.count(), Claim.objects.count(), ClaimEvent.objects.count())
    out = io.StringIO()
    call_command("setup_demo", stdout=out)
    assert (Article.objects.count(), Claim.objects.count(), ClaimEvent.objects.count()) == counts
    assert "Demo desk" not in out.getvalue()
