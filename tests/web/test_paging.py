"""The lists' capped count (``paging.CappedPaginator``): exact up to the cap, "more
than" above it, and next/previous paging that visits every row once, in order, on
either side of the cap (both databases)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from claims.models import Article, Claim
from claims.web import paging
from tests.support import login

ROWS = 23


class CappedPaging(HypothesisTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        article = Article.objects.create(title="t", body="x" * 100, state=Article.State.DONE)
        Claim.objects.bulk_create(
            Claim(article=article, revision=1, text=f"c{i}", start=i, end=i + 1, sentence_index=i)
            for i in range(ROWS)
        )

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        below=st.integers(0, ROWS),  # the filter: how many rows match
        cap=st.integers(1, ROWS + 2),
        per_page=st.integers(1, 7),
    )
    def test_walking_the_pages_visits_every_matching_row_once_in_order(
        self, below: int, cap: int, per_page: int
    ) -> None:
        rows = Claim.objects.filter(sentence_index__lt=below).with_flags().order_by("-id")
        expected = list(rows.values_list("pk", flat=True))

        first = paging.paginate(rows, "1", per_page, cap=cap)
        paginator = first.paginator
        assert isinstance(paginator, paging.CappedPaginator)
        assert paginator.capped == (len(expected) > cap)
        assert paginator.count == min(len(expected), cap)

        seen, page, number = [], first, 1
        while True:
            assert page.number == number
            assert page.has_previous() == (number > 1)
            seen += [claim.pk for claim in page.object_list]
            if not page.has_next():
                break
            number = page.next_page_number()
            page = paging.paginate(rows, str(number), per_page, cap=cap)
            assert page.previous_page_number() == number - 1
        assert seen == expected  # every row once, in the list's order
        assert number == max(1, -(-len(expected) // per_page))  # no empty last page

    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(cap=st.integers(1, ROWS + 2), asked=st.sampled_from(["999", "0", "-3", "x", ""]))
    def test_a_page_out_of_range_falls_back_to_a_page_with_rows(self, cap: int, asked: str) -> None:
        rows = Claim.objects.order_by("pk")
        page = paging.paginate(rows, asked, 5, cap=cap)
        assert list(page.object_list)
        if asked in ("x", ""):
            assert page.number == 1


# --- the lists --------------------------------------------------------------------------


@pytest.fixture
def sixty(make_article: Callable[..., Article]) -> Article:
    """60 claims that match "Zoë", and one that does not."""
    sentences = [f"Shops sold 50% more to Zoë in week {n}." for n in range(60)]
    return make_article([*sentences, "Nothing to see here."])


def test_the_claim_list_says_more_than_the_cap_and_pages_on(
    client: Client, viewer, sixty: Article, monkeypatch: pytest.MonkeyPatch
) -> None:
    login(client, viewer)
    monkeypatch.setattr(paging, "COUNT_CAP", 55)
    first = client.get("/claims/", {"q": "Zoë"}).content.decode()
    assert "Page 1 · more than 55" in first
    assert 'rel="next"' in first
    assert "the claims matching the filters (more than 55)" in first
    second = client.get("/claims/", {"q": "Zoë", "page": "2"}).content.decode()
    assert "Page 2 · more than 55" in second
    assert 'rel="next"' not in second
    assert 'rel="prev"' in second
    assert second.count('name="ids"') == 10  # the 60 matches: 50 on page 1, 10 here
    assert "Nothing to see here" not in first + second


def test_a_filtered_count_under_the_cap_is_exact(
    client: Client, viewer, sixty: Article, monkeypatch: pytest.MonkeyPatch
) -> None:
    login(client, viewer)
    monkeypatch.setattr(paging, "COUNT_CAP", 60)  # exactly at the cap: still exact
    page = client.get("/claims/", {"q": "Zoë", "page": "2"}).content.decode()
    assert "Page 2 of 2 · 60 in all" in page
    everything = client.get("/claims/").content.decode()  # 61: one over the cap
    assert "Page 1 · more than 60" in everything
    articles = client.get("/articles/").content.decode()
    assert "Page 1 of 1 · 1 in all" in articles
