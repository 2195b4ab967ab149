"""The desk's view of a story: its verification summary and a readiness verdict.

- **blocked**: a claim is contradicted (refuting evidence) or needs re-review (its
  confirmation lapsed);
- **needs work**: the story is not through extraction yet (queued, processing, failed),
  a check-worthy claim is not confirmed yet, or its headline (or a sub-heading) states a
  figure or name otherwise than the body (``Article.headline_mismatches``: "the headline
  says £48m; the body says £46m");
- **ready**: none of that.

Orphaned claims (their text is gone from the story) do not count. Hedged claims left in
the text are in the summary as a caution, not a reason to hold the story. The counts are
``ClaimQuerySet.counts()`` (the claims' verdicts: ``ClaimVerdict``), the same the
article page's counters show. The verdict is also computed in SQL (``with_readiness``,
from the same conditions), so that the article list filters by it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Q,
    QuerySet,
    Value,
    When,
)

from claims.ingest import headlines
from claims.models import Article, Claim, ClaimCounts, ClaimQuerySet
from claims.models import counts as article_counts
from claims.text.headline import Mismatch
from claims.text.plural import counted

READY, NEEDS_WORK, BLOCKED = "ready", "needs_work", "blocked"

# Why an article whose extraction is not done is not ready, one sentence per state.
EXTRACTION_NOT_DONE: dict[str, str] = {
    Article.State.QUEUED: "its claims are waiting to be extracted",
    Article.State.PROCESSING: "its claims are being extracted",
    Article.State.FAILED: "claim extraction failed: retry it, with another URL or pasted text",
}
VERDICTS = [(READY, "Ready"), (NEEDS_WORK, "Needs work"), (BLOCKED, "Blocked")]


def _claims(article: Any) -> ClaimQuerySet:
    """The claims that count for an article (``OuterRef`` or a primary key)."""
    return Claim.objects.filter(article=article).in_text()


def _level() -> Case:
    """The worst of the outer article's claims (``_severity``), from its stored counts
    (``article_counts.ArticleCounts``, kept by every claim and evidence write)."""
    return article_counts.level()


COUNTED = [counted.name for counted in fields(ClaimCounts)]


def with_readiness(queryset: QuerySet[Article], *, counts: bool = False) -> QuerySet[Article]:
    """Articles with their verdict, ``readiness`` (one correlated subquery: the worst of
    their claims); with ``counts=True``, also ``r_<name>`` for each of ``ClaimCounts``.
    Both read the stored counts (``article_counts.ArticleCounts``): a join, not a recount."""
    if "readiness" not in queryset.query.annotations:
        queryset = queryset.alias(r_level=_level()).annotate(
            readiness=Case(
                When(r_level=2, then=Value(BLOCKED)),
                When(
                    Q(r_level=1) | ~Q(state=Article.State.DONE) | ~Q(headline_mismatches=[]),
                    then=Value(NEEDS_WORK),
                ),
                default=Value(READY),
                output_field=CharField(),
            )
        )
    if counts and "r_open" not in queryset.query.annotations:
        queryset = queryset.annotate(
            **{f"r_{name}": article_counts.stored(name) for name in COUNTED}
        )
    return queryset


@dataclass(frozen=True)
class Readiness:
    verdict: str
    reasons: list[str]
    counts: ClaimCounts
    # Per reason, the ``ClaimCounts`` name of the claims it speaks of ("" for the
    # extraction's state, "headline" for the headline check): the article page links
    # each reason to those claims.
    reason_counts: tuple[str, ...] = ()
    headline: tuple[Mismatch, ...] = ()  # the headline check's flags, for the article page

    @property
    def label(self) -> str:
        return dict(VERDICTS)[self.verdict]

    @property
    def linked_reasons(self) -> list[tuple[str, str]]:
        """``(reason, count name)`` pairs."""
        return list(zip(self.reasons, self.reason_counts, strict=True))

    def as_json(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "reasons": self.reasons}


def _n(count: int, one: str, many: str) -> str:
    return counted(count, one, many)


def verdict_of(counts: ClaimCounts, state: str, headline_mismatched: bool = False) -> str:
    """The story's verdict from its counts: what ``with_readiness`` decides in SQL."""
    if counts.contradicted or counts.rereview:
        return BLOCKED
    if counts.open or state != Article.State.DONE or headline_mismatched:
        return NEEDS_WORK
    return READY


def of(article: Article, claims: Iterable[Claim] | None = None) -> Readiness:
    """The verdict, its reasons and the counts of an article: from ``claims`` when the
    caller has loaded all of them with ``with_verdict`` (no query), from the annotations
    of ``with_readiness(..., counts=True)`` when it has them, else one aggregate query."""
    if claims is not None:
        counts = ClaimCounts.of(claim for claim in claims if not claim.orphaned)
    elif hasattr(article, "r_open"):
        counts = ClaimCounts(**{name: getattr(article, f"r_{name}") for name in COUNTED})
    else:
        counts = _claims(article.pk).counts()
    headline = headlines.flags(article)
    verdict = verdict_of(counts, article.state, bool(headline))
    reasons: list[tuple[str, str]] = []  # (reason, the ClaimCounts name it counts)
    if counts.contradicted:
        reasons.append(
            (
                _n(counts.contradicted, "claim is contradicted", "claims are contradicted")
                + " by refuting evidence",
                "contradicted",
            )
        )
    if counts.rereview:
        reasons.append(
            (
                _n(counts.rereview, "claim needs", "claims need")
                + " re-review: the basis of its confirmation lapsed",
                "rereview",
            )
        )
    if article.state != Article.State.DONE:
        reasons.append((EXTRACTION_NOT_DONE[article.state], ""))
    reasons += [(flag.message, "headline") for flag in headline]  # the headline check box
    if counts.open:
        reasons.append(
            (
                _n(counts.open, "check-worthy claim is", "check-worthy claims are")
                + " not confirmed yet",
                "open",
            )
        )
    if counts.unverified:
        reasons.append(
            (
                _n(counts.unverified, "unverified report", "unverified reports")
                + " left in the text (caution, not blocking)",
                "unverified",
            )
        )
    if counts.hedged:
        reasons.append(
            (
                _n(counts.hedged, "hedged claim", "hedged claims")
                + " left in the text (caution, not blocking)",
                "hedged",
            )
        )
    if verdict == READY and not counts.worthy:
        reasons.insert(0, ("no check-worthy claims were found", "worthy"))
    elif verdict == READY:
        reasons.insert(
            0,
            (
                "the 1 check-worthy claim is confirmed"
                if counts.worthy == 1
                else f"all {counts.worthy} check-worthy claims are confirmed",
                "worthy",
            ),
        )
    return Readiness(
        verdict,
        [text for text, _ in reasons],
        counts,
        tuple(name for _, name in reasons),
        headline,
    )
