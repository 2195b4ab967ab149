"""The read-only JSON API and the export downloads (``claims/api/views.py``)."""

from __future__ import annotations

import base64
import csv
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims.api.views import export_claims_response
from claims.integrations import tokens
from claims.models import Article, Claim, Evidence
from tests.conftest import PASSWORD
from tests.support import MALIKIS, build_checked_article

API_LISTS = ["api-article-list", "api-claim-list", "api-source-list", "api-evidence-list"]


@pytest.fixture
def checked(
    make_article: Callable[..., Article],
    support: Callable[..., Evidence],
    fact_checker: User,
    settings: Any,
) -> dict[str, Any]:
    settings.WORKBENCH_CONFIRMATIONS_REQUIRED = 1
    return build_checked_article(make_article, support, fact_checker)


@pytest.fixture
def as_viewer(client: Client, viewer: User) -> Client:
    client.force_login(viewer)
    return client


def _bearer(user: User) -> dict[str, str]:
    _, token = tokens.issue(user=user, name="script")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _basic(username: str, password: str = PASSWORD) -> dict[str, str]:
    credentials = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {credentials}"}


def _all_urls(checked: dict[str, Any]) -> list[str]:
    article, claim = checked["article"], checked["quoted"]
    source = claim.evidence.first().source
    return [
        *(reverse(name) for name in API_LISTS),
        reverse("api-article-detail", args=[article.pk]),
        reverse("api-claim-detail", args=[claim.pk]),
        reverse("api-source-detail", args=[source.pk]),
    ]


def _downloads(checked: dict[str, Any]) -> list[str]:
    pk = checked["article"].pk
    return [
        *(reverse("export-article", args=[pk, fmt]) for fmt in ("csv", "json", "claimreview")),
        reverse("export-claim", args=[checked["quoted"].pk]),
        reverse("export-claims", args=["csv"]) + f"?ids={checked['quoted'].pk}",
    ]


# --- Who may read ------------------------------------------------------------------------


def test_anonymous_scripts_get_401_json_with_a_bearer_challenge(
    client: Client, checked: dict[str, Any]
) -> None:
    for url in _all_urls(checked):
        response = client.get(url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"] == 'Bearer realm="Claim workbench"'
        assert "API token" in response.json()["detail"]


def test_anonymous_downloads_redirect_to_the_login_page(
    client: Client, checked: dict[str, Any]
) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for url in _downloads(checked):
        response = client.get(url, HTTP_ACCEPT=browser)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))
        script = client.get(url)  # no Accept: text/html, a script without a token
        assert script.status_code == 401, url
        assert script["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_token_gets_401_json_on_the_api_and_the_downloads(
    client: Client, viewer: User, checked: dict[str, Any]
) -> None:
    _bearer(viewer)
    wrong = {"HTTP_AUTHORIZATION": "Bearer wbt_not-a-token"}
    for url in _all_urls(checked) + _downloads(checked):
        response = client.get(url, **wrong)
        assert response.status_code == 401, url
        assert "not valid" in response.json()["detail"]
        assert 'error="invalid_token"' in response["WWW-Authenticate"]
    for header in ("Bearer", "Bearer ", "Token x", "Bearer " + "x" * 5000):
        response = client.get(reverse("api-claim-list"), HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header


def test_http_basic_is_refused_with_a_pointer_to_tokens(
    client: Client, viewer: User, checked: dict[str, Any]
) -> None:
    for url in _all_urls(checked) + _downloads(checked):
        response = client.get(url, **_basic("vera"))  # the right password
        assert response.status_code == 401, url
        assert "Authorization: Bearer <token>" in response.json()["detail"]


def test_an_outsider_gets_403_by_session_and_by_token(
    client: Client, outsider: User, checked: dict[str, Any]
) -> None:
    for url in _all_urls(checked) + _downloads(checked):
        assert client.get(url, **_bearer(outsider)).status_code == 403, url
    client.force_login(outsider)
    for url in _all_urls(checked) + _downloads(checked):
        assert client.get(url).status_code == 403, url


def test_a_viewer_reads_everything_by_session_or_by_token(
    client: Client, viewer: User, checked: dict[str, Any]
) -> None:
    bearer = _bearer(viewer)
    for url in _all_urls(checked) + _downloads(checked):
        assert client.get(url, **bearer).status_code == 200, url
    client.force_login(viewer)
    for url in _all_urls(checked) + _downloads(checked):
        assert client.get(url).status_code == 200, url


def test_a_token_does_not_open_a_session(
    client: Client, viewer: User, checked: dict[str, Any]
) -> None:
    assert client.get(reverse("api-claim-list"), **_bearer(viewer)).status_code == 200

    assert client.get(reverse("api-claim-list")).status_code == 401


def test_the_api_answers_only_get(as_viewer: Client, checked: dict[str, Any]) -> None:
    """...except POST /api/articles/, the write API, which takes tokens only (its tests:
    ``test_write_api.py``): a session gets 401 there."""
    writable = reverse("api-article-list")
    for url in _all_urls(checked) + _downloads(checked)[:4]:
        for method in (as_viewer.post, as_viewer.put, as_viewer.delete):
            expected = 401 if (url, method) == (writable, as_viewer.post) else 405
            assert method(url).status_code == expected, url


def test_scripts_posting_with_a_token_get_405_not_a_csrf_failure(
    viewer: User, checked: dict[str, Any]
) -> None:
    client = Client(enforce_csrf_checks=True)
    bearer = _bearer(viewer)

    for url in _all_urls(checked):
        # A Viewer's token may not write stories: 403, still no CSRF failure.
        expected = 403 if url == reverse("api-article-list") else 405
        assert client.post(url, **bearer).status_code == expected, url


def test_missing_objects_and_formats_are_404_json(as_viewer: Client) -> None:
    for url in (
        reverse("api-claim-detail", args=[999]),
        reverse("api-article-detail", args=[999]),
        reverse("api-source-detail", args=[999]),
        reverse("export-article", args=[999, "csv"]),
    ):
        response = as_viewer.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "Not found.", "errors": {}}
    assert as_viewer.get(reverse("export-claims", args=["xml"])).status_code == 404


# --- Claims ------------------------------------------------------------------------------


def test_a_claim_carries_web_annotation_selectors_that_reanchor_in_the_article(
    as_viewer: Client, checked: dict[str, Any]
) -> None:
    for key in ("quoted", "maliki", "newline", "plain"):
        data = as_viewer.get(reverse("api-claim-detail", args=[checked[key].pk])).json()

        article = as_viewer.get(data["target"]["source"]).json()
        body = article["body"]
        position, quote = data["target"]["selector"]
        assert position["type"] == "TextPositionSelector"
        assert quote["type"] == "TextQuoteSelector"
        assert body[position["start"] : position["end"]] == quote["exact"] == checked[key].text
        located = body.find(quote["prefix"] + quote["exact"] + quote["suffix"])
        assert located + len(quote["prefix"]) == position["start"]


def test_a_claim_shows_its_review_state_analysis_and_evidence(
    as_viewer: Client, checked: dict[str, Any]
) -> None:
    data = as_viewer.get(reverse("api-claim-detail", args=[checked["maliki"].pk])).json()

    assert data["status"] == "confirmed"
    assert data["contradicted"] is False
    assert data["text"] == checked["maliki"].text
    for field in (
        "checkworthiness",
        "check_worthy",
        "checkworthiness_model",
        "claim_type",
        "hedged",
        "hedge_cues",
        "attribution",
        "speaker",
        "entities",
        "occurrences",
        "orphaned",
        "revision",
    ):
        assert field in data
    assert [(e["stance"], e["source"]["publisher"]) for e in data["evidence"]] == [
        ("supports", "apnews.com"),
        ("context", "reuters.com"),
    ]
    assert data["evidence"][0]["added_by"] is None
    assert data["api_url"] == "http://testserver" + reverse(
        "api-claim-detail", args=[checked["maliki"].pk]
    )


def _ids(client: Client, url: str, **params: Any) -> list[int]:
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def test_claims_filter_by_status_contradiction_hedging_type_score_speaker_and_text(
    as_viewer: Client, checked: dict[str, Any]
) -> None:
    Claim.objects.filter(pk=checked["plain"].pk).update(claim_type="event")
    url = reverse("api-claim-list")
    pk = {key: checked[key].pk for key in ("quoted", "maliki", "newline", "plain")}

    assert set(_ids(as_viewer, url, status="confirmed")) == {pk["quoted"], pk["maliki"]}
    assert _ids(as_viewer, url, contradicted="true") == [pk["newline"]]
    assert pk["newline"] not in _ids(as_viewer, url, contradicted="false")
    assert _ids(as_viewer, url, hedged="1") == [pk["quoted"]]
    assert _ids(as_viewer, url, claim_type="event") == [pk["plain"]]
    assert _ids(as_viewer, url, min_score="0.75") == [pk["quoted"], pk["maliki"]]
    assert _ids(as_viewer, url, max_score="0.65") == [pk["plain"]]
    assert _ids(as_viewer, url, speaker="kerry") == [pk["quoted"]]
    assert _ids(as_viewer, url, q=MALIKIS) == [pk["maliki"]]
    assert _ids(as_viewer, url, article=checked["article"].pk + 1) == []


def test_bad_filter_values_get_400_with_the_form_errors(as_viewer: Client) -> None:
    url = reverse("api-claim-list")
    for params, field in (
        ({"status": "maybe"}, "status"),
        ({"hedged": "perhaps"}, "hedged"),
        ({"min_score": "high"}, "min_score"),
        ({"max_score": "2"}, "max_score"),
        ({"page": "0"}, "page"),
        ({"page_size": "201"}, "page_size"),
        ({"article": "x"}, "article"),
    ):
        response = as_viewer.get(url, params)
        assert response.status_code == 400, params
        assert field in response.json()["errors"], params
    # A score range with nothing in it is an empty list, not an error.
    response = as_viewer.get(url, {"min_score": "0.8", "max_score": "0.2"})
    assert response.status_code == 200 and response.json()["results"] == []
    response = as_viewer.get(url, {"min_score": "0.8", "colour": "red"})
    assert response.status_code == 400
    assert response.json()["errors"]["colour"][0]["code"] == "unknown"


def _walk_pages(client: Client, url: str) -> list[int]:
    ids: list[int] = []
    while url:
        data = client.get(url).json()
        ids += [item["id"] for item in data["results"]]
        url = data["next"]
    return ids


def test_walking_all_pages_yields_each_claim_once_in_the_same_order_twice(
    as_viewer: Client, make_article: Callable[..., Article]
) -> None:
    for number in range(4):
        make_article([f"Article {number} claim {i} is stated." for i in range(7)])
    Claim.objects.filter(sentence_index__gte=3).update(checkworthiness=0.5)  # many ties
    url = reverse("api-claim-list") + "?page_size=4"

    first, second = _walk_pages(as_viewer, url), _walk_pages(as_viewer, url)

    assert first == second
    assert sorted(first) == sorted(Claim.objects.values_list("pk", flat=True))
    assert len(first) == 28
    page_two = as_viewer.get(url + "&page=2").json()
    assert page_two["count"] == 28
    page_one = as_viewer.get(url).json()
    assert as_viewer.get(page_two["previous"]).json()["results"] == page_one["results"]
    assert "page_size=4" in page_two["next"]
    assert "cursor=" in page_two["next"]
    beyond = as_viewer.get(url + "&page=99")
    assert beyond.status_code == 200
    assert beyond.json() | {"results": None} == {
        "count": 28,
        "next": None,
        "previous": None,
        "results": None,
    }
    assert beyond.json()["results"] == []


def test_listing_claims_takes_a_bounded_number_of_queries(
    as_viewer: Client,
    make_article: Callable[..., Article],
    django_assert_max_num_queries: Any,
) -> None:
    for number in range(8):
        make_article([f"Article {number} claim {i} is stated." for i in range(8)])

    with django_assert_max_num_queries(8):
        response = as_viewer.get(reverse("api-claim-list"), {"page_size": 200})

    assert len(response.json()["results"]) == 64


# --- Articles, sources, evidence ---------------------------------------------------------


def test_an_article_links_to_its_claims_paged_instead_of_embedding_them(
    as_viewer: Client, checked: dict[str, Any]
) -> None:
    pk = checked["article"].pk

    data = as_viewer.get(reverse("api-article-detail", args=[pk])).json()

    assert "claims" not in data
    assert data["body"] == checked["article"].body
    assert data["claims_url"] == f"http://testserver/api/claims/?article={pk}"
    listed = as_viewer.get(data["claims_url"]).json()
    assert listed["count"] == 4
    assert {claim["article"] for claim in listed["results"]} == {pk}


def test_include_claims_above_the_bound_is_a_400_naming_it_and_the_paged_url(
    as_viewer: Client, checked: dict[str, Any], settings: Any
) -> None:
    settings.WORKBENCH_API_INCLUDE_CLAIMS_MAX = 3
    pk = checked["article"].pk

    response = as_viewer.get(reverse("api-article-detail", args=[pk]), {"include": "claims"})

    assert response.status_code == 400
    data = response.json()
    assert "4 claims, more than the 3" in data["detail"]
    assert f"http://testserver/api/claims/?article={pk}" in data["detail"]
    assert data["errors"]["include"][0]["code"] == "max_claims"


def test_include_takes_only_claims(as_viewer: Client, checked: dict[str, Any]) -> None:
    url = reverse("api-article-detail", args=[checked["article"].pk])

    response = as_viewer.get(url, {"include": "evidence"})

    assert response.status_code == 400
    assert "include" in response.json()["errors"]


def test_an_article_shows_its_body_and_claims_in_bounded_queries(
    as_viewer: Client, checked: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    url = reverse("api-article-detail", args=[checked["article"].pk])
    with django_assert_max_num_queries(10):  # the 10th: the CMS's external_id
        data = as_viewer.get(url, {"include": "claims"}).json()

    assert data["title"] == "NATO to meet on Iraq crisis"
    assert data["body"] == checked["article"].body
    assert data["published_at"] == "2014-06-24T00:00:00+00:00"
    verdicts = {claim["id"]: claim["verdict"] for claim in data["claims"]}
    assert verdicts == {
        checked["quoted"].pk: "confirmed",
        checked["maliki"].pk: "confirmed",
        checked["newline"].pk: "contradicted",
        checked["plain"].pk: "undecided",
    }


def test_articles_filter_by_state_search_and_outlet(
    as_viewer: Client, make_article: Callable[..., Article]
) -> None:
    nato = make_article(title="NATO to meet", outlet="Daily Example")
    budget = make_article(title="Budget passes", outlet="Evening Post")
    Article.objects.filter(pk=budget.pk).update(state=Article.State.FAILED)
    url = reverse("api-article-list")

    assert _ids(as_viewer, url) == [budget.pk, nato.pk]
    assert _ids(as_viewer, url, state="failed") == [budget.pk]
    assert _ids(as_viewer, url, q="nato") == [nato.pk]
    assert _ids(as_viewer, url, q="evening") == [budget.pk]
    assert _ids(as_viewer, url, outlet="daily example") == [nato.pk]
    assert as_viewer.get(url, {"state": "lost"}).status_code == 400


def test_sources_and_evidence_are_listed_and_filtered(
    as_viewer: Client, checked: dict[str, Any]
) -> None:
    sources = as_viewer.get(reverse("api-source-list")).json()
    evidence = as_viewer.get(reverse("api-evidence-list"), {"stance": "refutes"}).json()
    reuters = next(s for s in sources["results"] if s["publisher"] == "reuters.com")
    detail = as_viewer.get(reuters["api_url"]).json()

    assert sources["count"] == 3
    assert [(e["claim"], e["source"]["url"]) for e in evidence["results"]] == [
        (checked["newline"].pk, "https://www.bbc.com/news/iraq")
    ]
    assert {e["claim"] for e in detail["evidence"]} == {checked["quoted"].pk, checked["maliki"].pk}
    assert _ids(as_viewer, reverse("api-source-list"), q="apnews") == [
        checked["maliki"].evidence.get(stance="supports").source_id
    ]


# --- Downloads ---------------------------------------------------------------------------


def test_article_downloads_are_attachments_in_each_format(
    as_viewer: Client, checked: dict[str, Any]
) -> None:
    pk = checked["article"].pk
    expected = {
        "csv": ("text/csv; charset=utf-8", ".csv"),
        "json": ("application/json", ".json"),
        "claimreview": ("application/ld+json", "-claimreview.jsonld"),
    }
    for fmt, (content_type, ending) in expected.items():
        response = as_viewer.get(reverse("export-article", args=[pk, fmt]))
        assert response["Content-Type"] == content_type
        disposition = response["Content-Disposition"]
        assert disposition.startswith(f'attachment; filename="article-{pk}-nato-to-meet')
        assert disposition.endswith(f'{ending}"')
    assert as_viewer.get(reverse("export-article", args=[pk, "xml"])).status_code == 404


def test_the_claimreview_download_uses_absolute_claim_urls(
    as_viewer: Client, checked: dict[str, Any]
) -> None:
    pk = checked["article"].pk
    response = as_viewer.get(reverse("export-article", args=[pk, "claimreview"]))

    document = json.loads(b"".join(response.streaming_content).decode("utf-8"))
    claim = checked["quoted"]
    review = next(r for r in document["@graph"] if r["claimReviewed"] == claim.text)
    assert review["url"] == f"http://testserver/articles/{pk}/?claim={claim.pk}"
    assert review["@id"] == review["url"] + "#claimreview"
    single = as_viewer.get(reverse("export-claim", args=[claim.pk]))
    assert (
        single["Content-Disposition"] == f'attachment; filename="claim-{claim.pk}-claimreview.json"'
    )
    assert single.json()["@context"] == "https://schema.org"
    assert single.json()["claimReviewed"] == claim.text


def _csv_rows(response: Any) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_the_csv_download_streams_every_claim_with_escaped_text(
    as_viewer: Client, checked: dict[str, Any]
) -> None:
    response = as_viewer.get(reverse("export-article", args=[checked["article"].pk, "csv"]))

    assert response.streaming
    rows = _csv_rows(response)
    assert {row["claim_text"] for row in rows} == {
        checked[key].text for key in ("quoted", "maliki", "newline", "plain")
    }
    assert len(rows) == 5


def test_selected_claims_export_by_get_ids_or_repeated_post_ids(
    as_viewer: Client, checked: dict[str, Any]
) -> None:
    chosen = {checked["newline"].pk, checked["quoted"].pk}
    url = reverse("export-claims", args=["csv"])

    by_get = _csv_rows(as_viewer.get(url + "?ids=" + ",".join(map(str, chosen))))
    by_post = _csv_rows(as_viewer.post(url, {"ids": sorted(chosen)}))
    as_json = as_viewer.get(reverse("export-claims", args=["json"]), {"ids": sorted(chosen)})
    as_ld = as_viewer.get(reverse("export-claims", args=["claimreview"]), {"ids": sorted(chosen)})

    assert {int(row["claim_id"]) for row in by_get} == chosen
    assert by_post == by_get
    claims = json.loads(b"".join(as_json.streaming_content))["claims"]
    assert {claim["id"] for claim in claims} == chosen
    graph = json.loads(b"".join(as_ld.streaming_content))["@graph"]
    assert {review["claimReviewed"] for review in graph} == {
        checked["newline"].text,
        checked["quoted"].text,
    }
    for bad in ("1,x", "1,\u00b2", ",".join(["1"] * 5001)):
        assert as_viewer.get(url, {"ids": bad}).status_code == 400, bad[:10]


def test_the_claim_list_bulk_export_streams_the_chosen_claims_in_article_order(
    rf: Any, viewer: User, checked: dict[str, Any]
) -> None:
    request = rf.post("/claims/")
    request.user = viewer
    chosen = Claim.objects.filter(pk__in=[checked["plain"].pk, checked["quoted"].pk])

    response = export_claims_response(request, chosen, "csv")

    day = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="claims-all-{day}.csv"'
    rows = _csv_rows(response)
    assert [int(row["claim_id"]) for row in rows] == [checked["quoted"].pk, checked["plain"].pk]
    assert rows[0]["claim_url"].startswith("http://testserver/articles/")
