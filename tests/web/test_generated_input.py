"""Generated input (hypothesis) never makes a 500: every query parameter of every list,
API and export endpoint, and every form, as each role.

The parameter names come from the filter forms themselves, so a new filter is fuzzed
without touching this file. Values mix the awkward cases an attacker tries first (numbers
past 2**63, 50,000 characters, NULs, bidi overrides, ``javascript:`` URLs, lone
surrogates) with whatever hypothesis draws; page numbers run to the 64-bit bounds and past
them; JSON bodies of the write API nest up to 200,000 levels and carry surrogate escapes
and huge integers. Examples are derandomised so a run is repeatable; set
``HYPOTHESIS_PROFILE=explore`` to draw new ones.
"""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from claims.api import forms as api_forms
from claims.api import views as api
from claims.integrations import tokens
from claims.models import Article, Claim, ClaimMatch, FactCheck, Source
from claims.web import forms
from claims.web.matching import DecisionForm

set_hypothesis_home_dir(django_settings.VAR_DIR / "hypothesis")  # its caches, not in the tree
COMMON = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}
settings.register_profile("repeatable", derandomize=True, **COMMON)
settings.register_profile("explore", **COMMON)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

AWKWARD = [
    "",
    "0",
    "-1",
    "1",
    "9223372036854775807",
    "9223372036854775808",
    "9" * 400,
    "1e309",
    "nan",
    "-inf",
    "true",
    "false",
    "on",
    "a%_" * 17_000,
    "x" * 201,
    "\x00",
    "abc\x00def",
    "\u202eevil\u2066",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "https://example.org/",
    "=1+1",
    "1,2,,3",
    "<script>alert(1)</script>",
]
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)
# Lone surrogates (U+D800-U+DFFF) among other characters: a form or query sends them as
# their 3 UTF-8-like bytes (``%ED%A0%80``), a JSON body as ``"\ud800"``.
SURROGATES = st.text(
    st.one_of(st.characters(categories=["Cs"]), st.characters(max_codepoint=0x2FF)),
    min_size=1,
    max_size=20,
)
# Numbers at and past the 64-bit bounds of the database and of offsets.
EXTREME_INTEGERS = st.one_of(
    st.sampled_from([2**31, 2**53 + 1, 2**63 - 1, 2**63, 2**64, -(2**63) - 1, 10**400]),
    st.integers(min_value=2**62),
    st.integers(max_value=-(2**62)),
)
VALUE = st.one_of(
    st.sampled_from(AWKWARD), TEXT, SURROGATES, st.integers().map(str), EXTREME_INTEGERS.map(str)
)
# JSON bodies: nested deeper than any parser should recurse (up to 200,000 levels, closed
# or not), values of every type, surrogate escapes in keys and values, huge integers.
JSON_SCALAR = st.one_of(st.none(), st.booleans(), EXTREME_INTEGERS, st.floats(), TEXT, SURROGATES)
JSON_VALUE = st.recursive(
    JSON_SCALAR,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(SURROGATES, inner, max_size=3),
    max_leaves=10,
)
DEEP_JSON = st.builds(
    lambda depth, opening, closed: opening * depth + ("]" * depth if closed else ""),
    st.integers(min_value=1, max_value=200_000),
    st.sampled_from(["[", '{"a":', '{"text":[']),
    st.booleans(),
)
STORY = {"external_id": "cms-1", "title": "A story", "text": "The council met on Monday."}
ROLES = ["editor", "fact_checker", "viewer", "outsider"]


def fields_of(*form_classes: type) -> list[str]:
    names = {name for form in form_classes for name in form.base_fields}
    return sorted(names | {"page", "page_size", "excel", "picker", "all", "claim"})


LIST_PARAMETERS = fields_of(
    forms.ArticleFilterForm,
    forms.ClaimFilterForm,
    forms.SourceFilterForm,
    api_forms.EvidenceListForm,
    api_forms.ClaimExportForm,
)
LISTS = [
    "/articles/",
    "/claims/",
    "/sources/",
    "/api/articles/",
    "/api/claims/",
    "/api/sources/",
    "/api/evidence/",
    "/claims/export.csv",
    "/claims/export.json",
    "/claims/export.claimreview",
    "/articles/{article}/",
    "/articles/{article}/export.csv",
    "/claims/{claim}/matches/",
]
FORMS: dict[str, list[str]] = {
    "/articles/new/": list(forms.ArticleForm.base_fields),
    "/articles/{article}/edit/": list(forms.ArticleTextForm.base_fields),
    "/claims/{claim}/evidence/": list(forms.EvidenceForm.base_fields),
    "/claims/{claim}/status/": list(forms.StatusForm.base_fields),
    "/claims/{claim}/assign/": list(forms.AssignForm.base_fields),
    "/claims/{claim}/split/": list(forms.SplitForm.base_fields),
    "/articles/{article}/claims/new/": list(forms.SelectionForm.base_fields),
    "/claims/": list(forms.BulkClaimForm.base_fields),
    "/claims/export.csv": list(api_forms.ClaimExportForm.base_fields),
    "/matches/{match}/accept/": list(DecisionForm.base_fields),
    "/matches/{match}/dismiss/": list(DecisionForm.base_fields),
}


@pytest.fixture
def world(
    make_article: Any, support: Any, editor: User, fact_checker: User, viewer: User, outsider: User
) -> dict[str, Any]:
    article = make_article()
    claim = article.claims.order_by("start").first()
    support(claim, "https://www.reuters.com/a", excerpt="approved a budget")
    check = FactCheck.objects.create(archive_id="f1", text="A budget", url="https://f.example/1")
    match = ClaimMatch.objects.create(claim=claim, factcheck=check, score=0.95)
    users = {"editor": editor, "fact_checker": fact_checker, "viewer": viewer}
    return {"ids": {"article": article.pk, "claim": claim.pk, "match": match.pk}} | {
        "users": users | {"outsider": outsider}
    }


def client_as(world: dict[str, Any], role: str) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(world["users"][role])
    return client


def encoded(fields: dict[str, Any]) -> str:
    """Form-encoded as a client would send it, lone surrogates as their bytes."""
    return urlencode(fields, doseq=True, encoding="utf-8", errors="surrogatepass")


def assert_no_server_error(response: Any, what: str) -> None:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code != 500, what
    assert b"Traceback" not in content, what


@given(
    data=st.data(),
    endpoint=st.sampled_from(LISTS),
    role=st.sampled_from(ROLES),
    htmx=st.booleans(),
)
@settings(PROFILE, max_examples=150)
def test_no_query_string_makes_a_list_or_an_export_fail(
    world: dict[str, Any], data: st.DataObject, endpoint: str, role: str, htmx: bool
) -> None:
    params = data.draw(st.dictionaries(st.sampled_from(LIST_PARAMETERS), VALUE, max_size=4))
    url = endpoint.format(**world["ids"])
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client_as(world, role).get(f"{url}?{encoded(params)}", **headers)
    assert_no_server_error(response, f"GET {url} {params!r} as {role}")


@given(
    data=st.data(),
    endpoint=st.sampled_from(sorted(FORMS)),
    role=st.sampled_from(ROLES),
    htmx=st.booleans(),
)
@settings(PROFILE, max_examples=150)
def test_no_form_data_makes_a_form_fail(
    world: dict[str, Any], data: st.DataObject, endpoint: str, role: str, htmx: bool
) -> None:
    names = st.sampled_from([*FORMS[endpoint], "ids", "action", "q"])
    fields = data.draw(st.dictionaries(names, st.one_of(VALUE, st.lists(VALUE, max_size=3))))
    url = endpoint.format(**world["ids"])
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    form = "application/x-www-form-urlencoded"
    response = client_as(world, role).post(url, encoded(fields), content_type=form, **headers)
    assert_no_server_error(response, f"POST {url} {fields!r} as {role}")
    assert Source.objects.exclude(url__startswith="http").count() == 0
    titles = Article.objects.values_list("title", "outlet")
    assert not any("\x00" in title + outlet for title, outlet in titles)
    assert not Claim.objects.filter(pk__gt=2**62).exists()


@given(
    body=st.one_of(
        DEEP_JSON,
        JSON_VALUE.map(json.dumps),
        st.dictionaries(st.sampled_from(sorted(STORY)), JSON_VALUE).map(
            lambda fields: json.dumps(STORY | fields)
        ),
    )
)
@settings(PROFILE, max_examples=150)
def test_no_json_body_makes_the_write_api_fail(world: dict[str, Any], body: str) -> None:
    token = tokens.issue(user=world["users"]["editor"], name="fuzz")[1]
    client = Client(raise_request_exception=False)

    response = client.post(
        "/api/articles/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )

    assert_no_server_error(response, f"POST /api/articles/ {body[:200]!r}")
    assert response.status_code in (202, 400), response.content[:500]


@given(
    endpoint=st.sampled_from(LISTS),
    page=st.one_of(EXTREME_INTEGERS, st.integers()),
    page_size=st.one_of(st.none(), st.integers(min_value=1, max_value=api.MAX_PAGE_SIZE)),
)
@settings(PROFILE, max_examples=100)
def test_no_page_number_makes_a_list_fail(
    world: dict[str, Any], endpoint: str, page: int, page_size: int | None
) -> None:
    params = {"page": page} | ({"page_size": page_size} if page_size else {})
    url = endpoint.format(**world["ids"])
    response = client_as(world, "editor").get(f"{url}?{encoded(params)}")
    assert_no_server_error(response, f"GET {url} {params!r}")
