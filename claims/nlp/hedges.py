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

from collections.abc import Iterable, Mapping

import numpy as np
from spacy.attrs import LOWER, SENT_START
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token

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
    """Regular forms, generously: an extra form costs nothing, a missing one a match."""
    stem = lemma[:-1] if lemma.endswith("e") else lemma
    forms = {lemma, lemma + "s", lemma + "es", lemma + "d", lemma + "ed"}
    forms |= {stem + "ing", stem + "ed", lemma + lemma[-1:] + "ed", lemma + lemma[-1:] + "ing"}
    if lemma.endswith("y"):
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
    return forms


def _values(spec: object) -> list[str]:
    if isinstance(spec, str):
        return [spec]
    if isinstance(spec, dict) and "IN" in spec:
        return list(spec["IN"])
    return []


def _words(token: dict, verb_forms: Mapping[str, Iterable[str]]) -> set[str]:
    """The lower-case forms a pattern token can match (a lemma: its inflections)."""
    words = {v.lower() for v in _values(token.get("LOWER"))}
    for lemma in _values(token.get("LEMMA")):
        words |= _inflections(lemma.lower()) | set(verb_forms.get(lemma.lower(), ()))
    return words


def pattern_anchors(
    pattern: list[dict], common: frozenset[str], verb_forms: Mapping[str, Iterable[str]]
) -> frozenset[str]:
    """The words of the pattern's most specific required token: every match holds one.

    A token qualifies when it is not optional and none of its words is in ``common``;
    of those, the one with the fewest words. Raises if none qualifies, so a new pattern
    cannot silently stop matching.
    """
    candidates = [
        words
        for token in pattern
        if token.get("OP") not in ("?", "*")
        and (words := _words(token, verb_forms))
        and not words & common
    ]
    if not candidates:
        raise ValueError(f"hedge pattern without an anchor word: {pattern}")
    fewest = min(candidates, key=len)
    return frozenset(fewest)


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


class CueMatcher:
    """The patterns, run only around their anchor words, each anchor with its own patterns.

    Every pattern has anchor words (:func:`pattern_anchors`); a token that is one gets a
    small Matcher holding only the patterns it anchors, run on the window of the longest
    of them around it, inside its sentence. Most tokens are no anchor, and most anchors
    ("said", "may") anchor one or two patterns, so the Matcher sees a few tokens and
    patterns instead of every pattern at every token.
    """

    def __init__(
        self,
        nlp: Language,
        patterns: list[dict],
        common: Iterable[str],
        verb_forms: Mapping[str, Iterable[str]],
    ) -> None:
        skip = frozenset(common)
        anchored: dict[str, set[int]] = {}
        for index, item in enumerate(patterns):
            for word in pattern_anchors(item["pattern"], skip, verb_forms):
                anchored.setdefault(word, set()).add(index)
        built: dict[frozenset[int], tuple[Matcher, int]] = {}
        self.by_anchor: dict[int, tuple[Matcher, int]] = {}
        for word, indices in anchored.items():
            group = frozenset(indices)
            if group not in built:
                chosen = [patterns[i] for i in sorted(group)]
                radius = max(len(item["pattern"]) for item in chosen) - 1
                built[group] = (build_matcher(nlp, chosen), radius)
            self.by_anchor[nlp.vocab.strings.add(word)] = built[group]
        self.anchor_ids = np.array(sorted(self.by_anchor), dtype="uint64")

    def __call__(self, doc: Doc) -> list[Span]:
        """Every match, labelled "value/flag/..." (overlapping; ordered by position)."""
        hits = anchor_hits(doc, self.anchor_ids)
        if not len(hits):
            return []
        sent_start, sent_end = sentence_bounds(doc)
        lower = doc.to_array(LOWER)
        found: set[tuple[int, int, int]] = set()
        for i in hits.tolist():
            matcher, radius = self.by_anchor[int(lower[i])]
            lo, hi = max(int(sent_start[i]), i - radius), min(int(sent_end[i]), i + radius + 1)
            found.update((lo + start, lo + end, key) for key, start, end in matcher(doc[lo:hi]))
        return [Span(doc, start, end, label=key) for start, end, key in sorted(found)]


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
