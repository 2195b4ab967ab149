"""Factuality cues: where the text itself says a claim is not established fact.

Cues come from Matcher patterns in ``data/hedges.json``, each labelled with the
factuality value it signals (hedged: modal and epistemic words, beliefs and
expectations; unverified_report: "unconfirmed reports", "sources say"; conditional;
predicted); :mod:`claims.nlp.factuality` adds code-found cues and decides the
sentence's value. A cue *governs* its
sentence unless the path from the cue up to the sentence root passes through a side
clause (relative clause, adnominal clause, apposition, adverbial clause, ...), as in
"Kerry, who is expected to attend ..., made a visit", where "is expected to" hedges only
the relative clause. A sentence is hedged when at least one of its cues governs it.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from spacy.attrs import LOWER, SENT_START
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

GOVERNING_KEY = "wb_hedge_governing"
CUES_KEY = "wb_hedge_cues"
FACTUALITY_KEY = "wb_factuality"
# Conditions a pattern can carry; the Matcher key is "label/flag/...", checked by
# factuality.clean_cues: "not_negated" (dropped when its verb is negated),
# "needs_complement" (kept only when the verb takes a judgement: "consider him a
# liability", "regard it as", "accuse her of"; "consider the bill" is no belief).
FLAGS = ("not_negated", "needs_complement")


def build_matcher(nlp: Language, patterns: Iterable[dict]) -> Matcher:
    matcher = Matcher(nlp.vocab)
    for item in patterns:
        key = "/".join([item["label"], *(flag for flag in FLAGS if item.get(flag))])
        matcher.add(key, [item["pattern"]])
    return matcher


def _inflections(lemma: str) -> set[str]:
    stem = lemma[:-1] if lemma.endswith("e") else lemma
    return {lemma, lemma + "s", lemma + "d", lemma + "ed", stem + "ing", stem + "ed"}


def _values(spec: object) -> list[str]:
    if isinstance(spec, str):
        return [spec]
    if isinstance(spec, dict) and "IN" in spec:
        return list(spec["IN"])
    return []


def anchor_words(patterns: Iterable[dict], common: Iterable[str]) -> frozenset[str]:
    """Words of which every pattern contains at least one (``common`` words excluded).

    Sentences without an anchor cannot match, so the Matcher skips them. Raises if a
    pattern has no anchor, so a new pattern cannot silently stop matching.
    """
    skip, anchors = frozenset(common), set()
    for item in patterns:
        found = set()
        for token in item["pattern"]:
            found.update(v.lower() for v in _values(token.get("LOWER")))
            for lemma in _values(token.get("LEMMA")):
                found.update(_inflections(lemma.lower()))
        found -= skip
        if not found:
            raise ValueError(f"hedge pattern without an anchor word: {item['pattern']}")
        anchors |= found
    return frozenset(anchors)


def sentence_bounds(doc: Doc) -> tuple[np.ndarray, np.ndarray]:
    """Per token, the start and end token index of its sentence."""
    flags = doc.to_array(SENT_START).astype("int64")
    flags[0] = 1
    starts = np.flatnonzero(flags == 1)
    ends = np.append(starts[1:], len(doc))
    index = np.searchsorted(starts, np.arange(len(doc)), side="right") - 1
    return starts[index], ends[index]


def anchor_hits(doc: Doc, anchor_ids: np.ndarray) -> np.ndarray:
    """Indices of the tokens whose lower-case form is in ``anchor_ids`` (sorted, non-empty).

    A binary search in the sorted ids: ``np.isin`` sorts both arrays on every call and
    cost several times more on paragraph-sized docs.
    """
    lower = doc.to_array(LOWER)
    at = np.searchsorted(anchor_ids, lower)
    at[at == len(anchor_ids)] = 0
    return np.flatnonzero(anchor_ids[at] == lower)


def anchor_windows(doc: Doc, anchor_ids: np.ndarray, radius: int) -> list[tuple[int, int]]:
    """Token windows of ``radius`` around anchor words, clipped to their sentence, merged.

    A pattern is at most ``radius + 1`` tokens long and holds an anchor, so every match
    lies inside one window: the Matcher only has to look at these few tokens.
    """
    hits = anchor_hits(doc, anchor_ids)
    if not len(hits):
        return []
    sent_start, sent_end = sentence_bounds(doc)
    windows: list[tuple[int, int]] = []
    for i in hits.tolist():
        lo, hi = max(int(sent_start[i]), i - radius), min(int(sent_end[i]), i + radius + 1)
        if windows and lo <= windows[-1][1] and sent_start[windows[-1][0]] == sent_start[i]:
            windows[-1] = (windows[-1][0], hi)
        else:
            windows.append((lo, hi))
    return windows


def find_cues(doc: Doc, matcher: Matcher, anchor_ids: np.ndarray, radius: int) -> list[Span]:
    """Non-overlapping cue spans (longest match wins), labelled by cue kind."""
    spans = [
        Span(doc, lo + start, lo + end, label=key)
        for lo, hi in anchor_windows(doc, anchor_ids, radius)
        for key, start, end in matcher(doc[lo:hi])
    ]
    return filter_spans(spans)


def governs(token: Token, side_deps: frozenset[str]) -> bool:
    """True unless the path from ``token`` to its sentence root crosses a side clause."""
    root = token.sent.root
    steps = 0
    while token != root and steps < 200:
        if token.dep_ in side_deps:
            return False
        token = token.head
        steps += 1
    return True
