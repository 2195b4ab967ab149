"""New claims written with ``COPY`` (``copying.create_with_history``, PostgreSQL) are the
rows ``bulk_create_with_history`` writes: every column of the claim and of its history
row, JSON included, and the article's stored counts; the claims come back saved, with
their ids."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase
from simple_history.utils import bulk_create_with_history

from claims.ingest import copying
from claims.models import Article, ArticleCounts, Claim, counts

TEXT = st.text(alphabet=st.sampled_from(list("ab \t\\\n'\"é€\x01,{}")), max_size=30)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(-2, 2) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)


@st.composite
def claim_fields(draw: st.DrawFn) -> dict[str, Any]:
    start = draw(st.integers(0, 1000))
    return {
        "revision": 1,
        "text": draw(TEXT),
        "start": start,
        "end": start + draw(st.integers(1, 50)),
        "prefix": draw(TEXT),
        "occurrences": [[start, start + 1]],
        "checkworthiness": draw(st.floats(0, 1)),
        "check_worthy": draw(st.booleans()),
        "claim_type": draw(st.sampled_from(Claim.Type.values)),
        "hedged": draw(st.booleans()),
        "hedge_cues": draw(st.lists(st.dictionaries(TEXT, JSON, max_size=2), max_size=2)),
        "speaker": draw(TEXT),
        "attribution": draw(st.none() | st.dictionaries(TEXT, JSON, max_size=3)),
        "entities": draw(st.lists(JSON, max_size=2)),
        "standalone": draw(TEXT),
    }


SKIP = {"id", "created_at", "updated_at", "history_id", "history_date", "article_id"}


def _rows(queryset: Any) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k not in SKIP} for row in queryset.values()]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="COPY is PostgreSQL's; elsewhere it is bulk INSERT"
)
class CopiedClaims(HypothesisTestCase):
    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        st.lists(claim_fields(), min_size=1, max_size=4, unique_by=lambda f: (f["start"], f["end"]))
    )
    def test_copied_claims_and_history_equal_the_bulk_inserted_ones(
        self, fields: list[dict[str, Any]]
    ) -> None:
        copied_to = Article.objects.create(title="a", body="x")
        inserted_to = Article.objects.create(title="b", body="x")
        copied = copying.create_with_history(
            [Claim(article=copied_to, **f) for f in fields], reason="extracted"
        )
        bulk_create_with_history(
            [Claim(article=inserted_to, **f) for f in fields],
            Claim,
            default_change_reason="extracted",
        )
        order = ("start", "end", "text", "checkworthiness")
        assert _rows(copied_to.claims.order_by(*order, "id")) == _rows(
            inserted_to.claims.order_by(*order, "id")
        )
        history = Claim.history.model  # type: ignore[attr-defined]
        assert _rows(history.objects.filter(article=copied_to).order_by(*order, "id")) == _rows(
            history.objects.filter(article=inserted_to).order_by(*order, "id")
        )
        # the articles' stored counts are kept on the COPY path as on the ORM's
        for article in (copied_to, inserted_to):
            row = ArticleCounts.objects.get(pk=article.pk)
            stored = {name: getattr(row, name) for name in counts.COUNTED}
            assert stored == counts.recount([article.pk])[article.pk]
        for claim in copied:  # saved objects with their ids
            assert not claim._state.adding
            assert Claim.objects.get(pk=claim.pk).text == claim.text
        # the sequence moved past the ids taken: the next claim does not collide
        Claim.objects.create(article=copied_to, revision=1, text="next", start=9999, end=10000)
