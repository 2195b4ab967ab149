"""Verification workflows over several models: evidence, and bulk status changes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet

from . import sources
from .models import Claim, ConfirmationRefused, Evidence, Source

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


class EvidenceRejected(ValueError):
    pass


def with_flags(queryset: QuerySet[Claim]) -> QuerySet[Claim]:
    """Annotate ``contradicted`` (any refuting evidence) for lists and filters."""
    refuting = Evidence.objects.filter(claim=OuterRef("pk"), stance=Evidence.Stance.REFUTES)
    return queryset.annotate(contradicted=Exists(refuting))


def add_evidence(
    *,
    claim: Claim,
    by: AbstractBaseUser,
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
    evidence = Evidence(
        claim=claim, source=source, stance=stance, excerpt=excerpt, note=note, added_by=by
    )
    evidence._history_user = by
    try:
        with transaction.atomic():
            evidence.save()
    except IntegrityError:
        raise EvidenceRejected(f"This claim is already linked to {source}.") from None
    sources.check_quote(evidence)
    return evidence


def remove_evidence(*, evidence: Evidence, by: AbstractBaseUser) -> None:
    evidence._history_user = by
    evidence._change_reason = "evidence removed"
    evidence.delete()


def confirm_many(
    claims: Iterable[Claim], *, by: AbstractBaseUser, note: str = ""
) -> tuple[list[Claim], list[tuple[Claim, str]]]:
    """Confirm what the rule allows; return (confirmed, [(refused claim, why)])."""
    confirmed, refused = [], []
    for claim in claims:
        try:
            claim.confirm(by=by, note=note)
            confirmed.append(claim)
        except ConfirmationRefused as exc:
            refused.append((claim, str(exc)))
    return confirmed, refused
