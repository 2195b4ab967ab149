"""Corrections of the machine's labels in the claim panel: speaker, claim type and
check-worthy, each with a reason, recorded in the history with human labels, and kept
when the article is extracted again."""

from __future__ import annotations

import pytest

from claims.ingest import articles as ingest
from claims.models import Claim
from claims.review import edits
from claims.tasks import extract_claims

HTMX = {"HTTP_HX_REQUEST": "true"}
TEXT = (
    "Mike Pence said the new bridge will cost 40 million dollars. "
    "Joe Biden spoke to reporters on Monday. "
    "The council approved a budget of 4.2 million dollars on Monday."
)


def correct(client, claim: Claim, field: str, value: str, reason: str = "checked the video"):
    basis = edits.basis_of(Claim.objects.get(pk=claim.pk), field)  # what the panel showed
    data = {"field": field, "value": value, "reason": reason, "basis": basis}
    return client.post(f"/claims/{claim.pk}/correct/", data, **HTMX)


@pytest.fixture
def quote(editor) -> Claim:
    article = ingest.submit_article(text=TEXT, title="Bridge", by=editor)
    extract_claims.run(article.pk, 1)
    return Claim.objects.get(article=article, text__contains="bridge")


def test_a_fact_checker_corrects_the_speaker_with_a_reason_kept_in_the_history(
    client, fact_checker, quote
):
    assert quote.speaker == "Mike Pence"
    client.force_login(fact_checker)
    response = correct(client, quote, "speaker", "Joe Biden", "the video shows Biden")
    html = response.content.decode()
    quote.refresh_from_db()
    assert quote.speaker == "Joe Biden"
    assert quote.corrected_fields == ["speaker"]
    reason = quote.history.first().history_change_reason
    assert reason == "speaker corrected from Mike Pence to Joe Biden by fred: the video shows Biden"
    assert "speaker corrected from Mike Pence to Joe Biden by fred" in html  # the history
    assert 'id="result-correct-speaker"' in html and "The speaker is now Joe Biden." in html
    assert 'id="announce" hx-swap-oob="innerHTML"' in html  # keyboard users hear it


def test_the_speaker_can_be_picked_from_the_articles_people(client, fact_checker, quote):
    client.force_login(fact_checker)
    html = client.get(f"/claims/{quote.pk}/", **HTMX).content.decode()
    assert f'list="people-{quote.pk}"' in html
    assert '<option value="Mike Pence">' in html and '<option value="Joe Biden">' in html


def test_claim_type_and_check_worthy_are_recorded_with_their_labels_not_raw_values(
    client, fact_checker, quote
):
    client.force_login(fact_checker)
    before = quote.get_claim_type_display()
    correct(client, quote, "claim_type", "opinion")
    correct(client, quote, "check_worthy", "False")
    quote.refresh_from_db()
    assert quote.claim_type == "opinion" and quote.check_worthy is False
    assert sorted(quote.corrected_fields) == ["check_worthy", "claim_type"]
    reasons = list(quote.history.values_list("history_change_reason", flat=True)[:2])
    assert reasons == [
        "check-worthy corrected from yes to no by fred: checked the video",
        f"claim type corrected from {before} to Opinion by fred: checked the video",
    ]


def test_re_extraction_keeps_corrected_labels_and_updates_the_others(
    client, editor, fact_checker, quote
):
    client.force_login(fact_checker)
    correct(client, quote, "speaker", "Joe Biden")
    correct(client, quote, "claim_type", "opinion")
    Claim.objects.filter(pk=quote.pk).update(checkworthiness=0.01, hedged=True)
    article = quote.article
    ingest.revise_article(article=article, text="UPDATED. " + TEXT, by=editor)
    extract_claims.run(article.pk, 2)
    quote.refresh_from_db()
    assert quote.revision == 2
    assert quote.speaker == "Joe Biden" and quote.claim_type == "opinion"
    assert quote.checkworthiness > 0.01 and quote.hedged is False  # not corrected: re-analysed


@pytest.mark.parametrize(
    ("field", "value", "reason", "error"),
    [
        ("claim_type", "gossip", "x", "Select a valid choice"),
        ("speaker", "Joe Biden", "", "This field is required"),
        ("status", "confirmed", "x", "Select a valid choice"),
        ("check_worthy", "maybe", "x", "Select a valid choice"),
    ],
)
def test_a_correction_that_cannot_be_used_changes_nothing_and_says_why(
    client, fact_checker, quote, field, value, reason, error
):
    client.force_login(fact_checker)
    html = correct(client, quote, field, value, reason).content.decode()
    assert "Not corrected" in html and error in html
    fresh = Claim.objects.get(pk=quote.pk)
    assert fresh.corrected_fields == [] and fresh.status == quote.status
    assert fresh.claim_type == quote.claim_type and fresh.speaker == quote.speaker


def test_a_viewer_and_an_outsider_cannot_correct_and_get_is_refused(
    client, viewer, outsider, fact_checker, quote
):
    for user in (viewer, outsider):
        client.force_login(user)
        assert correct(client, quote, "speaker", "Joe Biden").status_code == 403
    client.force_login(fact_checker)
    assert client.get(f"/claims/{quote.pk}/correct/").status_code == 405
    quote.refresh_from_db()
    assert quote.speaker == "Mike Pence"


def test_a_plain_post_corrects_and_redirects_to_the_claim(client, fact_checker, quote):
    client.force_login(fact_checker)
    data = {"field": "speaker", "value": "Joe Biden", "reason": "video", "basis": quote.speaker}
    response = client.post(f"/claims/{quote.pk}/correct/", data)
    assert response.status_code == 302 and response["Location"] == quote.get_absolute_url()
    assert Claim.objects.get(pk=quote.pk).speaker == "Joe Biden"


def test_a_corrected_factuality_sets_hedged_to_match(client, fact_checker, quote):
    import json
    from pathlib import Path

    from claims.models import HEDGING_FACTUALITY

    assert not quote.hedged
    client.force_login(fact_checker)
    correct(client, quote, "factuality", "unverified_report", "it was a rumour")
    quote.refresh_from_db()
    assert quote.factuality == "unverified_report" and quote.hedged
    assert "factuality" in quote.corrected_fields
    reason = quote.history.first().history_change_reason
    assert reason.startswith("factuality corrected from ")
    assert reason.endswith(" to Unverified report by fred: it was a rumour")
    rules = Path(__file__).parents[2] / "claims" / "nlp" / "data" / "hedges.json"
    assert set(json.loads(rules.read_text())["hedging_values"]) == HEDGING_FACTUALITY
