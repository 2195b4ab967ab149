"""Typed events for the history written before ``ClaimEvent`` existed (issue 29).

Reads the django-simple-history rows of claims, evidence and matches once, and writes
the ``ClaimEvent`` each change would have written. What changed (status, stance, state,
offsets, values before and after) is read from the rows themselves; only what the rows
do not hold is read from the change reason's words: which kind a claim change was, and
the cause of a lapse. This is the one place that reads history prose, and it runs once:
a change that already has its event (written by the code since 0020) is left alone.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import migrations

BATCH = 1000
# A history row and the event written with it are moments apart (one transaction).
SAME_CHANGE = timedelta(seconds=5)
LAPSE_PREFIX = "needs re-review: "
# The rule's finding → the lapse cause, first found wins (``confirmation.rule.lapse``).
LAPSE_WORDS = (
    ("was removed", "evidence_removed"),
    ("wording changed", "wording_changed"),
    ("no longer in the article", "wording_changed"),
    ("not re-anchored", "wording_changed"),
    ("published text", "meaning_changed"),
    ("speaker changed", "meaning_changed"),
    ("figures differ", "meaning_changed"),
    ("no excerpt", "meaning_changed"),
    ("too short", "meaning_changed"),
    ("has died", "source_dead"),
    ("refute", "stance_changed"),
    ("context only", "stance_changed"),
    ("never captured", "source_changed"),
    ("not yet checked", "source_changed"),
    ("not found in", "source_changed"),
    ("same publisher", "publisher_rules"),
    ("cannot be known", "publisher_rules"),
    ("more supporting", "publisher_rules"),
)
# The trigger alone (a lapse with no finding: ``service.lapse``) → the cause.
TRIGGER_WORDS = (
    ("evidence removed", "evidence_removed"),
    ("stance changed", "stance_changed"),
    ("text edited", "wording_changed"),
    ("re-captured", "source_changed"),
    ("source changed", "source_changed"),
    ("died", "source_dead"),
    ("publisher", "publisher_rules"),
)
CORRECTED = {
    "speaker": "speaker",
    "claim type": "claim_type",
    "check-worthy": "check_worthy",
    "factuality": "factuality",
}
REVISION = re.compile(r"in revision (\d+)")


def lapse_cause(reason: str) -> tuple[str, str, str]:
    """``(cause, trigger, why)`` of a lapse's change reason."""
    rest = reason.removeprefix(LAPSE_PREFIX)
    trigger, _, why = rest.partition("; ")
    for part in why.split("; "):
        for words, cause in LAPSE_WORDS:
            if words in part:
                return cause, trigger, why
    for words, cause in TRIGGER_WORDS:
        if words in trigger:
            return cause, trigger, why
    return "other", trigger, why


def _revision(reason: str, default: int) -> int:
    found = REVISION.search(reason)
    return int(found.group(1)) if found else default


def _corrected_field(reason: str) -> str:
    for name, field in CORRECTED.items():
        if reason.startswith(f"{name} corrected from "):
            return field
    return ""


def _note(reason: str, by: str) -> str:
    marker = f" by {by}: "
    at = reason.find(marker)
    return reason[at + len(marker) :] if by and at >= 0 else ""


def _claim_events(row: Any, before: Any) -> Iterator[dict[str, Any]]:
    """The events of one historical claim row (``before``: the claim's previous row)."""
    reason = row.history_change_reason or ""
    if before is None:
        if row.history_type != "+":
            return
        if row.origin == "extracted":
            yield {"kind": "extracted", "data": {"revision": row.revision, "start": row.start,
                                                 "end": row.end}}  # fmt: skip
        else:
            yield {"kind": "created", "data": {"start": row.start, "end": row.end}}
        return
    if row.status != before.status:
        if row.status == "needs_rereview":
            cause, trigger, why = lapse_cause(reason)
            data = {"trigger": trigger} | ({"why": why} if why else {})
        else:
            cause, data = "", {"note": row.status_note}
        kind = "lapsed" if row.status == "needs_rereview" else "status_changed"
        yield {"kind": kind, "cause": cause, "from_status": before.status,
               "to_status": row.status, "data": data}  # fmt: skip
    if row.assignee_id != before.assignee_id:
        yield {"kind": "assigned", "data": {"to": row.assignee_id, "to_name": ""}}
    field = _corrected_field(reason)
    if field:
        by = row.history_user.username if row.history_user_id else ""
        yield {"kind": "corrected", "data": {
            "field": field, "old": getattr(before, field), "new": getattr(row, field),
            "note": _note(reason, by), "text": row.text,
        }}  # fmt: skip
    if row.orphaned and not before.orphaned:
        yield {"kind": "orphaned", "data": {
            "revision": _revision(reason, row.revision), "old_revision": before.revision,
            "old_start": before.start, "old_end": before.end,
        }}  # fmt: skip
    elif row.revision != before.revision and not row.orphaned:
        yield {"kind": "reanchored", "data": {
            "revision": row.revision, "start": row.start, "end": row.end,
            "exact": "approximately" not in reason, "old_revision": before.revision,
            "old_start": before.start, "old_end": before.end,
        }}  # fmt: skip
    refined = row.checkworthiness_model and (
        round(row.checkworthiness, 2) != round(before.checkworthiness, 2)
        or row.check_worthy != before.check_worthy
    )
    if refined and reason.startswith("check-worthiness "):
        yield {"kind": "checkworthiness_refined", "data": {
            "old": before.checkworthiness, "new": row.checkworthiness,
            "old_worthy": before.check_worthy, "new_worthy": row.check_worthy,
            "model": row.checkworthiness_model,
        }}  # fmt: skip


def _evidence_events(row: Any, before: Any) -> Iterator[dict[str, Any]]:
    data = {"evidence": row.id, "source": row.source_id, "stance": row.stance}
    if row.history_type == "+":
        yield {"kind": "evidence_added", "data": data}
    elif row.history_type == "-":
        yield {"kind": "evidence_removed", "data": data}
    elif before is not None and row.stance != before.stance:
        data = {"evidence": row.id, "source": row.source_id, "old": before.stance,
                "new": row.stance}  # fmt: skip
        yield {"kind": "stance_changed", "data": data}


def _match_events(row: Any, before: Any) -> Iterator[dict[str, Any]]:
    data = {"match": row.id, "matched_claim_id": row.matched_claim_id,
            "factcheck_id": row.factcheck_id}  # fmt: skip
    if row.history_type == "+":
        yield {"kind": "match_found", "data": data | {"score": row.score}}
    elif row.history_type == "~" and before is not None and row.state != before.state:
        kind = {"accepted": "match_accepted", "dismissed": "match_dismissed"}.get(row.state)
        if kind:
            yield {"kind": kind, "data": data}


def _sentence(row: Any, kind: str) -> str:
    return row.history_change_reason or kind.replace("_", " ")


def forwards(apps: Any, schema_editor: Any) -> None:
    ClaimEvent = apps.get_model("claims", "ClaimEvent")
    Claim, Article = apps.get_model("claims", "Claim"), apps.get_model("claims", "Article")
    recorded = defaultdict(list)  # (claim, kind) → when, of the events already written
    for claim_ref, kind, at in ClaimEvent.objects.values_list("claim_ref", "kind", "at"):
        recorded[claim_ref, kind].append(at)
    claims = set(Claim.objects.values_list("pk", flat=True))
    articles = set(Article.objects.values_list("pk", flat=True))
    User = apps.get_model(settings.AUTH_USER_MODEL)
    users = dict(User.objects.values_list("pk", getattr(User, "USERNAME_FIELD", "username")))
    HistoricalClaim = apps.get_model("claims", "HistoricalClaim")
    article_of = dict(HistoricalClaim.objects.values_list("id", "article_id").distinct())
    sources = [
        (HistoricalClaim, _claim_events, "id"),
        (apps.get_model("claims", "HistoricalEvidence"), _evidence_events, "claim_id"),
        (apps.get_model("claims", "HistoricalClaimMatch"), _match_events, "claim_id"),
    ]
    batch: list[Any] = []
    for model, events_of, claim_field in sources:
        rows = model.objects.select_related("history_user").order_by("id", "history_date",
                                                                      "history_id")  # fmt: skip
        before = None
        for row in rows.iterator(chunk_size=BATCH):
            previous = before if before is not None and before.id == row.id else None
            before = row
            claim_id = getattr(row, claim_field)
            article_id = article_of.get(claim_id)
            for made in events_of(row, previous):
                times = recorded[claim_id, made["kind"]]
                if any(abs(at - row.history_date) <= SAME_CHANGE for at in times):
                    continue
                if made["kind"] == "assigned":
                    made["data"]["to_name"] = users.get(made["data"]["to"], "")
                batch.append(ClaimEvent(
                    claim_id=claim_id if claim_id in claims else None, claim_ref=claim_id,
                    article_id=article_id if article_id in articles else None,
                    at=row.history_date, by_id=row.history_user_id,
                    sentence=_sentence(row, made["kind"]), cause=made.get("cause", ""),
                    from_status=made.get("from_status", ""), to_status=made.get("to_status", ""),
                    kind=made["kind"], data=made["data"],
                ))  # fmt: skip
            if len(batch) >= BATCH:
                ClaimEvent.objects.bulk_create(batch)
                batch = []
    ClaimEvent.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0020_claim_events"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
    ]
