"""Verification workflows over several models: evidence, and bulk status changes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from claims.confirmation import service as status
from claims.models import Claim, ConfirmationRefused, EventKind, Evidence, Source
from claims.models.events import record
from claims.sources import capture as sources

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class EvidenceRejected(ValueError):
    pass


def add_evidence(
    *,
    claim: Claim,
    by: User,
    stance: str,
    source: Source | None = None,
    url: str = "",
    kind: str = "",
    excerpt: str = "",
    note: str = "",
) -> Evidence:
    """Link a claim to a source (new sources are captured in the background)."""
    if source is None:
        source = sources.source_for_url(url, kind=kind or Source.Kind.NEWS, by=by)
    stance_name = (
        Evidence.Stance(stance).label.lower() if stance in Evidence.Stance.values else stance
    )
    cause = f"{stance_name} evidence added ({source})"
    try:
        with status.basis_change([claim], cause=cause, by=by):
            evidence = Evidence(
                claim=claim, source=source, stance=stance, excerpt=excerpt, note=note, added_by=by
            )
            evidence._history_user = by
            with transaction.atomic():
                evidence.save()
            record(claim, EventKind.EVIDENCE_ADDED, sentence=cause, by=by,
                   evidence=evidence.pk, source=source.pk, stance=stance)  # fmt: skip
            # A capture of the source running now either commits first (we wait for its
            # lock, then check against it) or waits for us (and then checks this
            # excerpt): the quote is never left unchecked between the two.
            Source.objects.select_for_update(no_key=True).filter(pk=source.pk).exists()
            sources.check_quote(evidence)
    except IntegrityError:
        raise EvidenceRejected(f"This claim is already linked to {source}.") from None
    return evidence


def remove_evidence(*, evidence: Evidence, by: User) -> None:
    source = evidence.source
    cause = f"evidence removed ({source})"
    with status.basis_change([evidence.claim_id], cause=cause, by=by) as change:
        record(change.claims[evidence.claim_id], EventKind.EVIDENCE_REMOVED, sentence=cause,
               by=by, evidence=evidence.pk, source=source.pk, stance=evidence.stance)  # fmt: skip
        evidence._history_user = by
        evidence._change_reason = "evidence removed"
        evidence.delete()


class StaleEvidence(EvidenceRejected):
    """The form showed a stance someone else has changed since: nothing was saved."""


def change_stance(*, evidence: Evidence, stance: str, by: User, basis: str | None = None) -> None:
    """Say the source supports, refutes or only gives context to the claim after all.
    ``basis`` is the stance the person saw: refused (``StaleEvidence``) when someone
    changed it since, checked under the evidence's row lock."""
    if stance not in Evidence.Stance.values:
        raise EvidenceRejected(f"Unknown stance: {stance}.")
    before = evidence.get_stance_display().lower()
    after = Evidence.Stance(stance).label.lower()
    cause = f"stance changed from {before} to {after}"
    with status.basis_change([evidence.claim_id], cause=cause, by=by) as change:
        fresh = Evidence.objects.select_for_update(no_key=True).get(pk=evidence.pk)
        if basis is not None and basis != fresh.stance:
            raise StaleEvidence(
                f"Not changed: someone marked this evidence “{fresh.get_stance_display()}” "
                "since you opened the claim. Change it again if you still want to."
            )
        if fresh.stance == stance:
            return
        record(change.claims[fresh.claim_id], EventKind.STANCE_CHANGED, sentence=cause, by=by,
               evidence=fresh.pk, source=fresh.source_id, old=fresh.stance, new=stance)  # fmt: skip
        fresh.stance = stance
        fresh._history_user = by
        fresh._change_reason = cause
        fresh.save(update_fields=["stance"])
    evidence.stance = stance


def confirm_many(
    claims: Iterable[Claim], *, by: User, note: str = ""
) -> tuple[list[Claim], list[tuple[Claim, str]]]:
    """Confirm what the rule allows; return (confirmed, [(refused claim, why)]).

    Only unconfirmed claims are confirmed in bulk: a claim in *needs re-review* waits for
    one person to look at it, and a confirmed claim keeps its record and note (no second
    confirmation). ``confirm`` reads the status under the claim's lock, so a claim
    confirmed or lapsed meanwhile is judged as it is now."""
    confirmed, refused = [], []
    for claim in claims:
        try:
            status.confirm(claim, by=by, note=note, only_unconfirmed=True)
        except ConfirmationRefused as exc:
            refused.append((claim, exc.reason))
        else:
            confirmed.append(claim)
    return confirmed, refused
