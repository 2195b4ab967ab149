"""Exports: ClaimReview JSON-LD, CSV and JSON of a checked article (``claims.publication``).

The scenario (``tests.support.build_checked_article``) is shared with the API, export
command and verdict page tests: sentences of the sample article, two claims confirmed with
independent supporting sources, one contradicted by a refuting source, one untouched.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.confirmation import service as status
from claims.models import Article, Claim, Evidence
from claims.publication import exports
from tests.jsonld_strict import SCHEMA, expand_strictly
from tests.support import (
    BASE_URL,
    MALIKIS,
    NEWLINE_CLAIM,
    TRICKY_EXCERPT,
    build_checked_article,
)


@pytest.fixture
def checked(
    make_article: Callable[..., Article],
    support: Callable[..., Evidence],
    fact_checker: User,
    settings: Any,
) -> dict[str, Any]:
    settings.WORKBENCH_CONFIRMATIONS_REQUIRED = 1
    settings.WORKBENCH_NEWSROOM_NAME = "Example Newsroom"
    settings.WORKBENCH_NEWSROOM_URL = "https://newsroom.example.org/"
    return build_checked_article(make_article, support, fact_checker)


def _reviews_by_text(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {review["claimReviewed"]: review for review in document["@graph"]}


# --- ClaimReview -------------------------------------------------------------------------

EXPECTED_PROPERTIES = {
    SCHEMA + name
    for name in (
        "claimReviewed",
        "reviewRating",
        "ratingValue",
        "bestRating",
        "worstRating",
        "alternateName",
        "itemReviewed",
        "author",
        "appearance",
        "firstAppearance",
        "datePublished",
        "url",
        "name",
        "headline",
        "publisher",
    )
}
EXPECTED_TYPES = {
    SCHEMA + name
    for name in ("ClaimReview", "Rating", "Claim", "Person", "Organization", "CreativeWork")
}


def _walk(node: Any, properties: set[str], types: set[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item, properties, types)
    elif isinstance(node, dict) and "@value" not in node:
        types.update(node.get("@type", []))
        for key, value in node.items():
            if not key.startswith("@"):
                properties.add(key)
            _walk(value, properties, types)


def test_claimreview_expands_strictly_to_schema_org_iris_only(checked: dict[str, Any]) -> None:
    document = exports.article_claimreview(checked["article"], base_url=BASE_URL)

    expanded = expand_strictly(document)
    properties: set[str] = set()
    types: set[str] = set()
    _walk(expanded, properties, types)

    assert properties == EXPECTED_PROPERTIES
    assert types == EXPECTED_TYPES
    reviews = [node for node in expanded if SCHEMA + "ClaimReview" in node["@type"]]
    assert len(reviews) == 3, "the unconfirmed claim is not a review"


def test_without_a_base_url_the_export_is_absolute_on_the_configured_workbench_address(
    checked: dict[str, Any], settings: Any
) -> None:
    settings.WORKBENCH_BASE_URL = "https://wb.example.net"

    document = exports.article_claimreview(checked["article"])

    for review in expand_strictly(document):
        assert review["@id"].startswith("https://wb.example.net/")
        assert review[SCHEMA + "url"][0]["@id"].startswith("https://wb.example.net/")


def test_expanded_claimreview_keeps_the_claim_text_and_absolute_ids(
    checked: dict[str, Any],
) -> None:
    review = exports.claimreview(checked["newline"], base_url=BASE_URL)

    [node] = expand_strictly(review)

    claim_url = f"{BASE_URL}/articles/{checked['article'].pk}/?claim={checked['newline'].pk}"
    assert node["@id"] == claim_url + "#claimreview"
    assert node[SCHEMA + "url"] == [{"@id": claim_url}]
    assert node[SCHEMA + "claimReviewed"] == [{"@value": NEWLINE_CLAIM}]


def test_only_decided_claims_are_reviews_rated_confirmed_or_contradicted(
    checked: dict[str, Any], fact_checker: User
) -> None:
    status.lapse([checked["maliki"]], cause="a source changed")

    document = exports.article_claimreview(checked["article"])

    ratings = {text: review["reviewRating"] for text, review in _reviews_by_text(document).items()}
    assert {text: r["alternateName"] for text, r in ratings.items()} == {
        checked["quoted"].text: "Confirmed",
        checked["newline"].text: "Contradicted",
    }, "unconfirmed and needs-re-review claims are not published as reviews"
    assert {text: r["name"] for text, r in ratings.items()} == {
        checked["quoted"].text: "Confirmed",
        checked["newline"].text: "Contradicted",
    }
    assert {text: r["ratingValue"] for text, r in ratings.items()} == {
        checked["quoted"].text: 3,
        checked["newline"].text: 1,
    }
    assert all(r["@type"] == "Rating" for r in ratings.values())
    assert all((r["worstRating"], r["bestRating"]) == (1, 3) for r in ratings.values())
    streamed = json.loads("".join(exports.claimreview_chunks(checked["article"].claims.all())))
    assert streamed == document


def test_refuting_evidence_wins_over_a_confirmed_status(
    checked: dict[str, Any], support: Callable[..., Evidence]
) -> None:
    claim = checked["quoted"]
    support(claim, "https://www.bbc.com/news/iraq", stance=Evidence.Stance.REFUTES)

    review = exports.claimreview(Claim.objects.get(pk=claim.pk))

    assert claim.status == Claim.Status.CONFIRMED
    assert review["reviewRating"]["alternateName"] == "Contradicted"
    assert review["reviewRating"]["ratingValue"] == 1


def test_claimreview_reviews_the_standalone_text_it_was_confirmed_with(
    checked: dict[str, Any], fact_checker: Any
) -> None:
    claim = checked["quoted"]
    assert exports.claimreview(claim)["claimReviewed"] == claim.text
    # A text changed since is not what was confirmed: it is never published as Confirmed
    # (saving it lapses the claim; see test_verification_integrity).
    claim.standalone = "John Kerry said American support would be intense."
    assert exports.claimreview(claim)["claimReviewed"] == claim.text
    status.unconfirm(claim, by=fact_checker, note="reworded")
    Claim.objects.filter(pk=claim.pk).update(standalone=claim.standalone)
    status.confirm(claim, by=fact_checker, note="the standalone text checked")
    assert exports.claimreview(claim)["claimReviewed"] == claim.standalone


def test_claimreview_names_the_speaker_the_article_it_appeared_in_and_the_newsroom(
    checked: dict[str, Any],
) -> None:
    claim = checked["quoted"]

    review = exports.claimreview(claim, base_url=BASE_URL)

    assert review["@context"] == "https://schema.org"
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == claim.text
    assert review["datePublished"] == claim.status_changed_at.date().isoformat()
    newsroom = {
        "@type": "Organization",
        "name": "Example Newsroom",
        "url": "https://newsroom.example.org/",
    }
    assert review["author"] == review["publisher"] == newsroom
    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["author"] == {"@type": "Person", "name": "John Kerry"}
    assert item["datePublished"] == "2014-06-24"
    article_work = {
        "@type": "CreativeWork",
        "headline": "NATO to meet on Iraq crisis",
        "url": "https://www.dailyexample.com/news/budget",
        "publisher": {"@type": "Organization", "name": "Daily Example"},
        "datePublished": "2014-06-24",
    }
    assert item["appearance"] == article_work, "where the claim appears: the article alone"
    assert item["firstAppearance"] == article_work
    assert "reuters.com" not in json.dumps(review), "evidence is not where the claim appears"


def test_a_speaker_tagged_as_an_organisation_is_an_organization(
    checked: dict[str, Any], fact_checker: Any
) -> None:
    claim = checked["quoted"]
    status.unconfirm(claim, by=fact_checker, note="speaker corrected")
    claim.speaker = "the Pentagon"
    claim.entities = [{"text": "the Pentagon", "label": "ORG", "start": 0, "end": 12}]
    claim.save(update_fields=["speaker", "entities"])
    status.confirm(claim, by=fact_checker, note="checked again")

    review = exports.claimreview(claim, base_url=BASE_URL)

    assert review["itemReviewed"]["author"] == {"@type": "Organization", "name": "the Pentagon"}


def test_an_unattributed_claim_has_no_author_and_its_url_is_absolute(
    checked: dict[str, Any],
) -> None:
    claim = checked["maliki"]

    review = exports.claimreview(claim)

    assert "author" not in review["itemReviewed"]
    assert review["url"] == (
        f"{settings.WORKBENCH_BASE_URL}/articles/{claim.article_id}/?claim={claim.pk}"
    )


def test_long_claims_get_a_short_name_under_75_characters_and_short_ones_none(
    make_article: Callable[..., Article],
) -> None:
    long_text = "The militants " + "who are fighting government forces " * 4 + "say so."
    article = make_article([long_text, "Kerry visited Iraq."])
    long_claim, short_claim = article.claims.order_by("start")

    long_review = exports.claimreview(long_claim)
    short_review = exports.claimreview(short_claim)

    assert len(long_review["name"]) < 75
    assert long_review["name"].endswith("…")
    assert long_text.startswith(long_review["name"][:-1])
    assert "name" not in short_review


def test_claimreview_json_round_trips_quotes_non_ascii_and_newlines(
    checked: dict[str, Any],
) -> None:
    text = exports.dumps(exports.article_claimreview(checked["article"]))

    parsed = _reviews_by_text(json.loads(text))

    for key in ("quoted", "maliki", "newline"):
        assert checked[key].text in parsed
    assert MALIKIS in text, "non-ASCII is written as UTF-8, not escaped"


# --- CSV ---------------------------------------------------------------------------------


def _read_csv(lines: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO("".join(lines), newline="")))


def test_csv_has_one_row_per_evidence_and_one_empty_row_for_a_claim_without_evidence(
    checked: dict[str, Any],
) -> None:
    rows = _read_csv(exports.article_csv(checked["article"]))

    per_claim: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        per_claim.setdefault(row["claim_id"], []).append(row)
    assert {key: len(per_claim[str(checked[key].pk)]) for key in checked if key != "article"} == {
        "quoted": 1,
        "maliki": 2,
        "newline": 1,
        "plain": 1,
    }
    [plain] = per_claim[str(checked["plain"].pk)]
    assert all(plain[column] == "" for column in exports.CSV_COLUMNS[-9:])
    stances = {row["evidence_stance"] for row in per_claim[str(checked["maliki"].pk)]}
    assert stances == {"supports", "context"}


def test_csv_opens_in_the_csv_module_with_the_expected_columns(checked: dict[str, Any]) -> None:
    rows = _read_csv(exports.article_csv(checked["article"], base_url=BASE_URL))

    assert list(rows[0]) == exports.CSV_COLUMNS
    quoted = next(row for row in rows if row["claim_id"] == str(checked["quoted"].pk))
    assert quoted["status"] == "confirmed"
    assert quoted["contradicted"] == "false"
    assert quoted["hedged"] == "true"
    assert quoted["hedge_cues"] == "but"
    assert quoted["speaker"] == "John Kerry"
    assert quoted["checkworthiness"] == "0.9"
    assert quoted["article_title"] == "NATO to meet on Iraq crisis"
    assert quoted["source_publisher"] == "reuters.com"
    assert quoted["added_at"].startswith(str(date.today().year))
    assert quoted["claim_url"].startswith(BASE_URL + "/articles/")
    newline = next(row for row in rows if row["claim_id"] == str(checked["newline"].pk))
    assert (newline["status"], newline["contradicted"]) == ("unconfirmed", "true")


def test_csv_round_trips_quotes_commas_newlines_and_non_ascii(checked: dict[str, Any]) -> None:
    text = "".join(exports.article_csv(checked["article"]))

    rows = _read_csv([text])

    texts = {row["claim_text"] for row in rows}
    assert {checked[key].text for key in ("quoted", "maliki", "newline", "plain")} == texts
    assert TRICKY_EXCERPT in {row["excerpt"] for row in rows}
    body = checked["article"].body
    for row in rows:
        assert body[int(row["start"]) : int(row["end"])] == row["claim_text"]
    assert MALIKIS in text, "non-ASCII is written as is (UTF-8)"
    assert '""will be intense, sustained,""' in text, "quotes are doubled inside a quoted field"


def test_csv_of_a_claim_queryset_takes_a_constant_number_of_queries(
    make_article: Callable[..., Article], support: Callable[..., Evidence]
) -> None:
    def queries_for(articles: int) -> int:
        Article.objects.all().delete()
        for _ in range(articles):
            article = make_article([f"Claim number {i} is here." for i in range(5)])
            for claim in article.claims.all():
                support(claim, f"https://apnews.com/a/{claim.pk}")
        with CaptureQueriesContext(connection) as captured:
            rows = list(exports.claims_csv_rows(Claim.objects.all()))
        assert len(rows) == 5 * articles + 1
        return len(captured)

    assert queries_for(1) == queries_for(8)


# --- JSON --------------------------------------------------------------------------------


def test_the_streamed_article_documents_are_the_documents_built_whole(
    checked: dict[str, Any], make_article: Any
) -> None:
    article, empty = checked["article"], make_article([])
    for whole, chunks in [
        (exports.article_json, exports.article_json_chunks),
        (exports.article_claimreview, exports.article_claimreview_chunks),
    ]:
        for each in (article, empty):
            streamed = "".join(chunks(each, base_url=BASE_URL))
            assert streamed == exports.dumps(whole(each, base_url=BASE_URL))


def test_json_export_has_every_claim_with_evidence_and_selectors_that_reanchor(
    checked: dict[str, Any],
) -> None:
    data = json.loads(exports.dumps(exports.article_json(checked["article"])))

    body = data["body"]
    assert body == checked["article"].body
    assert len(data["claims"]) == 4
    for claim in data["claims"]:
        position, quote = claim["target"]["selector"]
        assert position["type"] == "TextPositionSelector"
        assert quote["type"] == "TextQuoteSelector"
        assert body[position["start"] : position["end"]] == quote["exact"] == claim["text"]
        found = body.find(quote["prefix"] + quote["exact"] + quote["suffix"])
        assert found + len(quote["prefix"]) == position["start"]
    maliki = next(c for c in data["claims"] if c["id"] == checked["maliki"].pk)
    assert [e["source"]["url"] for e in maliki["evidence"]] == [
        "https://apnews.com/article/iraq",
        "https://www.reuters.com/world/kerry",
    ]
    assert maliki["evidence"][0]["excerpt"] == TRICKY_EXCERPT
    newline = next(c for c in data["claims"] if c["id"] == checked["newline"].pk)
    assert (newline["contradicted"], newline["verdict"]) == (True, "contradicted")
