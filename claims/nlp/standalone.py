"""Standalone claim text: the claim rewritten by rule so it reads on its own.

Only rewrites that add no fact (``data/standalone.json``):

- the main speaker given as a pronoun or a role noun ("He said", "The minister said")
  becomes the name it was resolved to ("John Kerry said"), when the pipeline resolved
  it to a different, named speaker;
- a leading discourse connective that points at the previous sentence ("Meanwhile,",
  "But") is removed and the next letter capitalised.

Everything else is the claim's own text.
"""

from __future__ import annotations

import re
from functools import cache

import spacy

from claims.nlp.records import Attribution


@cache
def _connective() -> re.Pattern[str]:
    data = spacy.registry.misc.get("wb.data_file.v1")("standalone.json")
    words = sorted(data["leading_connectives"], key=len, reverse=True)
    alternatives = "|".join(re.escape(w) for w in words)
    return re.compile(rf"^(?:{alternatives})\b,?\s+(?=\S)", re.IGNORECASE)


def standalone(text: str, start: int, attribution: Attribution | None) -> str:
    """``text`` (the claim, at ``start`` in the article) rewritten to read alone."""
    if attribution is not None and _replaceable(attribution, start, len(text)):
        lo, hi = attribution.speaker_start - start, attribution.speaker_end - start
        text = text[:lo] + attribution.speaker + text[hi:]
    match = _connective().match(text)
    if match and match.end() < len(text):
        rest = text[match.end() :]
        text = rest[0].upper() + rest[1:]
    return text


def spoken(attribution: Attribution, text: str, *, quoted: bool) -> str:
    """A sentence whose speaker is named in another sentence (a quotation that runs on,
    a speaker's turn in a transcript), led by that speaker: 'John Kerry: "We will ..."'.
    A speaker left as a pronoun names nobody, so the content stays as it is."""
    body = text.strip().strip(_QUOTE_MARKS).strip()
    if body.endswith(","):  # '"A. B," X said': the comma closes the quotation
        body = body[:-1] + "."
    if quoted:
        body = f"\u201c{body}\u201d"
    name = attribution.speaker.strip()
    if not name or name.lower() in _PRONOUNS or name[:1].islower():
        return body
    return f"{name}: {body}"


_QUOTE_MARKS = '"\u201c\u201d'


def _replaceable(attribution: Attribution, start: int, length: int) -> bool:
    inside = start <= attribution.speaker_start and attribution.speaker_end <= start + length
    resolved = attribution.speaker.strip() and attribution.speaker != attribution.mention
    lowered = attribution.mention[:1].islower() or attribution.mention.lower() in _PRONOUNS
    return bool(inside and resolved and (lowered or attribution.mention.lower().startswith("the ")))


_PRONOUNS = frozenset({"he", "she"})
