"""A re-scoring people cannot see is not in the claim's history list (issue 31, item 9:
"check-worthiness 0.97 → 0.97"). The embedding pass re-scores a claim when the weights
change; when the score to two decimals and the check-worthy flag stay as they were, the
row is kept for the audit but the panel does not list it, its sentence never reads
"x → x", and there is no ``checkworthiness_refined`` event. A change people can see is
listed, with its event."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from claims.matching import embeddings
from claims.models import Article, Claim, ClaimEvent, EventKind
from claims.nlp import checkworthiness_top as top
from claims.review.history import claim_history

SENTENCE = "Unemployment in Ohio fell to 4.1 percent in March, the lowest rate since 2001."
ARROW = re.compile(r"(\d\.\d\d) → (\d\.\d\d)")
OLDER = "minilm-top@older"


@pytest.fixture(scope="module")
def refiner() -> top.TopLayers:
    return top.load()


def set_score(claim: Claim, **fields: Any) -> None:
    """As a save writes it, with its history row (what the history list compares with)."""
    for name, value in fields.items():
        setattr(claim, name, value)
    claim.save(update_fields=[*fields, "updated_at"])


def rescore(claim: Claim, score: float, refiner: top.TopLayers) -> int:
    """The embedding pass's write of ``score`` for ``claim`` (``_refine``, as
    ``embed_pending`` calls it with the model's scores)."""
    batch = [(claim.pk, embeddings.claim_text(claim.text))]
    return embeddings._refine(batch, np.array([score], dtype=np.float32), refiner)


def refinement_lines(claim: Claim) -> list[str]:
    return [e.why for e in claim_history(claim) if "check-worthiness" in e.why]


def test_new_weights_giving_the_same_score_leave_the_history_list_as_it_was(
    make_article: Callable[..., Article], refiner: top.TopLayers, viewer: User
) -> None:
    claim = make_article([SENTENCE]).claims.get()
    set_score(claim, checkworthiness=0.9712, check_worthy=True)
    assert rescore(claim, 0.9688, refiner) == 1  # 0.97 → 0.97, by a new model version

    set_score(claim, checkworthiness_model=OLDER)
    shown = claim_history(claim)
    rows = claim.history.count()
    assert rescore(claim, 0.9731, refiner) == 1  # again 0.97, by yet another version

    assert claim.history.count() == rows + 1, "the audit keeps the row"
    assert claim.history.first().history_change_reason.startswith(
        "check-worthiness unchanged at 0.97"
    )
    assert [(e.when, e.why) for e in claim_history(claim)] == [(e.when, e.why) for e in shown]
    assert not ClaimEvent.objects.filter(claim=claim, kind=EventKind.CHECKWORTHINESS_REFINED)
    # A row written before the sentence said "unchanged": the list leaves it out too.
    claim._change_reason = "check-worthiness 0.97 → 0.97: refined by an older version"
    set_score(claim, checkworthiness=0.9702, checkworthiness_model="minilm-top@legacy")
    assert [(e.when, e.why) for e in claim_history(claim)] == [(e.when, e.why) for e in shown]
    client = Client()
    client.force_login(viewer)
    page = client.get(reverse("article-detail", args=[claim.article_id]), {"claim": claim.pk})
    assert "0.97 → 0.97" not in page.content.decode()


def test_a_change_people_see_is_listed_with_its_event(
    make_article: Callable[..., Article], refiner: top.TopLayers
) -> None:
    claim = make_article([SENTENCE]).claims.get()
    set_score(claim, checkworthiness=0.41, check_worthy=False)

    rescore(claim, 0.93, refiner)

    (line,) = refinement_lines(claim)
    assert line.startswith("check-worthiness 0.41 → 0.93, check-worthy")
    (entry,) = [e for e in claim_history(claim) if e.why == line]
    assert entry.kind == EventKind.CHECKWORTHINESS_REFINED


scores = st.floats(min_value=0, max_value=1, allow_nan=False).map(lambda x: round(x, 4))


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(before=scores, after=scores)
@example(before=0.9712, after=0.9688)
@example(before=0.505, after=0.5049)
def test_the_history_never_lists_a_score_that_did_not_change(
    make_article: Callable[..., Article], refiner: top.TopLayers, before: float, after: float
) -> None:
    with transaction.atomic():
        claim = make_article([SENTENCE]).claims.get()
        worthy = before >= refiner.threshold
        set_score(claim, checkworthiness=before, check_worthy=worthy, checkworthiness_model=OLDER)

        rescore(claim, after, refiner)

        seen = (round(before, 2), worthy) != (round(after, 2), after >= refiner.threshold)
        lines = refinement_lines(claim)
        assert len(lines) == (1 if seen else 0), (lines, before, after)
        for line in lines:
            for old, new in ARROW.findall(line):
                assert old != new, line
        events = ClaimEvent.objects.filter(claim=claim, kind=EventKind.CHECKWORTHINESS_REFINED)
        assert events.count() == (1 if seen else 0)
        transaction.set_rollback(True)
