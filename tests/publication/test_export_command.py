"""``manage.py export --article ID --format claimreview|csv|json``."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from claims.models import Article, Evidence
from tests.jsonld_strict import expand_strictly
from tests.support import NEWLINE_CLAIM, TRICKY_EXCERPT, build_checked_article


@pytest.fixture
def checked(
    make_article: Callable[..., Article],
    support: Callable[..., Evidence],
    fact_checker: User,
    settings: Any,
) -> dict[str, Any]:
    settings.WORKBENCH_CONFIRMATIONS_REQUIRED = 1
    return build_checked_article(make_article, support, fact_checker)


def export(*args: str) -> str:
    out = io.StringIO()
    call_command("export", *args, stdout=out)
    return out.getvalue()


def test_it_prints_claimreview_that_expands_strictly_on_the_configured_base_url(
    checked: dict[str, Any], settings: Any
) -> None:
    settings.WORKBENCH_BASE_URL = "https://wb.example.org"

    output = export("--article", str(checked["article"].pk), "--format", "claimreview")

    document = json.loads(output)
    expand_strictly(document)
    reviews = {review["claimReviewed"]: review for review in document["@graph"]}
    assert document["@context"] == "https://schema.org"
    assert reviews[NEWLINE_CLAIM]["reviewRating"]["alternateName"] == "Contradicted"
    claim = checked["maliki"]
    page = f"https://wb.example.org/articles/{claim.article_id}/?claim={claim.pk}"
    assert reviews[claim.text]["url"] == page
    assert reviews[claim.text]["@id"] == page + "#claimreview"
    assert reviews[claim.text]["reviewRating"]["alternateName"] == "Confirmed"
    assert checked["plain"].text not in reviews, "an unconfirmed claim is not a review"


def test_its_json_names_the_article_by_an_absolute_url_in_every_target(
    checked: dict[str, Any], settings: Any
) -> None:
    settings.WORKBENCH_BASE_URL = "https://wb.example.org"
    pk = checked["article"].pk

    data = json.loads(export("--article", str(pk), "--format", "json"))

    sources = {claim["target"]["source"] for claim in data["claims"]}
    assert sources == {f"https://wb.example.org/api/articles/{pk}/"}


def test_it_puts_the_base_url_before_workbench_paths_when_given(checked: dict[str, Any]) -> None:
    pk = checked["article"].pk

    output = export("--article", str(pk), "--format", "json", "--base-url", "https://wb.example/")

    data = json.loads(output)
    assert data["api_url"] == f"https://wb.example/api/articles/{pk}/"
    assert all(claim["page_url"].startswith("https://wb.example/") for claim in data["claims"])


def test_the_base_url_reaches_every_workbench_url_of_a_claimreview(
    checked: dict[str, Any], settings: Any
) -> None:
    """The newsroom's URL defaults to the workbench's own: it follows ``--base-url`` like
    ``@id`` and ``url`` (a newsroom URL set apart stays as set)."""
    settings.WORKBENCH_BASE_URL = "http://127.0.0.1:8000"
    settings.WORKBENCH_NEWSROOM_URL = "http://127.0.0.1:8000/"
    pk = str(checked["article"].pk)

    document = json.loads(
        export("--article", pk, "--format", "claimreview", "--base-url", "https://wb.example/")
    )

    for review in document["@graph"]:
        assert review["@id"].startswith("https://wb.example/")
        assert review["author"]["url"] == review["publisher"]["url"] == "https://wb.example/"
    settings.WORKBENCH_NEWSROOM_URL = "https://news.example.org/factcheck/"
    again = json.loads(
        export("--article", pk, "--format", "claimreview", "--base-url", "https://wb.example/")
    )
    assert {r["author"]["url"] for r in again["@graph"]} == {"https://news.example.org/factcheck/"}


def test_it_prints_csv_that_round_trips_through_the_csv_module(checked: dict[str, Any]) -> None:
    output = export("--article", str(checked["article"].pk), "--format", "csv")

    rows = list(csv.DictReader(io.StringIO(output, newline="")))
    assert len(rows) == 5
    assert NEWLINE_CLAIM in {row["claim_text"] for row in rows}
    assert TRICKY_EXCERPT in {row["excerpt"] for row in rows}
    assert not output.endswith("\n\n")


def test_it_prints_json_with_claims_evidence_and_the_body(checked: dict[str, Any]) -> None:
    data = json.loads(export("--article", str(checked["article"].pk), "--format", "json"))

    assert data["body"] == checked["article"].body
    assert len(data["claims"]) == 4
    assert sum(len(claim["evidence"]) for claim in data["claims"]) == 4


def test_an_unknown_article_is_a_clear_command_error(db: Any) -> None:
    with pytest.raises(CommandError, match="no article with id 424242"):
        export("--article", "424242", "--format", "csv")


def test_an_unknown_format_is_refused(checked: dict[str, Any]) -> None:
    with pytest.raises(CommandError, match="invalid choice"):
        export("--article", str(checked["article"].pk), "--format", "xml")
