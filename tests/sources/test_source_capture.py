"""Capturing a source: the stored text, failures told honestly, retries, quote checks.

Only the local test server on 127.0.0.1 is ever fetched. As a safety net, every test
here resolves no real host name and refuses to open a connection to any other address.
"""

from __future__ import annotations

import hashlib
import json
import socket
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from claims.models import Claim, Evidence, Source, SourceCapture
from claims.nlp.html import extract_main_text
from claims.review import evidence as verification
from claims.sources import capture as sources
from claims.sources import fetching
from claims.tasks import capture_source
from tests.httpserver import ARTICLE_HTML, LocalServer, local_server_fixture  # noqa: F401
from workbench.celery import app

QUOTE = "We have made difficult choices, but the children of this city come first"


@pytest.fixture(autouse=True)
def only_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """No real DNS, and no connection to anything but 127.0.0.1."""

    def resolve(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    real_open_pool = fetching._open_pool

    def open_pool(target: Any, address: str, timeout: Any) -> Any:
        if address != "127.0.0.1":
            raise AssertionError(f"tried to connect to {address}")
        return real_open_pool(target, address, timeout)

    monkeypatch.setattr(fetching, "resolve_host", resolve)
    monkeypatch.setattr(fetching, "_open_pool", open_pool)


@pytest.fixture
def loopback(settings: Any) -> None:
    settings.WORKBENCH_FETCH_ALLOW_LOOPBACK = True


@pytest.fixture
def claim(make_article: Any) -> Claim:
    return make_article().claims.first()


def add(claim: Claim, by: Any, url: str, excerpt: str = "") -> Evidence:
    return verification.add_evidence(
        claim=claim, by=by, stance=Evidence.Stance.SUPPORTS, url=url, excerpt=excerpt
    )


# --- queueing -------------------------------------------------------------------------


def test_adding_evidence_with_a_new_url_queues_one_capture_after_commit(
    claim: Claim, fact_checker: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        evidence = add(claim, fact_checker, "https://www.reuters.com/world/story")
        add(claim, fact_checker, "https://apnews.com/article/x")
    assert len(callbacks) == 2
    assert evidence.source.fetch_state == Source.FetchState.PENDING
    assert evidence.quote_check == Evidence.QuoteCheck.NO_EXCERPT


def test_the_queued_callback_sends_the_capture_task_with_the_source_id(
    claim: Claim,
    fact_checker: Any,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[tuple[str, list[int]]] = []
    monkeypatch.setattr(
        app, "send_task", lambda name, args, kwargs, **options: sent.append((name, args))
    )
    with django_capture_on_commit_callbacks(execute=True):
        evidence = add(claim, fact_checker, "https://www.reuters.com/world/story")
    assert sent == [("claims.capture_source", [evidence.source.pk])]


def test_a_known_url_is_not_captured_again_when_linked_to_another_claim(
    make_article: Any, fact_checker: Any, django_capture_on_commit_callbacks: Any
) -> None:
    first, second = make_article().claims.all()[:2]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        a = add(first, fact_checker, "https://www.reuters.com/world/story?utm_source=x")
        b = add(second, fact_checker, "https://www.reuters.com/world/story")
    assert a.source == b.source
    assert len(callbacks) == 1


# --- a successful capture ----------------------------------------------------------------


def test_a_capture_stores_the_compressed_text_and_what_the_server_said(
    claim: Claim, fact_checker: Any, local_server: LocalServer, loopback: None
) -> None:
    evidence = add(claim, fact_checker, local_server.url("/article"))
    assert capture_source.run(evidence.source.pk) == "captured"

    source = Source.objects.get(pk=evidence.source.pk)
    capture = source.captures.get()
    assert "approved a budget of 12 million euros" in capture.text
    assert "Copyright" not in capture.text
    assert bytes(capture.text_compressed) == SourceCapture.compress(capture.text)
    assert len(bytes(capture.text_compressed)) < len(capture.text.encode())
    assert capture.text_sha256 == hashlib.sha256(capture.text.encode()).hexdigest()
    assert capture.http_status == 200
    assert capture.final_url == local_server.url("/article")
    assert capture.title == "Council approves budget for schools"
    assert source.fetch_state == Source.FetchState.OK
    assert source.link_state == Source.LinkState.ALIVE
    assert source.text_sha256 == capture.text_sha256
    assert source.published_at is not None and source.published_at.isoformat() == "2024-03-05"
    assert source.fetched_at is not None and source.last_checked_at is not None


def test_the_final_url_after_redirects_is_recorded(
    make_source: Any, local_server: LocalServer, loopback: None
) -> None:
    source = make_source(local_server.url("/redirect?to=/article"))
    sources.capture(source.pk)
    source.refresh_from_db()
    assert source.final_url == local_server.url("/article")
    assert source.captures.get().final_url == local_server.url("/article")


def test_a_duplicate_delivery_does_not_store_the_same_text_twice(
    make_source: Any, local_server: LocalServer, loopback: None
) -> None:
    source = make_source(local_server.url("/article"))
    assert capture_source.run(source.pk) == "captured"
    first_check = Source.objects.get(pk=source.pk).last_checked_at
    assert capture_source.run(source.pk) == "unchanged"
    source.refresh_from_db()
    assert source.captures.count() == 1
    assert source.last_checked_at > first_check
    assert source.history.count() == 2  # created, captured; the re-check adds no row


def test_capture_keeps_a_publisher_and_title_set_by_hand(
    make_source: Any, local_server: LocalServer, loopback: None
) -> None:
    source = make_source(local_server.url("/article"), publisher="Daily Example Group")
    source.title = "Budget story (edited)"
    source.save()
    sources.capture(source.pk)
    source.refresh_from_db()
    assert source.publisher == "Daily Example Group"
    assert source.title == "Budget story (edited)"


def test_fetched_html_text_is_the_text_the_extract_command_gets(
    make_source: Any, local_server: LocalServer, loopback: None
) -> None:
    source = make_source(local_server.url("/article"))
    sources.capture(source.pk)
    captured = source.captures.get().text
    url = local_server.url("/article")
    assert captured == extract_main_text(ARTICLE_HTML, url=url, tables=False)


def test_a_page_with_a_table_is_captured_without_it_and_an_unchanged_page_stays_alive(
    make_source: Any, local_server: LocalServer, loopback: None
) -> None:
    """A capture is compared with the previous one by its SHA-256: it leaves tables out,
    as the captures taken before articles kept them did, so an unchanged page with a
    table re-checks as unchanged (and confirmations quoting it do not lapse)."""
    table = (
        "<table><tr><td>Schools</td><td>14</td></tr><tr><td>Pupils</td><td>9,200</td></tr></table>"
    )
    page = ARTICLE_HTML.replace("</article>", f"{table}</article>", 1)
    assert page != ARTICLE_HTML
    url = local_server.add("/with-table", page.encode(), content_type="text/html; charset=utf-8")
    source = make_source(url)
    assert sources.capture(source.pk) == "captured"
    capture = source.captures.get()
    assert "9,200" not in capture.text and "9,200" in extract_main_text(page, url=url)
    assert sources.capture(source.pk) == "unchanged"
    source.refresh_from_db()
    assert source.link_state == source.LinkState.ALIVE


# --- the quote check ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("excerpt", "expected"),
    [
        (f"“{QUOTE},”", Evidence.QuoteCheck.FOUND),
        (QUOTE.replace("city", "town"), Evidence.QuoteCheck.APPROXIMATE),
        ("The council rejected the budget outright.", Evidence.QuoteCheck.NOT_FOUND),
    ],
)
def test_the_excerpt_is_checked_against_the_captured_text(
    claim: Claim,
    fact_checker: Any,
    local_server: LocalServer,
    loopback: None,
    excerpt: str,
    expected: str,
) -> None:
    evidence = add(claim, fact_checker, local_server.url("/article"), excerpt=excerpt)
    assert evidence.quote_check == Evidence.QuoteCheck.UNCHECKED
    sources.capture(evidence.source.pk)
    evidence.refresh_from_db()
    assert evidence.quote_check == expected
    if expected == Evidence.QuoteCheck.NOT_FOUND:
        assert evidence.quote_matched == ""
    else:
        assert "difficult choices" in evidence.quote_matched
        assert evidence.quote_matched in source_text(evidence.source)


def test_evidence_added_after_the_capture_is_checked_at_once(
    make_article: Any, fact_checker: Any, local_server: LocalServer, loopback: None
) -> None:
    first, second = make_article().claims.all()[:2]
    earlier = add(first, fact_checker, local_server.url("/article"))
    sources.capture(earlier.source.pk)
    later = add(second, fact_checker, local_server.url("/article"), excerpt=QUOTE)
    assert later.quote_check == Evidence.QuoteCheck.FOUND
    assert later.quote_score == 100.0


def source_text(source: Source) -> str:
    text = sources.latest_text(source)
    assert text is not None
    return text


# --- failures ------------------------------------------------------------------------------


def test_a_404_is_recorded_as_failed_with_its_reason_and_status(
    claim: Claim, fact_checker: Any, local_server: LocalServer, loopback: None
) -> None:
    evidence = add(claim, fact_checker, local_server.url("/status/404"), excerpt=QUOTE)
    assert capture_source.run(evidence.source.pk) == "failed"  # never captured: not "dead"
    source = Source.objects.get(pk=evidence.source.pk)
    assert source.fetch_state == Source.FetchState.FAILED
    assert source.fetch_error == "failed: HTTP 404"
    assert source.http_status == 404
    assert source.captures.count() == 0
    assert source.fetched_at is None and source.text_sha256 == ""
    evidence.refresh_from_db()
    assert evidence.quote_check == Evidence.QuoteCheck.UNCHECKED


def test_a_refused_url_is_recorded_as_refused_with_the_reason(
    make_source: Any, local_server: LocalServer, settings: Any
) -> None:
    settings.WORKBENCH_FETCH_ALLOW_LOOPBACK = False
    source = make_source(local_server.url("/article"))
    assert sources.capture(source.pk) == "refused"
    source.refresh_from_db()
    assert source.fetch_state == Source.FetchState.REFUSED
    assert source.fetch_error.startswith("refused: address 127.0.0.1 is loopback")
    assert source.link_state == Source.LinkState.UNKNOWN
    assert source.captures.count() == 0
    assert local_server.requests == []


def test_an_unresolvable_host_fails_and_is_dead_only_once_it_was_captured(
    make_source: Any,
) -> None:
    from tests.conftest import capture

    source = make_source("https://gone.example/story")
    assert sources.capture(source.pk) == "failed"  # never captured: it never lived
    source.refresh_from_db()
    assert source.fetch_state == Source.FetchState.FAILED
    assert source.fetch_error == "failed: could not resolve host gone.example"
    assert source.link_state == Source.LinkState.UNKNOWN
    capture(source, "The story as it once was.")
    assert sources.capture(source.pk) == "dead"
    source.refresh_from_db()
    assert source.link_state == Source.LinkState.DEAD


def test_a_retry_queues_a_capture_that_then_succeeds(
    make_source: Any,
    local_server: LocalServer,
    loopback: None,
    editor: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    local_server.add("/flaky", b"Not yet.", content_type="text/plain", status=503)
    source = make_source(local_server.url("/flaky"))
    sources.capture(source.pk)
    source.refresh_from_db()
    assert source.fetch_state == Source.FetchState.FAILED

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sources.retry_capture(source, by=editor)
    assert len(callbacks) == 1
    source.refresh_from_db()
    assert source.fetch_state == Source.FetchState.PENDING and source.fetch_error == ""

    local_server.add("/flaky", b"The bridge reopens in June.", content_type="text/plain")
    assert capture_source.run(source.pk) == "captured"
    source.refresh_from_db()
    assert source.fetch_state == Source.FetchState.OK
    assert source.link_state == Source.LinkState.ALIVE
    assert sources.latest_text(source) == "The bridge reopens in June."


# --- the fetch_source command --------------------------------------------------------------


def run_fetch_source(*args: str) -> tuple[str, CommandError | None]:
    from io import StringIO

    out = StringIO()
    try:
        call_command("fetch_source", *args, stdout=out)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


def test_fetch_source_prints_the_capture_as_json(local_server: LocalServer, loopback: None) -> None:
    url = local_server.url("/article")
    output, error = run_fetch_source(url, "--excerpt", QUOTE, "--format", "json")
    assert error is None
    report = json.loads(output)
    expected_sha = fetching.safe_fetch(url).text_sha256
    assert report["status"] == "ok" and report["reason"] == ""
    assert report["http_status"] == 200
    assert report["final_url"] == url
    assert report["title"] == "Council approves budget for schools"
    assert report["text_sha256"] == expected_sha
    assert report["excerpt"] == "found"


def test_fetch_source_reports_an_approximate_or_missing_excerpt(
    local_server: LocalServer, loopback: None
) -> None:
    url = local_server.url("/article")
    near, _ = run_fetch_source(url, "--excerpt", QUOTE.replace("city", "town"), "--format=json")
    missing, _ = run_fetch_source(url, "--excerpt", "Nothing like this.", "--format=json")
    no_excerpt, _ = run_fetch_source(url, "--format=json")
    assert json.loads(near)["excerpt"] == "approximate"
    assert json.loads(missing)["excerpt"] == "not_found"
    assert json.loads(no_excerpt)["excerpt"] is None


def test_fetch_source_exits_1_with_the_reason_when_the_fetch_fails(
    local_server: LocalServer, loopback: None
) -> None:
    output, error = run_fetch_source(local_server.url("/status/410"), "--format", "json")
    assert error is not None and error.returncode == 1
    report = json.loads(output)
    assert report["status"] == "failed"
    assert report["reason"] == "failed: HTTP 410"
    assert report["http_status"] == 410
    assert report["text_sha256"] is None and report["excerpt"] is None


def test_fetch_source_exits_1_when_the_url_is_refused(local_server: LocalServer) -> None:
    output, error = run_fetch_source(local_server.url("/article"))
    assert error is not None and error.returncode == 1
    assert output.startswith("refused: address 127.0.0.1 is loopback")
    assert local_server.requests == []


def test_fetch_source_prints_a_short_summary_by_default(
    local_server: LocalServer, loopback: None
) -> None:
    output, error = run_fetch_source(local_server.url("/article"), "--excerpt", QUOTE)
    assert error is None
    assert output.splitlines()[0] == "ok (HTTP 200): Council approves budget for schools"
    assert "text SHA-256: " in output
    assert "excerpt: found: We have made difficult choices" in output


def test_a_capture_for_a_deleted_source_does_nothing(make_source: Any) -> None:
    source = make_source("https://www.reuters.com/world/deleted")
    source_id = source.pk
    source.delete()
    assert capture_source.run(source_id) == "missing"
