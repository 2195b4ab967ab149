"""Search folds case and Unicode on every database, and claim text is searched by words
with a full-text index (``claims/models/search.py``): run this file on SQLite (the default) and
on PostgreSQL (``DATABASE_URL=postgres://...``)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from claims.models import Article, Claim, Source
from claims.text import normalising

set_hypothesis_home_dir(django_settings.VAR_DIR / "hypothesis")

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
    assert _api(as_viewer, "api-claim-list", q="caf\\") == set()


def test_article_titles_fold_the_same_way_in_the_api_and_the_html_list(
    as_viewer: Client, stored: dict[str, Claim]
) -> None:
    article = stored["nfc"].article

    assert _api(as_viewer, "api-article-list", q="ÉLECTION") == {article.pk}
    assert _api(as_viewer, "api-article-list", q="election") == {article.pk}, "accents fold"
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


# --- Accents, case and punctuation (issue 31) ---------------------------------------------


@pytest.fixture
def people(make_article: Callable[..., Article]) -> dict[str, Claim]:
    article = make_article(
        [
            "Thomas Müller said A&E waiting times rose by 12 percent.",
            "Zoë Ball said A and E departments were full in March.",
            "The E&A ward reopened, the trust said.",
            "COVID\u201319 cases fell, according to the ministry.",
            "Covid 19 was mentioned by the minister twice.",
        ],
        title="Müller and Zoë on the NHS",
        outlet="Süddeutsche Zeitung",
    )
    keys = ("muller", "zoe", "ea", "covid", "covid_space")
    return dict(zip(keys, article.claims.order_by("start"), strict=True))


def test_a_name_typed_without_accents_finds_it_in_any_case(
    as_viewer: Client, people: dict[str, Claim]
) -> None:
    for term in ("Muller", "muller", "MULLER", "Müller", "mu\u0308ller"):
        assert _search(term) == {people["muller"].pk}, term
    for term in ("Zoe", "ZOE", "zoë"):
        assert _search(term) == {people["zoe"].pk}, term
    assert _api(as_viewer, "api-claim-list", q="Zoe ball") == {people["zoe"].pk}
    page = as_viewer.get(reverse("claim-list"), {"q": "muller"}).content.decode()
    assert "Thomas Müller said" in page and "Zoë Ball" not in page


def test_a_term_with_punctuation_finds_only_that_sequence(people: dict[str, Claim]) -> None:
    assert _search("A&E") == {people["muller"].pk}, "not 'A and E', not 'E&A'"
    assert _search("a & e") == {people["muller"].pk}, "the same tokens, spaced"
    assert _search("E&A") == {people["ea"].pk}
    assert _search("A and E") == {people["zoe"].pk}
    assert _search("Covid-19") == {people["covid"].pk}, "an en dash is a dash"
    assert _search("covid-1") == {people["covid"].pk}, "the last word may be unfinished"
    assert _search("Covid 19") == {people["covid"].pk, people["covid_space"].pk}
    assert _search("A&E waiting") == {people["muller"].pk}
    assert _search("A&E, waiting") == set()


def test_articles_and_sources_fold_accents_too(
    as_viewer: Client, people: dict[str, Claim], make_source: Callable[..., Source]
) -> None:
    article = people["muller"].article
    source = make_source("https://www.zeit.de/politik/a-e", title="Die Lage in der Notaufnahme")
    assert _api(as_viewer, "api-article-list", q="muller") == {article.pk}
    assert _api(as_viewer, "api-article-list", q="suddeutsche") == {article.pk}
    assert _api(as_viewer, "api-source-list", q="notaufnahme") == {source.pk}
    assert _api(as_viewer, "api-source-list", q="zeit.de/politik") == {source.pk}
    assert _api(as_viewer, "api-source-list", q="zeit.de/wirtschaft") == set()


def _folded(pk: int, model: type[Any] = Claim) -> str:
    return str(model.objects.filter(pk=pk).values_list("search_text", flat=True).get())


def test_every_write_path_keeps_the_folded_column(
    make_article: Callable[..., Article], make_source: Callable[..., Source]
) -> None:
    from django.db.models import Value
    from django.db.models.functions import Concat

    article = make_article(["First sentence here."], title="Zoë")
    claim = article.claims.get()
    assert _folded(claim.pk) == " first sentence here . "
    claim.text = "Müller again."
    claim.save(update_fields=["text"])
    assert _folded(claim.pk) == " muller again . "
    Claim.objects.filter(pk=claim.pk).update(text="Ça va.")
    assert _folded(claim.pk) == " ca va . "
    Claim.objects.filter(pk=claim.pk).update(text=Concat("text", Value(" Zoë!")))
    assert _folded(claim.pk) == " ca va . zoe ! "
    claim.refresh_from_db()
    claim.text = "Bulk Ünïcode"
    Claim.objects.bulk_update([claim], ["text"])
    assert _folded(claim.pk) == " bulk unicode "
    made = Claim.objects.bulk_create(
        [Claim(article=article, revision=1, text="Bulk Café", start=30, end=39)]
    )
    assert _folded(made[0].pk) == " bulk cafe "
    assert _search("cafe") == {made[0].pk}, "the index has it"
    Article.objects.filter(pk=article.pk).update(title="Élan", outlet="Le Monde")
    assert _folded(article.pk, Article) == " elan \n le monde "
    source = make_source("https://www.lemonde.fr/a", title="Réforme")
    assert _folded(source.pk, Source) == (
        " reforme \n https : / / www . lemonde . fr / a \n lemonde . fr "
    )


def test_claims_written_with_copy_are_found(make_article: Callable[..., Article]) -> None:
    """The extraction's write path (``ingest.copying``: ``COPY`` on PostgreSQL,
    ``bulk_create_with_history`` elsewhere) folds the claims' search text too."""
    from claims.ingest.copying import create_with_history

    article = make_article(["Placeholder sentence."])
    text = "Müller warned that A&E queues grew."
    made = create_with_history(
        [Claim(article=article, revision=1, text=text, start=30, end=30 + len(text))],
        reason="extracted",
    )
    assert _folded(made[0].pk) == " muller warned that a & e queues grew . "
    assert _search("muller") == _search("a&e queues") == {made[0].pk}


def test_the_migration_fills_the_column_of_existing_rows(
    people: dict[str, Claim], make_source: Callable[..., Source]
) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("claims.migrations.0030_search_text")
    source = make_source(title="Zürich")
    for model in (Claim, Article, Source):
        model.objects.update(search_text="")
    assert _search("muller") == set()

    migration.fill(apps, None)

    assert _search("muller") == {people["muller"].pk}
    assert _folded(people["muller"].article_id, Article).startswith(" muller and zoe ")
    assert " zurich " in _folded(source.pk, Source)


# --- Property: what search finds ------------------------------------------------------------

LETTERS = "abcdeéèêëiïîoöôuüùçnñsßAEÉIOÖUÜ"
WORDS = st.text(alphabet=LETTERS, min_size=1, max_size=6)
PUNCTUATION = st.sampled_from(list("&-.,'/()%#+:"))
SEPARATORS = st.sampled_from([" ", "  ", "\n", ""])


@st.composite
def texts(draw: st.DrawFn) -> str:
    """A claim's text: words joined by spaces, some punctuation between or inside."""
    pieces = [draw(WORDS)]
    for _ in range(draw(st.integers(0, 6))):
        if draw(st.integers(0, 2)):  # two times in three
            pieces.append(draw(PUNCTUATION))
        pieces.append(draw(SEPARATORS) if pieces[-1] in "&-.,'/()%#+:" else " ")
        pieces.append(draw(WORDS))
    return "".join(pieces)


def variant(word: str, data: st.DataObject) -> str:
    """The word as a reporter might type it: accents dropped or kept, any case."""
    out = []
    for char in word:
        bare = "".join(
            c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
        )
        char = bare if data.draw(st.booleans()) else char
        out.append(char.upper() if data.draw(st.booleans()) else char.lower())
    return "".join(out)


def _store(article: Article, text: str) -> Claim:
    return Claim.objects.create(article=article, revision=99, text=text, start=0, end=len(text))


HYPOTHESIS = settings(
    max_examples=80,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


@HYPOTHESIS
@given(text=texts(), data=st.data())
def test_any_accent_or_case_variant_of_a_word_finds_its_text(
    make_article: Callable[..., Article], text: str, data: st.DataObject
) -> None:
    article = Article.objects.first() or make_article(["Placeholder sentence."])
    claim = _store(article, text)
    try:
        word = data.draw(st.sampled_from(re.findall(r"[^\W_]+", text)))
        assert claim.pk in _search(variant(word, data)), (text, word)
    finally:
        claim.delete()


def _tokens(text: str) -> list[str]:
    return re.findall(r"[^\W_]+|\S", normalising.for_search(text))


def _holds(haystack: list[str], needle: list[str], *, prefix: bool) -> bool:
    """``needle`` side by side in ``haystack``, its last token maybe a prefix."""
    for at in range(len(haystack) - len(needle) + 1):
        window = haystack[at : at + len(needle)]
        if window[:-1] == needle[:-1] and (
            window[-1].startswith(needle[-1]) if prefix else window[-1] == needle[-1]
        ):
            return True
    return False


@st.composite
def punctuated_queries(draw: st.DrawFn, text: str) -> str:
    """A term with a word and a punctuation mark: mostly a run of the text's own tokens,
    typed with or without spaces and in any case, else any text."""
    tokens = _tokens(text)
    if draw(st.integers(0, 3)):
        start = draw(st.integers(0, len(tokens) - 1))
        picked = tokens[start : draw(st.integers(start + 1, len(tokens)))]
        query = "".join(token + draw(st.sampled_from(["", " "])) for token in picked)
        query = query.rstrip() if draw(st.booleans()) else query
        query = query.upper() if draw(st.booleans()) else query
    else:
        query = draw(texts())
    kinds = {bool(WORD.fullmatch(token)) for token in _tokens(query)}
    assume(kinds == {True, False})  # a word, and something else
    return query


WORD = re.compile(r"[^\W_]+")


@HYPOTHESIS
@given(data=st.data())
def test_a_query_with_punctuation_matches_only_texts_with_its_token_sequence(
    make_article: Callable[..., Article], data: st.DataObject
) -> None:
    """Found exactly when the text holds the term's tokens side by side (the last one
    as a prefix when the term ends with a letter or digit)."""
    article = Article.objects.first() or make_article(["Placeholder sentence."])
    text = data.draw(texts(), label="text")
    query = data.draw(punctuated_queries(text), label="query")
    claim = _store(article, text)
    try:
        found = claim.pk in _search(query)
        prefix = bool(WORD.fullmatch(query[-1:]))
        assert found == _holds(_tokens(text), _tokens(query), prefix=prefix), (text, query)
    finally:
        claim.delete()
