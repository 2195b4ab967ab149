"""Issue 31, lists and exports: filters in words (yes/no, labels, the article by its
title), every column of the claims and articles lists sorts both ways with ties broken
by id, bulk results grouped by reason with links, exports named after their scope and
day with the review columns, "Assigned to me" in the navigation, and the evidence form's
source picker (recent sources first; titles, URLs, outlets and publishers searched)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims.confirmation import service as status
from claims.models import Article, Claim, Evidence, Publisher, PublisherDomain, Source
from claims.web.forms import ArticleFilterForm, ClaimFilterForm

HTMX = {"HTTP_HX_REQUEST": "true"}
TODAY = timezone.localdate().isoformat()


def _as(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def _select(html: str, name: str) -> str:
    found = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert found, name
    return found.group(1)


def _options(html: str, name: str) -> list[str]:
    return [re.sub(r"\s+", " ", label).strip() for label in
            re.findall(r"<option[^>]*>(.*?)</option>", _select(html, name), re.S)]  # fmt: skip


# --- Filters in words ---------------------------------------------------------------------


def test_yes_no_filters_offer_any_yes_no_and_still_take_1_and_0(
    client: Client, viewer: User, make_article: Callable[..., Article]
) -> None:
    article = make_article(["Prices may rise by 3 percent.", "Prices rose by 3 percent."])
    hedged, plain = article.claims.order_by("start")
    Claim.objects.filter(pk=hedged.pk).update(hedged=True)
    page = _as(client, viewer).get("/claims/").content.decode()

    for name in ("contradicted", "hedged"):
        assert _options(page, name) == ["Any", "Yes", "No"]
    for value, shown in (("1", hedged), ("true", hedged), ("0", plain), ("false", plain)):
        html = client.get("/claims/", {"hedged": value}).content.decode()
        rows = set(map(int, re.findall(r'id="claim-row-(\d+)"', html)))
        assert rows == {shown.pk}, value
    assert client.get("/claims/", {"hedged": "maybe"}).status_code == 400


def test_status_and_factuality_filters_show_labels(client: Client, viewer: User) -> None:
    page = _as(client, viewer).get("/claims/").content.decode()

    assert _options(page, "status") == ["Any status", *map(str, Claim.Status.labels)]
    assert "Unverified report" in _options(page, "factuality")
    assert "unverified_report" not in _options(page, "factuality")


def test_the_article_filter_picks_by_title_and_keeps_the_article_parameter(
    client: Client, viewer: User, make_article: Callable[..., Article]
) -> None:
    budget = make_article(title="Council approves budget")
    bridge = make_article(["The bridge will open in 2027."], title="Bridge opening delayed")
    _as(client, viewer)

    page = client.get("/claims/").content.decode()
    assert "Article id" not in page
    assert {"Council approves budget", "Bridge opening delayed"} <= set(_options(page, "article"))
    chosen = client.get("/claims/", {"article": bridge.pk}).content.decode()
    selected = re.search(r'<option value="(\d+)" selected>([^<]*)<', _select(chosen, "article"))
    assert selected and selected.groups() == (str(bridge.pk), "Bridge opening delayed")
    rows = set(map(int, re.findall(r'id="claim-row-(\d+)"', chosen)))
    assert rows == set(bridge.claims.values_list("pk", flat=True))
    # the search box beside it asks the articles list for options by title
    options = client.get("/articles/", {"picker": "1", "q": "bridge"}, **HTMX).content.decode()
    assert f'<option value="{bridge.pk}">Bridge opening delayed</option>' in options
    assert f'value="{budget.pk}"' not in options


def test_the_other_parameters_tools_use_still_filter(
    client: Client, viewer: User, fact_checker: User, make_article: Callable[..., Article]
) -> None:
    one = make_article(outlet="The Courier").claims.order_by("start").first()
    other = make_article(["Another claim stands here."], outlet="Gazette").claims.get()
    assert one is not None
    one.assign(to=fact_checker, by=fact_checker)
    _as(client, viewer)

    for params, expected in [
        ({"outlet": "The Courier"}, set(one.article.claims.values_list("pk", flat=True))),
        ({"assignee": fact_checker.pk}, {one.pk}),
        ({"article": other.article_id}, {other.pk}),
    ]:
        html = client.get("/claims/", params).content.decode()
        assert set(map(int, re.findall(r'id="claim-row-(\d+)"', html))) == expected, params


# --- Sorting every column ---------------------------------------------------------------


@pytest.fixture
def mixed(
    make_article: Callable[..., Article], fact_checker: User, editor: User, support: Any
) -> list[Claim]:
    """Claims that differ in every column, with ties (same score, same speaker)."""
    first = make_article(
        [
            "Zebra numbers rose by 4 percent in May.",
            "Apples cost 3 dollars more this year.",
            "Mayor Smith said the bridge opens in 2027.",
        ],
        title="Bravo story",
    )
    second = make_article(
        ["Bananas fell by 2 percent, the agency said.", "Crime fell by 9 percent in June."],
        title="Alpha story",
    )
    claims = [*first.claims.order_by("start"), *second.claims.order_by("start")]
    Claim.objects.filter(pk=claims[0].pk).update(speaker="Zed", claim_type="quantity")
    Claim.objects.filter(pk=claims[1].pk).update(speaker="Ann", checkworthiness=0.9)
    Claim.objects.filter(pk=claims[3].pk).update(speaker="Ann", claim_type="event")
    claims[1].assign(to=fact_checker, by=editor)
    claims[4].assign(to=editor, by=editor)
    support(claims[2], "https://www.reuters.com/a")
    status.confirm(claims[2], by=editor)
    return list(Claim.objects.filter(pk__in=[c.pk for c in claims]).select_related("assignee"))


def _claim_key(claim: Claim, column: str) -> Any:
    return {
        "score": claim.checkworthiness,
        "text": claim.text,
        "status": claim.status,
        "type": claim.claim_type,
        "speaker": claim.speaker,
        "article": (claim.article_id, claim.start),
        "assignee": claim.assignee.username if claim.assignee else None,
    }[column]


def _expected(items: list[Any], key: Callable[[Any], Any], *, reverse: bool) -> list[int]:
    """Sorted by ``key`` (empty values last either way), ties by id, as the lists do."""
    present = [item for item in items if key(item) is not None]
    missing = [item for item in items if key(item) is None]
    ordered = sorted(present, key=lambda item: (key(item), item.pk), reverse=reverse)
    return [item.pk for item in ordered] + [
        item.pk for item in sorted(missing, key=lambda item: item.pk, reverse=reverse)
    ]


@pytest.mark.parametrize("column", list(ClaimFilterForm.SORT_LABELS))
def test_every_claim_list_column_sorts_both_ways(
    client: Client, viewer: User, mixed: list[Claim], column: str
) -> None:
    _as(client, viewer)
    page = client.get("/claims/").content.decode()
    label = ClaimFilterForm.SORT_LABELS[column]
    header = re.search(rf'<th scope="col"[^>]*><a href="\?sort=(-?{column})"[^>]*>{label}<', page)
    assert header, f"the {label} header is a sort link"
    for direction in ("", "-"):
        html = client.get("/claims/", {"sort": direction + column}).content.decode()
        shown = list(map(int, re.findall(r'id="claim-row-(\d+)"', html)))
        expected = _expected(mixed, lambda c: _claim_key(c, column), reverse=bool(direction))
        assert shown == expected, direction + column
        sorted_header = re.search(
            rf'<th scope="col" aria-sort="(\w+)"[^>]*><a [^>]*>{label}<', html
        )
        assert sorted_header and sorted_header.group(1) == (
            "descending" if direction else "ascending"
        )


ARTICLE_KEYS: dict[str, Callable[[Article], Any]] = {
    "title": lambda a: a.title,
    "outlet": lambda a: a.outlet,
    "published": lambda a: a.published_at,
    "state": lambda a: a.state,
    "claims": lambda a: a.claims.count(),
    "worthy": lambda a: a.claims.filter(check_worthy=True).count(),
    "confirmed_count": lambda a: a.claims.filter(status=Claim.Status.CONFIRMED).count(),
    "contradicted_count": lambda a: (
        a.claims.filter(evidence__stance=Evidence.Stance.REFUTES).distinct().count()
    ),
    "readiness": lambda a: {"blocked": 0, "needs_work": 1, "ready": 2}[_readiness(a)],
    "assignee": lambda a: a.assignee.username if a.assignee else None,
}


def _readiness(article: Article) -> str:
    from claims.confirmation import readiness

    return readiness.of(article).verdict


@pytest.fixture
def articles(
    make_article: Callable[..., Article], editor: User, fact_checker: User, support: Any
) -> list[Article]:
    made = [
        make_article(["One claim is made here."], title="Charlie", outlet="Zeta Times"),
        make_article(title="Alpha", outlet="Beta News", published_at=timezone.now()),
        make_article(
            ["A first claim.", "A second claim.", "A third claim."],
            title="Bravo",
            outlet="Beta News",
            state=Article.State.FAILED,
        ),
    ]
    Article.objects.filter(pk=made[0].pk).update(assignee=fact_checker)
    Article.objects.filter(pk=made[2].pk).update(assignee=editor)
    claim = made[0].claims.get()
    support(claim, "https://www.reuters.com/a")
    status.confirm(claim, by=editor)
    support(made[1].claims.order_by("start").first(), "https://apnews.com/b", "refutes")
    return list(Article.objects.filter(pk__in=[a.pk for a in made]).select_related("assignee"))


@pytest.mark.parametrize("column", list(ArticleFilterForm.SORT_LABELS))
def test_every_article_list_column_sorts_both_ways(
    client: Client, viewer: User, articles: list[Article], column: str
) -> None:
    _as(client, viewer)
    label = ArticleFilterForm.SORT_LABELS[column]
    page = client.get("/articles/").content.decode()
    assert re.search(rf'<a href="\?sort=-?{column}"[^>]*>{label}<', page), label
    for direction in ("", "-"):
        html = client.get("/articles/", {"sort": direction + column}).content.decode()
        shown = list(map(int, re.findall(r'<tr id="article-(\d+)"', html)))
        expected = _expected(articles, ARTICLE_KEYS[column], reverse=bool(direction))
        assert shown == expected, direction + column


def test_a_sort_the_api_does_not_have_is_refused_there_not_broken(
    client: Client, viewer: User, articles: list[Article]
) -> None:
    response = _as(client, viewer).get(reverse("api-article-list"), {"sort": "claims"})
    assert response.status_code == 400


# --- Bulk results -----------------------------------------------------------------------


def test_bulk_confirm_groups_refusals_by_reason_with_a_link_to_each_claim(
    client: Client, fact_checker: User, make_article: Callable[..., Article], support: Any
) -> None:
    claims = list(
        make_article([f"Claim number {n} stands here." for n in range(4)]).claims.order_by("start")
    )
    support(claims[0], "https://www.reuters.com/a")
    response = _as(client, fact_checker).post(
        "/claims/", {"action": "confirm", "ids": [c.pk for c in claims]}, follow=True
    )
    html = response.content.decode()

    groups = re.findall(r'<li class="bulk-group">(.*?)</ul></li>', html, re.S)
    assert len(groups) == 2, "confirmed, and one reason for the three refused"
    assert "<strong>Confirmed</strong> (1 claim)" in groups[0]
    assert re.search(
        r"<strong>Refused: needs 1 more supporting source[^<]*</strong> \(3 claims\)", groups[1]
    )
    linked = re.findall(r'<a href="/articles/\d+/\?claim=(\d+)">#\d+ “', groups[1])
    assert list(map(int, linked)) == [c.pk for c in claims[1:]]


def test_bulk_assign_reports_the_claims_with_links(
    client: Client, editor: User, fact_checker: User, make_article: Callable[..., Article]
) -> None:
    claims = list(make_article().claims.order_by("start"))
    response = _as(client, editor).post(
        "/claims/",
        {"action": "assign", "assignee": fact_checker.pk, "ids": [c.pk for c in claims]},
        follow=True,
    )
    html = response.content.decode()
    assert "Bulk assign: 2 claims assigned to fred." in html
    for claim in claims:
        assert f'<a href="{claim.get_absolute_url()}">#{claim.pk} “'.replace("&", "&amp;") in html


# --- Exports ----------------------------------------------------------------------------


def _disposition(response: Any) -> str:
    found = re.fullmatch(r'attachment; filename="([^"]+)"', response["Content-Disposition"])
    assert found, response["Content-Disposition"]
    return found.group(1)


def test_exports_are_named_after_their_scope_and_day(
    client: Client, viewer: User, make_article: Callable[..., Article]
) -> None:
    article = make_article()
    claims = list(article.claims.all())
    _as(client, viewer)
    bulk = [
        ({"article": article.pk}, True, f"claims-article-{article.pk}-{TODAY}.csv"),
        ({"status": "confirmed"}, True, f"claims-confirmed-{TODAY}.csv"),
        ({}, True, f"claims-all-{TODAY}.csv"),
        ({"q": "budget"}, True, f"claims-filtered-{TODAY}.csv"),
        ({}, False, f"claims-selected-{TODAY}.csv"),
    ]
    for filters, every, name in bulk:
        form = {"action": "export", "ids": [c.pk for c in claims]} | (
            {"all_matching": "on"} if every else {}
        )
        url = "/claims/?" + "&".join(f"{k}={v}" for k, v in filters.items())
        assert _disposition(client.post(url, form)) == name
    excel = client.post(
        f"/claims/?article={article.pk}",
        {"action": "export-excel", "ids": [claims[0].pk], "all_matching": "on"},
    )
    assert _disposition(excel) == f"claims-article-{article.pk}-{TODAY}.csv"
    url = reverse("export-claims", args=["csv"])
    assert _disposition(client.get(url, {"article": article.pk})) == (
        f"claims-article-{article.pk}-{TODAY}.csv"
    )
    assert _disposition(client.get(url, {"status": "needs_rereview", "mine": "true"})) == (
        f"claims-needs-rereview-assigned-to-me-{TODAY}.csv"
    )
    page = reverse("export-article", args=[article.pk, "csv"])
    assert (
        _disposition(client.get(page))
        == f"article-{article.pk}-council-approves-budget-{TODAY}.csv"
    )


def _rows(response: Any) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_the_csv_exports_carry_who_confirmed_when_why_the_assignee_and_counting_sources(
    client: Client,
    viewer: User,
    editor: User,
    fact_checker: User,
    make_article: Callable[..., Article],
    support: Any,
) -> None:
    article = make_article()
    confirmed, open_claim = article.claims.order_by("start")
    support(confirmed, "https://www.reuters.com/a")
    support(confirmed, "https://apnews.com/b")
    support(confirmed, "https://apnews.com/c")  # a third source (of a publisher counted)
    status.confirm(confirmed, by=fact_checker, note="Two wires agree")
    open_claim.assign(to=editor, by=editor)
    _as(client, viewer)

    for response in (
        client.get(reverse("export-article", args=[article.pk, "csv"])),
        client.post(f"/claims/?article={article.pk}", {"action": "export", "all_matching": "on",
                                                       "ids": [confirmed.pk]}),
    ):  # fmt: skip
        rows = {row["claim_id"]: row for row in _rows(response)}
        mine, other = rows[str(confirmed.pk)], rows[str(open_claim.pk)]
        assert mine["confirmed_by"] == "fred"
        assert mine["confirmed_at"].startswith(TODAY[:4])
        assert mine["note"] == "Two wires agree"
        record = confirmed.confirmations.get()
        assert mine["counting_sources"] == str(len({b["source"] for b in record.basis})) == "3"
        assert other["assignee"] == "edna"
        assert (other["confirmed_by"], other["confirmed_at"], other["note"]) == ("", "", "")
        assert other["counting_sources"] == ""


def test_adding_csv_columns_leaves_the_api_claim_unchanged(
    client: Client, viewer: User, make_article: Callable[..., Article]
) -> None:
    make_article()
    claim = _as(client, viewer).get(reverse("api-claim-list")).json()["results"][0]
    assert not {"confirmed_by", "counting_sources", "assignee"} & set(claim)


# --- Assigned to me -----------------------------------------------------------------------


def test_assigned_to_me_in_the_navigation_lists_my_open_claims(
    client: Client,
    fact_checker: User,
    editor: User,
    make_article: Callable[..., Article],
    support: Any,
) -> None:
    mine, done, lapsed, theirs = make_article(
        [f"The {n} council budget rose by {n} million dollars." for n in range(4)]
    ).claims.order_by("start")
    for claim in (mine, done, lapsed):
        claim.assign(to=fact_checker, by=editor)
    theirs.assign(to=editor, by=editor)
    for claim in (done, lapsed):
        support(claim, f"https://www.reuters.com/{claim.pk}")
        status.confirm(claim, by=editor)
    status.lapse([lapsed], cause="a source was re-captured")
    _as(client, fact_checker)

    page = client.get("/articles/").content.decode()
    nav = page.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    link = re.search(r'<a href="([^"]+)"[^>]*>Assigned to me</a>', nav)
    assert link
    listed = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert set(map(int, re.findall(r'id="claim-row-(\d+)"', listed))) == {mine.pk, lapsed.pk}
    assert re.search(r'aria-current="page"[^>]*>Assigned to me<', listed)


# --- The source picker --------------------------------------------------------------------


def test_the_source_picker_offers_recent_sources_before_anything_is_typed(
    client: Client,
    fact_checker: User,
    make_article: Callable[..., Article],
    make_source: Callable[..., Source],
    support: Any,
) -> None:
    claim = make_article().claims.order_by("start").first()
    assert claim is not None
    used = support(claim, "https://www.bbc.co.uk/news/used").source
    fresh = make_source("https://example.org/fresh", title="A fresh source")
    _as(client, fact_checker)

    panel = client.get(f"/claims/{claim.pk}/", **HTMX).content.decode()
    options = _select(panel, "source")
    assert f'<option value="{used.pk}">' in options
    assert f'<option value="{fresh.pk}">A fresh source (example.org)</option>' in options
    empty = client.get("/sources/", {"picker": "1", "q": ""}, **HTMX).content.decode()
    assert f'value="{used.pk}"' in empty and f'value="{fresh.pk}"' in empty
    assert empty.index(f'value="{used.pk}"') < empty.index(f'value="{fresh.pk}"'), (
        "the sources of the latest evidence first"
    )


def test_the_source_picker_searches_titles_urls_outlets_and_publishers(
    client: Client,
    fact_checker: User,
    make_article: Callable[..., Article],
    make_source: Callable[..., Source],
) -> None:
    guardian = make_source("https://www.theguardian.com/uk/a", title="Hospital report")
    afp = make_source("https://www.nordlicht.example/en/b", title="Wire copy")
    titled = make_source("https://example.org/c", title="Ménage à trois budget")
    make_article(outlet="The Guardian", outlet_domain="theguardian.com")
    publisher = Publisher.objects.create(name="Nordlicht Nachrichtendienst")
    PublisherDomain.objects.create(publisher=publisher, domain="nordlicht.example")
    _as(client, fact_checker)

    def picked(term: str) -> set[int]:
        html = client.get("/sources/", {"picker": "1", "q": term}, **HTMX).content.decode()
        return set(map(int, re.findall(r'<option value="(\d+)"', html)))

    assert picked("guardian") == {guardian.pk}, "the outlet's name"
    assert picked("nordlicht nachrichten") == {afp.pk}, "the publisher's name"
    assert picked("menage") == {titled.pk}, "the title, accents folded"
    assert picked("nordlicht.example/en") == {afp.pk}, "the URL"
    assert picked("example.org") == {titled.pk}, "the publisher field (its domain)"
