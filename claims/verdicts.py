"""Public verdict pages: ``/verdicts/<slug>/``, one per published claim review.

An editor (permission ``claims.publish_verdict``) publishes a decided claim (confirmed,
or contradicted by refuting evidence) from the claim panel, and can unpublish it; every
change is in the page's history. The page needs no login and shows the claim, its
verdict, the evidence that counts (``status.assess``), the article it appeared in, and
the claim's ``ClaimReview`` as JSON-LD in a ``<script type="application/ld+json">`` data
block (written with ``json_script``, so no text can close the element; a data block is
not executed, so the Content-Security-Policy allows it).

The page shows the verdict as it is *now*: when a published claim lapses to needs
re-review, is unconfirmed, or loses its refutation, the page says the verdict is under
review and carries no ClaimReview, and the exports leave it out, until an editor decides
again. Only published pages are public; any other slug is 404.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from . import access, exports, status, views
from .models import Claim, Evidence, VerdictPage

SLUG_WORDS = 60  # characters of the claim's text in its slug, before its id


class PublishForm(forms.Form):
    action = forms.ChoiceField(choices=[("publish", "Publish"), ("unpublish", "Unpublish")])


def page_for(claim: Claim) -> VerdictPage | None:
    return VerdictPage.objects.filter(claim=claim).first()


def public_path(claim: Claim) -> str:
    """The public page's path when the claim's verdict is published, else ""."""
    if hasattr(claim, "public_slug"):
        slug = claim.public_slug
    else:
        page = VerdictPage.objects.filter(claim_id=claim.pk, published=True).first()
        slug = page.slug if page else None
    return reverse("verdict-public", args=[slug]) if slug else ""


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


@login_required
@require_POST
def verdict_publish(request: HttpRequest, pk: int) -> HttpResponse:
    claim = access.get_claim(request, pk, "publish_verdict")
    form = PublishForm(request.POST)
    if form.is_valid():
        if form.cleaned_data["action"] == "publish":
            try:
                page = publish(claim, by=request.user)
                messages.success(request, f"Verdict published at {page.get_absolute_url()}")
            except ValueError as exc:
                messages.error(request, str(exc))
        else:
            unpublish(claim, by=request.user)
            messages.success(request, "Verdict unpublished: the public page is gone.")
    return views.panel_response(request, claim)


def _counting_evidence(claim: Claim) -> list[Evidence]:
    """The evidence behind the verdict: refuting evidence for a contradicted claim, the
    supporting evidence that counts under the confirmation rule for a confirmed one."""
    evidence = list(claim.evidence.select_related("source").order_by("added_at", "pk"))
    if claim.is_contradicted:
        return [item for item in evidence if item.stance == Evidence.Stance.REFUTES]
    assessment = status.assess(claim, to_confirm=False)
    counting = {verdict.evidence_id for verdict in assessment.counting()}
    return [item for item in evidence if item.pk in counting]


@require_GET
def verdict_public(request: HttpRequest, slug: str) -> HttpResponse:
    """The public page: no login. 404 unless published."""
    page = get_object_or_404(VerdictPage, slug=slug, published=True)
    claims = Claim.objects.for_export()
    claim = claims.filter(pk=page.claim_id).first()
    if claim is None:
        raise Http404
    claim.public_slug = page.slug
    decided = exports.is_decided(claim)
    context = {
        "page": page,
        "claim": claim,
        "article": claim.article,
        "decided": decided,
        "verdict": exports.verdict(claim),
        "evidence": _counting_evidence(claim) if decided else [],
        "review": exports.claimreview(claim) if decided else None,
        "newsroom": exports.newsroom(),
    }
    return render(request, "claims/verdict_public.html", context)


urlpatterns = [
    path("verdicts/<slug:slug>/", verdict_public, name="verdict-public"),
    path("claims/<int:pk>/publish/", verdict_publish, name="verdict-publish"),
]
