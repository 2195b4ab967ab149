"""Cursor paging of the API lists (``claims/api/views.py``): a client following ``next`` sees
every row exactly once while rows are being added, on every list."""

from __future__ import annotations

import base64
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.models import Article, Claim, Evidence, Source

PAGE_SIZE = 4


@pytest.fixture
def as_viewer(client: Client, viewer: User) -> Client:
    client.force_login(viewer)
    return client


def _walk(client: Client, url: str, between: Callable[[int], None]) -> list[int]:
    """Follow ``next`` to the end, calling ``between(page_number)`` after each page."""
    seen: list[int] = []
    number = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        data = response.json()
        seen += [item["id"] for item in data["results"]]
        number += 1
        between(number)
        url = data["next"]
    return seen


def _add_claim(article: Article, index: int, score: float) -> Claim:
    text = f"Inserted claim {index} says something checkable."
    article.refresh_from_db()
    body = article.body + " " + text
    Article.objects.filter(pk=article.pk).update(body=body)
    start = len(body) - len(text)
    return Claim.objects.create(
        article=article,
        revision=1,
        text=text,
        start=start,
        end=len(body),
        checkworthiness=score,
        sentence_index=100 + index,
    )


def test_claims_inserted_between_page_fetches_never_repeat_or_hide_a_claim(
    as_viewer: Client, make_article: Callable[..., Article]
) -> None:
    for number in range(3):
        make_article([f"Article {number} claim {i} is stated." for i in range(6)])
    Claim.objects.filter(sentence_index__gte=3).update(checkworthiness=0.5)  # ties on the key
    before = set(Claim.objects.values_list("pk", flat=True))
    article = Article.objects.first()
    added: list[int] = []

    def insert(page: int) -> None:
        # one claim sorted before the cursor, one tied with it, one after it
        for offset, score in enumerate((0.95, 0.5, 0.05)):
            added.append(_add_claim(article, page * 10 + offset, score).pk)

    seen = _walk(as_viewer, reverse("api-claim-list") + f"?page_size={PAGE_SIZE}", insert)

    assert len(seen) == len(set(seen)), "a claim was listed twice"
    assert before <= set(seen), "a claim that was there all along was never listed"
    assert set(seen) - before <= set(added)
    assert set(added) - set(seen), "claims inserted behind the cursor are not shown again"


def test_articles_inserted_between_page_fetches_never_repeat_or_hide_an_article(
    as_viewer: Client, make_article: Callable[..., Article]
) -> None:
    for number in range(10):
        make_article([f"Article {number} is here."], title=f"Article {number}")
    before = set(Article.objects.values_list("pk", flat=True))

    def insert(page: int) -> None:
        make_article([f"Late article {page} is here."], title=f"Late {page}")

    seen = _walk(as_viewer, reverse("api-article-list") + f"?page_size={PAGE_SIZE}", insert)

    assert len(seen) == len(set(seen))
    assert before <= set(seen)


def test_sources_and_evidence_are_walked_by_cursor_too(
    as_viewer: Client,
    make_article: Callable[..., Article],
    support: Callable[..., Evidence],
) -> None:
    article = make_article([f"Claim {i} is stated here." for i in range(6)])
    for index, claim in enumerate(article.claims.all()):
        support(claim, f"https://www.reuters.com/world/{index}")
    before_sources = set(Source.objects.values_list("pk", flat=True))
    before_evidence = set(Evidence.objects.values_list("pk", flat=True))

    late = iter(range(1000))

    def insert(page: int) -> None:
        support(article.claims.first(), f"https://apnews.com/late/{next(late)}")

    sources = _walk(as_viewer, reverse("api-source-list") + "?page_size=2", insert)
    evidence = _walk(as_viewer, reverse("api-evidence-list") + "?page_size=2", insert)

    assert len(sources) == len(set(sources)) and before_sources <= set(sources)
    assert len(evidence) == len(set(evidence)) and before_evidence <= set(evidence)


def test_previous_goes_back_to_the_same_rows_and_the_first_page_has_none(
    as_viewer: Client, make_article: Callable[..., Article]
) -> None:
    make_article([f"Claim {i} is stated here." for i in range(9)])
    url = reverse("api-claim-list") + f"?page_size={PAGE_SIZE}"

    first = as_viewer.get(url).json()
    second = as_viewer.get(first["next"]).json()
    back = as_viewer.get(second["previous"]).json()

    assert first["previous"] is None
    assert back["results"] == first["results"]
    assert back["previous"] is None
    assert back["next"] is not None
    assert second["count"] == first["count"] == 9


def test_a_cursor_the_api_did_not_give_out_is_a_400(
    as_viewer: Client, make_article: Callable[..., Article]
) -> None:
    make_article()
    url = reverse("api-claim-list")

    nested = base64.urlsafe_b64encode(b"[" * 740).decode()  # as deep as 1,000 characters go
    bad_cursors = ("nonsense", "eyJkIjoiYWZ0ZXIiLCJrIjpbMV19", "eyJkIjoieCIsImsiOlswLjUsMV19")
    for bad in (*bad_cursors, nested):
        response = as_viewer.get(url, {"cursor": bad})
        assert response.status_code == 400, bad
        assert "cursor" in response.json()["errors"]
    assert as_viewer.get(url, {"cursor": "x", "page": 2}).status_code == 400


# --- Orders rows cannot move in ----------------------------------------------------------


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    page_size=st.integers(min_value=1, max_value=5),
    rescores=st.lists(
        st.lists(st.floats(min_value=0, max_value=1), min_size=12, max_size=12),
        min_size=12,
        max_size=12,
    ),
)
def test_rescoring_between_pages_never_repeats_or_skips_a_claim(
    as_viewer: Client, scored: list[int], page_size: int, rescores: list[list[float]]
) -> None:
    """The background pass refines check-worthiness while a client walks ``next``: the
    default order (id) does not move, so each claim comes exactly once."""
    schedule = iter(rescores)

    def rescore(page: int) -> None:
        for pk, score in zip(scored, next(schedule, []), strict=False):
            Claim.objects.filter(pk=pk).update(checkworthiness=score)

    seen = _walk(as_viewer, reverse("api-claim-list") + f"?page_size={page_size}", rescore)

    assert sorted(seen) == sorted(scored)
    assert seen == sorted(seen)


@pytest.fixture
def scored(make_article: Callable[..., Article]) -> list[int]:
    make_article([f"Scored claim {i} is stated here." for i in range(12)])
    return list(Claim.objects.order_by("id").values_list("pk", flat=True))


def test_a_moving_order_is_still_offered_and_its_cursor_keeps_it(
    as_viewer: Client, scored: list[int]
) -> None:
    url = reverse("api-claim-list") + "?sort=-checkworthiness&page_size=5"

    first = as_viewer.get(url).json()
    second = as_viewer.get(first["next"].replace("sort=-checkworthiness", "sort=id")).json()

    scores = [c["checkworthiness"] for c in first["results"] + second["results"]]
    assert scores == sorted(scores, reverse=True)  # the cursor's order, not ``sort=id``


def test_a_forged_or_altered_cursor_is_a_400(as_viewer: Client, scored: list[int]) -> None:
    url = reverse("api-claim-list") + "?page_size=2"
    real = parse_qs(urlsplit(as_viewer.get(url).json()["next"]).query)["cursor"][0]
    payload = real.split(":")[0]
    forged = base64.urlsafe_b64encode(b'{"o":["id"],"d":"after","k":[0]}').decode().rstrip("=")

    for cursor in (
        forged,
        f"{forged}:{real.split(':', 1)[1]}",
        real[:-1] + ("B" if real.endswith("A") else "A"),
        payload,
    ):
        response = as_viewer.get(url, {"cursor": cursor})
        assert response.status_code == 400, cursor
        assert response.json()["errors"]["cursor"][0]["code"] == "invalid"
    assert as_viewer.get(url, {"cursor": real}).status_code == 200
    # a claims cursor is refused by a list that has no such order
    articles = as_viewer.get(reverse("api-article-list"), {"cursor": _sorted_cursor(as_viewer)})
    assert articles.status_code == 400


def _sorted_cursor(client: Client) -> str:
    url = reverse("api-claim-list") + "?sort=-checkworthiness&page_size=1"
    return parse_qs(urlsplit(client.get(url).json()["next"]).query)["cursor"][0]
