"""The live claim panel (issue 31): while a source of the claim's evidence is being
captured, the panel polls a fragment that redraws the evidence rows' states and the
verdict line, never a form; once nothing is pending, the fragment comes back without its
polling trigger. The capture here is the real one (``capture.capture``) of a page served
on 127.0.0.1."""

from __future__ import annotations

import html as html_lib
import re
import socket
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from claims.models import Article, Claim, Evidence, Source
from claims.sources import capture as sources
from claims.sources import fetching
from tests.browser.test_review import report_page
from tests.httpserver import LocalServer, local_server_fixture  # noqa: F401

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def only_loopback(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fetches go to 127.0.0.1 only: no DNS."""
    settings.WORKBENCH_FETCH_ALLOW_LOOPBACK = True

    def resolve(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(fetching, "resolve_host", resolve)


def poller(page: str, claim: Claim) -> str:
    found = re.search(rf'<div class="evidence-live" id="evidence-live-{claim.pk}"[^>]*>', page)
    assert found, "no poller in the panel"
    return found.group(0)


def poll_url(tag: str) -> str:
    found = re.search(r'hx-get="([^"]+)"', tag)
    assert found, f"not polling: {tag}"
    return html_lib.unescape(found.group(1))


def test_the_evidence_rows_poll_while_the_capture_runs_and_stop_once_it_is_done(
    client: Client,
    fact_checker: User,
    make_article: Callable[..., Article],
    local_server: LocalServer,
) -> None:
    claim = make_article().claims.order_by("start").first()
    url = local_server.add("/report", report_page(claim.text), content_type="text/html")
    client.force_login(fact_checker)

    added = client.post(
        reverse("evidence-add", args=[claim.pk]),
        {"url": url, "kind": "news", "stance": "supports", "excerpt": claim.text},
        **HTMX,
    ).content.decode()

    evidence = Evidence.objects.get(claim=claim)
    assert evidence.source.fetch_state == Source.FetchState.PENDING
    tag = poller(added, claim)
    assert 'hx-trigger="every 2s"' in tag
    assert "Waiting to be fetched" in added and "Does not count: never captured" in added
    live = poll_url(tag)

    # Nothing changed yet: only the poller comes back, still polling.
    again = client.get(live, **HTMX).content.decode()
    assert 'hx-trigger="every 2s"' in poller(again, claim)
    assert "hx-swap-oob" not in again

    assert sources.capture(evidence.source_id) == "captured"
    done = client.get(live, **HTMX)

    page = done.content.decode()
    assert done.status_code == 200
    tag = poller(page, claim)
    assert "hx-trigger" not in tag and "hx-get" not in tag  # polling stops
    state = re.search(
        rf'<div class="evidence-state" id="evidence-state-{evidence.pk}" hx-swap-oob="true">'
        r"(.*?)</div>",
        page,
        re.S,
    )
    assert state, "the row's state is not swapped"
    assert "Captured" in state.group(1) and "Waiting to be fetched" not in state.group(1)
    assert "Quote check: Found in source" in state.group(1)
    assert "✓ Counts as 127.0.0.1" in state.group(1)
    verdict_line = rf'id="claim-verdict-{claim.pk}" hx-swap-oob="true">(.*?)</div>'
    verdict = re.search(verdict_line, page, re.S)
    assert verdict and "Can be confirmed" in verdict.group(1)
    assert re.search(rf'<button [^>]*id="confirm-{claim.pk}" class="primary"[^>]*hx-swap-oob', page)
    assert f'id="claim-{claim.pk}"' in page and 'id="counters"' in page and 'id="readiness"' in page
    # No form is redrawn: nothing anyone could be typing in.
    assert not re.search(r"<(form|input|textarea|select)\b", page)
    assert '"claim-changed"' in done["HX-Trigger"]


def test_a_panel_without_pending_evidence_does_not_poll(
    client: Client,
    fact_checker: User,
    make_article: Callable[..., Article],
    support: Callable[..., Evidence],
) -> None:
    claim = make_article().claims.first()
    support(claim)  # captured and quote-checked
    client.force_login(fact_checker)

    panel = client.get(reverse("claim-panel", args=[claim.pk]), **HTMX).content.decode()

    assert "hx-get" not in poller(panel, claim)


def test_a_source_pending_for_long_is_asked_after_less_often(
    client: Client,
    fact_checker: User,
    make_article: Callable[..., Article],
    support: Callable[..., Evidence],
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    claim = make_article().claims.first()
    evidence = support(claim, captured=False)
    long_ago = timezone.now() - timedelta(minutes=10)
    Source.objects.filter(pk=evidence.source_id).update(updated_at=long_ago)
    client.force_login(fact_checker)

    panel = client.get(reverse("claim-panel", args=[claim.pk]), **HTMX).content.decode()

    assert 'hx-trigger="every 15s"' in poller(panel, claim)


def test_a_status_that_changed_meanwhile_is_said_not_redrawn(
    client: Client,
    fact_checker: User,
    make_article: Callable[..., Article],
    support: Callable[..., Evidence],
) -> None:
    claim = make_article().claims.first()
    support(claim, captured=False)
    client.force_login(fact_checker)
    panel = client.get(reverse("claim-panel", args=[claim.pk]), **HTMX).content.decode()
    live = poll_url(poller(panel, claim))
    Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.NEEDS_REREVIEW)

    page = client.get(live, **HTMX).content.decode()

    assert "This claim's status changed" in page
    assert 'hx-trigger="every 2s"' in poller(page, claim)  # the capture is still running


def test_the_live_fragment_checks_permissions(
    client: Client, outsider: User, make_article: Callable[..., Article]
) -> None:
    claim = make_article().claims.first()
    client.force_login(outsider)

    assert client.get(reverse("claim-evidence-live", args=[claim.pk])).status_code == 403
