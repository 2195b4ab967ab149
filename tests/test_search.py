"""Search folds case and Unicode on every database (``claims/search.py``): run this file
on SQLite (the default) and on PostgreSQL (``DATABASE_URL=postgres://...``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from claims.models import Article, Claim

NFC = "Le café de Zoë a fermé."
NFD = "Le cafe\u0301 de Zoe\u0308 a ferme\u0301."


@pytest.fixture
def as_viewer(client: Client, viewer: User) -> Client:
    client.force_login(viewer)
    return client


@pytest.fixture
def stored(make_article: Callable[..., Article]) -> dict[str, Claim]:
    """One claim stored precomposed, one stored decomposed (as rows from before text
    was normalised on the way in), one in capitals, one unrelated."""
    article = make_article(
        [NFC, "ÉLECTIONS À MONTRÉAL: LE CAFÉ CENTRAL FERME.", "Nothing to see here."],
        title="Élection à Montréal",
        outlet="Le Devoir",
    )
    decomposed = make_article(["A placeholder sentence."], title="Second")
    claim = decomposed.claims.get()
    Claim.objects.filter(pk=claim.pk).update(text=NFD)
    claims = dict(zip(("nfc", "upper", "other"), article.claims.order_by("start"), strict=True))
    return claims | {"nfd": Claim.objects.get(pk=claim.pk)}


def _api(client: Client, name: str, **params: Any) -> set[int]:
    response = client.get(reverse(name), params)
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


def test_a_precomposed_term_finds_decomposed_and_precomposed_text(
    as_viewer: Client, stored: dict[str, Claim]
) -> None:
    found = _api(as_viewer, "api-claim-list", q="café")

    assert found == {stored["nfc"].pk, stored["nfd"].pk, stored["upper"].pk}


def test_a_decomposed_term_finds_the_same_claims(
    as_viewer: Client, stored: dict[str, Claim]
) -> None:
    assert _api(as_viewer, "api-claim-list", q="cafe\u0301") == _api(
        as_viewer, "api-claim-list", q="café"
    )


def test_case_is_folded_beyond_ascii(as_viewer: Client, stored: dict[str, Claim]) -> None:
    assert _api(as_viewer, "api-claim-list", q="CAFÉ") == {
        stored["nfc"].pk,
        stored["nfd"].pk,
        stored["upper"].pk,
    }
    assert _api(as_viewer, "api-claim-list", q="élections à montréal") == {stored["upper"].pk}
    assert _api(as_viewer, "api-claim-list", q="ZOË") == {stored["nfc"].pk, stored["nfd"].pk}


def test_like_wildcards_in_a_term_are_literal(as_viewer: Client, stored: dict[str, Claim]) -> None:
    assert _api(as_viewer, "api-claim-list", q="caf%") == set()
    assert _api(as_viewer, "api-claim-list", q="caf_") == set()


def test_article_titles_fold_the_same_way_in_the_api_and_the_html_list(
    as_viewer: Client, stored: dict[str, Claim]
) -> None:
    article = stored["nfc"].article

    assert _api(as_viewer, "api-article-list", q="ÉLECTION") == {article.pk}
    assert _api(as_viewer, "api-article-list", q="election") == set(), "accents are kept"
    assert _api(as_viewer, "api-article-list", q="montre\u0301al") == {article.pk}
    page = as_viewer.get(reverse("article-list"), {"q": "MONTRÉAL"}).content.decode()
    assert "Élection à Montréal" in page
    assert "Second" not in page


def test_the_claim_list_page_searches_folded_too(
    as_viewer: Client, stored: dict[str, Claim]
) -> None:
    page = as_viewer.get(reverse("claim-list"), {"q": "ZOË"}).content.decode()

    assert "Zoë" in page
    assert "Nothing to see here" not in page
