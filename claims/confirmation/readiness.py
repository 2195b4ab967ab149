"""The desk's view of a story: its verification summary and a readiness verdict.

- **blocked**: a claim is contradicted (refuting evidence) or needs re-review (its
  confirmation lapsed);
- **needs work**: the story is not through extraction yet (queued, processing, failed),
  or a check-worthy claim is not confirmed yet;
- **ready**: none of that.

Orphaned claims (their text is gone from the story) do not count. Hedged claims left in
the text are in the summary as a caution, not a reason to hold the story. The verdict is
computed in SQL (``with_readiness``), so that the article list filters by it, and the
same annotations give the summary of one article.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from claims.models import Article, Claim

READY, NEEDS_WORK, BLOCKED = "ready", "needs_work", "blocked"
VERDICTS = [(READY, "Ready"), (NEEDS_WORK, "Needs work"), (BLOCKED, "Blocked")]


def _claims(article: Any) -> QuerySet[Claim]:
    """The claims that count for an article (``OuterRef`` or a primary key)."""
    return Claim.objects.filter(article=article, orphaned=False).with_contradicted()


UNCONFIRMED = Q(status=Claim.Status.UNCONFIRMED)
# Per claim: 2 blocks the story, 1 is work left, 0 is fine.
SEVERITY = Case(
    When(Q(contradicted=True) | Q(status=Claim.Status.NEEDS_REREVIEW), then=Value(2)),
    When(Q(check_worthy=True, contradicted=False) & UNCONFIRMED, then=Value(1)),
    default=Value(0),
    output_field=IntegerField(),
)
# The summary's counts, by the same conditions.
COUNTS = {
    "worthy": Q(check_worthy=True),
    "open": Q(check_worthy=True, contradicted=False) & UNCONFIRMED,
    "confirmed": Q(status=Claim.Status.CONFIRMED, contradicted=False),
    "contradicted": Q(contradicted=True),
    "rereview": Q(status=Claim.Status.NEEDS_REREVIEW),
    "hedged": Q(hedged=True, check_worthy=True)
    & ~Q(factuality=Claim.Factuality.UNVERIFIED_REPORT)
    & ~Q(status=Claim.Status.CONFIRMED),
    "unverified": Q(factuality=Claim.Factuality.UNVERIFIED_REPORT, check_worthy=True)
    & ~Q(status=Claim.Status.CONFIRMED),
}


def _level() -> Coalesce:
    worst = (
        _claims(OuterRef("pk"))
        .annotate(severity=SEVERITY)
        .order_by()
        .values("article")
        .annotate(worst=Max("severity"))
        .values("worst")
    )
    return Coalesce(Subquery(worst, output_field=IntegerField()), 0)


def _count(condition: Q) -> Coalesce:
    claims = (
        _claims(OuterRef("pk")).filter(condition).order_by().values("article")
        .annotate(n=Count("pk")).values("n")
    )  # fmt: skip
    return Coalesce(Subquery(claims, output_field=IntegerField()), 0)


def with_readiness(queryset: QuerySet[Article], *, counts: bool = False) -> QuerySet[Article]:
    """Articles with their verdict, ``readiness`` (one correlated subquery: the worst of
    their claims); with ``counts``, also ``r_<name>`` for each count of the summary."""
    if "readiness" not in queryset.query.annotations:
        queryset = queryset.alias(r_level=_level()).annotate(
            readiness=Case(
                When(r_level=2, then=Value(BLOCKED)),
                When(Q(r_level=1) | ~Q(state=Article.State.DONE), then=Value(NEEDS_WORK)),
                default=Value(READY),
                output_field=CharField(),
            )
        )
    if counts and "r_open" not in queryset.query.annotations:
        queryset = queryset.annotate(**{f"r_{k}": _count(q) for k, q in COUNTS.items()})
    return queryset


@dataclass(frozen=True)
class Readiness:
    verdict: str
    reasons: list[str]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return dict(VERDICTS)[self.verdict]

    def as_json(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "reasons": self.reasons}


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def of(article: Article) -> Readiness:
    """The verdict, its reasons and the counts of an article (from the annotations of
    ``with_readiness`` when it has them)."""
    if not hasattr(article, "r_open"):
        article = with_readiness(
            Article.objects.filter(pk=article.pk).only("pk", "state"), counts=True
        ).get()
    counts = {name: getattr(article, f"r_{name}") for name in COUNTS}
    verdict: str = getattr(article, "readiness")  # noqa: B009 (an annotation, not a field)
    reasons = []
    if counts["contradicted"]:
        reasons.append(
            _n(counts["contradicted"], "claim is contradicted", "claims are contradicted")
            + " by refuting evidence"
        )
    if counts["rereview"]:
        reasons.append(
            _n(counts["rereview"], "claim needs", "claims need")
            + " re-review: the basis of its confirmation lapsed"
        )
    if article.state != Article.State.DONE:
        reasons.append(f"claim extraction is {article.get_state_display().lower()}")
    if counts["open"]:
        reasons.append(
            _n(counts["open"], "check-worthy claim is", "check-worthy claims are")
            + " not confirmed yet"
        )
    if counts["unverified"]:
        reasons.append(
            _n(counts["unverified"], "unverified report", "unverified reports")
            + " left in the text (caution, not blocking)"
        )
    if counts["hedged"]:
        reasons.append(
            _n(counts["hedged"], "hedged claim", "hedged claims")
            + " left in the text (caution, not blocking)"
        )
    if verdict == READY and not counts["worthy"]:
        reasons.insert(0, "no check-worthy claims were found")
    elif verdict == READY:
        reasons.insert(0, f"all {counts['worthy']} check-worthy claims are confirmed")
    return Readiness(verdict, reasons, counts)
