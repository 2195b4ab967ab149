"""Link rot and drift: re-checking captured sources, and the claims that need review.

Only the local test server on 127.0.0.1 is fetched; no real host name is resolved and
no connection to another address is opened.
"""

from __future__ import annotations

import socket
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from claims.confirmation import service as status
from claims.models import Claim, Evidence, Source
from claims.review import evidence as verification
from claims.sources import capture as sources
from claims.sources import fetching
from claims.tasks import recheck_sources
from tests.httpserver import LocalServer, local_server_fixture  # noqa: F401

ORIGINAL = (
    "The city council approved a budget of 12 million euros on Tuesday. "
    "The mayor said the children of this city come first. "
    "Opposition members called the plan too cautious."
)
QUOTE = "The mayor said the children of this city come first."


@pytest.fixture(autouse=True)
def only_loopback(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    """Loopback allowed for the local server; no real DNS; no other address reachable."""
    settings.WORKBENCH_FETCH_ALLOW_LOOPBACK = True

    def resolve(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    real_open_pool = fetching._open_pool

    def open_pool(target: Any, address: str, timeout: Any) -> Any:
        if address != "127.0.0.1":
            raise AssertionError(f"tried to connect to {address}")
        return real_open_pool(target, address, timeout)

    monkeypatch.setattr(fetching, "resolve_host", resolve)
    monkeypatch.setattr(fetching, "_open_pool", open_pool)


def serve(server: LocalServer, path: str, text: str, status: int = 200) -> str:
    return server.add(path, text.encode(), content_type="text/plain; charset=utf-8", status=status)


def age(source: Source, hours: float = 48) -> None:
    Source.objects.filter(pk=source.pk).update(
        last_checked_at=timezone.now() - timedelta(hours=hours)
    )


@pytest.fixture
def confirmed(
    make_article: Any, fact_checker: Any, local_server: LocalServer
) -> tuple[Claim, Evidence]:
    """A claim confirmed on a captured page of the local server, quoting it."""
    claim = make_article().claims.first()
    url = serve(local_server, "/news/budget", ORIGINAL)
    evidence = verification.add_evidence(
        claim=claim, by=fact_checker, stance=Evidence.Stance.SUPPORTS, url=url, excerpt=QUOTE
    )
    assert sources.capture(evidence.source.pk) == "captured"
    status.confirm(claim, by=fact_checker, note="the council minutes say so")
    age(evidence.source)
    return claim, evidence


def test_a_page_that_starts_answering_404_is_dead_and_its_confirmed_claim_needs_rereview(
    confirmed: tuple[Claim, Evidence], local_server: LocalServer
) -> None:
    claim, evidence = confirmed
    assert list(Claim.objects.needing_review()) == []
    serve(local_server, "/news/budget", "gone", status=404)

    outcomes = sources.recheck_due()

    assert outcomes == {"dead": 1}
    source = Source.objects.get(pk=evidence.source.pk)
    assert source.link_state == Source.LinkState.DEAD
    assert source.fetch_error == "failed: HTTP 404" and source.http_status == 404
    assert source.captures.count() == 1  # the evidence can still be read
    assert list(Claim.objects.needing_review()) == [claim]
    claim.refresh_from_db()
    assert claim.status == Claim.Status.NEEDS_REREVIEW
    assert (
        "the source has died since it was captured" in claim.history.first().history_change_reason
    )


def test_a_page_whose_text_changes_is_changed_keeps_the_old_capture_and_rechecks_quotes(
    confirmed: tuple[Claim, Evidence], local_server: LocalServer
) -> None:
    claim, evidence = confirmed
    assert evidence.quote_check == Evidence.QuoteCheck.UNCHECKED
    evidence.refresh_from_db()
    assert evidence.quote_check == Evidence.QuoteCheck.FOUND
    rewritten = ORIGINAL.replace("12 million", "15 million").replace(
        "The mayor said the children of this city come first. ", ""
    )
    serve(local_server, "/news/budget", rewritten)

    assert sources.recheck_due() == {"changed": 1}

    source = Source.objects.get(pk=evidence.source.pk)
    assert source.link_state == Source.LinkState.CHANGED
    old, new = source.captures.order_by("fetched_at", "pk")
    assert old.text == ORIGINAL and new.text == rewritten
    assert source.text_sha256 == new.text_sha256 != old.text_sha256
    summary = sources.change_summary(source)
    assert summary.startswith("11 words changed; removed: '12' (and 1 more) added: '15'")
    evidence.refresh_from_db()
    assert evidence.quote_check == Evidence.QuoteCheck.NOT_FOUND
    assert list(Claim.objects.needing_review()) == [claim]


def test_a_change_stays_flagged_on_later_checks_until_acknowledged(
    confirmed: tuple[Claim, Evidence], local_server: LocalServer, editor: Any
) -> None:
    claim, evidence = confirmed
    serve(local_server, "/news/budget", ORIGINAL + " Update: the vote was close.")
    sources.recheck_due()
    age(evidence.source)
    assert sources.recheck_due() == {"unchanged": 1}
    source = Source.objects.get(pk=evidence.source.pk)
    assert source.link_state == Source.LinkState.CHANGED
    assert source.captures.count() == 2
    assert list(Claim.objects.needing_review()) == [claim]

    sources.acknowledge_change(source, by=editor)
    source.refresh_from_db()
    assert source.link_state == Source.LinkState.ALIVE
    assert list(Claim.objects.needing_review()) == []


def test_a_redirect_to_the_home_page_is_a_dead_link(
    confirmed: tuple[Claim, Evidence], local_server: LocalServer
) -> None:
    claim, evidence = confirmed
    serve(local_server, "/", "Welcome to our home page. Read the latest news here.")
    local_server.add("/news/budget", b"", content_type="text/plain", status=301, Location="/")

    assert sources.recheck_due() == {"dead": 1}

    source = Source.objects.get(pk=evidence.source.pk)
    assert source.link_state == Source.LinkState.DEAD
    assert source.fetch_state == Source.FetchState.FAILED
    assert "redirects to the site's home page" in source.fetch_error
    assert source.final_url == local_server.url("/")
    assert source.captures.count() == 1
    assert list(Claim.objects.needing_review()) == [claim]


def test_a_redirect_to_another_deep_page_is_not_dead(
    make_source: Any, local_server: LocalServer
) -> None:
    serve(local_server, "/news/budget-2024", ORIGINAL)
    moved = local_server.add(
        "/news/old", b"", content_type="text/plain", status=301, Location="/news/budget-2024"
    )
    source = make_source(moved)
    assert sources.capture(source.pk) == "captured"
    source.refresh_from_db()
    assert source.link_state == Source.LinkState.ALIVE


def test_a_server_error_is_a_failure_that_leaves_the_capture_and_confirmation_standing(
    confirmed: tuple[Claim, Evidence], local_server: LocalServer
) -> None:
    claim, evidence = confirmed
    serve(local_server, "/news/budget", "oops", status=500)
    assert sources.recheck_due() == {"failed": 1}
    claim.refresh_from_db()
    assert claim.status == Claim.Status.CONFIRMED
    assert Source.objects.get(pk=evidence.source.pk).link_state == Source.LinkState.ALIVE


def test_a_dead_page_that_comes_back_unchanged_is_alive_again_but_not_confirmed_again(
    confirmed: tuple[Claim, Evidence], local_server: LocalServer, fact_checker: Any
) -> None:
    claim, evidence = confirmed
    serve(local_server, "/news/budget", "gone", status=410)
    sources.recheck_due()
    serve(local_server, "/news/budget", ORIGINAL)
    age(evidence.source)
    assert sources.recheck_due() == {"unchanged": 1}
    source = Source.objects.get(pk=evidence.source.pk)
    assert source.link_state == Source.LinkState.ALIVE
    assert source.fetch_state == Source.FetchState.OK and source.fetch_error == ""
    claim.refresh_from_db()
    assert claim.status == Claim.Status.NEEDS_REREVIEW  # nothing confirms by itself
    status.confirm(claim, by=fact_checker, note="the page is back")
    assert list(Claim.objects.needing_review()) == []


def test_only_sources_not_checked_recently_are_rechecked_oldest_first(
    make_source: Any, local_server: LocalServer, settings: Any
) -> None:
    settings.WORKBENCH_RECHECK_AFTER_HOURS = 24
    fresh = make_source(serve(local_server, "/fresh", "Fresh text."))
    stale = make_source(serve(local_server, "/stale", "Stale text."))
    staler = make_source(serve(local_server, "/staler", "Staler text."))
    never = make_source(serve(local_server, "/never", "Never checked."))
    refused = make_source(serve(local_server, "/refused", "Refused."), fetch_state="refused")
    for source in (fresh, stale, staler):
        sources.capture(source.pk)
    age(stale, hours=30)
    age(staler, hours=100)
    age(refused, hours=100)

    due = list(sources.due_for_recheck())
    # A refused check is tried again on the same schedule (a page refused once may die
    # later); only a person stops a source's checks.
    assert due == [never, staler, refused, stale]
    assert list(sources.due_for_recheck(older_than=timedelta(hours=50))) == [
        never, staler, refused,
    ]  # fmt: skip

    local_server.requests.clear()
    assert sources.recheck_due(limit=2) == {"captured": 1, "unchanged": 1}
    assert [path for path, _ in local_server.requests] == ["/never", "/staler"]


def test_the_recheck_task_runs_a_batch_and_counts_outcomes(
    make_source: Any, local_server: LocalServer
) -> None:
    alive = make_source(serve(local_server, "/alive", "Still here."))
    gone = make_source(serve(local_server, "/gone", "Here for now."))
    for source in (alive, gone):
        sources.capture(source.pk)
        age(source)
    serve(local_server, "/gone", "no", status=410)

    assert recheck_sources.run() == {"unchanged": 1, "dead": 1}
    assert recheck_sources.run() == {}
    assert recheck_sources.run(older_than_hours=0) == {"unchanged": 1, "dead": 1}


def test_the_recheck_command_takes_older_than_and_limit(
    make_source: Any, local_server: LocalServer
) -> None:
    for name in ("a", "b", "c"):
        source = make_source(serve(local_server, f"/{name}", f"Page {name}."))
        sources.capture(source.pk)
        age(source, hours=10)
    out = StringIO()
    call_command("recheck_sources", stdout=out)
    assert out.getvalue().strip() == "Re-checked 0 sources."

    out = StringIO()
    call_command("recheck_sources", "--older-than", "5", "--limit", "2", stdout=out)
    assert out.getvalue().strip() == "Re-checked 2 sources: 2 unchanged"


def test_the_review_flag_annotates_claims_for_the_list_filter(
    confirmed: tuple[Claim, Evidence], local_server: LocalServer, fact_checker: Any
) -> None:
    claim, evidence = confirmed
    other = claim.article.claims.exclude(pk=claim.pk).get()
    verification.add_evidence(
        claim=other, by=fact_checker, stance=Evidence.Stance.SUPPORTS, source=evidence.source
    )
    serve(local_server, "/news/budget", "gone", status=404)
    sources.recheck_due()

    flagged = {c.pk: c for c in Claim.objects.with_review_flag()}
    assert flagged[claim.pk].source_problem and flagged[claim.pk].needs_review
    assert flagged[other.pk].source_problem and not flagged[other.pk].needs_review
    needing = Claim.objects.with_review_flag().filter(needs_review=True)
    assert list(needing) == [claim]


def test_refuting_evidence_added_to_a_confirmed_claim_sends_it_to_rereview(
    confirmed: tuple[Claim, Evidence], make_source: Any, fact_checker: Any
) -> None:
    claim, _evidence = confirmed
    dead = make_source("https://www.example.org/x", link_state=Source.LinkState.DEAD)
    verification.add_evidence(
        claim=claim, by=fact_checker, stance=Evidence.Stance.REFUTES, source=dead
    )
    claim.refresh_from_db()
    assert claim.status == Claim.Status.NEEDS_REREVIEW
    assert "1 source refutes it" in claim.status_note


def test_an_unconfirmed_claim_on_a_dead_source_is_not_in_the_review_list(
    confirmed: tuple[Claim, Evidence], local_server: LocalServer, fact_checker: Any
) -> None:
    claim, _evidence = confirmed
    status.unconfirm(claim, by=fact_checker, note="reopened")
    serve(local_server, "/news/budget", "gone", status=404)
    sources.recheck_due()
    assert list(Claim.objects.needing_review()) == []
