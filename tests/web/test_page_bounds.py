"""Page numbers are bounded: no ``?page=`` makes an offset past 64 bits (PostgreSQL's
"bigint out of range", SQLite's overflow). Every list answers a 400 naming the bound, or
its last page, never a 500. Run on PostgreSQL too (``DATABASE_URL=postgres://...``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from claims.web.forms import MAX_PAGE

HUGE = ["9223372036854775807", "9223372036854775808", str(MAX_PAGE + 1), "9" * 40]
API_LISTS = ["/api/articles/", "/api/claims/", "/api/sources/", "/api/evidence/"]
HTML_LISTS = ["/articles/", "/claims/", "/sources/", "/queue/", "/feeds/"]


@pytest.fixture
def as_editor(client: Client, editor: User, make_article: Any, support: Any) -> Client:
    article = make_article()
    support(article.claims.first(), "https://www.reuters.com/a", excerpt="approved a budget")
    client.force_login(editor)
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("page", HUGE)
@pytest.mark.parametrize("url", API_LISTS)
def test_a_huge_page_number_on_an_api_list_is_a_400_naming_the_bound(
    as_editor: Client, url: str, page: str
) -> None:
    response = as_editor.get(url, {"page": page})

    assert response.status_code == 400
    assert f"{MAX_PAGE:,}" in response.json()["errors"]["page"][0]["message"]


@pytest.mark.parametrize("url", API_LISTS)
def test_the_largest_page_number_is_an_empty_page_not_an_error(as_editor: Client, url: str) -> None:
    response = as_editor.get(url, {"page": MAX_PAGE, "page_size": 200})

    assert response.status_code == 200
    assert response.json()["results"] == [] and response.json()["next"] is None


@pytest.mark.parametrize("page", [*HUGE, str(MAX_PAGE)])
@pytest.mark.parametrize("url", HTML_LISTS)
def test_a_huge_page_number_on_a_page_is_never_a_server_error(
    as_editor: Client, url: str, page: str
) -> None:
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = as_editor.get(url, {"page": page}, **headers)

        page_text = response.content.decode()
        assert response.status_code in (200, 400), (url, page, response.status_code)
        assert "Traceback" not in page_text
        if response.status_code == 400:  # the page says why
            assert f"Pages run from 1 to {MAX_PAGE:,}." in page_text
