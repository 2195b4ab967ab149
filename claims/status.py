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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Right, Substr

from . import confirmation, webhooks
from .confirmation import Assessment, EvidenceFacts, PublisherFacts, Wire
from .fetching import registered_domain
from .models import (
    Article,
    Claim,
    Confirmation,
    ConfirmationRefused,
    Evidence,
    Publisher,
    PublisherDomain,
    Source,
    SourceCapture,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


# --- Publishers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PublisherIndex:
    """Publisher families by domain, and the wire credits, read once per use."""

    by_domain: dict[str, str]
    wires: tuple[Wire, ...]

    @classmethod
    def load(cls) -> PublisherIndex:
        by_domain = dict(PublisherDomain.objects.values_list("domain", "publisher__name"))
        credits = Publisher.objects.exclude(wire_credits=[]).values("name", "wire_credits")
        return cls(by_domain, confirmation.compile_wires(list(credits)))

    def family(self, host: str) -> str:
        """The publisher whose domains include ``host`` or one of its parents, or ""."""
        labels = host.lower().rstrip(".").split(".")
        for index in range(len(labels) - 1):
            name = self.by_domain.get(".".join(labels[index:]))
            if name:
                return name
        return ""

    def article(self, article: Article, text_edges: str = "") -> PublisherFacts:
        host = urlsplit(article.url).hostname or "" if article.url else ""
        family = (
            (self.family(host) if host else "")
            or (self.family(article.outlet_domain) if article.outlet_domain else "")
            or self._family_named(article.outlet)
        )
        name = family or article.outlet or article.outlet_domain
        keys = {article.outlet.casefold(), article.outlet_domain.casefold(), family.casefold()}
        if host:  # the URL's own domain too, should it differ from the stored outlet domain
            keys.add(_registered(host))
        wire, credit = confirmation.wire_credit(text_edges, self.wires)
        if wire:
            keys.add(wire.casefold())
        return PublisherFacts(name, frozenset(keys - {""}), credit)

    def source(self, source: Source, capture: SourceCapture | None) -> PublisherFacts:
        host = urlsplit(source.url).hostname or source.domain
        family = self.family(host) if host else ""
        own = family or source.domain or source.publisher
        # A publisher name typed by hand on the source is a key too: more keys can only
        # make a source less independent, never more.
        keys = {own.casefold(), source.domain.casefold(), source.publisher.casefold()}
        wire = capture.wire if capture else ""
        if wire:
            keys.add(wire.casefold())
            return PublisherFacts(wire, frozenset(keys - {""}), capture.wire_credit)
        return PublisherFacts(own, frozenset(keys - {""}))

    def _family_named(self, outlet: str) -> str:
        wanted = outlet.strip().casefold()
        if not wanted:
            return ""
        return next((n for n in set(self.by_domain.values()) if n.casefold() == wanted), "")


def _registered(host: str) -> str:
    try:
        return registered_domain(host).casefold()
    except ValueError:
        return host.casefold()


def detect_wire(text: str, index: PublisherIndex | None = None) -> tuple[str, str]:
    """The wire a captured text credits (name, credit as written), with the admin's list."""
    return confirmation.wire_credit(text, (index or PublisherIndex.load()).wires)


def recompute_wires(*, index: PublisherIndex | None = None) -> int:
    """Mark the latest capture of every source used as evidence with the wire its text
    credits by the current credits (after a publisher's wire credits were edited).
    Returns how many captures changed."""
    index = index or PublisherIndex.load()
    used = Evidence.objects.values_list("source_id", flat=True).distinct()
    changed = 0
    for capture in latest_captures(used).values():
        text = SourceCapture.objects.only("text_compressed").get(pk=capture.pk).text
        wire, credit = confirmation.wire_credit(text, index.wires)
        if (wire, credit[:200]) != (capture.wire, capture.wire_credit):
            SourceCapture.objects.filter(pk=capture.pk).update(wire=wire, wire_credit=credit[:200])
            changed += 1
    return changed


# --- Facts -------------------------------------------------------------------------------


def latest_captures(source_ids: Iterable[int]) -> dict[int, SourceCapture]:
    """The newest capture of each source (text left in the database)."""
    latest: dict[int, SourceCapture] = {}
    captures = (
        SourceCapture.objects.filter(source_id__in=set(source_ids))
        .select_related("provided_by")
        .defer("text_compressed")
        .order_by("source_id", "-fetched_at", "-pk")
    )
    for capture in captures:
        latest.setdefault(capture.source_id, capture)
    return latest


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


# --- Status changes ------------------------------------------------------------------------


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
