"""The article text cut into segments for display: claims highlighted in place, their
hedge cues and speakers marked, repeats and dropped boilerplate faded.

Offsets index the stored text exactly, so cutting at them never shifts a character.

``body_html`` writes the segments as the page's ``#body-text`` markup in one pass: a
500-claim article has over a thousand segments, and a template loop spent most of the
page's time resolving variables and localising numbers for them.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from claims.models import Article, Claim


@dataclass
class Segment:
    text: str
    start: int
    claim: Claim | None = None
    role: str = ""  # "claim", "repeat", "dropped" or ""
    mark: str = ""  # "hedge", "speaker" or ""


@dataclass(frozen=True)
class _Layer:
    start: int
    end: int
    rank: int  # a higher rank is drawn on top
    role: str
    claim: Claim | None = None


def _layers(article: Article, claims: list[Claim]) -> list[_Layer]:
    layers = [_Layer(d["start"], d["end"], 0, "dropped") for d in article.dropped]
    for claim in claims:
        if claim.orphaned or claim.revision != article.revision:
            continue
        layers.append(_Layer(claim.start, claim.end, 2, "claim", claim))
        for start, end in claim.occurrences[1:]:
            layers.append(_Layer(start, end, 1, "repeat", claim))
        for cue in claim.hedge_cues:
            layers.append(_Layer(cue["start"], cue["end"], 3, "hedge", claim))
        attribution = claim.attribution or {}
        if attribution.get("speaker_start") is not None:
            start, end = attribution["speaker_start"], attribution["speaker_end"]
            layers.append(_Layer(start, end, 3, "speaker", claim))
    size = len(article.body)
    return [layer for layer in layers if 0 <= layer.start < layer.end <= size]


def segments(article: Article, claims: list[Claim]) -> list[Segment]:
    text = article.body
    layers = _layers(article, claims)
    cuts = sorted({0, len(text)} | {p for layer in layers for p in (layer.start, layer.end)})
    starting: dict[int, list[_Layer]] = {}
    for layer in layers:
        starting.setdefault(layer.start, []).append(layer)
    active: list[_Layer] = []
    result = []
    for start, end in itertools.pairwise(cuts):
        active = [layer for layer in active if layer.end > start] + starting.get(start, [])
        result.append(_segment(text, start, end, active))
    return result


def _segment(text: str, start: int, end: int, active: list[_Layer]) -> Segment:
    segment = Segment(text[start:end], start)
    below = [layer for layer in active if layer.rank < 3]
    base = max(below, key=lambda layer: layer.rank, default=None)
    if base is not None:
        segment.role, segment.claim = base.role, base.claim
    marks = [layer for layer in active if layer.rank == 3 and base and layer.claim is base.claim]
    if marks and base is not None and base.role == "claim":
        segment.mark = marks[0].role
    return segment


_REPEAT_TITLE = "Repeat of an earlier sentence"
_DROPPED_TITLE = "Left out: boilerplate or repeated paragraph"


def body_html(segments: list[Segment]) -> SafeString:
    """The segments as ``<mark>``/``<span>`` elements carrying ``data-start`` (and
    ``data-claim``), the markup ``static/workbench.js`` and the tests read."""
    parts = []
    for seg in segments:
        text = escape(seg.text)
        claim = seg.claim
        if seg.role == "claim" and claim is not None:
            classes = f"hl status-{escape(claim.status)}"
            if getattr(claim, "contradicted", False):
                classes += " contradicted"
            title = ""
            if seg.mark:
                classes += f" hl-{escape(seg.mark)}"
                title = f' title="{escape(seg.mark)}"'
            parts.append(
                f'<mark data-start="{seg.start}" class="{classes}" data-claim="{claim.pk}"'
                f"{title}>{text}</mark>"
            )
        elif seg.role == "repeat" and claim is not None:
            parts.append(
                f'<span data-start="{seg.start}" class="faded repeat" data-claim="{claim.pk}"'
                f' title="{_REPEAT_TITLE}">{text}</span>'
            )
        elif seg.role == "dropped":
            parts.append(
                f'<span data-start="{seg.start}" class="faded dropped"'
                f' title="{_DROPPED_TITLE}">{text}</span>'
            )
        else:
            parts.append(f'<span data-start="{seg.start}">{text}</span>')
    return mark_safe("".join(parts))  # every piece of text above is escaped


BODY_CACHE_SECONDS = 24 * 3600


def _body_inputs(article: Article, claims: list[Claim]) -> list[object]:
    """Every value ``segments`` and ``body_html`` read: the cache key is their digest."""
    text = hashlib.blake2b(article.body.encode(), digest_size=20).hexdigest()
    inputs: list[object] = [article.pk, article.revision, text, article.dropped]
    for claim in claims:
        attribution = claim.attribution or {}
        inputs.append(
            (
                claim.pk,
                claim.status,
                bool(getattr(claim, "contradicted", False)),
                claim.orphaned,
                claim.revision,
                claim.start,
                claim.end,
                claim.occurrences,
                [(cue["start"], cue["end"]) for cue in claim.hedge_cues],
                attribution.get("speaker_start"),
                attribution.get("speaker_end"),
            )
        )
    return inputs


def cached_body_html(article: Article, claims: list[Claim]) -> SafeString:
    """``body_html(segments(article, claims))``, kept in Django's cache under a digest
    of everything it is drawn from (the text, and each claim's place, status and
    verdict as loaded in this request): a change to any of them is a new key."""
    inputs = repr(_body_inputs(article, claims)).encode()
    key = f"article-body:{hashlib.blake2b(inputs, digest_size=20).hexdigest()}"
    found = cache.get(key)
    if found is None:
        found = str(body_html(segments(article, claims)))
        cache.set(key, found, BODY_CACHE_SECONDS)
    return mark_safe(found)  # written by body_html, which escapes every text
