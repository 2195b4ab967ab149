"""``{% status_badge claim %}``: a claim's status badges (``panel.StatusBadge``), decided
in Python so that no template compares a status with a literal; ``{% factuality_badge
claim %}``: its factuality, named by the model's choice label on every page (the queue,
the article page and the report say "unverified report" alike); ``{{ name|speaker_phrase }}``:
"said by" for a speaker, "according to" for a document, figure or report ("the board's
own figures"), which informs rather than speaks (``names.is_speaker``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from claims.models import Claim, ClaimVerdict
from claims.text import names
from claims.web.panel import StatusBadge

register = template.Library()


@register.filter
def speaker_phrase(name: str) -> str:
    """How a claim's stated source is introduced: a speaker says, a document informs."""
    return "said by" if names.is_speaker(name) else "according to"


@register.inclusion_tag("claims/partials/status_badge.html")
def status_badge(claim: Claim) -> dict[str, Any]:
    return {"badge": StatusBadge.of(claim)}


# Why a factuality that is not asserted is flagged: the badge's tooltip.
FACTUALITY_TITLES = {
    Claim.Factuality.HEDGED: "The text itself signals uncertainty",
    Claim.Factuality.UNVERIFIED_REPORT: "Reported without confirmation in the text",
    Claim.Factuality.CONDITIONAL: "True only if a condition holds",
    Claim.Factuality.QUESTION: "Asked, not asserted",
    Claim.Factuality.PREDICTED: "A stated future, not yet checkable",
}


@register.inclusion_tag("claims/partials/factuality_badge.html")
def factuality_badge(claim: Claim) -> dict[str, Any]:
    """The factuality badge of a claim not asserted as fact (nothing for an asserted one);
    its words are ``Claim.Factuality``'s label, the one mapping every page uses."""
    factuality = Claim.Factuality(claim.factuality)
    return {
        "shown": factuality != Claim.Factuality.ASSERTED,
        "label": factuality.label.lower(),
        "css": f"factuality {factuality.value}" + (" hedged" if claim.hedged else ""),
        "title": FACTUALITY_TITLES.get(factuality, ""),
    }


@register.simple_tag(takes_context=True)
def claim_item(context: template.Context, claim: Claim) -> SafeString:
    """``{% claim_item claim %}``: one row of the article page's claim list
    (``claim_rows.item_html``), selected when it is the context's ``selected`` claim and
    swapped out of band when the context says ``oob``."""
    from claims.web import claim_rows

    selected = context.get("selected")
    return claim_rows.item_html(
        claim,
        selected=selected is not None and getattr(selected, "pk", None) == claim.pk,
        oob=bool(context.get("oob")),
    )


@register.simple_tag(takes_context=True)
def claim_items(context: template.Context, claims: list[Claim]) -> SafeString:
    """``{% claim_items claims %}``: the rows of the article page's claim list, the
    context's ``selected`` claim marked (``claim_rows.items_html``, cached)."""
    from claims.web import claim_rows

    selected = context.get("selected")
    return claim_rows.items_html(claims, selected=selected if isinstance(selected, Claim) else None)


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
