"""Issue 28, second round: one locked path for every change to a basis.

One test per numbered case the issue lists for the basis itself (what is published,
matches, sources edited in the admin, merges, refused re-checks, deleted users), plus the
outbox and the audit. Each ends in *needs re-review* or a refusal with a reason; none
leaves a claim confirmed, or published as Confirmed, without its basis. (The meaning
checks, publisher identity and the review flow have their own files; the races are in
``test_basis_races.py``.)"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import ProtectedError
from django.test import Client

from claims.confirmation import audit
from claims.confirmation import service as status
from claims.ingest import articles as ingest
from claims.matching import service as matching
from claims.models import (
    Article,
    AuditRun,
    Claim,
    ClaimMatch,
    Confirmation,
    Evidence,
    Source,
    VerdictPage,
    WebhookDelivery,
    WebhookSubscriber,
)
from claims.publication import exports, verdicts
from claims.review import edits
from claims.sources import capture as sources
from claims.tasks import extract_claims

FIGURE = "He said that 467,000 cases of measles were reported in the region last year."
TEXT = f"John Mwangi is the regional health minister. {FIGURE} Clinics reopened in March."
WHO = "https://www.who.int/news/measles"


def reloaded(claim: Claim) -> Claim:
    return Claim.objects.get(pk=claim.pk)


def last_reason(claim: Claim) -> str:
    return claim.history.first().history_change_reason


@pytest.fixture
def article(editor: Any) -> Article:
    made = ingest.submit_article(
        text=TEXT, title="Measles", outlet="Daily Example", url="https://www.dailyexample.com/a",
        by=editor,
    )  # fmt: skip
    extract_claims.run(made.pk, made.revision)
    return Article.objects.get(pk=made.pk)


@pytest.fixture
def confirmed(article: Article, fact_checker: Any, support: Any) -> Claim:
    claim = article.claims.get(text=FIGURE)
    support(claim, WHO, excerpt="467,000 cases of measles were reported")
    status.confirm(claim, by=fact_checker, note="WHO figures")
    return reloaded(claim)


def published(claim: Claim) -> dict[str, Any] | None:
    """The claim's ClaimReview in its article's export, or None when not published."""
    graph = exports.article_claimreview(Article.objects.get(pk=claim.article_id))["@graph"]
    return {r["url"]: r for r in graph}.get(exports.review_url(claim))


# --- 6. What is published is what was confirmed -------------------------------------------


def test_a_confirmation_records_the_published_text_and_the_speaker(confirmed: Claim) -> None:
    record = confirmed.confirmations.get()
    assert record.speaker == confirmed.speaker == "John Mwangi"
    assert record.standalone == confirmed.standalone
    assert "John Mwangi" in record.standalone
    review = published(confirmed)
    assert review["claimReviewed"] == record.standalone
    assert review["itemReviewed"]["author"]["name"] == "John Mwangi"


def test_an_edit_elsewhere_that_changes_who_said_it_lapses_the_claim(
    article: Article, confirmed: Claim, editor: Any
) -> None:
    edited = TEXT.replace("John Mwangi", "Mary Otieno")
    ingest.revise_article(article=article, text=edited, by=editor)
    assert reloaded(confirmed).status == Claim.Status.CONFIRMED  # its words are still there
    extract_claims.run(article.pk, 2)

    claim = reloaded(confirmed)
    assert claim.speaker == "Mary Otieno"
    assert claim.status == Claim.Status.NEEDS_REREVIEW
    assert "changed since it was confirmed" in last_reason(claim)
    review = published(claim)
    assert review is None or review["reviewRating"]["name"] != "Confirmed"


def test_a_speaker_correction_in_the_panel_lapses_a_confirmed_claim(
    client: Client, confirmed: Claim, fact_checker: Any
) -> None:
    client.force_login(fact_checker)
    response = client.post(
        f"/claims/{confirmed.pk}/correct/",
        {
            "field": "speaker",
            "value": "Somebody Else",
            "reason": "misattributed",
            "basis": confirmed.speaker,
        },
    )
    assert response.status_code in (200, 302)
    claim = reloaded(confirmed)
    assert claim.speaker == "Somebody Else"
    assert claim.status == Claim.Status.NEEDS_REREVIEW
    assert "the speaker changed since it was confirmed (was John Mwangi" in last_reason(claim)
    assert published(claim) is None


@pytest.mark.parametrize("field", ["standalone", "speaker"])
def test_editing_the_published_text_or_speaker_in_the_admin_lapses_the_claim(
    client: Client, admin_user: User, confirmed: Claim, field: str
) -> None:
    client.force_login(admin_user)
    page = client.get(f"/admin/claims/claim/{confirmed.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data[field] = "Edited in the admin"
    for prefix in ("evidence", "confirmations"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    data |= {"evidence-TOTAL_FORMS": str(confirmed.evidence.count())}
    data |= {"evidence-INITIAL_FORMS": str(confirmed.evidence.count())}
    for index, evidence in enumerate(confirmed.evidence.all()):
        data |= {f"evidence-{index}-id": str(evidence.pk), f"evidence-{index}-claim": ""}
    data |= {"confirmations-TOTAL_FORMS": "1", "confirmations-INITIAL_FORMS": "1"}
    record = confirmed.confirmations.get()
    data |= {"confirmations-0-id": str(record.pk), "confirmations-0-claim": str(confirmed.pk)}
    response = client.post(f"/admin/claims/claim/{confirmed.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]

    claim = reloaded(confirmed)
    assert getattr(claim, field) == "Edited in the admin"
    assert claim.status == Claim.Status.NEEDS_REREVIEW
    assert "edited in the admin" in last_reason(claim)
    assert published(claim) is None


def test_claimreview_publishes_the_record_not_a_field_changed_behind_its_back(
    confirmed: Claim,
) -> None:
    """Even a write that bypassed every service is not published as Confirmed: the
    review reads the confirmation record, and the audit lapses the claim."""
    Claim.objects.filter(pk=confirmed.pk).update(speaker="Nobody", standalone="Rewritten.")
    review = published(confirmed)
    assert review["claimReviewed"] != "Rewritten."
    assert review["itemReviewed"]["author"]["name"] == "John Mwangi"

    run = audit.audit()
    assert (run.checked, run.lapsed) == (1, 1)
    assert reloaded(confirmed).status == Claim.Status.NEEDS_REREVIEW
    assert "confirmation audit" in last_reason(reloaded(confirmed))
    assert published(confirmed) is None


# --- 9. An accepted match is a basis change -----------------------------------------------


def test_accepting_a_match_that_carries_refuting_evidence_lapses_a_confirmed_claim(
    confirmed: Claim, make_article: Any, fact_checker: Any, support: Any
) -> None:
    earlier = make_article(["Officials reported 467,000 measles cases in the region."])
    earlier_claim = earlier.claims.get()
    support(earlier_claim, "https://www.reuters.com/world/denial", Evidence.Stance.REFUTES)
    match = ClaimMatch.objects.create(claim=confirmed, matched_claim=earlier_claim, score=0.9)

    matching.accept_match(match=match, by=fact_checker)

    claim = reloaded(confirmed)
    assert claim.evidence.filter(stance=Evidence.Stance.REFUTES).exists()
    assert claim.status == Claim.Status.NEEDS_REREVIEW
    assert "match with claim" in last_reason(claim)
    assert "1 source refutes it" in last_reason(claim)


# --- 10. A source's publisher edited in the admin -----------------------------------------


def test_editing_a_sources_publisher_in_the_admin_lapses_the_claims_it_confirmed(
    client: Client, admin_user: User, confirmed: Claim
) -> None:
    source = Source.objects.get(url=WHO)
    client.force_login(admin_user)
    page = client.get(f"/admin/claims/source/{source.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["publisher"] = "dailyexample.com"  # the article's own publisher
    data |= {"captures-TOTAL_FORMS": "0", "captures-INITIAL_FORMS": "0"}
    response = client.post(f"/admin/claims/source/{source.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]

    claim = reloaded(confirmed)
    assert Source.objects.get(pk=source.pk).publisher == "dailyexample.com"
    assert claim.status == Claim.Status.NEEDS_REREVIEW, last_reason(claim)
    assert "publisher edited" in last_reason(claim)


# --- 11. Nothing deletes a record -----------------------------------------------------------


def test_merging_into_a_confirmed_next_claim_is_refused_and_keeps_its_records(
    article: Article, confirmed: Claim, editor: Any
) -> None:
    page = verdicts.publish(confirmed, by=editor)
    before = article.claims.filter(start__lt=confirmed.start).order_by("-start").first()

    with pytest.raises(edits.ClaimEditRejected, match="cannot be merged into another claim"):
        edits.merge_with_next(claim=before, by=editor)

    claim = reloaded(confirmed)
    assert claim.status == Claim.Status.CONFIRMED
    assert claim.confirmations.count() == 1
    assert VerdictPage.objects.filter(pk=page.pk, published=True).exists()


def test_merging_a_confirmed_claim_with_the_next_keeps_its_records_and_lapses_it(
    article: Article, confirmed: Claim, editor: Any
) -> None:
    merged = edits.merge_with_next(claim=confirmed, by=editor)
    assert merged.pk == confirmed.pk
    claim = reloaded(confirmed)
    assert claim.status == Claim.Status.NEEDS_REREVIEW
    assert claim.confirmations.count() == 1


def test_the_database_refuses_to_delete_a_claim_with_records(confirmed: Claim) -> None:
    with pytest.raises(ProtectedError), transaction.atomic():
        Claim.objects.filter(pk=confirmed.pk).delete()
    assert Confirmation.objects.filter(claim_id=confirmed.pk).exists()


# --- 12. A refused re-check is tried again ----------------------------------------------------


def test_a_refused_recheck_stays_on_the_schedule_until_a_person_stops_it(
    confirmed: Claim, fact_checker: Any
) -> None:
    source = Source.objects.get(url=WHO)
    Source.objects.filter(pk=source.pk).update(
        fetch_state=Source.FetchState.REFUSED, last_checked_at=None
    )
    assert source in sources.due_for_recheck()

    sources.stop_checks(source, by=fact_checker)
    assert source not in sources.due_for_recheck()
    assert "link checks stopped by fred" in source.history.first().history_change_reason
    sources.stop_checks(source, by=fact_checker, stop=False)
    assert source in sources.due_for_recheck()


# --- 13. Deleting a user changes no basis ---------------------------------------------------


def test_deleting_the_user_who_provided_a_capture_changes_no_confirmation(
    article: Article, fact_checker: Any, make_source: Any, editor: Any
) -> None:
    helper = User.objects.create_user("paula", "paula@example.org", "x")
    claim = article.claims.get(text=FIGURE)
    source = make_source("https://www.ft.com/content/measles")
    sources.provide_capture(
        source, text=f"Paywalled. {FIGURE} More.", by=helper, provided_as="pasted text"
    )
    Evidence.objects.create(
        claim=claim, source=source, stance="supports", excerpt="467,000 cases of measles were"
    )
    sources.check_quote(claim.evidence.get())
    Source.objects.filter(pk=source.pk).update(link_state=Source.LinkState.DEAD)
    status.confirm(claim, by=fact_checker)
    assert "provided by paula" in status.assess(claim).verdicts[claim.evidence.get().pk].reason

    helper.delete()

    assert status.lapse_reason(reloaded(claim)) == ""
    verdict = status.assess(reloaded(claim)).verdicts[claim.evidence.get().pk]
    assert verdict.counts and "provided by paula" in verdict.reason


# --- The outbox -----------------------------------------------------------------------------


def test_a_status_change_rolled_back_leaves_no_event_and_a_committed_one_always_has_one(
    confirmed: Claim, fact_checker: Any
) -> None:
    WebhookSubscriber.objects.create(
        url="https://hooks.example.org/in", secret="s" * 32, events=["claim.needs_rereview"]
    )
    with pytest.raises(RuntimeError), transaction.atomic():
        status.lapse([confirmed], cause="test", by=fact_checker)
        assert WebhookDelivery.objects.filter(event="claim.needs_rereview").count() == 1
        raise RuntimeError("rolled back")
    assert not WebhookDelivery.objects.exists()
    assert reloaded(confirmed).status == Claim.Status.CONFIRMED

    status.lapse([confirmed], cause="test", by=fact_checker)
    assert WebhookDelivery.objects.filter(event="claim.needs_rereview").count() == 1


# --- The audit --------------------------------------------------------------------------------


def test_the_audit_names_what_it_lapsed_and_the_desk_shows_when_it_last_ran(
    client: Client, confirmed: Claim, fact_checker: Any
) -> None:
    client.force_login(fact_checker)
    assert "has not run yet" in client.get("/queue/").content.decode()
    Evidence.objects.filter(claim=confirmed).delete()  # behind every service's back

    run = audit.audit()

    assert run.findings == [{"claim": confirmed.pk, "cause": reloaded(confirmed).status_note}]
    assert "evidence from who.int was removed" in run.findings[0]["cause"]
    assert AuditRun.objects.count() == 1
    html = client.get("/queue/").content.decode()
    assert "1 confirmed claim re-judged, 1 lapsed" in html


def test_only_the_confirmation_service_writes_a_claims_status() -> None:
    """The design's guarantee, held by reading the code: nothing but
    ``claims/confirmation/service.py`` calls ``set_status`` or writes ``status=`` into
    claims with ``update()``."""
    root = Path(__file__).resolve().parents[2] / "claims"
    offenders = []
    for path in root.rglob("*.py"):
        if "migrations" in path.parts or path == root / "confirmation" / "service.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            if node.func.attr == "set_status" and path.name != "claims.py":
                offenders.append(f"{path.relative_to(root)}:{node.lineno}")
            if node.func.attr in {"update", "bulk_update"} and any(
                kw.arg == "status" for kw in node.keywords
            ):
                offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    assert offenders == []
