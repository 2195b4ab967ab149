""" "Confirmed" always rests on evidence that still holds: one test per way the ground
could go from under a confirmation (issue 12), each ending in *needs re-review* or a
refusal with a reason, and ClaimReview never rating such a claim Confirmed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from claims.confirmation import service as status
from claims.ingest import articles as ingest
from claims.models import (
    Article,
    Claim,
    Confirmation,
    ConfirmationRefused,
    Evidence,
    Publisher,
    PublisherDomain,
    Source,
)
from claims.publication import exports
from claims.review import evidence as verification
from claims.sources import capture as sources
from claims.tasks import extract_claims, read_provided_file
from tests.conftest import capture

CASES = "Health officials reported 467,000 cases of measles in the region last year."
TEXT = (
    "The outbreak spread quickly across three provinces. "
    f"{CASES} "
    "Vaccination campaigns resumed in March after a long pause."
)
HTMX = {"HTTP_HX_REQUEST": "true"}


def rating(claim: Claim) -> int | None:
    """The claim's ClaimReview rating in its article's export; None when it is not
    published as a review at all (only decided claims are)."""
    article = Article.objects.get(pk=claim.article_id)
    graph = exports.article_claimreview(article)["@graph"]
    by_url = {review["url"]: review for review in graph}
    review = by_url.get(exports.review_url(claim))
    return review["reviewRating"]["ratingValue"] if review else None


@pytest.fixture
def article(editor: Any) -> Article:
    article = ingest.submit_article(
        text=TEXT, title="Measles", outlet="Daily Example", url="https://www.dailyexample.com/a",
        by=editor,
    )  # fmt: skip
    extract_claims.run(article.pk, article.revision)
    return Article.objects.get(pk=article.pk)


@pytest.fixture
def confirmed(article: Article, fact_checker: Any, support: Any) -> Claim:
    claim = article.claims.get(text=CASES)
    support(claim, "https://www.who.int/news/measles", excerpt="467,000 cases of measles")
    status.confirm(claim, by=fact_checker, note="WHO figures")
    assert rating(claim) == 3
    return claim


def reloaded(claim: Claim) -> Claim:
    return Claim.objects.get(pk=claim.pk)


def last_reason(claim: Claim) -> str:
    return claim.history.first().history_change_reason


# --- A confirmation records its basis ---------------------------------------------------------


def test_a_confirmation_records_the_wording_and_the_evidence_it_rested_on(
    confirmed: Claim, fact_checker: Any
) -> None:
    record = Confirmation.objects.get(claim=confirmed)
    evidence = confirmed.evidence.get()
    assert record.confirmed_by == fact_checker and record.note == "WHO figures"
    assert record.wording == CASES
    assert len(record.wording_sha256) == 64
    (basis,) = record.basis
    assert basis["evidence"] == evidence.pk and basis["publisher"] == "who.int"
    assert basis["capture_sha256"] == sources.latest_capture(evidence.source).text_sha256
    assert basis["quote_check"] == "found" and basis["excerpt"] == "467,000 cases of measles"
    assert last_reason(confirmed) == "confirmed on who.int: WHO figures"


def test_a_confirmation_record_is_never_changed(confirmed: Claim) -> None:
    record = Confirmation.objects.get(claim=confirmed)
    record.note = "rewritten"
    with pytest.raises(ValueError, match="never changed"):
        record.save()


# --- Scenario 1: the only supporting evidence is deleted --------------------------------------


def test_deleting_the_only_supporting_evidence_sends_the_claim_to_rereview(
    client: Client, confirmed: Claim, fact_checker: Any
) -> None:
    evidence = confirmed.evidence.get()
    client.force_login(fact_checker)
    response = client.post(f"/evidence/{evidence.pk}/delete/", **HTMX)
    assert response.status_code == 200
    claim = reloaded(confirmed)
    assert claim.status == Claim.Status.NEEDS_REREVIEW
    assert "Needs re-review" in response.content.decode()
    reason = last_reason(claim)
    assert reason.startswith("needs re-review: evidence removed")
    assert "evidence from who.int was removed" in reason
    assert rating(claim) is None  # not a review: undecided
    review = exports.claimreview(claim)
    assert review["reviewRating"]["alternateName"] == "Needs re-review"


# --- Scenario 2: the article is edited and the claim's number changes -------------------------


def test_an_edit_that_changes_the_claims_number_lapses_it_at_once_and_after_reextraction(
    article: Article, confirmed: Claim, editor: Any
) -> None:
    ingest.revise_article(article=article, text=TEXT.replace("467,000", "567,000"), by=editor)
    claim = reloaded(confirmed)
    assert claim.status == Claim.Status.NEEDS_REREVIEW  # before the worker runs
    assert "the confirmed wording is no longer in the article" in last_reason(claim)
    assert rating(claim) is None  # not a review: undecided

    extract_claims.run(article.pk, article.revision + 1)
    claim = reloaded(confirmed)
    assert "567,000" in claim.text and claim.status == Claim.Status.NEEDS_REREVIEW
    assert rating(claim) is None  # not a review: undecided
    graph = exports.article_claimreview(Article.objects.get(pk=article.pk))["@graph"]
    assert all(r["reviewRating"]["ratingValue"] != 3 for r in graph)


def test_an_approximate_reanchor_lapses_a_confirmation_even_when_no_one_lapsed_it_earlier(
    article: Article, confirmed: Claim
) -> None:
    new_text = TEXT.replace("467,000", "567,000")
    Article.objects.filter(pk=article.pk).update(body=new_text, revision=2)
    article.revisions.create(number=2, body=new_text)
    Article.objects.filter(pk=article.pk).update(state=Article.State.QUEUED)
    extract_claims.run(article.pk, 2)
    claim = reloaded(confirmed)
    assert claim.status == Claim.Status.NEEDS_REREVIEW
    assert "the claim's wording changed since it was confirmed" in last_reason(claim)


def test_an_edit_elsewhere_keeps_the_confirmation(
    article: Article, confirmed: Claim, editor: Any
) -> None:
    ingest.revise_article(article=article, text=TEXT.replace("March", "April"), by=editor)
    extract_claims.run(article.pk, article.revision + 1)
    claim = reloaded(confirmed)
    assert claim.status == Claim.Status.CONFIRMED and claim.revision == 2
    assert rating(claim) == 3


# --- Scenario 3: the claim's sentence is deleted (orphaned) -----------------------------------


def test_an_orphaned_claim_is_never_exported_as_confirmed(
    article: Article, confirmed: Claim, editor: Any
) -> None:
    ingest.revise_article(article=article, text=TEXT.replace(CASES + " ", ""), by=editor)
    extract_claims.run(article.pk, article.revision + 1)
    claim = reloaded(confirmed)
    assert claim.orphaned and claim.status == Claim.Status.NEEDS_REREVIEW
    assert rating(claim) is None  # not a review: undecided


# --- Scenario 4: the source was never captured ------------------------------------------------


def test_a_source_that_was_never_captured_does_not_count_and_the_panel_says_so(
    client: Client, article: Article, fact_checker: Any, support: Any, monkeypatch: Any
) -> None:
    from claims.sources.fetching import FetchResult

    claim = article.claims.get(text=CASES)
    evidence = support(claim, "https://www.who.int/x", excerpt="467,000 cases", captured=False)
    unresolved = FetchResult(
        status="failed", reason="failed: could not resolve host www.who.int",
        url=evidence.source.url, final_url="",
    )  # fmt: skip
    monkeypatch.setattr(sources, "safe_fetch", lambda url: unresolved)
    assert sources.capture(evidence.source_id) == "failed"
    source = Source.objects.get(pk=evidence.source_id)
    assert source.link_state != Source.LinkState.DEAD  # it never lived
    with pytest.raises(ConfirmationRefused, match="needs 1 more supporting source"):
        status.confirm(claim, by=fact_checker)
    client.force_login(fact_checker)
    html = client.get(f"/claims/{claim.pk}/", **HTMX).content.decode()
    assert "Does not count: never captured (failed: could not resolve host" in html
    assert "died or changed" not in html
    assert "provide the source's content" in html
    response = client.post(f"/claims/{claim.pk}/status/", {"action": "confirm"}, **HTMX)
    assert "Cannot confirm: needs 1 more supporting source" in response.content.decode()
    assert reloaded(claim).status == Claim.Status.UNCONFIRMED


def test_content_provided_by_hand_becomes_a_capture_that_counts(
    client: Client, article: Article, fact_checker: Any, support: Any
) -> None:
    claim = article.claims.get(text=CASES)
    evidence = support(
        claim, "https://www.ft.com/paywalled", excerpt="467,000 cases of measles", captured=False
    )
    client.force_login(fact_checker)
    upload = SimpleUploadedFile(
        "report.html",
        b"<html><body><article><h1>Measles</h1><p>The region saw 467,000 cases of "
        b"measles last year, health officials said in a report published on Monday "
        b"after months of delays.</p></article></body></html>",
    )
    response = client.post(f"/sources/{evidence.source_id}/capture/", {"file": upload})
    assert response.status_code == 302
    assert read_provided_file.run(evidence.source.provided_files.get().pk) == "done"
    latest = sources.latest_capture(evidence.source)
    assert latest.provided_by == fact_checker and latest.provided_as == "report.html"
    evidence.refresh_from_db()
    assert evidence.quote_check == Evidence.QuoteCheck.FOUND
    assert evidence.quote_sha256 == latest.text_sha256
    status.confirm(claim, by=fact_checker)
    assert "provided by fred" in status.assess(claim).verdicts[evidence.pk].reason


def test_pasted_content_must_not_be_empty(
    client: Client, article: Article, fact_checker: Any, make_source: Any
) -> None:
    source = make_source("https://www.ft.com/other")
    client.force_login(fact_checker)
    response = client.post(f"/sources/{source.pk}/capture/", {"text": "   "})
    assert "Upload a file or paste the text" in response.content.decode()
    assert not source.captures.exists()


def test_a_viewer_cannot_provide_content(client: Client, viewer: Any, make_source: Any) -> None:
    source = make_source("https://www.ft.com/other")
    client.force_login(viewer)
    assert client.post(f"/sources/{source.pk}/capture/", {"text": "x"}).status_code == 403


def test_a_dead_fetched_source_stops_counting_but_a_provided_capture_stands(
    confirmed: Claim, fact_checker: Any
) -> None:
    evidence = confirmed.evidence.get()
    sources.provide_capture(
        evidence.source, text="Archive copy: 467,000 cases of measles.", by=fact_checker,
        provided_as="pasted text",
    )  # fmt: skip
    Source.objects.filter(pk=evidence.source_id).update(link_state=Source.LinkState.DEAD)
    status.reevaluate([confirmed], cause="test")
    assert reloaded(confirmed).status == Claim.Status.CONFIRMED


def test_a_capture_that_no_longer_contains_the_excerpt_lapses_the_claim(
    confirmed: Claim, monkeypatch: Any
) -> None:
    from claims.sources.fetching import FetchResult

    evidence = confirmed.evidence.get()
    changed = FetchResult(
        status="ok", reason="", url=evidence.source.url, final_url=evidence.source.url,
        http_status=200, content_type="text/plain", text="The figures were withdrawn.",
    )  # fmt: skip
    monkeypatch.setattr(sources, "safe_fetch", lambda url: changed)
    assert sources.capture(evidence.source_id) == "changed"
    claim = reloaded(confirmed)
    assert claim.status == Claim.Status.NEEDS_REREVIEW
    assert "excerpt not found in the capture of" in last_reason(claim)


# --- Scenario 5: publishers, not domains ------------------------------------------------------


def test_a_bbc_co_uk_page_does_not_confirm_a_bbc_com_article(
    editor: Any, fact_checker: Any, support: Any
) -> None:
    article = ingest.submit_article(
        text=TEXT, title="Measles", outlet="BBC News", url="https://www.bbc.com/news/world-1",
        by=editor,
    )  # fmt: skip
    extract_claims.run(article.pk, article.revision)
    claim = article.claims.get(text=CASES)
    evidence = support(
        claim, "https://www.bbc.co.uk/news/health-2", excerpt="467,000 cases of measles"
    )
    verdict = status.assess(claim).verdicts[evidence.pk]
    assert not verdict.counts and verdict.reason == "same publisher as the article: BBC"
    with pytest.raises(ConfirmationRefused):
        status.confirm(claim, by=fact_checker)


def test_wire_copy_counts_as_its_wire(
    editor: Any, fact_checker: Any, support: Any, make_source: Any
) -> None:
    article = ingest.submit_article(
        text=TEXT, title="Measles", outlet="Reuters", url="https://www.reuters.com/world/x",
        by=editor,
    )  # fmt: skip
    extract_claims.run(article.pk, article.revision)
    claim = article.claims.get(text=CASES)
    source = make_source("https://news.yahoo.com/measles-cases")
    capture(
        source,
        "GENEVA (Reuters) - Health officials reported 467,000 cases of measles last year.",
        wire="Reuters",
        wire_credit="(Reuters)",
    )
    evidence = support(claim, source.url, excerpt="467,000 cases of measles")
    verdict = status.assess(claim).verdicts[evidence.pk]
    assert not verdict.counts
    assert verdict.reason == "same publisher as the article: Reuters"


def test_a_capture_records_the_wire_its_text_credits(make_source: Any, monkeypatch: Any) -> None:
    from claims.sources.fetching import FetchResult

    source = make_source("https://news.yahoo.com/story")
    fetched = FetchResult(
        status="ok", reason="", url=source.url, final_url=source.url, http_status=200,
        content_type="text/plain", text="LONDON (Reuters) - Prices rose 3 percent in May.",
    )  # fmt: skip
    monkeypatch.setattr(sources, "safe_fetch", lambda url: fetched)
    sources.capture(source.pk)
    latest = sources.latest_capture(source)
    assert (latest.wire, latest.wire_credit) == ("Reuters", "(Reuters)")


def test_adding_a_domain_to_the_articles_publisher_lapses_a_claim_it_confirmed(
    client: Client, admin_user: Any, confirmed: Claim
) -> None:
    client.force_login(admin_user)
    publisher = Publisher.objects.create(name="Daily Example Group")
    PublisherDomain.objects.create(publisher=publisher, domain="dailyexample.com")
    url = f"/admin/claims/publisher/{publisher.pk}/change/"
    data = {
        "name": publisher.name, "url": "", "wire_credits": "[]", "cite": "",
        "domains-TOTAL_FORMS": "2", "domains-INITIAL_FORMS": "1",
        "domains-MIN_NUM_FORMS": "0", "domains-MAX_NUM_FORMS": "1000",
        "domains-0-id": str(publisher.domains.get().pk), "domains-0-publisher": str(publisher.pk),
        "domains-0-domain": "dailyexample.com",
        "domains-1-id": "", "domains-1-publisher": str(publisher.pk), "domains-1-domain": "who.int",
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    claim = reloaded(confirmed)
    assert claim.status == Claim.Status.NEEDS_REREVIEW
    assert "same publisher as the article: Daily Example Group" in last_reason(claim)


def test_adding_a_publisher_in_the_admin_saves_its_domains_and_lapses_what_it_joins(
    client: Client, admin_user: Any, confirmed: Claim
) -> None:
    client.force_login(admin_user)
    data = {
        "name": "Example Health Group", "url": "", "wire_credits": "[]", "cite": "",
        "domains-TOTAL_FORMS": "2", "domains-INITIAL_FORMS": "0",
        "domains-MIN_NUM_FORMS": "0", "domains-MAX_NUM_FORMS": "1000",
        "domains-0-id": "", "domains-0-domain": "dailyexample.com",
        "domains-1-id": "", "domains-1-domain": "who.int",
    }  # fmt: skip
    response = client.post("/admin/claims/publisher/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    publisher = Publisher.objects.get(name="Example Health Group")
    assert sorted(publisher.domains.values_list("domain", flat=True)) == [
        "dailyexample.com",
        "who.int",
    ]
    claim = reloaded(confirmed)
    assert claim.status == Claim.Status.NEEDS_REREVIEW
    assert last_reason(claim).startswith(
        "needs re-review: publisher Example Health Group was edited;"
    )


def test_deleting_a_publisher_in_the_admin_deletes_it_and_keeps_what_still_holds(
    client: Client, admin_user: Any, confirmed: Claim
) -> None:
    joined = Publisher.objects.create(name="Example Health Group")
    PublisherDomain.objects.create(publisher=joined, domain="who.int")
    client.force_login(admin_user)
    response = client.post(f"/admin/claims/publisher/{joined.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Publisher.objects.filter(pk=joined.pk).exists()
    assert reloaded(confirmed).status == Claim.Status.CONFIRMED  # who.int alone still holds


# --- Scenario 6: no back doors in the admin ---------------------------------------------------


def test_the_admin_cannot_rewrite_a_claims_text_or_an_articles_body(
    client: Client, admin_user: Any, confirmed: Claim
) -> None:
    client.force_login(admin_user)
    page = client.get(f"/admin/claims/claim/{confirmed.pk}/change/").content.decode()
    assert 'name="text"' not in page and 'name="start"' not in page
    client.post(
        f"/admin/claims/claim/{confirmed.pk}/change/",
        {"text": "Officials reported 9 cases.", "start": 0, "end": 5, "check_worthy": "on",
         "claim_type": "quantity", "checkworthiness": "0.9", "speaker": ""},
    )  # fmt: skip
    assert reloaded(confirmed).text == CASES
    article = Article.objects.get(pk=confirmed.article_id)
    page = client.get(f"/admin/claims/article/{article.pk}/change/").content.decode()
    assert 'name="body"' not in page
    assert client.get("/admin/claims/claim/add/").status_code == 403


def test_the_admin_cannot_restore_an_old_version_of_a_claim(
    client: Client, admin_user: Any, confirmed: Claim, fact_checker: Any
) -> None:
    confirmed_version = confirmed.history.first()
    assert confirmed_version.status == Claim.Status.CONFIRMED
    verification.remove_evidence(evidence=confirmed.evidence.get(), by=fact_checker)
    client.force_login(admin_user)
    url = f"/admin/claims/claim/{confirmed.pk}/history/{confirmed_version.history_id}/"
    assert client.get(url).status_code == 200  # old versions can be read
    form = {"sentence_index": "1", "checkworthiness": "0.9", "check_worthy": "on",
            "claim_type": "quantity", "hedge_cues": "[]", "speaker": "", "attribution": "null",
            "entities": "[]", "assignee": "", "_save": "Save",
            "evidence-TOTAL_FORMS": "0", "evidence-INITIAL_FORMS": "0",
            "confirmations-TOTAL_FORMS": "0", "confirmations-INITIAL_FORMS": "0"}  # fmt: skip
    response = client.post(url, form)
    assert response.status_code == 403
    assert reloaded(confirmed).status == Claim.Status.NEEDS_REREVIEW


def test_deleting_evidence_in_the_admin_goes_through_the_same_workflow(
    client: Client, admin_user: Any, confirmed: Claim
) -> None:
    evidence = confirmed.evidence.get()
    client.force_login(admin_user)
    client.post(f"/admin/claims/evidence/{evidence.pk}/delete/", {"post": "yes"})
    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    assert reloaded(confirmed).status == Claim.Status.NEEDS_REREVIEW


def test_changing_the_stance_lapses_the_confirmation(
    client: Client, confirmed: Claim, fact_checker: Any
) -> None:
    evidence = confirmed.evidence.get()
    client.force_login(fact_checker)
    client.post(
        f"/evidence/{evidence.pk}/stance/", {"stance": "context", "basis": evidence.stance}, **HTMX
    )
    claim = reloaded(confirmed)
    assert claim.status == Claim.Status.NEEDS_REREVIEW
    assert "stance changed from supports to context" in last_reason(claim)


# --- Scenario 7: split, merge or create right after an edit -----------------------------------


@pytest.mark.parametrize("action", ["split", "merge", "create"])
def test_editing_claims_by_hand_waits_for_reextraction_after_an_edit(
    client: Client, article: Article, confirmed: Claim, editor: Any, action: str
) -> None:
    ingest.revise_article(article=article, text="Breaking. " + TEXT, by=editor)
    client.force_login(editor)
    before = list(Claim.objects.values_list("pk", "text", "start", "end"))
    if action == "split":
        client.post(f"/claims/{confirmed.pk}/split/", {"before": "of measles"})
    elif action == "merge":
        client.post(f"/claims/{confirmed.pk}/merge/")
    else:
        client.post(f"/articles/{article.pk}/claims/new/", {"start": 0, "end": 9})
    assert list(Claim.objects.values_list("pk", "text", "start", "end")) == before
    page = client.get(confirmed.get_absolute_url()).content.decode()
    assert "newer revision waiting for re-extraction" in page


def test_splitting_a_confirmed_claim_sends_it_to_rereview(
    client: Client, confirmed: Claim, editor: Any
) -> None:
    client.force_login(editor)
    client.post(f"/claims/{confirmed.pk}/split/", {"before": "of measles"})
    claim = reloaded(confirmed)
    assert claim.text == "Health officials reported 467,000 cases"
    assert claim.status == Claim.Status.NEEDS_REREVIEW
    assert "the claim was split" in last_reason(claim)


def test_merging_a_confirmed_claim_sends_it_to_rereview(
    client: Client, confirmed: Claim, editor: Any
) -> None:
    client.force_login(editor)
    client.post(f"/claims/{confirmed.pk}/merge/")
    claim = reloaded(confirmed)
    assert claim.text.endswith("after a long pause.")
    assert claim.status == Claim.Status.NEEDS_REREVIEW


# --- Nothing is confirmed automatically; re-review is visible everywhere ----------------------


def test_a_lapsed_claim_is_not_confirmed_again_by_itself(
    confirmed: Claim, fact_checker: Any, support: Any
) -> None:
    verification.remove_evidence(evidence=confirmed.evidence.get(), by=fact_checker)
    support(reloaded(confirmed), "https://apnews.com/measles", excerpt="467,000 cases of measles")
    claim = reloaded(confirmed)
    assert claim.status == Claim.Status.NEEDS_REREVIEW
    status.confirm(claim, by=fact_checker, note="AP has it")
    assert reloaded(claim).status == Claim.Status.CONFIRMED
    assert Confirmation.objects.filter(claim=claim).count() == 2


def test_needs_rereview_shows_in_the_list_filter_the_api_and_the_csv(
    client: Client, confirmed: Claim, fact_checker: Any, viewer: Any
) -> None:
    verification.remove_evidence(evidence=confirmed.evidence.get(), by=fact_checker)
    client.force_login(viewer)
    listed = client.get("/claims/?status=needs_rereview").content.decode()
    assert f'id="claim-row-{confirmed.pk}"' in listed or CASES in listed
    assert CASES not in client.get("/claims/?status=confirmed").content.decode()
    api = json.loads(client.get(f"/api/claims/{confirmed.pk}/").content)
    assert api["status"] == "needs_rereview" and api["verdict"] == "undecided"
    csv_text = b"".join(client.get(f"/articles/{confirmed.article_id}/export.csv")).decode()
    assert "needs_rereview" in csv_text


# --- Commands --------------------------------------------------------------------------


def test_reevaluate_claims_applies_a_stricter_rule_to_confirmed_claims(
    confirmed: Claim, settings: Any
) -> None:
    from io import StringIO

    from django.core.management import call_command

    settings.WORKBENCH_CONFIRMATIONS_REQUIRED = 2
    out = StringIO()
    call_command("reevaluate_claims", stdout=out)
    assert "Re-evaluated 1 confirmed claim: 1 moved to needs re-review." in out.getvalue()
    assert reloaded(confirmed).status == Claim.Status.NEEDS_REREVIEW


def test_seed_publishers_restores_a_deleted_family(db: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    Publisher.objects.filter(name="BBC").delete()
    out = StringIO()
    call_command("seed_publishers", stdout=out)
    assert out.getvalue().startswith("1 publisher added")
    assert set(Publisher.objects.get(name="BBC").domains.values_list("domain", flat=True)) >= {
        "bbc.com",
        "bbc.co.uk",
        "bbci.co.uk",
    }


def test_a_provided_pdf_is_read_like_a_fetched_one(
    client: Client, article: Article, fact_checker: Any, support: Any
) -> None:
    from tests.support import minimal_pdf

    claim = article.claims.get(text=CASES)
    evidence = support(
        claim, "https://www.ft.com/pdf-report", excerpt="467,000 cases of measles", captured=False
    )
    client.force_login(fact_checker)
    upload = SimpleUploadedFile(
        "report.pdf", minimal_pdf("Officials reported 467,000 cases of measles.")
    )
    response = client.post(f"/sources/{evidence.source_id}/capture/", {"file": upload})
    assert response.status_code == 302
    assert read_provided_file.run(evidence.source.provided_files.get().pk) == "done"
    evidence.refresh_from_db()
    assert evidence.quote_check == Evidence.QuoteCheck.FOUND
    assert sources.latest_capture(evidence.source).provided_as == "report.pdf"


def test_an_unreadable_upload_is_refused_with_the_reason_and_nothing_is_stored(
    client: Client, fact_checker: Any, make_source: Any
) -> None:
    source = make_source("https://www.ft.com/other")
    client.force_login(fact_checker)
    upload = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n....")
    html = client.post(f"/sources/{source.pk}/capture/", {"file": upload}).content.decode()
    assert "Cannot read .png files: upload a PDF, HTML or text file." in html
    assert not source.captures.exists()


def test_changing_the_articles_url_in_the_admin_reevaluates_its_claims(
    client: Client, admin_user: Any, confirmed: Claim
) -> None:
    article = Article.objects.get(pk=confirmed.article_id)
    client.force_login(admin_user)
    revision = article.revisions.get()
    data = {"title": article.title, "outlet": article.outlet, "origin": article.origin,
            "url": "https://www.who.int/news/our-own-story", "published_at": "",
            "created_by": str(article.created_by_id or ""),
            "revisions-TOTAL_FORMS": "1", "revisions-INITIAL_FORMS": "1",
            "revisions-MIN_NUM_FORMS": "0", "revisions-MAX_NUM_FORMS": "1000",
            "revisions-0-id": str(revision.pk), "revisions-0-article": str(article.pk)}  # fmt: skip
    response = client.post(f"/admin/claims/article/{article.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:1500]
    claim = reloaded(confirmed)
    assert claim.status == Claim.Status.NEEDS_REREVIEW
    assert "the article's url changed in the admin" in last_reason(claim)
    assert "same publisher as the article: who.int" in last_reason(claim)


def test_editing_a_publishers_wire_credits_marks_captures_and_reevaluates(
    client: Client, admin_user: Any, confirmed: Claim
) -> None:
    evidence = confirmed.evidence.get()
    capture(evidence.source, "GENEVA (DEX) - Health officials reported 467,000 cases of measles.")
    sources.recheck_quotes(evidence.source, cause="test")
    assert reloaded(confirmed).status == Claim.Status.CONFIRMED
    publisher = Publisher.objects.create(name="Daily Example Group")
    PublisherDomain.objects.create(publisher=publisher, domain="dailyexample.com")
    client.force_login(admin_user)
    data = {
        "name": publisher.name, "url": "", "wire_credits": json.dumps([r"\(DEX\)"]), "cite": "",
        "domains-TOTAL_FORMS": "1", "domains-INITIAL_FORMS": "1",
        "domains-MIN_NUM_FORMS": "0", "domains-MAX_NUM_FORMS": "1000",
        "domains-0-id": str(publisher.domains.get().pk), "domains-0-publisher": str(publisher.pk),
        "domains-0-domain": "dailyexample.com",
    }  # fmt: skip
    response = client.post(f"/admin/claims/publisher/{publisher.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:1500]
    assert sources.latest_capture(evidence.source).wire == "Daily Example Group"
    claim = reloaded(confirmed)
    assert claim.status == Claim.Status.NEEDS_REREVIEW
    assert "same publisher as the article: Daily Example Group" in last_reason(claim)
