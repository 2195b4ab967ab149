"""Public verdict pages: ``/verdicts/<slug>/``, one per published claim review.

An editor (permission ``claims.publish_verdict``) publishes a decided claim (confirmed,
or contradicted by refuting evidence) from the claim panel, and can unpublish it; every
change is in the page's history. The page needs no login and shows the claim, its
verdict, the evidence its confirmation record rested on, the article it appeared in, and
the claim's ``ClaimReview`` as JSON-LD in a ``<script type="application/ld+json">`` data
block (written with ``json_script``, so no text can close the element; a data block is
not executed, so the Content-Security-Policy allows it).

The page shows the verdict as it is *now*: when a published claim lapses to needs
re-review, is unconfirmed, or loses its refutation, the page says the verdict is under
review and carries no ClaimReview, and the exports leave it out, until an editor decides
again. Only published pages are public; any other slug is 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from claims.models import (
    Claim,
    ClaimVerdict,
    Confirmation,
    Evidence,
    SourceCapture,
    VerdictPage,
)
from claims.publication import exports

SLUG_WORDS = 60  # characters of the claim's text in its slug, before its id


def page_for(claim: Claim) -> VerdictPage | None:
    return VerdictPage.objects.filter(claim=claim).first()


def slug_for(claim: Claim) -> str:
    words = slugify(exports.short_text(claim.text, SLUG_WORDS))[:SLUG_WORDS].strip("-")
    return f"{words or 'claim'}-{claim.pk}"


def publish(claim: Claim, *, by: Any) -> VerdictPage:
    """Publish the claim's verdict; ``ValueError`` when it has none to publish."""
    if not exports.is_decided(claim):
        raise ValueError(
            "Only a decided claim (confirmed, or contradicted by a source) can be published; "
            f"this one is {exports.verdict(claim).lower()}."
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                page, _ = VerdictPage.objects.get_or_create(
                    claim=claim, defaults={"slug": slug_for(claim)}
                )
        except IntegrityError:  # a concurrent publish created it
            page = VerdictPage.objects.get(claim=claim)
        page.publish(by=by)
    return page


def unpublish(claim: Claim, *, by: Any) -> VerdictPage | None:
    page = page_for(claim)
    if page is not None and page.published:
        page.unpublish(by=by)
    return page


@dataclass(frozen=True)
class PublishedSource:
    """One source behind a published verdict, as the page shows it: linked, with the
    date of the capture the verdict rests on."""

    title: str
    url: str
    publisher: str
    captured_at: datetime | None
    excerpt: str


@dataclass(frozen=True)
class PublishedVerdict:
    """What a verdict page shows of a decided claim, from what was decided: the claim and
    speaker as ClaimReview publishes them (``exports.published``); for a confirmed claim,
    its confirmation record's note and the evidence the record counted (each with the
    capture it was judged on); for a contradicted one, the refuting sources."""

    text: str
    speaker: str
    note: str
    sources: list[PublishedSource]


def published_verdict(claim: Claim) -> PublishedVerdict:
    """The page's content for a decided claim (``exports.is_decided``)."""
    text, speaker = exports.published(claim)
    evidence = _counting_evidence(claim)
    record = None if claim.get_verdict() == ClaimVerdict.CONTRADICTED else _record(claim)
    basis = {item.get("evidence"): item for item in record.basis} if record else {}
    captures = SourceCapture.objects.filter(
        pk__in=[item.get("capture") for item in basis.values()]
    ).only("fetched_at")
    capture_of = {capture.pk: capture for capture in captures}
    sources = []
    for item in evidence:
        judged = basis.get(item.pk, {})
        capture = capture_of.get(judged.get("capture"))
        sources.append(
            PublishedSource(
                title=str(item.source),
                url=judged.get("url") or item.source.url,
                publisher=judged.get("publisher") or item.source.publisher or item.source.domain,
                captured_at=capture.fetched_at if capture else item.source.fetched_at,
                excerpt=judged.get("excerpt", item.excerpt),
            )
        )
    return PublishedVerdict(text, speaker, record.note if record else "", sources)


def _record(claim: Claim) -> Confirmation | None:
    """The confirmation record a confirmed claim is published as (``exports.published``
    reads the same one)."""
    return Confirmation.latest_for(claim.pk) if claim.status == Claim.Status.CONFIRMED else None


def _counting_evidence(claim: Claim) -> list[Evidence]:
    """The evidence behind the verdict: refuting evidence for a contradicted claim, the
    supporting evidence that counts under the confirmation rule for a confirmed one."""
    evidence = list(claim.evidence.select_related("source").order_by("added_at", "pk"))
    if claim.get_verdict() == ClaimVerdict.CONTRADICTED:
        return [item for item in evidence if item.stance == Evidence.Stance.REFUTES]
    # What the confirmation rested on, as its record holds it (the claim is published as
    # that record; a basis that no longer holds has lapsed the claim).
    record = Confirmation.latest_for(claim.pk)
    counting = {item.get("evidence") for item in record.basis} if record else set()
    return [item for item in evidence if item.pk in counting]
