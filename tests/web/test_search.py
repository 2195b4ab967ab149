"""Search folds case and Unicode on every database, and claim text is searched by words
with a full-text index (``claims/models/search.py``): run this file on SQLite (the default) and
on PostgreSQL (``DATABASE_URL=postgres://...``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
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


# --- Full-text search of claim text -----------------------------------------------------


@pytest.fixture
def places(make_article: Callable[..., Article]) -> dict[str, Claim]:
    article = make_article(
        [
            "Unemployment in Nairobi fell to 4 percent last year.",
            "Kerry, John said the talks in Baghdad would resume.",
            "Prices in Lagos rose 3 percent, the ministry said.",
        ]
    )
    return dict(zip(("nairobi", "kerry", "lagos"), article.claims.order_by("start"), strict=True))


def _search(term: str) -> set[int]:
    return set(Claim.objects.search(term).values_list("pk", flat=True))


def test_the_last_word_of_a_term_matches_as_a_prefix(places: dict[str, Claim]) -> None:
    assert _search("Nairo") == {places["nairobi"].pk}
    assert _search("percent Lag") == {places["lagos"].pk}
    assert _search("robi") == set(), "words match from their start, not inside"
    assert _search("Nairo.") == set(), "a term ending in punctuation asks for whole words"


def test_every_word_must_be_found_in_any_order(places: dict[str, Claim]) -> None:
    assert _search("john kerry") == {places["kerry"].pk}
    assert _search("percent") == {places["nairobi"].pk, places["lagos"].pk}
    assert _search("percent baghdad") == set()
    assert _search("&&& ###") == set(), "a term without words finds nothing"


def test_the_index_follows_edits_and_deletions(places: dict[str, Claim]) -> None:
    claim = places["nairobi"]
    Claim.objects.filter(pk=claim.pk).update(text="Unemployment in Mombasa fell.")

    assert _search("Nairobi") == set()
    assert _search("mombasa") == {claim.pk}
    claim.delete()
    assert _search("mombasa") == set()
    assert _search("lagos") == {places["lagos"].pk}


def test_the_search_box_uses_the_index_in_the_html_list_and_the_api(
    as_viewer: Client, places: dict[str, Claim]
) -> None:
    assert _api(as_viewer, "api-claim-list", q="NAIRO") == {places["nairobi"].pk}
    page = as_viewer.get(reverse("claim-list"), {"q": "bagh"}).content.decode()
    assert "talks in Baghdad" in page
    assert "Nairobi" not in page


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 triggers")
def test_sqlite_triggers_come_back_after_the_claims_table_is_rebuilt(
    places: dict[str, Claim], make_article: Callable[..., Article]
) -> None:
    """SQLite rebuilds a table to alter it (a later migration), which drops its triggers:
    the ``post_migrate`` check puts them back and re-indexes."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER claims_claim_fts_insert")
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    later = make_article(["Flooding closed the port of Mombasa on Friday."]).claims.get()
    assert _search("mombasa") == {later.pk}
    assert _search("nairobi") == {places["nairobi"].pk}
