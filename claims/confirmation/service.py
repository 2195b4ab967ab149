"""A claim's status and what it rests on: confirm, unconfirm, and re-evaluate.

The rule itself is ``confirmation.py`` (pure); this module gathers its facts from the
database (evidence, sources, their latest captures, publisher families, the article)
and applies its judgement:

- ``assess(claim)``: every piece of evidence as *counts* / *does not count* with the
  reason, and what (if anything) stops the claim from being confirmed;
- ``confirm(claim, by=, note=)``: refuses with ``ConfirmationRefused`` saying what is
  missing, or records a ``Confirmation`` (the wording and the counting evidence, with
  each capture hash and quote result) and marks the claim confirmed;
- ``unconfirm(claim, by=, note=)``;
- ``reevaluate(claims, cause=, by=)``: called by every change that can take the ground
  from under a confirmation (evidence, captures, edits, publishers). A confirmed claim
  whose confirmation no longer holds moves to *needs re-review*, with the cause in its
  history. Nothing here ever confirms a claim by itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Right, Substr

from claims.confirmation import rule as confirmation
from claims.confirmation.rule import Assessment, EvidenceFacts
from claims.integrations import webhooks
from claims.models import (
    Article,
    Claim,
    Confirmation,
    ConfirmationRefused,
    Evidence,
    Source,
    SourceCapture,
)
from claims.sources.publishers import PublisherIndex, latest_captures

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


def _evidence_facts(
    evidence: Evidence, capture: SourceCapture | None, index: PublisherIndex
) -> EvidenceFacts:
    source = evidence.source
    problem = source.fetch_error
    if capture is None and source.fetch_state == Source.FetchState.PENDING:
        problem = "waiting to be fetched"
    return EvidenceFacts(
        evidence_id=evidence.pk,
        stance=evidence.stance,
        excerpt=evidence.excerpt,
        publisher=index.source(source, capture),
        source_id=source.pk,
        source_url=source.url,
        captured=capture is not None,
        capture_id=capture.pk if capture else 0,
        capture_sha256=capture.text_sha256 if capture else "",
        captured_at=capture.fetched_at if capture else None,
        provided_by=str(capture.provided_by or "") if capture and capture.provided_by_id else "",
        dead=source.link_state == Source.LinkState.DEAD,
        fetch_problem=problem,
        quote_check=evidence.quote_check,
        quote_sha256=evidence.quote_sha256,
        quote_score=evidence.quote_score,
    )


def _article_for(claim: Claim) -> tuple[Article, str]:
    """The claim's article without its body, and the body's first and last characters
    (where wire datelines and credits stand)."""
    article = (
        Article.objects.defer("body", "dropped")
        .annotate(
            head=Substr("body", 1, confirmation.WIRE_HEAD),
            tail=Right("body", confirmation.WIRE_TAIL),
        )
        .get(pk=claim.article_id)
    )
    return article, f"{article.head}\n{article.tail}"


def assess(
    claim: Claim, *, index: PublisherIndex | None = None, to_confirm: bool = True
) -> Assessment:
    """Judge the claim's evidence by the confirmation rule, as things stand now.

    ``to_confirm=False`` asks whether an existing confirmation still holds: an edit
    waiting for re-extraction does not block that (its wording is checked instead)."""
    return _judged(claim, index=index or PublisherIndex.load(), to_confirm=to_confirm)[1]


def _judged(
    claim: Claim, *, index: PublisherIndex, to_confirm: bool
) -> tuple[list[EvidenceFacts], Assessment]:
    """The facts of the claim's evidence, and the rule's judgement of them."""
    article, edges = _article_for(claim)
    evidence = list(claim.evidence.select_related("source").order_by("added_at", "pk"))
    captures = latest_captures(e.source_id for e in evidence)
    facts = [_evidence_facts(e, captures.get(e.source_id), index) for e in evidence]
    assessment = confirmation.assess(
        facts,
        article=index.article(article, edges),
        required=settings.WORKBENCH_CONFIRMATIONS_REQUIRED,
        orphaned=claim.orphaned,
        pending_revision=to_confirm and claim.revision != article.revision,
        claim_text=claim.text,
    )
    return facts, assessment


def _basis(facts: list[EvidenceFacts], assessment: Assessment) -> list[dict[str, Any]]:
    """The record of the counting evidence, from the very facts the rule judged."""
    counting = {verdict.evidence_id: verdict.publisher for verdict in assessment.counting()}
    return [
        {
            "evidence": item.evidence_id,
            "source": item.source_id,
            "url": item.source_url,
            "publisher": counting[item.evidence_id],
            "capture": item.capture_id,
            "capture_sha256": item.capture_sha256,
            "provided_by": item.provided_by,
            "excerpt": item.excerpt,
            "quote_check": item.quote_check,
            "quote_score": item.quote_score,
        }
        for item in facts
        if item.evidence_id in counting
    ]


def _locked(claim: Claim) -> Claim:
    """The claim re-read under a row lock, so a status decision sees committed evidence."""
    return Claim.objects.select_for_update().get(pk=claim.pk)


def _sync(claim: Claim, fresh: Claim) -> None:
    for name in ("status", "status_changed_by_id", "status_changed_at", "status_note"):
        setattr(claim, name, getattr(fresh, name))


def _set_status(
    claim: Claim, new: str, *, by: AbstractBaseUser | None, reason: str, note: str
) -> None:
    """Every status change goes through here, and tells the webhooks (on commit)."""
    previous = claim.status
    claim.set_status(new, by=by, reason=reason, note=note)
    webhooks.claim_status_event(claim, previous=previous)


def confirm(claim: Claim, *, by: AbstractBaseUser, note: str = "") -> Confirmation:
    """Confirm the claim and record the basis, or raise ``ConfirmationRefused``."""
    with transaction.atomic():
        fresh = _locked(claim)
        facts, assessment = _judged(fresh, index=PublisherIndex.load(), to_confirm=True)
        if not assessment.satisfied:
            raise ConfirmationRefused(f"Cannot confirm: {assessment.blocker}.")
        record = Confirmation.objects.create(
            claim=fresh,
            confirmed_by=by,
            note=note,
            wording=confirmation.normalise_wording(fresh.text),
            wording_sha256=confirmation.wording_sha256(fresh.text),
            basis=_basis(facts, assessment),
            required=assessment.required,
        )
        on = ", ".join(assessment.publishers)
        reason = f"confirmed on {on}" + (f": {note}" if note else "")
        _set_status(fresh, Claim.Status.CONFIRMED, by=by, reason=reason, note=note)
    _sync(claim, fresh)
    return record


def unconfirm(claim: Claim, *, by: AbstractBaseUser, note: str = "") -> None:
    with transaction.atomic():
        fresh = _locked(claim)
        reason = "unconfirmed" + (f": {note}" if note else "")
        _set_status(fresh, Claim.Status.UNCONFIRMED, by=by, reason=reason, note=note)
    _sync(claim, fresh)


def lapse_reason(claim: Claim, *, index: PublisherIndex | None = None) -> str:
    """Why the claim's confirmation no longer holds ("" while it does)."""
    record = claim.confirmations.order_by("-confirmed_at", "-pk").first()
    if record is None:
        return "there is no record of what it was confirmed on"
    return confirmation.lapse_reason(
        assess(claim, index=index, to_confirm=False),
        confirmed_wording=record.wording,
        wording=claim.text,
        basis=record.basis,
    )


def reevaluate(
    claims: QuerySet[Claim] | Iterable[Claim],
    *,
    cause: str,
    by: AbstractBaseUser | None = None,
) -> list[Claim]:
    """Move every confirmed claim among ``claims`` whose confirmation no longer holds to
    *needs re-review*, naming the cause; return those moved."""
    loaded: list[PublisherIndex] = []  # read on the first confirmed claim, not before

    def why(claim: Claim) -> str:
        if not loaded:
            loaded.append(PublisherIndex.load())
        return lapse_reason(claim, index=loaded[0])

    return _lapse(claims, cause=cause, by=by, why=why)


def lapse(
    claims: QuerySet[Claim] | Iterable[Claim],
    *,
    cause: str,
    by: AbstractBaseUser | None = None,
) -> list[Claim]:
    """Move the confirmed claims among ``claims`` to *needs re-review* for ``cause``
    (when the caller knows the basis is gone before the rule can see it)."""
    return _lapse(claims, cause=cause, by=by, why=None)


def _lapse(
    claims: QuerySet[Claim] | Iterable[Claim],
    *,
    cause: str,
    by: AbstractBaseUser | None,
    why: Callable[[Claim], str] | None,
) -> list[Claim]:
    """The shared loop: ``why(claim)`` says why its confirmation lapsed ("" when it
    holds); ``why=None`` lapses every confirmed claim given."""
    if isinstance(claims, QuerySet):
        ids = list(claims.filter(status=Claim.Status.CONFIRMED).values_list("pk", flat=True))
        given: list[Claim] = []
    else:
        given = list(claims)
        ids = [c.pk for c in given if c.pk is not None and c.status == Claim.Status.CONFIRMED]
    lapsed = []
    for pk in ids:
        with transaction.atomic():
            claim = Claim.objects.select_for_update().filter(pk=pk).first()
            if claim is None or claim.status != Claim.Status.CONFIRMED:
                continue
            reason = why(claim) if why is not None else ""
            if why is not None and not reason:
                continue
            text = f"needs re-review: {cause}" + (f"; {reason}" if reason else "")
            _set_status(claim, Claim.Status.NEEDS_REREVIEW, by=by, reason=text, note=text)
            lapsed.append(claim)
    moved = {c.pk: c for c in lapsed}
    for claim in given:
        if claim.pk in moved:
            _sync(claim, moved[claim.pk])
    return lapsed
