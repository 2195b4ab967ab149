"""Generated input (hypothesis) never makes a 500: every query parameter of every list,
API and export endpoint, and every form, as each role.

The parameter names come from the filter forms themselves, so a new filter is fuzzed
without touching this file. Values mix the awkward cases an attacker tries first (numbers
past 2**63, 50,000 characters, NULs, bidi overrides, ``javascript:`` URLs) with whatever
hypothesis draws. Examples are derandomised so a run is repeatable; set
``HYPOTHESIS_PROFILE=explore`` to draw new ones.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from claims.api import views as api
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
# Every character but lone surrogates, which no client can encode.
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)
VALUE = st.one_of(st.sampled_from(AWKWARD), TEXT, st.integers().map(str))
ROLES = ["editor", "fact_checker", "viewer", "outsider"]


def fields_of(*form_classes: type) -> list[str]:
    names = {name for form in form_classes for name in form.base_fields}
    return sorted(names | {"page", "page_size", "excel", "picker", "all", "claim"})


LIST_PARAMETERS = fields_of(
    forms.ArticleFilterForm,
    forms.ClaimFilterForm,
    forms.SourceFilterForm,
    api.EvidenceFilterForm,
    api.ClaimExportForm,
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
    "/claims/export.csv": list(api.ClaimExportForm.base_fields),
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
    response = client_as(world, role).get(url, params, **headers)
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
    response = client_as(world, role).post(url, fields, **headers)
    assert_no_server_error(response, f"POST {url} {fields!r} as {role}")
    assert Source.objects.exclude(url__startswith="http").count() == 0
    titles = Article.objects.values_list("title", "outlet")
    assert not any("\x00" in title + outlet for title, outlet in titles)
    assert not Claim.objects.filter(pk__gt=2**62).exists()
