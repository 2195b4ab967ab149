"""Evidence must say what the claim says (issue 28, items 3, 4 and 5): a source corrected to
say the opposite, an edit that changes the claim's figure, and a one-letter excerpt each
end in *needs re-review* or a refusal with a reason."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils.html import escape

from claims.confirmation import service as status
from claims.ingest import articles as ingest
from claims.models import Article, Claim, ConfirmationRefused, Evidence
from claims.sources import capture as sources
from claims.sources.fetching import FetchResult
from claims.tasks import extract_claims

HTMX = {"HTTP_HX_REQUEST": "true"}
REPORTED = "Health officials said 467,000 cases of measles were reported in the region last year."
BRIDGE = "The council agreed to pay £48 million for the new bridge over the river last year."
OPPOSITE = "the source says 'were not reported' where the excerpt says 'were reported'"


def submitted(editor: Any, sentence: str) -> Article:
    text = (
        "The outbreak spread quickly across three provinces. "
        f"{sentence} "
        "Vaccination campaigns resumed in March after a long pause."
    )
    article = ingest.submit_article(
        text=text, title="Measles", outlet="Daily Example", url="https://www.dailyexample.com/a",
        by=editor,
    )  # fmt: skip
    extract_claims.run(article.pk, article.revision)
    return Article.objects.get(pk=article.pk)


def reloaded(claim: Claim) -> Claim:
    return Claim.objects.get(pk=claim.pk)


def last_reason(claim: Claim) -> str:
    return claim.history.first().history_change_reason


def panel(client: Client, user: Any, claim: Claim) -> str:
    client.force_login(user)
    return client.get(f"/claims/{claim.pk}/", **HTMX).content.decode()


# --- Item 3: the source is corrected to say the opposite ---------------------------------------


def test_a_claim_confirmed_on_a_source_corrected_to_say_the_opposite_needs_rereview(
    client: Client, editor: Any, fact_checker: Any, support: Any, monkeypatch: Any
) -> None:
    claim = submitted(editor, REPORTED).claims.get(text=REPORTED)
    excerpt = "467,000 cases of measles were reported in the region last year"
    evidence = support(claim, "https://www.who.int/news/measles", excerpt=excerpt)
    status.confirm(claim, by=fact_checker, note="WHO figures")
    corrected = FetchResult(
        status="ok", reason="", url=evidence.source.url, final_url=evidence.source.url,
        http_status=200, content_type="text/plain",
        text="Correction: health officials said 467,000 cases of measles were not reported "
        "in the region last year.",
    )  # fmt: skip
    monkeypatch.setattr(sources, "safe_fetch", lambda url: corrected)

    assert sources.capture(evidence.source_id) == "changed"

    evidence.refresh_from_db()
    assert evidence.quote_check == Evidence.QuoteCheck.NOT_FOUND and evidence.quote_score >= 90
    assert evidence.quote_reason == OPPOSITE
    assert OPPOSITE in evidence.history.first().history_change_reason
    claim = reloaded(claim)
    assert claim.status == Claim.Status.NEEDS_REREVIEW
    assert "evidence from who.int no longer counts (excerpt not found in the capture of" in (
        last_reason(claim)
    )
    with pytest.raises(ConfirmationRefused):
        status.confirm(claim, by=fact_checker)
    assert escape(OPPOSITE) in panel(client, fact_checker, claim)


# --- Item 4: an edit changes the claim's figure --------------------------------------------------


def test_after_an_edit_changes_the_figure_evidence_quoting_the_old_one_does_not_count(
    client: Client, editor: Any, fact_checker: Any, support: Any
) -> None:
    article = submitted(editor, BRIDGE)
    claim = article.claims.get(text=BRIDGE)
    support(claim, "https://www.bbc.com/news/bridge", excerpt="pay £48 million for the new bridge")
    status.confirm(claim, by=fact_checker)

    ingest.revise_article(
        article=article, text=article.body.replace("£48 million", "£46 million"), by=editor
    )
    extract_claims.run(article.pk, article.revision + 1)

    claim = reloaded(claim)
    assert "£46 million" in claim.text and claim.status == Claim.Status.NEEDS_REREVIEW
    differ = "figures differ: the claim says £46 million, the excerpt says £48 million"
    assessment = status.assess(claim)
    assert not assessment.satisfied and differ in assessment.blocker
    html = panel(client, fact_checker, claim)
    assert "Can be confirmed" not in html and escape(differ) in html
    with pytest.raises(ConfirmationRefused, match=differ):
        status.confirm(claim, by=fact_checker)
    assert reloaded(claim).status == Claim.Status.NEEDS_REREVIEW


# --- Item 5: a one-letter excerpt ---------------------------------------------------------------


def test_a_one_letter_excerpt_never_counts(
    client: Client, editor: Any, fact_checker: Any, support: Any
) -> None:
    claim = submitted(editor, REPORTED).claims.get(text=REPORTED)
    evidence = support(claim, "https://www.who.int/news/measles", excerpt="e")
    evidence.refresh_from_db()
    assert evidence.quote_check == Evidence.QuoteCheck.NOT_FOUND
    too_short = "the excerpt is too short to check: at least 4 words"
    assert evidence.quote_reason == too_short
    with pytest.raises(ConfirmationRefused, match=too_short):
        status.confirm(claim, by=fact_checker)

    # A result stored by the old check ("found") does not make it count either.
    Evidence.objects.filter(pk=evidence.pk).update(quote_check="found", quote_score=100.0)
    verdict = status.assess(claim).verdicts[evidence.pk]
    assert not verdict.counts and verdict.reason == too_short
    with pytest.raises(ConfirmationRefused, match=too_short):
        status.confirm(claim, by=fact_checker)
    assert "Does not count: " + escape(too_short) in panel(client, fact_checker, claim)
    assert reloaded(claim).status == Claim.Status.UNCONFIRMED
