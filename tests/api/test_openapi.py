"""The OpenAPI description at /api/schema/: it parses, every documented path resolves to
the view that serves it, every API route is documented, and every reference resolves."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from claims.integrations import tokens, webhooks
from claims.models import Article

SCHEMA = reverse("api-schema")


@pytest.fixture
def schema(client: Client, viewer: User) -> dict[str, Any]:
    client.force_login(viewer)
    response = client.get(SCHEMA)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return json.loads(response.content)


def concrete(path: str, pk: int) -> str:
    return re.sub(r"\{id\}", str(pk), path)


def test_it_is_openapi_3_1_and_needs_credentials(client: Client, schema: dict[str, Any]) -> None:
    assert schema["openapi"].startswith("3.1")
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert Client().get(SCHEMA).status_code == 401


def test_every_documented_path_resolves_and_answers(
    client: Client, schema: dict[str, Any], editor: User, make_article: Callable[..., Article]
) -> None:
    article = make_article()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens.issue(user=editor, name='t')[1]}"}
    ids = {"/api/articles/{id}/": article.pk, "/api/claims/{id}/": article.claims.first().pk}
    for path, operations in schema["paths"].items():
        url = concrete(path, ids.get(path, 1))
        match = resolve(url)
        assert match.url_name.startswith("api-"), path
        if "get" in operations:
            missing = {"/api/sources/{id}/", "/api/speakers/{id}/"}  # none exists
            expected = 404 if path in missing else 200
            assert client.get(url, **auth).status_code == expected, path
        for method in set(operations) - {"get", "post"}:
            pytest.fail(f"{path} documents {method}, which no view serves")
    assert "post" in schema["paths"]["/api/articles/"]


def _api_routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for item in patterns:
        if isinstance(item, URLResolver):
            yield from _api_routes(item.url_patterns, prefix + str(item.pattern))
        elif isinstance(item, URLPattern) and (prefix + str(item.pattern)).startswith("api/"):
            yield "/" + (prefix + str(item.pattern)).replace("<int:pk>", "{id}")


def test_every_api_route_is_documented(schema: dict[str, Any]) -> None:
    routes = set(_api_routes(get_resolver().url_patterns))

    assert routes and routes == set(schema["paths"])


def test_every_reference_resolves_and_every_event_is_described(schema: dict[str, Any]) -> None:
    text = json.dumps(schema)
    for ref in set(re.findall(r'"\$ref": "#/([^"]+)"', text)):
        node: Any = schema
        for part in ref.split("/"):
            node = node[part]
    assert set(schema["webhooks"]) == set(webhooks.EVENTS)
    event = schema["components"]["schemas"]["Event"]["properties"]["event"]["enum"]
    assert event == list(webhooks.EVENTS)


# The lists' filter forms are the API's query parameters (one form per list, shared with
# the HTML pages): the description must name each of them, with the same choices, and
# nothing the form does not take. `sort` is the HTML list's column order; the API pages
# by cursor in one fixed order and does not document it.
LIST_FORMS = {
    "/api/articles/": "claims.web.forms.ArticleFilterForm",
    "/api/claims/": "claims.web.forms.ClaimFilterForm",
    "/api/sources/": "claims.web.forms.SourceFilterForm",
    "/api/evidence/": "claims.api.views.EvidenceFilterForm",
}


@pytest.mark.parametrize("path", sorted(LIST_FORMS))
def test_list_parameters_are_the_filter_form(schema: dict[str, Any], path: str) -> None:
    from django import forms
    from django.utils.module_loading import import_string

    form = import_string(LIST_FORMS[path])()
    documented = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
    assert set(documented) == set(form.fields) - {"sort"}
    for name, field in form.fields.items():
        enum = documented.get(name, {}).get("schema", {}).get("enum")
        if enum is not None and isinstance(field, forms.ChoiceField) and name != "sort":
            assert set(enum) >= {str(value) for value, _ in field.choices if value != ""}, name
