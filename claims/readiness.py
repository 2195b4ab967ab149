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
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from .models import Article, Claim, Evidence

READY, NEEDS_WORK, BLOCKED = "ready", "needs_work", "blocked"
VERDICTS = [(READY, "Ready"), (NEEDS_WORK, "Needs work"), (BLOCKED, "Blocked")]
COUNTS = ("open", "confirmed", "contradicted", "rereview", "hedged", "worthy")


def _refuted() -> Exists:
    return Exists(Evidence.objects.filter(claim=OuterRef("pk"), stance=Evidence.Stance.REFUTES))


def _count(condition: Q) -> Coalesce:
    claims = (
        Claim.objects.filter(article=OuterRef("pk"), orphaned=False)
        .annotate(refuted=_refuted())
        .filter(condition)
        .order_by()
        .values("article")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(claims, output_field=IntegerField()), 0)


def with_readiness(queryset: QuerySet[Article]) -> QuerySet[Article]:
    """Articles with ``r_<count>`` for each summary count and ``readiness`` (the verdict)."""
    if "readiness" in queryset.query.annotations:
        return queryset
    unconfirmed = Q(status=Claim.Status.UNCONFIRMED)
    queryset = queryset.annotate(
        r_worthy=_count(Q(check_worthy=True)),
        r_open=_count(Q(check_worthy=True, refuted=False) & unconfirmed),
        r_confirmed=_count(Q(status=Claim.Status.CONFIRMED, refuted=False)),
        r_contradicted=_count(Q(refuted=True)),
        r_rereview=_count(Q(status=Claim.Status.NEEDS_REREVIEW)),
        r_hedged=_count(Q(hedged=True, check_worthy=True) & ~Q(status=Claim.Status.CONFIRMED)),
    )
    return queryset.annotate(
        readiness=Case(
            When(Q(r_contradicted__gt=0) | Q(r_rereview__gt=0), then=Value(BLOCKED)),
            When(~Q(state=Article.State.DONE) | Q(r_open__gt=0), then=Value(NEEDS_WORK)),
            default=Value(READY),
            output_field=CharField(),
        )
    )


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
    """The readiness of an article annotated by ``with_readiness`` (or of any article)."""
    if not hasattr(article, "readiness"):
        article = with_readiness(Article.objects.filter(pk=article.pk).defer("body")).get()
    counts = {name: getattr(article, f"r_{name}") for name in COUNTS}
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
    if counts["hedged"]:
        reasons.append(
            _n(counts["hedged"], "hedged claim", "hedged claims")
            + " left in the text (caution, not blocking)"
        )
    if article.readiness == READY and not counts["worthy"]:
        reasons.insert(0, "no check-worthy claims were found")
    elif article.readiness == READY:
        reasons.insert(0, f"all {counts['worthy']} check-worthy claims are confirmed")
    return Readiness(article.readiness, reasons, counts)
