"""Nothing hidden from the checker (issue 31): every counter and readiness reason of the
article page links to the claims list filtered to exactly the claims it counts; lapsed and
contradicted claims head the article's list; today's queue opens with what needs a person,
each section linked to the list of exactly its claims; a fact-checker lands on the queue."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.confirmation import service as status
from claims.models import Article, Claim, Evidence
from claims.review import evidence as verification
from tests.conftest import PASSWORD
from tests.models.test_verdict_counts import ClaimState, article_states, build, claim_states

LIST = reverse("claim-list")
QUEUE = reverse("todays-queue")


def listed_count(client: Client, href: str) -> int:
    response = client.get(html_lib.unescape(href))
    assert response.status_code == 200, href
    return response.context["page"].paginator.count


def linked_numbers(page: str, element_id: str) -> list[tuple[str, int]]:
    """``(href, number)`` for each link of the element: the ``<strong>`` number of a
    counter, or the first number in a reason's words (none: 0)."""
    tag = "section" if element_id == "readiness" else "p"
    block = re.search(rf'<{tag}[^>]* id="{element_id}".*?</{tag}>', page, re.S)
    assert block, f"no #{element_id}"
    found = []
    for href, inner in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', block.group(0), re.S):
        number = re.search(r"\d+", re.sub(r"<[^>]+>", "", inner))
        found.append((href, int(number.group(0)) if number else 0))
    return found


@pytest.fixture
def viewer_client(viewer: User) -> Client:
    client = Client()
    client.force_login(viewer)
    return client


# --- The article page ------------------------------------------------------------------------


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(states=st.lists(claim_states, min_size=1, max_size=6), state=article_states)
def test_every_counter_and_reason_links_to_a_list_of_exactly_the_claims_it_counts(
    viewer_client: Client, states: list[ClaimState], state: str
) -> None:
    with transaction.atomic():
        article = build(states, state)
        page = viewer_client.get(reverse("article-detail", args=[article.pk])).content.decode()

        counters = linked_numbers(page, "counters")
        readiness = linked_numbers(page, "readiness")
        assert len(counters) >= 4 and len(readiness) >= 7
        for href, number in counters + readiness:
            if href.startswith("#"):  # the extraction's state: an anchor on the page
                assert f'id="{href[1:]}"' in page
                continue
            assert f"article={article.pk}" in href
            assert listed_count(viewer_client, href) == number, href
        transaction.set_rollback(True)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(states=st.lists(claim_states, min_size=1, max_size=7), show_all=st.booleans())
def test_lapsed_and_contradicted_claims_come_first_then_the_rest_in_their_order(
    viewer_client: Client, states: list[ClaimState], show_all: bool
) -> None:
    with transaction.atomic():
        article = build(states, Article.State.DONE)
        url = reverse("article-detail", args=[article.pk]) + ("?all=1" if show_all else "")
        listed = viewer_client.get(url).context["claims"]

        def rank(claim: Claim) -> int:  # lapsed, then contradicted, then the rest
            if claim.status == Claim.Status.NEEDS_REREVIEW:
                return 0
            return 1 if claim.contradicted else 2

        def first(claim: Claim) -> bool:
            return rank(claim) < 2

        ranks = [rank(claim) for claim in listed]
        assert ranks == sorted(ranks)
        for each in range(3):  # within a rank, the page's usual order
            same = [claim for claim in listed if rank(claim) == each]
            assert same == sorted(same, key=lambda c: (-c.checkworthiness, c.start))
        # None is hidden, even when not check-worthy.
        everyone = Claim.objects.filter(article=article).with_verdict()
        wanted = {c.pk for c in everyone if first(c)}
        assert wanted <= {claim.pk for claim in listed}
        transaction.set_rollback(True)


def test_the_lapsed_claim_sits_first_on_the_page_though_it_scores_lowest(
    client: Client,
    fact_checker: User,
    make_article: Callable[..., Article],
    support: Callable[..., Evidence],
) -> None:
    article = make_article(
        [
            "The council approved a budget of 4.2 million dollars on Monday.",
            "The mayor said the new bridge will open in 2027.",
            "Unemployment fell to 3.1 percent in March.",
        ]
    )
    last = article.claims.order_by("-start").first()
    evidence = support(last)
    status.confirm(last, by=fact_checker, note="checked")
    verification.remove_evidence(evidence=evidence, by=fact_checker)
    client.force_login(fact_checker)

    page = client.get(reverse("article-detail", args=[article.pk])).content.decode()

    order = [int(pk) for pk in re.findall(r'<li id="claim-(\d+)"', page)]
    assert order[0] == last.pk and len(order) == 3
    assert re.search(r'href="[^"]*count=rereview[^"]*"[^>]*>1 claim needs re-review', page)


# --- Today's queue ---------------------------------------------------------------------------


@pytest.fixture
def desk(
    make_article: Callable[..., Article],
    support: Callable[..., Evidence],
    fact_checker: User,
    editor: User,
) -> dict[str, Claim]:
    """A lapsed claim, a contradicted one, one assigned to the fact-checker, new claims,
    and what must stay out: an old story's claims, an archived story's contradicted claim,
    an orphaned contradicted claim."""
    today = make_article(
        [
            "The council approved a budget of 4.2 million dollars on Monday.",
            "The mayor said the new bridge will open in 2027.",
            "Unemployment fell to 3.1 percent in March.",
            "The library will close on Sundays from May.",
        ]
    )
    lapsed, contradicted, mine, new = today.claims.order_by("start")
    evidence = support(lapsed)
    status.confirm(lapsed, by=fact_checker, note="council minutes")
    verification.remove_evidence(evidence=evidence, by=fact_checker)
    support(contradicted, url="https://www.bbc.co.uk/news/x", stance=Evidence.Stance.REFUTES)
    mine.assign(to=fact_checker, by=editor)

    old = make_article(["Old news: the port handled 2 million containers."], title="Old")
    Article.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=30))
    archived = make_article(["The tram will be free in June."], title="Archived")
    support(archived.claims.get(), url="https://apnews.com/y", stance=Evidence.Stance.REFUTES)
    Article.objects.filter(pk=archived.pk).update(archived_at=timezone.now())
    gone = make_article(["The stadium holds 60,000 people."], title="Edited")
    orphan = gone.claims.get()
    support(orphan, url="https://apnews.com/z", stance=Evidence.Stance.REFUTES)
    Claim.objects.filter(pk=orphan.pk).update(orphaned=True)
    return {"lapsed": lapsed, "contradicted": contradicted, "mine": mine, "new": new}


def section_ids(page: str, key: str) -> list[int]:
    return [int(pk) for pk in re.findall(rf'id="queue-{key}-(\d+)"', page)]


def test_the_queue_opens_with_what_needs_a_person_each_count_its_lists_count(
    client: Client, fact_checker: User, desk: dict[str, Claim]
) -> None:
    client.force_login(fact_checker)

    response = client.get(QUEUE)

    page = response.content.decode()
    sections = {section.key: section for section in response.context["sections"]}
    assert list(sections) == ["rereview", "contradicted", "mine"]
    assert section_ids(page, "rereview") == [desk["lapsed"].pk]
    assert section_ids(page, "contradicted") == [desk["contradicted"].pk]
    assert section_ids(page, "mine") == [desk["mine"].pk]
    new = [claim.pk for claim in response.context["page"]]
    assert set(new) == {desk["mine"].pk, desk["new"].pk}  # no evidence yet, arrived today
    # The cause of the lapse, in words.
    assert "Evidence removed" in page and "evidence removed" in page
    # Each count links to the claims list of exactly those claims.
    count_link = r'<a class="queue-count" href="([^"]+)" data-section-count="(\w+)"'
    links = dict(re.findall(count_link, page))
    assert set(links.values()) == {"rereview", "contradicted", "mine", "new"}
    for href, key in links.items():
        listed = client.get(html_lib.unescape(href)).context["page"]
        shown = sections[key].count if key in sections else response.context["page"].paginator.count
        assert listed.paginator.count == shown == 1 + (key == "new"), key
        ids = {claim.pk for claim in listed}
        assert ids == (set(new) if key == "new" else set(section_ids(page, key))), key


def test_a_section_counts_every_claim_beyond_the_ones_it_shows(
    client: Client, fact_checker: User, make_article: Callable[..., Article]
) -> None:
    article = make_article([f"Claim {i} says {i * 3} schools opened." for i in range(13)])
    Claim.objects.filter(article=article).update(status=Claim.Status.NEEDS_REREVIEW)
    client.force_login(fact_checker)

    response = client.get(QUEUE)

    page = response.content.decode()
    (rereview,) = [s for s in response.context["sections"] if s.key == "rereview"]
    assert rereview.count == 13 and len(section_ids(page, "rereview")) == 10
    assert listed_count(client, rereview.url) == 13
    assert "All 13 in the claims list" in page


def test_a_viewer_gets_no_assigned_to_me_section(
    client: Client, viewer: User, desk: dict[str, Claim]
) -> None:
    client.force_login(viewer)

    response = client.get(QUEUE)

    assert [s.key for s in response.context["sections"]] == ["rereview", "contradicted"]


# --- Landing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "lands_on"),
    [("fact_checker", "todays-queue"), ("editor", "article-list"), ("viewer", "article-list")],
)
def test_a_fact_checker_lands_on_the_queue_others_on_the_articles(
    client: Client, db: None, request: pytest.FixtureRequest, persona: str, lands_on: str
) -> None:
    user = request.getfixturevalue(persona)
    login = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert login.status_code == 302
    home = client.get(login["Location"])

    assert home.status_code == 302 and home["Location"] == reverse(lands_on)
