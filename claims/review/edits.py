"""Changing a claim's shape: create one from a selection, split one, merge one with the next."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from claims.confirmation import service as status
from claims.ingest import speakers
from claims.models import CORRECTABLE, Article, Claim, EventKind, VerdictPage
from claims.models.events import record
from claims.text import anchoring

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class ClaimEditRejected(ValueError):
    pass


def shape_refusal(article: Article, claim: Claim | None = None) -> str:
    """Why a person cannot split or merge ``claim`` (or, without one, create a claim in
    ``article``) now; "" when they can. Edits by hand work on the claim's own revision,
    only when that revision is the article's current, extracted text, and only on a
    claim whose text is still found there."""
    if article.is_active or (claim is not None and claim.revision != article.revision):
        return (
            "The article has a newer revision waiting for re-extraction: "
            "try again when its claims have been re-anchored."
        )
    if claim is not None and claim.orphaned:
        return "This claim's text is no longer in the article: it cannot be split or merged."
    return ""


def _check_current(article: Article, claim: Claim | None = None) -> None:
    refusal = shape_refusal(article, claim)
    if refusal:
        raise ClaimEditRejected(refusal)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _refuse_taken(article: Article, claim: Claim, start: int, end: int) -> None:
    taken = article.claims.filter(revision=claim.revision, start=start, end=end)
    other = taken.exclude(pk=claim.pk).first()
    if other is not None:
        raise ClaimEditRejected(f"Those words are already claim #{other.pk}.")


def _anchored(claim: Claim, text: str, start: int, end: int) -> None:
    claim.start, claim.end, claim.text = start, end, text[start:end]
    claim.prefix, claim.suffix = anchoring.context(text, start, end)
    claim.occurrences = [[start, end]]


@transaction.atomic
def create_claim(*, article: Article, start: int, end: int, by: User) -> Claim:
    """A claim from a selection of the article text (offsets into the current revision)."""
    _check_current(article)
    text = article.body
    start, end = _trimmed(text, max(0, start), min(len(text), end))
    if end - start < 3:
        raise ClaimEditRejected("Select some text of the article first.")
    if article.claims.filter(revision=article.revision, start=start, end=end).exists():
        raise ClaimEditRejected("That exact passage is already a claim.")
    claim = Claim(article=article, revision=article.revision, origin=Claim.Origin.MANUAL)
    _anchored(claim, text, start, end)
    claim._history_user = by
    claim._change_reason = reason = "created by hand from a selection"
    claim.save()
    record(claim, EventKind.CREATED, sentence=reason, by=by, start=claim.start, end=claim.end)
    return claim


SHAPE_FIELDS = ["start", "end", "text", "prefix", "suffix", "occurrences", "origin", "updated_at"]


@transaction.atomic
def split_claim(*, claim: Claim, before: str, by: User) -> Claim:
    """Split a claim before the first occurrence of ``before`` in its text.

    The first part keeps the claim (its evidence, records and history); a confirmation
    of the old wording lapses (needs re-review). The second part is new and unconfirmed.
    """
    article = Article.objects.select_for_update(no_key=True).get(pk=claim.article_id)
    with status.basis_change([claim], cause="the claim was split", by=by) as change:
        claim = change.claims[claim.pk]
        _check_current(article, claim)
        at = claim.text.find(before.strip()) if before.strip() else -1
        if at <= 0:
            raise ClaimEditRejected(
                "Type the words where the second part begins (not the first word)."
            )
        text = article.body
        first = _trimmed(text, claim.start, claim.start + at)
        second = _trimmed(text, claim.start + at, claim.end)
        _refuse_taken(article, claim, *first)
        _refuse_taken(article, claim, *second)
        second_claim = Claim(
            article=article, revision=claim.revision, origin=Claim.Origin.SPLIT,
            checkworthiness=claim.checkworthiness, check_worthy=claim.check_worthy,
            claim_type=claim.claim_type, sentence_index=claim.sentence_index,
        )  # fmt: skip
        _anchored(second_claim, text, *second)
        second_claim._history_user = by
        second_claim._change_reason = f"split from claim #{claim.pk}"
        _anchored(claim, text, *first)
        claim.origin = Claim.Origin.SPLIT
        claim._history_user = by
        second_claim.save()
        record(second_claim, EventKind.CREATED, sentence=f"split from claim #{claim.pk}", by=by,
               start=second_claim.start, end=second_claim.end, split_from=claim.pk)  # fmt: skip
        claim._change_reason = f"split; the rest became claim #{second_claim.pk}"
        claim.save(update_fields=SHAPE_FIELDS)
    return second_claim


def _refuse_losing_records(claim: Claim) -> None:
    """Nothing deletes a record: a claim with confirmation records or a verdict page is
    never merged away."""
    if claim.confirmations.exists() or VerdictPage.objects.filter(claim=claim).exists():
        raise ClaimEditRejected(
            f"Claim #{claim.pk} has been confirmed before: its confirmation records and "
            "verdict page are kept, so it cannot be merged into another claim. Merge it "
            "with the claim after it instead, or create a claim from a selection."
        )


@transaction.atomic
def merge_with_next(*, claim: Claim, by: User) -> Claim:
    """Merge a claim with the one that follows it in the text; evidence moves over.
    The merged wording was never confirmed: a confirmation of the first lapses (its
    records stay); a following claim with records is never merged away."""
    article = Article.objects.select_for_update(no_key=True).get(pk=claim.article_id)
    following = (
        article.claims.filter(revision=claim.revision, orphaned=False, start__gte=claim.end)
        .exclude(pk=claim.pk)
        .order_by("start")
        .first()
    )
    if following is None:
        raise ClaimEditRejected("There is no following claim to merge with.")
    cause = "the claim was merged with the next one"
    with status.basis_change([claim, following], cause=cause, by=by) as change:
        claim, following = change.claims[claim.pk], change.claims[following.pk]
        _check_current(article, claim)
        _refuse_losing_records(following)
        taken = article.claims.filter(revision=claim.revision, start=claim.start, end=following.end)
        other = taken.exclude(pk__in=[claim.pk, following.pk]).first()
        if other is not None:
            raise ClaimEditRejected(f"The merged passage is already claim #{other.pk}.")
        for evidence in following.evidence.exclude(source__in=claim.evidence.values("source")):
            evidence.claim = claim
            evidence._history_user = by
            evidence._change_reason = f"moved by merging claim #{following.pk} into #{claim.pk}"
            evidence.save(update_fields=["claim"])
        was_decided = following.status != Claim.Status.UNCONFIRMED
        was = following.get_status_display().lower()
        following._history_user = by
        following._change_reason = f"merged into claim #{claim.pk}"
        del change.claims[following.pk]
        following.delete()
        _anchored(claim, article.body, claim.start, following.end)
        claim.origin = Claim.Origin.MERGED
        claim.checkworthiness = max(claim.checkworthiness, following.checkworthiness)
        claim._history_user = by
        claim._change_reason = f"merged with claim #{following.pk}" + (
            f" (which was {was})" if was_decided else ""
        )
        claim.save(update_fields=[*SHAPE_FIELDS, "checkworthiness"])
    return claim


class StaleEdit(ClaimEditRejected):
    """The form showed a value someone else has changed since: nothing was saved."""


def basis_of(claim: Claim, field: str) -> str:
    """What a form editing ``field`` was based on: the value it showed, as text. A save
    whose basis is not the value under the claim's lock is refused (``StaleEdit``)."""
    return "" if getattr(claim, field) is None else str(getattr(claim, field))


def _refuse_stale(claim: Claim, field: str, basis: str | None, what: str) -> None:
    if basis is not None and basis != basis_of(claim, field):
        raise StaleEdit(
            f"Not saved: someone changed the {what} to {claim.label_of(field)} since you "
            "opened this claim. Here it is as it is now; change it again if you still want to."
        )


def correct_claim(
    *,
    claim: Claim,
    field: str,
    value: Any,
    by: User,
    reason: str = "",
    basis: str | None = None,
) -> Claim:
    """A person corrects a machine label (``CORRECTABLE``) in the panel. A speaker is
    part of what is published: a confirmed claim whose speaker changes lapses.
    ``basis``: the value the person saw (``basis_of``); refused if it changed since."""
    cause = f"{field} corrected by {by}"
    with status.basis_change([claim], cause=cause, by=by) as change:
        fresh = change.claims[claim.pk]
        _refuse_stale(fresh, field, basis, CORRECTABLE.get(field, field))
        fresh.correct(field, value, by=by, reason=reason)
        if field == "speaker":
            speakers.relink_corrected(claim.pk)  # the speaker record follows the new name
    claim.refresh_from_db()
    return claim


def edit_claim(*, claim: Claim, changes: dict[str, Any], by: User) -> None:
    """A person edits a claim's fields in the admin: only those fields are written, under
    the claim's lock, and a confirmation that no longer holds (a new standalone text or
    speaker) lapses."""
    with status.basis_change([claim], cause="edited in the admin", by=by) as change:
        fresh = change.claims[claim.pk]
        changes = {k: v for k, v in changes.items() if getattr(fresh, k) != v}
        if not changes:
            return
        cause = change.cause = f"{', '.join(sorted(changes))} edited in the admin by {by}"
        for name, value in changes.items():
            setattr(fresh, name, value)
        fresh._history_user = by
        fresh._change_reason = cause
        fresh.save(update_fields=[*sorted(changes), "updated_at"])


def assign_claim(*, claim: Claim, to: User | None, by: User, basis: str | None = None) -> Claim:
    """Assign the claim (or nobody), under its row lock; ``basis`` is the assignee the
    person saw (``basis_of(claim, "assignee_id")``): refused if it changed since."""
    with transaction.atomic():
        fresh = Claim.objects.select_for_update(no_key=True).get(pk=claim.pk)
        if basis is not None and basis != basis_of(fresh, "assignee_id"):
            now = fresh.assignee or "nobody"
            raise StaleEdit(
                f"Not assigned: someone assigned this claim to {now} since you opened it. "
                "Assign it again if you still want to."
            )
        fresh.assign(to=to, by=by)
    return fresh
