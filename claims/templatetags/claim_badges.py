"""``{% status_badge claim %}``: a claim's status badges (``panel.StatusBadge``), decided
in Python so that no template compares a status with a literal."""

from __future__ import annotations

from typing import Any

from django import template

from claims.models import Claim
from claims.web.panel import StatusBadge

register = template.Library()


@register.inclusion_tag("claims/partials/status_badge.html")
def status_badge(claim: Claim) -> dict[str, Any]:
    return {"badge": StatusBadge.of(claim)}
