"""Today's queue: what needs a person, section by section (issue 31).

Each section is a set of the claims list's filters (``ClaimFilterForm``): the queue
lists the claims the list would show for them and links to that list, so a section's
count is the list's count by construction. ``new_claims`` is the list's ``new`` filter
(and the queue's last section): check-worthy claims nobody has looked at yet, from
stories of the last ``QUEUE_HOURS`` hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from claims.models import Claim, ClaimEvent, ClaimQuerySet, EventKind, Evidence

QUEUE_HOURS = 24


def new_claims(queryset: ClaimQuerySet, now: datetime | None = None) -> ClaimQuerySet:
    """The claims of ``queryset`` nobody has reviewed yet (unconfirmed, no evidence),
    check-worthy and in the text of a story that arrived in the last ``QUEUE_HOURS``."""
    since = (now or timezone.now()) - timedelta(hours=QUEUE_HOURS)
    has_evidence = Exists(Evidence.objects.filter(claim=OuterRef("pk")))
    return queryset.filter(
        article__created_at__gte=since,
        check_worthy=True,
        orphaned=False,
        status=Claim.Status.UNCONFIRMED,
    ).exclude(has_evidence)


@dataclass(frozen=True)
class Section:
    """One section of the queue: its key (the HTML id), heading, what it is for, and
    the claims list's filters that select its claims."""

    key: str
    title: str
    help: str
    query: dict[str, str]


SECTIONS = (
    Section(
        "rereview",
        "Needs re-review",
        "Confirmed claims whose basis lapsed: a source changed or died, the wording or the "
        "evidence changed.",
        {"status": Claim.Status.NEEDS_REREVIEW},
    ),
    Section(
        "contradicted",
        "Contradicted",
        "Claims a source refutes, still in their story's text: the story is blocked.",
        {"count": "contradicted"},
    ),
    Section(
        "mine",
        "Assigned to you",
        "Claims assigned to you that are not confirmed yet.",
        {"mine": "1", "status": Claim.Status.UNCONFIRMED},
    ),
    Section(
        "new",
        "New check-worthy claims",
        f"The most check-worthy claims nobody has reviewed yet, from stories that arrived in "
        f"the last {QUEUE_HOURS} hours; newest stories first among equal scores.",
        {"new": "1"},
    ),
)


@dataclass(frozen=True)
class Lapse:
    """Why a claim's confirmation lapsed: the cause's label and the rule's words."""

    cause: str
    explanation: str


def lapses(claims: list[Claim]) -> dict[int, Lapse]:
    """The latest lapse of each claim of ``claims`` that needs re-review, by claim id
    (one query)."""
    ids = [claim.pk for claim in claims if claim.status == Claim.Status.NEEDS_REREVIEW]
    events = ClaimEvent.objects.filter(claim_id__in=ids, kind=EventKind.LAPSED)
    labels = dict(ClaimEvent.LapseCause.choices)
    found: dict[int, Lapse] = {}
    for event in events.order_by("claim_id", "-at", "-pk"):
        if event.claim_id is None or event.claim_id in found:
            continue
        parts = (event.data.get("trigger"), event.data.get("why"))
        found[event.claim_id] = Lapse(
            cause=labels.get(event.cause, labels[ClaimEvent.LapseCause.OTHER]),
            explanation="; ".join(part for part in parts if part),
        )
    return found
