"""Access checks: every view fetches its object through one of these helpers, which
raise ``PermissionDenied`` (403) when the user's role lacks the permission and
``Http404`` when there is no such row. Views call them first: a client can request any
fragment or API URL directly, so a check only in a template protects nothing.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from claims.models import Article, Claim, ClaimMatch, Source


def allows(request: HttpRequest, codename: str) -> bool:
    """Whether the user's role has the permission ``claims.<codename>``: the one place a
    permission is asked (``require`` raises on it, ``user_can`` offers buttons by it)."""
    return request.user.has_perm(f"claims.{codename}")


def require(request: HttpRequest, codename: str) -> None:
    if not allows(request, codename):
        raise PermissionDenied(f"Your role does not allow this ({codename}).")


def get_article(request: HttpRequest, pk: int, codename: str = "view_article") -> Article:
    require(request, codename)
    return get_object_or_404(Article, pk=pk)


def get_claim(request: HttpRequest, pk: int, codename: str = "view_claim") -> Claim:
    """The claim with its article (without the text), assignee and list flags."""
    require(request, codename)
    claims = Claim.objects.select_related("assignee").with_light_article().with_flags()
    return get_object_or_404(claims, pk=pk)


def get_exported_claim(request: HttpRequest, pk: int) -> Claim:
    """The claim with everything its export shows (the API's claim detail)."""
    require(request, "view_claim")
    return get_object_or_404(Claim.objects.for_export(), pk=pk)


def get_source(request: HttpRequest, pk: int) -> Source:
    require(request, "view_source")
    return get_object_or_404(Source, pk=pk)


def get_match(request: HttpRequest, pk: int, codename: str) -> ClaimMatch:
    require(request, codename)
    matches = ClaimMatch.objects.select_related(
        "claim__article", "matched_claim__article", "factcheck"
    ).defer(
        *(f"{path}__{name}" for path in ("claim__article", "matched_claim__article")
          for name in Article.TEXT_FIELDS)
    )  # fmt: skip
    return get_object_or_404(matches, pk=pk)


def user_can(request: HttpRequest) -> dict[str, bool]:
    """What the user's role allows on the pages (which buttons to offer). The views
    check the same permission again with ``require`` when the button is used."""
    return {name: allows(request, codename) for name, codename in OFFERS.items()}


# The buttons ``user_can`` offers, by the permission their view requires.
OFFERS = {
    "review": "change_claim",
    "evidence": "add_evidence",
    "edit": "change_article",
    "shape": "add_claim",
    "publish": "publish_verdict",
    "add": "add_article",
    "capture": "add_sourcecapture",
}
