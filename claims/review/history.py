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
    entries = [
        _typed(HistoryEntry(h.history_date, h.history_user, f"claim {actions[h.history_type]}",
                            h.history_change_reason or ""), events)
        for h in claim.history.select_related("history_user")[:limit]
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


def _stance(row: Any) -> str:
    return str(row.get_stance_display()).lower()


def _typed(entry: HistoryEntry, events: list[ClaimEvent]) -> HistoryEntry:
    """The entry with the kind and cause of the event written with it: the one with the
    same sentence, at the same moment."""
    for event in events:
        if event.sentence == entry.why and abs(event.at - entry.when) <= SAME_CHANGE:
            return HistoryEntry(entry.when, entry.who, entry.what, entry.why, event.kind,
                                event.cause)  # fmt: skip
    return entry


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
