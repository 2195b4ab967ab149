"""Sort, filter and page links of the lists keep the query string intact
(``{% querystring %}``): a search term with ``&``, ``#``, ``%``, spaces and non-ASCII
letters survives paging and sorting, and ``sort`` appears once in every link."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from claims.models import Article

set_hypothesis_home_dir(django_settings.VAR_DIR / "hypothesis")
TERM = "Café & Co #1 50% Zoë"
LINK = re.compile(r'(href|action)="([^"]*)"')


@pytest.fixture
def as_viewer(client: Client, viewer: User) -> Client:
    client.force_login(viewer)
    return client


@pytest.fixture
def many(make_article: Callable[..., Article]) -> Article:
    """60 claims that all match ``TERM`` (more than one page of 50), and one that does not."""
    sentences = [f"Café & Co #1 50% Zoë sold more in week {n}." for n in range(60)]
    return make_article([*sentences, "Nothing to see here."], title=f"{TERM}: the week")


def list_links(page: str, path: str, attributes: str = "href action") -> list[dict[str, list[str]]]:
    """The query strings of the links (and form actions) back to ``path`` in ``page``,
    below the navigation (whose links are fixed: "Assigned to me")."""
    links = []
    for attribute, href in LINK.findall(page.split("</header>", 1)[-1]):
        url = urlsplit(html.unescape(href))
        if attribute not in attributes.split():
            continue
        if url.path in ("", path) and url.query:
            links.append(parse_qs(url.query, keep_blank_values=True))
    return links


def test_a_search_term_survives_paging_and_sorting(as_viewer: Client, many: Article) -> None:
    page = as_viewer.get("/claims/", {"q": TERM, "sort": "score"}).content.decode()
    links = list_links(page, "/claims/")

    assert links, "the page has sort and page links"
    for query in links:
        assert query["q"] == [TERM]
        assert len(query.get("sort", [])) <= 1
    (following,) = [q for q in links if q.get("page") == ["2"]]
    assert following["sort"] == ["score"]
    second = as_viewer.get("/claims/", following).content.decode()
    assert "Page 2 of 2 · 60 in all" in second
    assert "Nothing to see here" not in second


def test_a_sort_link_replaces_the_sort_and_starts_again_at_page_one(
    as_viewer: Client, many: Article
) -> None:
    page = as_viewer.get("/claims/", {"q": TERM, "sort": "score", "page": "2"}).content.decode()
    links = list_links(page, "/claims/", "href")
    sorts = [q for q in links if "sort" in q and "page" not in q]

    # one link per column: the sorted one reversed, the others their first direction
    assert {tuple(q["sort"]) for q in sorts} == {
        ("-score",),
        ("text",),
        ("status",),
        ("type",),
        ("speaker",),
        ("article",),
        ("assignee",),
    }
    assert all(q["q"] == [TERM] for q in sorts)


def test_article_list_links_keep_the_term_and_one_sort(as_viewer: Client, many: Article) -> None:
    page = as_viewer.get("/articles/", {"q": TERM, "sort": "title"}).content.decode()
    links = list_links(page, "/articles/")

    assert "Café &amp; Co #1 50% Zoë: the week" in page
    state_links = [q for q in links if "state" in q]
    assert state_links, "the job-state filter links"
    for query in links:
        assert query["q"] == [TERM]
        assert len(query.get("sort", [])) == 1


@given(term=st.text(st.characters(exclude_categories=["Cs", "Cc"]), min_size=1, max_size=40))
@settings(
    max_examples=25,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_any_term_round_trips_through_every_link(
    as_viewer: Client, many: Article, term: str
) -> None:
    response = as_viewer.get("/claims/", {"q": term, "sort": "article"})
    if response.status_code == 400:  # too long after cleaning, or otherwise refused
        return
    for query in list_links(response.content.decode(), "/claims/"):
        assert query["q"] == [response.context["form"]["q"].value()]
        assert len(query.get("sort", [])) <= 1
