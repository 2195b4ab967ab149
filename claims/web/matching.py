"""Claim memory in the claim panel: the matches of a claim, accepting and dismissing.

Included from ``claims/web/urls.py``. The list is a fragment the panel loads with htmx
(``claims/matches.html#matches``, root ``id="matches-<pk>"``); without htmx the same
view serves it as a page. Accepting or dismissing answers htmx with the whole panel
(``views.panel_response``: evidence, status and history change too, and the panel
reloads this list) and redirects other POSTs to the claim's page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_http_methods

from claims.matching import service as matching
from claims.models import Claim, ClaimMatch, ClaimVerdict, Evidence, with_light_article
from claims.web.access import get_claim, get_match, user_can
from claims.web.fields import TextField
from claims.web.types import AuthenticatedHttpRequest
from claims.web.views import panel_response


class DecisionForm(forms.Form):
    confirm = forms.BooleanField(required=False)
    note = TextField(required=False, max_length=1000)


def matches_context(request: HttpRequest, claim: Claim) -> dict[str, Any]:
    evidence = Evidence.objects.select_related("source").order_by("added_at", "pk")
    earlier_claims = with_light_article(Claim.objects.with_verdict(), "article")
    earlier_claims = earlier_claims.prefetch_related(Prefetch("evidence", queryset=evidence))
    matches = list(
        claim.matches.exclude(state=ClaimMatch.State.DISMISSED)
        .select_related("factcheck", "decided_by")
        .prefetch_related(Prefetch("matched_claim", queryset=earlier_claims))
        .order_by("-score", "pk")
    )
    # "Accept and confirm": offered when the earlier claim is confirmed and this one not.
    offer_confirm = {
        match.pk
        for match in matches
        if match.matched_claim is not None
        and match.matched_claim.get_verdict() == ClaimVerdict.CONFIRMED
        and claim.status != Claim.Status.CONFIRMED
    }
    return {
        "claim": claim,
        "matches": matches,
        "offer_confirm": offer_confirm,
        "dismissed": claim.matches.filter(state=ClaimMatch.State.DISMISSED).count(),
        "can": user_can(request),
    }


@login_required
@require_http_methods(["GET"])
def claim_matches(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    claim = get_claim(request, pk)
    template = "claims/matches.html#matches" if request.htmx else "claims/matches.html"
    return render(request, template, matches_context(request, claim))


@login_required
@require_http_methods(["POST"])
def match_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    match = get_match(request, pk, "change_claim")
    form = DecisionForm(request.POST)
    if match.state == ClaimMatch.State.ACCEPTED:
        messages.info(request, "This match was already accepted.")
    elif form.is_valid():
        outcome = matching.accept_match(
            match=match,
            by=request.user,
            confirm=form.cleaned_data["confirm"],
            note=form.cleaned_data["note"],
        )
        level = messages.WARNING if outcome.refused else messages.SUCCESS
        messages.add_message(request, level, outcome.message())
    else:
        messages.error(request, "The note is too long (1000 characters at most).")
    return panel_response(request, match.claim)


@login_required
@require_http_methods(["POST"])
def match_dismiss(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    match = get_match(request, pk, "change_claim")
    form = DecisionForm(request.POST)
    if not match.is_undecided:
        messages.info(request, f"This match was already {match.get_state_display().lower()}.")
    elif form.is_valid():
        match.dismiss(by=request.user, note=form.cleaned_data["note"])
        messages.success(request, "Match dismissed; it will not be suggested again.")
    else:
        messages.error(request, "The note is too long (1000 characters at most).")
    return panel_response(request, match.claim)


urlpatterns = [
    path("claims/<int:pk>/matches/", claim_matches, name="claim-matches"),
    path("matches/<int:pk>/accept/", match_accept, name="match-accept"),
    path("matches/<int:pk>/dismiss/", match_dismiss, name="match-dismiss"),
]
