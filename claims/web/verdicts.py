"""The verdict pages' views: publish and unpublish a claim's verdict, and the public page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from claims.models import Claim, ClaimVerdict, VerdictPage
from claims.publication import exports
from claims.publication.verdicts import publish, published_verdict, unpublish
from claims.web import access, views
from claims.web.types import AuthenticatedHttpRequest


class PublishForm(forms.Form):
    action = forms.ChoiceField(choices=[("publish", "Publish"), ("unpublish", "Unpublish")])


@login_required
@require_POST
def verdict_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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
        "refuted": claim.get_verdict() == ClaimVerdict.CONTRADICTED,
        # Only what is published: the claim as ClaimReview has it, the confirmation
        # record's note and the sources it counted (nothing while under review).
        "published": published_verdict(claim) if decided else None,
        "review": exports.claimreview(claim) if decided else None,
        "newsroom": exports.newsroom(),
    }
    return render(request, "claims/verdict_public.html", context)


urlpatterns = [
    path("verdicts/<slug:slug>/", verdict_public, name="verdict-public"),
    path("claims/<int:pk>/publish/", verdict_publish, name="verdict-publish"),
]
