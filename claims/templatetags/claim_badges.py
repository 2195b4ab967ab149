"""``{% status_badge claim %}``: a claim's status badges (``panel.StatusBadge``), decided
in Python so that no template compares a status with a literal."""

from __future__ import annotations

from typing import Any

from django import template

from claims.models import Claim, ClaimVerdict
from claims.web.panel import StatusBadge

register = template.Library()


@register.inclusion_tag("claims/partials/status_badge.html")
def status_badge(claim: Claim) -> dict[str, Any]:
    return {"badge": StatusBadge.of(claim)}


# The badge class of each verdict (decided here, not compared in templates).
VERDICT_CSS = {
    ClaimVerdict.CONFIRMED: "status-confirmed",
    ClaimVerdict.CONTRADICTED: "contradicted",
    ClaimVerdict.UNDECIDED: "",
}


@register.filter
def verdict_css(claim: Claim) -> str:
    """``{{ claim|verdict_css }}``: the css class of the claim's verdict badge."""
    return VERDICT_CSS[claim.get_verdict()]
