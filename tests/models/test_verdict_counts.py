"""One verdict, one count: a claim is *contradicted* when some evidence refutes it (whatever
its status), *confirmed* when it is confirmed now and not contradicted, *undecided*
otherwise (``ClaimVerdict``). The article page's counters, its readiness box, the
articles list's columns and the API's readiness annotations all count those verdicts
(``ClaimQuerySet.counts``), so for any claims and evidence they agree with each other and
with the verdict of each claim."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from claims.confirmation import readiness
from claims.models import (
    Article,
    ArticleRevision,
    Claim,
    ClaimCounts,
    ClaimVerdict,
    Evidence,
    Source,
)
from claims.web.views import articles_with_counts

STANCES = [Evidence.Stance.SUPPORTS, Evidence.Stance.REFUTES, Evidence.Stance.CONTEXT]
SOURCES = ["https://www.reuters.com/a", "https://apnews.com/b", "https://www.bbc.co.uk/c"]


@dataclass(frozen=True)
class ClaimState:
    status: str
    check_worthy: bool
    orphaned: bool
    factuality: str
    stances: tuple[str, ...]  # one evidence per source, at most

    @property
    def verdict(self) -> ClaimVerdict:
        """The rule, spelled out here independently of the code under test."""
        if Evidence.Stance.REFUTES in self.stances:
            return ClaimVerdict.CONTRADICTED
        if self.status == Claim.Status.CONFIRMED:
            return ClaimVerdict.CONFIRMED
        return ClaimVerdict.UNDECIDED


claim_states = st.builds(
    ClaimState,
    status=st.sampled_from(Claim.Status.values),
    check_worthy=st.booleans(),
    orphaned=st.booleans(),
    factuality=st.sampled_from(
        [Claim.Factuality.ASSERTED, Claim.Factuality.HEDGED, Claim.Factuality.UNVERIFIED_REPORT]
    ),
    stances=st.lists(st.sampled_from(STANCES), max_size=len(SOURCES)).map(tuple),
)
article_states = st.sampled_from([Article.State.DONE, Article.State.DONE, Article.State.FAILED])


def build(states: list[ClaimState], state: str) -> Article:
    """An article with one claim per state, its status and evidence set directly (the
    states a claim can reach through the services, without walking there)."""
    sentences = [f"Claim number {i} says {i * 7} things happened." for i in range(len(states))]
    body = " ".join(sentences)
    article = Article.objects.create(title="Counts", body=body, state=state)
    ArticleRevision.objects.create(article=article, number=1, body=body)
    sources = [Source.objects.create(url=url, publisher=url[8:20]) for url in SOURCES]
    start = 0
    for index, (sentence, claim_state) in enumerate(zip(sentences, states, strict=True)):
        claim = Claim.objects.create(
            article=article,
            revision=1,
            text=sentence,
            start=start,
            end=start + len(sentence),
            checkworthiness=0.9 if claim_state.check_worthy else 0.1,
            check_worthy=claim_state.check_worthy,
            orphaned=claim_state.orphaned,
            status=claim_state.status,
            factuality=claim_state.factuality,
            hedged=claim_state.factuality != Claim.Factuality.ASSERTED,
            sentence_index=index,
        )
        for source, stance in zip(sources, claim_state.stances, strict=False):
            Evidence.objects.create(claim=claim, source=source, stance=stance, excerpt=sentence)
        start += len(sentence) + 1
    return article


# The labels that agree with their number: the singular beside 1, the plural otherwise
# (never "1 claims" or "1 unverified reports"); keyed by the plural.
SINGULAR = {
    "claims": "claim",
    "need re-review": "needs re-review",
    "unverified reports left in the text": "unverified report left in the text",
}


def numbers(html: str, element_id: str) -> dict[str, int]:
    """``{"confirmed": 2, ...}`` from the ``<strong>N</strong> label`` pairs of an element,
    each keyed by its plural label; a label that does not agree with its number fails."""
    tag = "section" if element_id == "readiness" else "p"
    block = re.search(rf'<{tag}[^>]* id="{element_id}".*?</{tag}>', html, re.S)
    assert block, f"no #{element_id} on the page"
    pairs = re.findall(r"<strong>(\d+)</strong>\s*([^<]+)<", block.group(0))
    found = {}
    for n, label in pairs:
        plural = next((p for p, one in SINGULAR.items() if label.strip() in (p, one)), "")
        if plural:
            assert label.strip() == (SINGULAR[plural] if int(n) == 1 else plural), (n, label)
        found[plural or label.strip()] = int(n)
    return found


def expected(states: list[ClaimState]) -> dict[str, int]:
    live = [s for s in states if not s.orphaned]
    return {
        verdict: sum(1 for s in live if s.verdict == verdict) for verdict in ClaimVerdict.values
    } | {
        "total": len(live),
        "worthy": sum(1 for s in live if s.check_worthy),
        "rereview": sum(1 for s in live if s.status == Claim.Status.NEEDS_REREVIEW),
    }


@pytest.fixture
def viewer_client(viewer: User) -> Client:
    client = Client()
    client.force_login(viewer)
    return client


@pytest.mark.django_db
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(states=st.lists(claim_states, min_size=1, max_size=6), state=article_states)
@example(  # the case that used to disagree: confirmed, with refuting evidence
    states=[
        ClaimState(
            Claim.Status.CONFIRMED,
            True,
            False,
            Claim.Factuality.ASSERTED,
            (Evidence.Stance.SUPPORTS, Evidence.Stance.REFUTES),
        )
    ],
    state=Article.State.DONE,
)
def test_the_article_page_counters_and_readiness_box_count_the_claims_verdicts(
    viewer_client: Client, states: list[ClaimState], state: str
) -> None:
    with transaction.atomic():
        article = build(states, state)
        claims = Claim.objects.filter(article=article).with_verdict().order_by("sentence_index")
        assert [c.verdict for c in claims] == [s.verdict for s in states]
        want = expected(states)

        html = viewer_client.get(reverse("article-detail", args=[article.pk])).content.decode()
        counters, box = numbers(html, "counters"), numbers(html, "readiness")
        assert counters["claims"] == want["total"]
        assert counters["check-worthy"] == want["worthy"]
        assert counters["confirmed"] == box["confirmed"] == want["confirmed"]
        assert counters["contradicted"] == box["contradicted"] == want["contradicted"]
        assert counters.get("need re-review", 0) == box["need re-review"] == want["rereview"]

        counts = Claim.objects.filter(article=article).in_text().counts()
        assert counts.confirmed + counts.contradicted + counts.undecided == counts.total
        assert counts.undecided == want["undecided"]
        # The API's articles list reads the same counts from per-article annotations, and
        # the articles list filters on the verdict computed in SQL: all agree.
        annotated = readiness.with_readiness(Article.objects.filter(pk=article.pk), counts=True)
        listed = annotated.get()
        assert readiness.of(listed).counts == counts == readiness.of(article).counts
        assert listed.readiness == readiness.of(article).verdict
        row = articles_with_counts(Article.objects.filter(pk=article.pk)).get()
        assert (row.n_total, row.n_confirmed, row.n_contradicted) == (
            want["total"],
            want["confirmed"],
            want["contradicted"],
        )
        transaction.set_rollback(True)


def test_a_confirmed_claim_with_refuting_evidence_counts_as_contradicted_only(
    make_article: Callable[..., Article], support: Callable[..., Evidence], viewer_client: Client
) -> None:
    article = make_article()
    first, _ = article.claims.order_by("start")
    Claim.objects.filter(pk=first.pk).update(status=Claim.Status.CONFIRMED)
    support(first, url="https://www.bbc.co.uk/news/x", stance=Evidence.Stance.REFUTES)

    counts = article.claims.counts()
    assert (counts.confirmed, counts.contradicted, counts.undecided) == (0, 1, 1)
    assert first.get_verdict() == ClaimVerdict.CONTRADICTED
    html = viewer_client.get(reverse("article-detail", args=[article.pk])).content.decode()
    assert numbers(html, "counters")["confirmed"] == numbers(html, "readiness")["confirmed"] == 0
    assert readiness.of(article).verdict == readiness.BLOCKED


def test_counts_conditions_name_every_count() -> None:
    names = list(ClaimCounts.conditions())
    assert names == list(ClaimCounts.__dataclass_fields__)
