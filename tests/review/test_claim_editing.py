"""Editors reshape claims: split one, merge neighbours, create one from a selection."""

from __future__ import annotations

import pytest

from claims.models import Claim, Evidence
from tests.support import login

SENTENCES = [
    "The United States has pledged 300 advisers, but Washington said troops would not fight.",
    "The council approved a budget of 4.2 million dollars on Monday.",
]
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def article(make_article):
    return make_article(SENTENCES)


def test_splitting_a_claim_makes_two_anchored_claims(client, editor, article):
    claim = article.claims.order_by("start").first()
    response = login(client, editor).post(
        f"/claims/{claim.pk}/split/", {"before": "but Washington"}, **HTMX
    )
    assert response["HX-Redirect"] == claim.get_absolute_url()
    first, second = article.claims.order_by("start")[:2]
    assert first.pk == claim.pk
    assert first.text == "The United States has pledged 300 advisers,"
    assert second.text == "but Washington said troops would not fight."
    for part in (first, second):
        assert article.body[part.start : part.end] == part.text
    assert second.history.first().history_change_reason == f"split from claim #{claim.pk}"


def test_a_split_needs_words_inside_the_claim(client, editor, article):
    claim = article.claims.order_by("start").first()
    response = login(client, editor).post(
        f"/claims/{claim.pk}/split/", {"before": "not in there"}, follow=True
    )
    assert "Type the words where the second part begins" in response.content.decode()
    assert article.claims.count() == 2


def test_merging_moves_the_evidence_and_keeps_the_record(client, editor, article, support):
    first, second = article.claims.order_by("start")
    support(second, "https://www.reuters.com/a")
    login(client, editor).post(f"/claims/{first.pk}/merge/")
    merged = Claim.objects.get()
    assert merged.pk == first.pk
    assert merged.text == article.body
    assert Evidence.objects.get().claim == merged
    assert Claim.history.filter(id=second.pk, history_type="-").exists()


def test_creating_a_claim_from_a_selection(client, editor, article):
    start = article.body.index("4.2 million")
    response = login(client, editor).post(
        f"/articles/{article.pk}/claims/new/", {"start": start - 1, "end": start + 12}
    )
    claim = Claim.objects.get(origin=Claim.Origin.MANUAL)
    assert response["Location"] == claim.get_absolute_url()
    assert claim.text == "4.2 million"  # surrounding spaces trimmed
    assert article.body[claim.start : claim.end] == claim.text


def test_an_empty_selection_is_refused_with_a_message(client, editor, article):
    response = login(client, editor).post(
        f"/articles/{article.pk}/claims/new/", {"start": 5, "end": 5}, follow=True
    )
    assert "Select some text" in response.content.decode()


@pytest.mark.parametrize("persona", ["fact_checker", "viewer"])
def test_only_editors_reshape_claims(client, request, persona, article):
    claim = article.claims.first()
    login(client, request.getfixturevalue(persona))
    assert client.post(f"/claims/{claim.pk}/split/", {"before": "but"}).status_code == 403
    assert client.post(f"/claims/{claim.pk}/merge/").status_code == 403
    response = client.post(f"/articles/{article.pk}/claims/new/", {"start": 0, "end": 9})
    assert response.status_code == 403
    assert article.claims.count() == 2


def test_reshaping_refuses_get(client, editor, article):
    claim = article.claims.first()
    assert login(client, editor).get(f"/claims/{claim.pk}/split/").status_code == 405


def test_reextraction_keeps_a_split_claims_shape_and_a_merge_never_duplicates_an_anchor(
    editor,
):
    """Found by the confirmation state machine: after a split and an edit, re-extraction
    added the whole sentence again over the two parts, and merging the parts then
    collided with it (an IntegrityError, a 500)."""
    from claims.ingest import articles as ingest
    from claims.review import edits
    from claims.tasks import extract_claims

    first = "Health officials reported 467,000 cases of measles in the region last year."
    second = "Vaccination rates fell to 71 percent in the northern provinces."
    article = ingest.submit_article(text=f"{first} {second}", title="t", by=editor)
    extract_claims.run(article.pk, 1)
    claim = article.claims.get(text=second)
    edits.split_claim(claim=claim, before="in the northern", by=editor)
    article.refresh_from_db()
    ingest.revise_article(article=article, text=f"Breaking. {first} {second}", by=editor)
    extract_claims.run(article.pk, 2)
    texts = set(article.claims.filter(orphaned=False).values_list("text", flat=True))
    assert {"Vaccination rates fell to 71 percent", "in the northern provinces."} <= texts
    assert second not in texts
    claim.refresh_from_db()
    merged = edits.merge_with_next(claim=claim, by=editor)
    assert merged.text == second
