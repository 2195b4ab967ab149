"""A claim's history as one list: its own changes, its evidence's and its confirmations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from claims.models import Claim, Evidence


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: Any
    what: str
    why: str


def claim_history(claim: Claim, *, limit: int = 40) -> list[HistoryEntry]:
    """Everything that happened to a claim, newest first: the claim's own changes, its
    evidence added and removed, and its matches found, accepted or dismissed."""
    from claims.models import ClaimMatch

    actions = {"+": "created", "~": "changed", "-": "deleted"}
    entries = [
        HistoryEntry(h.history_date, h.history_user, f"claim {actions[h.history_type]}",
                     h.history_change_reason or "")
        for h in claim.history.select_related("history_user")[:limit]
    ]  # fmt: skip
    evidence = Evidence.history.filter(claim_id=claim.pk).select_related("history_user")
    entries += [
        HistoryEntry(h.history_date, h.history_user,
                     f"evidence {actions[h.history_type]} ({h.get_stance_display().lower()})",
                     h.history_change_reason or "")
        for h in evidence[:limit]
    ]  # fmt: skip
    matches = ClaimMatch.history.filter(claim_id=claim.pk).select_related("history_user")
    entries += [
        HistoryEntry(h.history_date, h.history_user, f"match {h.get_state_display().lower()}",
                     h.history_change_reason or "")
        for h in matches[:limit]
    ]  # fmt: skip
    return sorted(entries, key=lambda entry: entry.when, reverse=True)[:limit]
