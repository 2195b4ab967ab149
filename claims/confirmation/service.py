"""A claim's status and what it rests on: one locked path for every change to a basis.

The rule itself is ``claims.confirmation.rule`` (pure); this module gathers its facts
from the database (evidence, sources, their latest captures, publisher families, the
article) and applies its judgement:

- ``basis_change(claims, cause=, by=)``: THE way to change anything a confirmation can
  rest on (evidence, captures, sources, publishers, an article's text, URL or outlet,
  a claim's wording, standalone text or speaker, re-extraction, split, merge, an
  accepted match). It locks the claims first (``SELECT ... FOR NO KEY UPDATE`` in
  primary-key order, so two writers never deadlock), lets the caller change the basis, and
  re-judges every locked claim in the same transaction: a confirmed claim whose
  confirmation no longer holds moves to *needs re-review*, naming the cause. Nothing
  can confirm a claim in between, because ``confirm`` takes the same lock.
- ``assess(claim)``: every piece of evidence as *counts* / *does not count* with the
  reason, and what (if anything) stops the claim from being confirmed;
- ``confirm(claim, by=, note=)``: refuses with ``ConfirmationRefused`` saying what is
  missing, or records a ``Confirmation`` (the wording, the published text and speaker,
  and the counting evidence with each capture hash and quote result);
- ``unconfirm(claim, by=, note=)``;
- ``lapse_reason(claim)``: why a confirmation no longer holds ("" while it does);
- ``reevaluate(claims, cause=, by=)``: a basis change with nothing to change (the audit,
  a stricter setting).

Only this module writes ``Claim.status`` (``Claim.set_status``); a test holds that.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
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
    EventKind,
    Evidence,
    Publisher,
    PublisherDomain,
    Source,
    SourceCapture,
)
from claims.models import counts as article_counts
from claims.models.events import record
from claims.sources.publishers import PublisherIndex, latest_captures
from claims.text import normalising

if TYPE_CHECKING:
    from django.contrib.auth.models import User


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
        provided_by=capture.provided_by_name if capture else "",
        dead=source.link_state == Source.LinkState.DEAD,
        fetch_problem=problem,
        quote_check=evidence.quote_check,
        quote_reason=evidence.quote_reason,
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


@dataclass
class BasisChange:
    """The claims locked for one change to their basis, and (after it) those lapsed."""

    cause: str
    claims: dict[int, Claim]
    lapsed: list[Claim] = field(default_factory=list)


ClaimRefs = QuerySet[Claim] | Iterable[Claim | int]


def _ids(claims: ClaimRefs) -> list[int]:
    if isinstance(claims, QuerySet):
        return sorted(set(claims.order_by().values_list("pk", flat=True)))
    return sorted({c if isinstance(c, int) else c.pk for c in claims} - {None})


def lock(claims: ClaimRefs) -> dict[int, Claim]:
    """Lock the claims' rows (in primary-key order) inside the current transaction and
    return them as they are now. A queryset is locked through a subquery, so locking
    every confirmed claim sends no list of ids.

    Every row lock in the app is ``FOR NO KEY UPDATE`` (``no_key=True``), never ``FOR
    UPDATE``: no primary key ever changes, and a plain ``FOR UPDATE`` also blocks the
    foreign-key checks of rows that only point at the locked row. A claim event or an
    outbox row written under a claim's lock checks its article's key; with the article
    held ``FOR UPDATE`` by a re-extraction waiting for that claim, the two deadlocked
    (``tests/confirmation/test_basis_races.py``)."""
    if isinstance(claims, QuerySet):
        wanted = Claim.objects.filter(pk__in=claims.order_by().values_list("pk", flat=True))
    else:
        ids = _ids(claims)
        if not ids:
            return {}
        wanted = Claim.objects.filter(pk__in=ids)
    return {c.pk: c for c in wanted.select_for_update(no_key=True).order_by("pk")}


@contextmanager
def basis_change(
    claims: ClaimRefs | Callable[[], ClaimRefs],
    *,
    cause: str,
    by: User | None = None,
) -> Iterator[BasisChange]:
    """Lock, change, re-judge: the one path for every change to what a confirmation
    rests on. ``claims`` may be a callable, evaluated inside the transaction (for
    "every claim citing this source"). Claims the body creates are unconfirmed and need
    no lock; claims it deletes must have no records (see ``review.edits``)."""
    with transaction.atomic():
        change = BasisChange(cause, lock(claims() if callable(claims) else claims))
        article_counts.lock(claim.article_id for claim in change.claims.values())
        yield change
        change.lapsed = _settle(list(change.claims), cause=change.cause, by=by)
    for pk, fresh in {c.pk: c for c in change.lapsed}.items():
        if pk in change.claims:
            _sync(change.claims[pk], fresh)


def _settle(ids: list[int], *, cause: str, by: User | None) -> list[Claim]:
    """Re-judge each locked, confirmed claim; lapse those whose confirmation fails."""
    if not ids:  # a new article's extraction: nothing was locked, nothing can lapse
        return []
    confirmed = Claim.objects.filter(pk__in=ids, status=Claim.Status.CONFIRMED).order_by("pk")
    lapsed = []
    index: PublisherIndex | None = None
    for claim in confirmed:
        index = index or PublisherIndex.load()
        found = lapse_of(claim, index=index)
        if found:
            text = f"needs re-review: {cause}; {found.reason}"
            _set_status(claim, Claim.Status.NEEDS_REREVIEW, by=by, reason=text, note=text,
                        cause=found.cause, trigger=cause, why=found.reason)  # fmt: skip
            lapsed.append(claim)
    return lapsed


def _sync(claim: Claim, fresh: Claim) -> None:
    for name in ("status", "status_changed_by_id", "status_changed_at", "status_note"):
        setattr(claim, name, getattr(fresh, name))


def _set_status(
    claim: Claim,
    new: str,
    *,
    by: User | None,
    reason: str,
    note: str,
    cause: str = "",
    **data: str,
) -> None:
    """Every status change goes through here, and writes its event (``lapsed`` with its
    ``cause`` code for a move to needs re-review, else ``status_changed``) and its
    webhook events to the outbox in the same transaction."""
    previous = claim.status
    claim.set_status(new, by=by, reason=reason, note=note)
    lapsed = new == Claim.Status.NEEDS_REREVIEW
    kind = EventKind.LAPSED if lapsed else EventKind.STATUS_CHANGED
    fields: dict[str, Any] = data if lapsed else {"note": note}
    record(claim, kind, sentence=reason, by=by, cause=cause, from_status=previous,
           to_status=new, **fields)  # fmt: skip
    webhooks.claim_status_event(claim, previous=previous)


def _lock_for_judgement(claim: Claim) -> Claim:
    """Lock what a confirmation is judged on, in the order every writer takes it, and
    return the claim as it is now (inside the caller's transaction).

    Writers hold exclusive locks while they change a basis; a confirm holds shared
    ones, so confirms never wait for each other, and every fact the rule then reads is
    committed and cannot change before the confirm commits:

    1. the publisher tables (``SHARE``: a publisher or domain edit waits, or is waited for);
    2. the claim's article (``FOR SHARE``: its URL, outlet and text);
    3. the claim (``FOR NO KEY UPDATE``: evidence is only ever added or changed under it);
    4. the sources of its evidence, by id (``FOR SHARE``: captures, publisher, URL).

    On SQLite, write transactions are ``BEGIN IMMEDIATE`` and run one at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            tables = f"{Publisher._meta.db_table}, {PublisherDomain._meta.db_table}"
            cursor.execute(f"LOCK TABLE {tables} IN SHARE MODE")
            cursor.execute(
                f"SELECT id FROM {Article._meta.db_table} WHERE id = %s FOR SHARE",
                [claim.article_id],
            )
    fresh = lock([claim])[claim.pk]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {Source._meta.db_table} WHERE id IN "
                f"(SELECT source_id FROM {Evidence._meta.db_table} WHERE claim_id = %s) "
                "ORDER BY id FOR SHARE",
                [claim.pk],
            )
    return fresh


# Why a claim is not confirmed in bulk (``only_unconfirmed``), read under its lock.
NOT_IN_BULK: dict[str, str] = {
    Claim.Status.CONFIRMED: "already confirmed",
    Claim.Status.NEEDS_REREVIEW: "needs re-review: one person must look at it first",
}


def confirm(
    claim: Claim, *, by: User, note: str = "", only_unconfirmed: bool = False
) -> Confirmation:
    """Confirm the claim and record the basis, or raise ``ConfirmationRefused``.

    A confirmed claim is never confirmed again (no second record, its note kept);
    ``only_unconfirmed`` (bulk confirm) also refuses a claim in *needs re-review*, which
    one person must look at."""
    with transaction.atomic():
        fresh = _lock_for_judgement(claim)
        if fresh.status == Claim.Status.CONFIRMED or (
            only_unconfirmed and fresh.status in NOT_IN_BULK
        ):
            raise ConfirmationRefused(NOT_IN_BULK[fresh.status])
        facts, assessment = _judged(fresh, index=PublisherIndex.load(), to_confirm=True)
        if not assessment.satisfied:
            blocker = assessment.blocker
            raise ConfirmationRefused(blocker, message=f"Cannot confirm: {blocker}.")
        record = Confirmation.objects.create(
            claim=fresh,
            confirmed_by=by,
            note=note,
            wording=normalising.for_wording(fresh.text),
            wording_sha256=confirmation.wording_sha256(fresh.text),
            standalone=fresh.standalone,
            speaker=fresh.speaker,
            basis=_basis(facts, assessment),
            required=assessment.required,
        )
        on = ", ".join(assessment.publishers)
        reason = f"confirmed on {on}" + (f": {note}" if note else "")
        _set_status(fresh, Claim.Status.CONFIRMED, by=by, reason=reason, note=note)
    _sync(claim, fresh)
    return record


def unconfirm(claim: Claim, *, by: User, note: str = "") -> None:
    with transaction.atomic():
        fresh = lock([claim])[claim.pk]
        reason = "unconfirmed" + (f": {note}" if note else "")
        _set_status(fresh, Claim.Status.UNCONFIRMED, by=by, reason=reason, note=note)
    _sync(claim, fresh)


def latest_record(claim: Claim) -> Confirmation | None:
    return Confirmation.latest_for(claim.pk)


def lapse_reason(claim: Claim, *, index: PublisherIndex | None = None) -> str:
    """Why the claim's confirmation no longer holds ("" while it does)."""
    found = lapse_of(claim, index=index)
    return found.reason if found else ""


def lapse_of(claim: Claim, *, index: PublisherIndex | None = None) -> confirmation.Lapse | None:
    """Why the claim's confirmation no longer holds, as a cause code and a sentence (None
    while it does): its wording, its published text or speaker changed, its words left
    the article, or its evidence no longer satisfies the rule."""
    confirmed = latest_record(claim)
    if confirmed is None:
        return confirmation.Lapse(
            confirmation.OTHER, "there is no record of what it was confirmed on"
        )
    wording = normalising.for_wording(confirmed.wording)
    if wording != normalising.for_wording(claim.text):
        return confirmation.Lapse(
            confirmation.WORDING_CHANGED, "the claim's wording changed since it was confirmed"
        )
    published = _published_change(claim, confirmed)
    if published:
        return confirmation.Lapse(confirmation.MEANING_CHANGED, published)
    gone = _wording_gone(claim)
    if gone:
        return confirmation.Lapse(confirmation.WORDING_CHANGED, gone)
    return confirmation.lapse(
        assess(claim, index=index, to_confirm=False),
        confirmed_wording=confirmed.wording,
        wording=claim.text,
        basis=confirmed.basis,
    )


def _published_change(claim: Claim, record: Confirmation) -> str:
    """What ClaimReview would publish differently from what was confirmed."""
    if " ".join(record.standalone.split()) != " ".join(claim.standalone.split()):
        return "the published text (standalone) changed since it was confirmed"
    if " ".join(record.speaker.split()) != " ".join(claim.speaker.split()):
        was, now = record.speaker or "nobody", claim.speaker or "nobody"
        return f"the speaker changed since it was confirmed (was {was}, now {now})"
    return ""


def _wording_gone(claim: Claim) -> str:
    """An article edited after the claim's revision: are its words still in the text?
    (Until re-extraction re-anchors it, the claim still holds its old revision.)"""
    row = Article.objects.filter(pk=claim.article_id).values_list("revision", flat=True).first()
    if row is None or row == claim.revision:
        return ""
    body = Article.objects.values_list("body", flat=True).get(pk=claim.article_id)
    if claim.text in body:
        return ""
    return f"the confirmed wording is no longer in the article (revision {row})"


def reevaluate(
    claims: ClaimRefs,
    *,
    cause: str,
    by: User | None = None,
) -> list[Claim]:
    """Re-judge ``claims`` under their locks: move every confirmed claim whose
    confirmation no longer holds to *needs re-review*, naming the cause; return those
    moved."""
    if not isinstance(claims, QuerySet):
        claims = list(claims)
    given = [c for c in claims if isinstance(c, Claim)] if isinstance(claims, list) else []
    with basis_change(claims, cause=cause, by=by) as change:
        pass
    moved = {c.pk: c for c in change.lapsed}
    for claim in given:
        if claim.pk in moved:
            _sync(claim, moved[claim.pk])
    return change.lapsed


def lapse(
    claims: ClaimRefs,
    *,
    cause: str,
    by: User | None = None,
    code: str = confirmation.OTHER,
) -> list[Claim]:
    """Move the confirmed claims among ``claims`` to *needs re-review* for ``cause``
    (a person or a workflow withdrew the ground itself); ``code`` is the cause's code
    (``confirmation.LAPSE_CAUSES``)."""
    if not isinstance(claims, QuerySet):
        claims = list(claims)
    given = [c for c in claims if isinstance(c, Claim)] if isinstance(claims, list) else []
    lapsed = []
    with transaction.atomic():
        for claim in lock(claims).values():
            if claim.status != Claim.Status.CONFIRMED:
                continue
            text = f"needs re-review: {cause}"
            _set_status(claim, Claim.Status.NEEDS_REREVIEW, by=by, reason=text, note=text,
                        cause=code, trigger=cause)  # fmt: skip
            lapsed.append(claim)
    moved = {c.pk: c for c in lapsed}
    for claim in given:
        if claim.pk in moved:
            _sync(claim, moved[claim.pk])
    return lapsed
