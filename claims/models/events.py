"""Claim events: a claim's history as data (issue 29).

django-simple-history keeps every version of every row (the full audit); a
``ClaimEvent`` says what happened in typed fields: its ``kind``, a ``cause`` code, the
statuses before and after, who, when, and the fields of that kind in ``data``. Its
``sentence`` is what people read, the same words as the history row's change reason.
Code reads the fields, never the sentence.

``record`` and ``record_many`` are the only writers. Call them inside the transaction of
the change they describe, so a rollback leaves no event. Each event keeps the claim's
outlet and assignee at the time (what the desk dashboard filters by), and both writers
add it to the dashboard's daily aggregates (``claims.models.desk.count``) in the same
transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.db import connection, models
from django.utils import timezone

from claims.models import desk, pgcopy

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class Claim(Protocol):
    """What an event needs of its claim (a ``claims.models.Claim``; named by shape, so
    this module, which the claim model imports, imports nothing back)."""

    @property
    def pk(self) -> Any: ...

    @property
    def article_id(self) -> int: ...


class EventKind(models.TextChoices):
    """``ClaimEvent.Kind``: what happened to a claim, and what ``data`` holds then."""

    EXTRACTED = "extracted", "Extracted"  # revision, start, end
    CREATED = "created", "Created by hand"  # start, end (also a split's second part)
    STATUS_CHANGED = "status_changed", "Status changed"  # from/to status; note
    LAPSED = "lapsed", "Confirmation lapsed"  # cause (LapseCause), trigger, reason
    CORRECTED = "corrected", "Corrected"  # field, old, new, note, text
    REANCHORED = "reanchored", "Re-anchored"  # revision, old/new start and end, exact
    ORPHANED = "orphaned", "Orphaned"  # revision, old start and end
    ASSIGNED = "assigned", "Assigned"  # to (user id or None), to_name
    EVIDENCE_ADDED = "evidence_added", "Evidence added"  # evidence, source, stance
    EVIDENCE_REMOVED = "evidence_removed", "Evidence removed"  # evidence, source, stance
    STANCE_CHANGED = "stance_changed", "Stance changed"  # evidence, source, old, new
    CHECKWORTHINESS_REFINED = "checkworthiness_refined", "Check-worthiness refined"
    # ^ old, new, old_worthy, new_worthy, model
    MATCH_FOUND = "match_found", "Match found"  # match, score, matched_claim or factcheck
    MATCH_ACCEPTED = "match_accepted", "Match accepted"  # match, carried_over
    MATCH_DISMISSED = "match_dismissed", "Match dismissed"  # match


class LapseCause(models.TextChoices):
    """Why a confirmation lapsed: the ``cause`` of a ``lapsed`` event, decided by the
    confirmation rule's own findings (``confirmation.rule.lapse``), not by its prose."""

    EVIDENCE_REMOVED = "evidence_removed", "Evidence removed"
    STANCE_CHANGED = "stance_changed", "A source's stance changed"
    WORDING_CHANGED = "wording_changed", "The claim's wording changed"
    MEANING_CHANGED = "meaning_changed", "What is published changed"
    SOURCE_CHANGED = "source_changed", "A source changed"
    SOURCE_DEAD = "source_dead", "A source died"
    PUBLISHER_RULES = "publisher_rules", "Publisher rules"
    OTHER = "other", "Other"


# The events that decide a claim: its confirmation, or refuting evidence added to it.
DECISIVE = models.Q(kind="status_changed", to_status="confirmed") | models.Q(
    kind="evidence_added", data__stance="refutes"
)


class ClaimEvent(models.Model):
    Kind = EventKind
    LapseCause = LapseCause

    # SET_NULL, not CASCADE: the events of a claim merged away (or an article deleted)
    # stay for the audit and the desk's counts; ``claim_ref`` keeps the claim's id.
    claim = models.ForeignKey(
        "Claim", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    claim_ref = models.PositiveBigIntegerField(help_text="The claim's id, kept if it is deleted.")
    article = models.ForeignKey(
        "Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="claim_events"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="claim_events",
    )
    cause = models.CharField(max_length=32, blank=True, help_text="A short code (lapses).")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    data = models.JSONField(default=dict, blank=True, help_text="The fields of this kind.")
    # The claim's outlet and assignee when the event was written (after it, for an
    # assignment): the desk dashboard's filters answer "at the time".
    outlet = models.CharField(max_length=200, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    sentence = models.TextField(help_text="What people read (the history's change reason).")

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["article", "at"], name="event_article_at"),
            models.Index(fields=["claim", "at"], name="event_claim_at"),
            models.Index(fields=["by", "at"], name="event_by_at"),
            # By kind and time, covering what the desk dashboard counts, so its counts read
            # only this index (PostgreSQL; SQLite ignores ``include``).
            models.Index(
                fields=["kind", "at"],
                include=["claim", "by", "from_status", "to_status", "cause"],
                name="event_desk",
            ),
            # A claim's decisions (a confirmation, a refuting source): the dashboard's time to
            # verify, by time and by claim, without reading every evidence event.
            models.Index(
                fields=["at"],
                include=["claim"],
                condition=DECISIVE,
                name="event_decisive_at",
            ),
            models.Index(fields=["claim", "at"], condition=DECISIVE, name="event_decisive_claim"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=EventKind.values), name="event_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.claim_ref} {self.kind}: {self.sentence}"


def event(
    claim: Claim,
    kind: str,
    *,
    sentence: str,
    by: User | None = None,
    cause: str = "",
    from_status: str = "",
    to_status: str = "",
    at: datetime | None = None,
    **data: Any,
) -> ClaimEvent:
    """An unsaved event (for ``record_many``). ``at`` is now unless given (a backfill)."""
    if kind not in EventKind.values:
        raise ValueError(f"Unknown event kind: {kind}.")
    article = getattr(claim, "article", None)
    return ClaimEvent(
        claim_id=claim.pk,
        claim_ref=claim.pk,
        article_id=claim.article_id,
        kind=kind,
        by_id=by.pk if by is not None else None,
        cause=cause,
        from_status=from_status,
        to_status=to_status,
        data=data,
        sentence=sentence,
        at=at or timezone.now(),
        outlet=getattr(article, "outlet", "") or "",
        assignee_id=getattr(claim, "assignee_id", None),
    )


def record(
    claim: Claim,
    kind: str,
    *,
    sentence: str,
    by: User | None = None,
    cause: str = "",
    from_status: str = "",
    to_status: str = "",
    at: datetime | None = None,
    **data: Any,
) -> ClaimEvent:
    """Write one event about ``claim``, in the caller's transaction."""
    made = event(
        claim,
        kind,
        sentence=sentence,
        by=by,
        cause=cause,
        from_status=from_status,
        to_status=to_status,
        at=at,
        **data,
    )
    made.save()
    desk.count([made])
    return made


def record_many(events: Iterable[ClaimEvent]) -> list[ClaimEvent]:
    """Write events made by ``event`` at once (extraction: one call per revision), in
    the caller's transaction; they come back saved, with their ids.

    On PostgreSQL with ``COPY`` (``_copy_events``), elsewhere with ``bulk_create``:
    the same rows either way (``tests/models/test_events_copy.py``)."""
    made = list(events)
    if connection.vendor == "postgresql":
        _copy_events(made)
    else:
        made = ClaimEvent.objects.bulk_create(made)
    desk.count(made)
    return made


def _copy_events(events: list[ClaimEvent]) -> None:
    """What ``bulk_create`` does, with one ``COPY`` instead of its INSERT: an
    extraction's 30-odd events cost a tenth of the job's CPU through ``bulk_create``
    (each value prepared by its field, the INSERT compiled for every call; issue 34).
    The ids come from the table's sequence first, in the events' order, as the
    INSERT's ``RETURNING`` gives them; an event with an id keeps it."""
    if not events:
        return
    for e in events:  # refuses unsaved related objects, as bulk_create does
        e._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
    missing = [e for e in events if e.pk is None]
    if missing:
        for e, pk in zip(missing, pgcopy.next_ids(ClaimEvent, len(missing)), strict=True):
            e.pk = pk
    pgcopy.copy_rows(ClaimEvent, [e.__dict__ for e in events], ClaimEvent._meta.concrete_fields)
    alias = connection.alias  # once: each look-up through the proxy costs a thread-local
    for e in events:
        e._state.adding = False
        e._state.db = alias
