"""The article page's claim list (``#claim-items``), written in Python.

A 500-claim article lists about 250 check-worthy rows, and the template loop that drew
them (about 120 variable lookups and a dozen filters per row) was most of the page's
time. ``item_html`` writes one row, the markup the template wrote before (a property
test compares the two byte for byte); ``items_html`` writes the list and keeps the rows
it wrote in Django's cache under a digest of exactly what they show.

Why the cache cannot show a stale row: the key is a digest of every value a row is
drawn from (id, status, verdict, source flag, score, text, type, factuality, hedged,
speaker, orphaned, the re-review note), read from the claims the page has just loaded
in the same request. A change of a claim's status, of its evidence (which changes the
``contradicted`` and ``source_problem`` annotations), of its source's state or of its
labels changes those values, hence the key: the next request draws the rows again. Only
rendering is cached, never what the database says.

The selected row (``selected``) and an out-of-band row (``oob``) are drawn afresh.
Templates call ``{% claim_item claim %}`` and ``{% claim_items claims %}``
(``claims.templatetags.claim_badges``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from django.core.cache import cache
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from claims.models import Claim
from claims.templatetags import claim_badges
from claims.web.panel import StatusBadge

CACHE_SECONDS = 24 * 3600
_TYPE_LABELS = dict(Claim.Type.choices)


def badge_html(badge: StatusBadge) -> str:
    """``{% status_badge claim %}``'s markup (``partials/status_badge.html``, with the
    file's final newline)."""
    out = ""
    if badge.contradicted:
        why = escape(badge.contradicted_title)
        out += f'<span class="badge contradicted" title="{why}">contradicted</span>'
    if badge.show_status:
        space = " " if badge.contradicted else ""
        title = f' title="{escape(badge.title)}"' if badge.title else ""
        label = escape(badge.label)
        out += f'{space}<span class="badge {escape(badge.css)}"{title}>{label}</span>'
    if badge.source_changed:
        out += (
            ' <span class="badge review" title="A supporting source died or changed since it'
            ' was captured">source changed — review</span>'
        )
    return out + "\n"


def factuality_html(factuality: str, hedged: bool) -> str:
    """``{% factuality_badge claim %}``'s markup (``partials/factuality_badge.html``,
    with the file's final newline), from the tag's own decisions."""
    badge = claim_badges.factuality_badge(Claim(factuality=factuality, hedged=hedged))
    if not badge["shown"]:
        return "\n"
    title = f' title="{escape(badge["title"])}"' if badge["title"] else ""
    return f'<span class="badge {escape(badge["css"])}"{title}>{escape(badge["label"])}</span>\n'


class _Inputs(NamedTuple):
    """Every value a row is drawn from: the cache key is made of these."""

    pk: int
    status: str
    contradicted: bool
    orphaned: bool
    score: float
    text: str
    kind: str
    factuality: str
    hedged: bool
    speaker: str
    badge: StatusBadge


def _inputs(claim: Claim) -> _Inputs:
    return _Inputs(
        claim.pk,
        claim.status,
        bool(getattr(claim, "contradicted", False)),
        claim.orphaned,
        claim.checkworthiness,
        claim.text,
        claim.claim_type,
        claim.factuality,
        claim.hedged,
        claim.speaker,
        StatusBadge.of(claim),
    )


def _row(inputs: _Inputs, *, selected: bool, oob: bool) -> str:
    pk, status, contradicted, orphaned, score, text, kind, factuality, hedged, speaker, badge = (
        inputs
    )
    classes = f"claim-item status-{escape(status)}"
    classes += " contradicted" if contradicted else ""
    classes += " orphaned" if orphaned else ""
    classes += " selected" if selected else ""
    swap = ' hx-swap-oob="true"' if oob else ""
    panel = reverse("claim-panel", args=[pk])
    badges = badge_html(badge)
    kind_label = escape(_TYPE_LABELS.get(kind, kind))
    badges += f'\n            <span class="badge type">{kind_label}</span>\n'
    badges += "            " + factuality_html(factuality, hedged)
    badges += "\n            "
    if speaker:
        phrase = claim_badges.speaker_phrase(speaker)
        badges += f'<span class="badge speaker">{phrase} {escape(speaker)}</span>'
    badges += "\n            "
    if orphaned:
        badges += '<span class="badge orphaned">orphaned</span>'
    return (
        f'<li id="claim-{pk}" class="{classes}" data-claim="{pk}"{swap}>\n'
        f'          <a href="?claim={pk}" hx-get="{panel}" hx-target="#panel"'
        f' hx-swap="outerHTML" hx-push-url="?claim={pk}">\n'
        '            <span class="score"><span class="score-label">Check-worthiness</span>'
        f" {floatformat(score, 2)}</span>\n"
        f'            <span class="claim-text">{escape(Truncator(text).chars(160))}</span>\n'
        "          </a>\n"
        '          <span class="badges">\n'
        f"            {badges}\n"
        "          </span>\n"
        "        </li>"
    )


def item_html(claim: Claim, *, selected: bool = False, oob: bool = False) -> SafeString:
    """One row of ``#claim-items`` (``li.claim-item``), as the template drew it."""
    return mark_safe(_row(_inputs(claim), selected=selected, oob=oob))  # escaped above


def _digest(rows: Iterable[_Inputs]) -> str:
    return hashlib.blake2b(repr(list(rows)).encode(), digest_size=20).hexdigest()


def items_html(claims: Sequence[Claim], *, selected: Claim | None = None) -> SafeString:
    """The rows of ``claims`` in order, ``selected`` marked, each row from the cache
    when nothing it shows has changed (the key is a digest of the rows' inputs)."""
    inputs = [_inputs(claim) for claim in claims]
    key = f"claim-rows:{_digest(inputs)}"
    rows: list[str] | None = cache.get(key)
    if rows is None or len(rows) != len(inputs):
        rows = [_row(row, selected=False, oob=False) for row in inputs]
        cache.set(key, rows, CACHE_SECONDS)
    if selected is not None:
        for index, claim in enumerate(claims):
            if claim.pk == selected.pk:
                rows[index] = _row(inputs[index], selected=True, oob=False)
    return mark_safe("\n        ".join(rows))  # each row escapes what it shows
