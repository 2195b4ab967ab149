"""The OpenAPI description at /api/schema/: it parses, every documented path resolves to
the view that serves it, every API route and download is documented, every reference
resolves, and what the API answers is what the document says (the document is built from
the same forms and serialisers; ``test_schemathesis.py`` fuzzes it against a live
server)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import jsonschema_rs  # schemathesis's validator (dev extra)
import pytest
from django import forms
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from claims.api import forms as api_forms
from claims.api.forms import FORMATS
from claims.integrations import tokens, webhooks
from claims.models import Article, Evidence, Source, Speaker

SCHEMA = reverse("api-schema")


@pytest.fixture
def schema(client: Client, viewer: User) -> dict[str, Any]:
    client.force_login(viewer)
    response = client.get(SCHEMA)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return json.loads(response.content)


def concrete(path: str, pk: int, fmt: str = "csv") -> str:
    return path.replace("{id}", str(pk)).replace("{format}", fmt)


def _key_of(path: str) -> str:
    return path.strip("/").split("/")[1 if path.startswith("/api/") else 0]


def test_it_is_openapi_3_1_and_needs_credentials(client: Client, schema: dict[str, Any]) -> None:
    assert schema["openapi"].startswith("3.1")
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert Client().get(SCHEMA).status_code == 401


def test_every_documented_path_resolves_and_answers(
    client: Client, schema: dict[str, Any], editor: User, make_article: Callable[..., Article]
) -> None:
    article = make_article()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens.issue(user=editor, name='t')[1]}"}
    claim = article.claims.first()
    Evidence.objects.create(
        claim=claim, source=Source.objects.create(url="https://www.reuters.com/a"), stance="refutes"
    )
    ids = {
        "articles": article.pk,
        "article": article.pk,
        "claims": claim.pk,
        "sources": Source.objects.get().pk,
        "speakers": Speaker.objects.create(name="John Kerry").pk,
    }
    for path, operations in schema["paths"].items():
        for fmt in FORMATS if "{format}" in path else ["-"]:
            url = concrete(path, ids.get(_key_of(path), ids["article"]), fmt)
            match = resolve(url)
            assert match.url_name.startswith(("api-", "export-")), path
            if "get" in operations:
                response = client.get(url, **auth)
                assert response.status_code == 200, url
                assert (
                    response["Content-Type"].split(";")[0]
                    in operations["get"]["responses"]["200"]["content"]
                ), url
        for method in set(operations) - {"get", "post"}:
            pytest.fail(f"{path} documents {method}, which no view serves")
    assert "post" in schema["paths"]["/api/articles/"]


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for item in patterns:
        if isinstance(item, URLResolver):
            yield from _routes(item.url_patterns, prefix + str(item.pattern))
        elif isinstance(item, URLPattern) and item.name:
            yield item.name, "/" + (prefix + str(item.pattern)).replace("<str:pk>", "{id}")


def test_every_api_route_and_download_is_documented(schema: dict[str, Any]) -> None:
    routes = dict(_routes(get_resolver().url_patterns))
    api = {path for path in routes.values() if path.startswith("/api/")}
    api.discard(routes["api-not-found"])  # the JSON 404 for every other /api/ URL

    documented = set(schema["paths"])
    assert api and api <= documented
    assert documented - api == {
        "/articles/{id}/export.{format}",
        "/claims/export.{format}",
        "/claims/{id}/claimreview.json",
    }
    assert documented - api <= {path.replace("<str:fmt>", "{format}") for path in routes.values()}


def test_every_reference_resolves_and_every_event_is_described(schema: dict[str, Any]) -> None:
    text = json.dumps(schema)
    for ref in set(re.findall(r'"\$ref": "#/([^"]+)"', text)):
        node: Any = schema
        for part in ref.split("/"):
            node = node[part]
    assert set(schema["webhooks"]) == set(webhooks.EVENTS)
    event = schema["components"]["schemas"]["Event"]["properties"]["event"]["enum"]
    assert event == list(webhooks.EVENTS)


# The lists' forms are the API's query parameters: the document names each field, with
# its choices, bounds and lengths, and nothing the form does not take (``bind`` refuses
# any other parameter).
LIST_FORMS = {
    "/api/speakers/": api_forms.SpeakerListForm,
    "/api/articles/": api_forms.ArticleListForm,
    "/api/claims/": api_forms.ClaimListForm,
    "/api/sources/": api_forms.SourceListForm,
    "/api/evidence/": api_forms.EvidenceListForm,
}


@pytest.mark.parametrize("path", sorted(LIST_FORMS))
def test_list_parameters_are_the_form_with_its_limits(schema: dict[str, Any], path: str) -> None:
    form = LIST_FORMS[path]()
    documented = {p["name"]: p["schema"] for p in schema["paths"][path]["get"]["parameters"]}
    assert set(documented) == set(form.fields)
    for name, field in form.fields.items():
        if isinstance(field, forms.ChoiceField):
            assert documented[name]["enum"] == [str(value) for value, _ in field.choices], name
        if getattr(field, "max_length", None):
            assert documented[name]["maxLength"] == field.max_length, name
        if getattr(field, "min_value", None) is not None:
            assert documented[name]["minimum"] == field.min_value, name


def test_the_documented_resources_are_what_the_api_answers(
    client: Client, schema: dict[str, Any], editor: User, make_article: Callable[..., Article]
) -> None:
    """Every field of every answer is documented with its type (``additionalProperties``
    is false), and every documented field is there."""
    article = make_article()
    claim = article.claims.first()
    source = Source.objects.create(url="https://www.reuters.com/a")
    Evidence.objects.create(claim=claim, source=source, stance="supports", excerpt="x")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens.issue(user=editor, name='t')[1]}"}
    components = {"components": schema["components"]}
    for url, name in (
        (reverse("api-article-detail", args=[article.pk]) + "?include=claims", "ArticleDetail"),
        (reverse("api-claim-detail", args=[claim.pk]), "ClaimDetail"),
        (reverse("api-source-detail", args=[source.pk]), "SourceDetail"),
    ):
        data = client.get(url, **auth).json()
        jsonschema_rs.validate(components | {"$ref": f"#/components/schemas/{name}"}, data)
        assert set(data) >= set(schema["components"]["schemas"][name]["required"])
    assert (
        len(schema["components"]["schemas"]["Claim"]["properties"])
        == len(client.get(reverse("api-claim-detail", args=[claim.pk]), **auth).json()) - 1
    )  # all but the detail's evidence


def test_errors_everywhere_have_one_shape(
    client: Client, schema: dict[str, Any], viewer: User
) -> None:
    client.force_login(viewer)
    error_schema = {"components": schema["components"], "$ref": "#/components/schemas/Error"}
    for method, url, status in (
        ("get", "/api/claims/?page=0", 400),
        ("get", "/api/claims/?colour=red", 400),
        ("get", "/api/claims/?cursor=forged", 400),
        ("get", "/api/articles/abc/", 404),
        ("get", "/api/claims/-1/", 404),
        ("get", "/api/nothing/", 404),
        ("put", "/api/claims/", 405),
        ("patch", "/api/claims/", 405),
        ("delete", "/api/articles/", 405),
        ("post", "/api/claims/", 405),
        ("get", "/claims/export.xml", 404),
        ("get", "/articles/abc/export.csv", 404),
        ("post", "/api/articles/", 401),  # a session cannot write
    ):
        response = getattr(client, method)(url)
        assert response.status_code == status, (method, url)
        assert response["Content-Type"] == "application/json", (method, url)
        jsonschema_rs.validate(error_schema, response.json())
        if status == 405:
            assert "GET" in response["Allow"] and "OPTIONS" in response["Allow"]


def test_an_unreadable_multipart_body_is_a_json_400(client: Client, editor: User) -> None:
    auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens.issue(user=editor, name='t')[1]}"}
    for url in ("/claims/export.csv", "/api/articles/"):
        response = client.post(url, "x", content_type="multipart/form-data", **auth)

        assert response.status_code == 400, url
        assert response.json()["detail"].startswith("The multipart body cannot be read")


def test_head_and_options_are_answered_sensibly(client: Client, viewer: User) -> None:
    client.force_login(viewer)

    head = client.head("/api/claims/")
    options = client.options("/api/articles/")

    assert head.status_code == 200 and head.content == b""
    assert options.status_code == 204 and options["Allow"] == "GET, HEAD, OPTIONS, POST"


def test_a_url_without_its_slash_is_redirected_to_it(client: Client, viewer: User) -> None:
    client.force_login(viewer)

    response = client.get("/api/claims?status=confirmed")

    assert response.status_code == 301
    assert response["Location"] == "/api/claims/?status=confirmed"
