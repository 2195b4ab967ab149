"""A claim's history as one list: its own changes, its evidence's and its matches'.

The sentences come from django-simple-history (every version of every row); the typed
``ClaimEvent`` written with a change gives its entry a ``kind`` and a ``cause``, so code
that needs to know what happened reads those fields, never the sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from claims.models import Claim, ClaimEvent, ClaimMatch, EventKind, Evidence

# A history row and its event are written in one transaction, moments apart.
SAME_CHANGE = timedelta(seconds=5)


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: Any
    what: str
    why: str
    kind: str = ""  # the event's ``EventKind`` ("" for a change with no event)
    cause: str = ""  # the event's cause code (a lapse's ``LapseCause``)


def claim_history(claim: Claim, *, limit: int = 40) -> list[HistoryEntry]:
    """Everything that happened to a claim, newest first: the claim's own changes, its
    evidence added and removed, and its matches found, accepted or dismissed."""
    events = list(ClaimEvent.objects.filter(claim=claim).order_by("-at", "-pk")[: limit * 2])
    actions = {"+": "created", "~": "changed", "-": "deleted"}
    # One row more than shown: each row is compared with the one before it.
    rows = list(claim.history.select_related("history_user")[: limit + 1])
    entries = [
        _typed(HistoryEntry(h.history_date, h.history_user, f"claim {actions[h.history_type]}",
                            h.history_change_reason or ""), events)
        for h, before in zip(rows[:limit], [*rows[1:], None], strict=False)
        if not _unseen_rescoring(h, before, events)
    ]  # fmt: skip
    evidence = Evidence.history.filter(claim_id=claim.pk).select_related("history_user")
    entries += [
        _typed(HistoryEntry(h.history_date, h.history_user,
                            f"evidence {actions[h.history_type]} ({_stance(h)})",
                            h.history_change_reason or ""), events)
        for h in evidence[:limit]
    ]  # fmt: skip
    matches = ClaimMatch.history.filter(claim_id=claim.pk).select_related("history_user")
    entries += [
        _typed(HistoryEntry(h.history_date, h.history_user,
                            f"match {h.get_state_display().lower()}",
                            h.history_change_reason or ""), events)
        for h in matches[:limit]
    ]  # fmt: skip
    return sorted(entries, key=lambda entry: entry.when, reverse=True)[:limit]


# What a re-scoring writes: a new model version may give the score it had.
RESCORED_FIELDS = {"checkworthiness", "check_worthy", "checkworthiness_model", "updated_at"}
SHOWN_PLACES = 2  # the panel shows check-worthiness to two decimals


def _unseen_rescoring(row: Any, before: Any, events: list[ClaimEvent]) -> bool:
    """A row that only re-scored the claim and changed nothing people see: the score to
    two decimals and the check-worthy flag are as before. Its typed event says so (the
    embedding pass records ``checkworthiness_refined`` only for a change people see), and
    the fields agree; the row stays in the audit, but the panel would read
    "check-worthiness 0.97 → 0.97"."""
    if (
        before is None
        or row.history_type != "~"
        or _event_of(row.history_change_reason or "", row.history_date, events)
    ):
        return False
    changed = {
        name
        for name in (f.attname for f in Claim._meta.concrete_fields)
        if getattr(row, name, None) != getattr(before, name, None)
    }
    if not changed or not changed <= RESCORED_FIELDS:
        return False
    return (round(row.checkworthiness, SHOWN_PLACES), row.check_worthy) == (
        round(before.checkworthiness, SHOWN_PLACES),
        before.check_worthy,
    )


def _event_of(why: str, when: datetime, events: list[ClaimEvent]) -> ClaimEvent | None:
    """The event written with a change: the same sentence, at the same moment."""
    for event in events:
        if event.sentence == why and abs(event.at - when) <= SAME_CHANGE:
            return event
    return None


def _stance(row: Any) -> str:
    return str(row.get_stance_display()).lower()


def _typed(entry: HistoryEntry, events: list[ClaimEvent]) -> HistoryEntry:
    """The entry with the kind and cause of the event written with it: the one with the
    same sentence, at the same moment."""
    event = _event_of(entry.why, entry.when, events)
    if event is None:
        return entry
    return HistoryEntry(entry.when, entry.who, entry.what, entry.why, event.kind, event.cause)


def lapse_explanation(claim: Claim) -> str:
    """Why the claim's confirmation lapsed, as the panel says it ("" when it has not):
    the change that made it lapse and the rule's finding, from its latest ``lapsed``
    event."""
    if claim.status != Claim.Status.NEEDS_REREVIEW:
        return ""
    event = (
        ClaimEvent.objects.filter(claim=claim, kind=EventKind.LAPSED).order_by("-at", "-pk").first()
    )
    if event is None:
        return ""
    return "; ".join(part for part in (event.data.get("trigger"), event.data.get("why")) if part)
