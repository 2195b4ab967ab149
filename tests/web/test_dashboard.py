"""The desk dashboard page (``/dashboard/``) and its CSVs."""

from __future__ import annotations

import csv
import html
import io
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims.dashboard import figures
from claims.models import Article, Claim, Evidence
from tests.support import login

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def desk_data(
    make_article: Callable[..., Article], support: Callable[..., Evidence], fact_checker: User
) -> Article:
    article = make_article(["Exports rose 12 percent in May.", "Imports fell 3 percent."])
    first, second = article.claims.all()
    support(first, "https://www.bbc.com/news/a", stance=Evidence.Stance.REFUTES)
    Claim.objects.filter(pk=second.pk).update(assignee=fact_checker)
    return article


def test_anonymous_visitors_go_to_the_login_page(client: Client) -> None:
    response = client.get("/dashboard/")
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["viewer", "fact_checker", "editor"])
def test_every_role_sees_every_chart_with_its_table_and_csv(
    client: Client, desk_data: Article, persona: str, request: pytest.FixtureRequest
) -> None:
    login(client, request.getfixturevalue(persona))
    response = client.get("/dashboard/")
    assert response.status_code == 200
    page = response.content.decode()
    for key in figures.KEYS:
        assert f'id="chart-{key}"' in page
        assert reverse("dashboard-csv", args=[key]) in page
    assert page.count("<svg") == len(figures.KEYS)
    assert "<script" not in page.split("<main>")[1].split("</main>")[0]


def test_each_svg_is_well_formed_and_titled_as_its_heading(client: Client, desk_data: Article,
                                                           viewer: User) -> None:  # fmt: skip
    login(client, viewer)
    page = client.get("/dashboard/?range=7").content.decode()
    for key in figures.KEYS:
        section = page.split(f'id="chart-{key}"')[1].split("</section>")[0]
        markup = section[section.index("<svg") : section.index("</svg>") + 6]
        root = ET.fromstring(markup)
        title = root.find(f"{SVG}title").text
        heading = section.split("</h2>")[0].split(">")[-1]
        assert title and html.unescape(heading) == title
        assert root.find(f"{SVG}desc").text


def test_the_csv_has_the_same_numbers_as_the_figure(
    client: Client, desk_data: Article, viewer: User
) -> None:
    login(client, viewer)
    response = client.get(reverse("dashboard-csv", args=["backlog"]) + "?range=7")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "dashboard-backlog-" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    today = timezone.localdate()
    figure = figures.backlog(figures.DeskFilter(today - timedelta(days=6), today))
    assert rows[0] == figure.columns
    assert [[float(c) for c in row[1:]] for row in rows[1:]] == [r[1:] for r in figure.rows()]
    assert rows[-1][1:] == ["1", "0", "0", "1"]  # one unconfirmed, one contradicted


def test_a_chart_links_to_the_claims_it_counts(
    client: Client, desk_data: Article, viewer: User
) -> None:
    login(client, viewer)
    page = client.get("/dashboard/").content.decode()
    section = page.split('id="chart-contradictions-outlets"')[1].split("</section>")[0]
    link = section.split('">Daily Example</a>')[0].rsplit('<a href="', 1)[1]
    listed = client.get(link.replace("&amp;", "&"))
    assert "outlet=Daily+Example" in link
    assert listed.status_code == 200
    assert "Exports rose 12 percent" in listed.content.decode()
    assert "Imports fell 3 percent" not in listed.content.decode()


@pytest.mark.parametrize(
    "query, message",
    [
        ("range=custom", "A custom range needs a start and an end date."),
        ("range=custom&start=2026-05-02&end=2026-05-01", "must not be after the end date"),
        ("range=custom&start=2020-01-01&end=2026-01-01", "at most 366 days"),
        (
            f"range=custom&start={date.today() + timedelta(days=1)}&end="
            f"{date.today() + timedelta(days=2)}",
            "cannot end after today",
        ),
        ("range=forever", "Select a valid choice"),
        ("start=not-a-date&range=custom", "Enter a valid date"),
    ],
)
def test_a_bad_range_is_a_400_that_says_why(
    client: Client, viewer: User, query: str, message: str
) -> None:
    login(client, viewer)
    response = client.get(f"/dashboard/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()
    csv_response = client.get(reverse("dashboard-csv", args=["lapses"]) + f"?{query}")
    assert csv_response.status_code == 400


def test_an_unknown_chart_is_a_404(client: Client, viewer: User) -> None:
    login(client, viewer)
    assert client.get("/dashboard/nothing.csv").status_code == 404


def test_csv_cells_that_look_like_formulas_are_neutralised(
    client: Client, make_article: Callable[..., Article], support: Callable[..., Evidence],
    viewer: User,
) -> None:  # fmt: skip
    article = make_article(["Exports rose 12 percent in May."], outlet="=HYPERLINK(1)")
    support(article.claims.get(), "https://www.bbc.com/news/a", stance=Evidence.Stance.REFUTES)
    login(client, viewer)
    body = client.get(reverse("dashboard-csv", args=["contradictions-outlets"])).content.decode()
    assert "'=HYPERLINK(1)" in body


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    from django.core.cache import cache

    cache.clear()


def test_a_cached_figure_follows_every_change(
    client: Client, desk_data: Article, viewer: User, fact_checker: User,
    support: Callable[..., Evidence],
) -> None:  # fmt: skip
    """The page's figures are cached under the data version; any change that can move a
    figure (here: a confirmation, then removed evidence) changes the version."""
    from claims.confirmation import service as status
    from claims.review import evidence as evidence_service

    login(client, viewer)
    today = timezone.localdate()
    desk = figures.DeskFilter(today - timedelta(days=6), today)
    before = figures.data_version()
    first = figures.all_figures(desk)
    assert figures.all_figures(desk) == first  # served from the cache
    claim = desk_data.claims.get(text__startswith="Imports")
    added = support(claim, "https://apnews.com/article/imports")
    status.confirm(Claim.objects.get(pk=claim.pk), by=fact_checker, note="AP agrees.")
    assert figures.data_version() != before
    after = figures.all_figures(desk)
    assert after == figures.all_figures(desk, use_cache=False)
    assert after[0].series["Confirmed"][-1] == 1
    evidence_service.remove_evidence(evidence=added, by=fact_checker)
    lapsed = figures.all_figures(desk)
    assert lapsed == figures.all_figures(desk, use_cache=False)
    assert lapsed[0].series["Needs re-review"][-1] == 1
