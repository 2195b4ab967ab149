"""Factuality of a sentence: asserted, hedged, unverified_report, conditional, question, predicted.

The cues come from the Matcher patterns of ``data/hedges.json`` (each labelled with the
value it signals, see :mod:`claims.nlp.hedges`), plus two kinds found by code:

- the consequent of a condition: in "If talks fail, the strike will spread" the "will"
  (or "would", "could", ...) of the verb the if/unless clause modifies is a
  ``conditional`` cue, not a prediction;
- a sentence ending in "?" gets a ``question`` cue (the question mark).

A cue *governs* its sentence unless the path from it to the root crosses a side clause
(relative clause, apposition, ...). Exceptions: a condition marker ("if", "unless") in an
adverbial clause governs when the clause it conditions governs; a ``predicted`` cue
governs only on the sentence's main verb or a verb conjoined to it, so the "would" of
"Washington has said U.S. troops would not engage" leaves the sentence asserted. A cue
marked ``not_negated`` is dropped when its verb is negated ("could not afford").

The sentence's value is the first value in ``precedence`` that has a governing cue,
else ``asserted``. ``hedged`` (not asserted as established fact) holds for the values in
``hedging_values``: hedged, unverified_report, conditional and question.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from claims.nlp.hedges import governs

ASSERTED = "asserted"
HEDGED = "hedged"
UNVERIFIED_REPORT = "unverified_report"
CONDITIONAL = "conditional"
QUESTION = "question"
PREDICTED = "predicted"
VALUES = (ASSERTED, HEDGED, UNVERIFIED_REPORT, CONDITIONAL, QUESTION, PREDICTED)
NOT_NEGATED = "/not_negated"
_CLOSERS = frozenset({'"', "'", "\u201d", "\u2019", ")", "]"})


@dataclass(frozen=True)
class Rules:
    side_deps: frozenset[str]
    precedence: tuple[str, ...]
    hedging_values: frozenset[str]
    condition_marks: frozenset[str]
    consequent_aux: frozenset[str]

    @classmethod
    def from_dict(cls, data: dict) -> Rules:
        return cls(
            side_deps=frozenset(data["side_clause_deps"]),
            precedence=tuple(data["precedence"]),
            hedging_values=frozenset(data["hedging_values"]),
            condition_marks=frozenset(data["condition_marks"]),
            consequent_aux=frozenset(data["consequent_aux"]),
        )


def is_hedging(value: str, rules: Rules) -> bool:
    return value in rules.hedging_values


def _negated(token: Token) -> bool:
    verb = token.head if token.dep_ in ("aux", "auxpass") else token
    return any(c.dep_ == "neg" for c in verb.children) or any(
        c.dep_ == "neg" for c in token.children
    )


def clean_cues(cues: list[Span], exclusions: list[Span]) -> list[Span]:
    """Drop cues overlapping an exclusion and negated ``not_negated`` cues; strip the flag."""
    kept = []
    for cue in cues:
        if any(x.start < cue.end and cue.start < x.end for x in exclusions):
            continue
        label = cue.label_
        if label.endswith(NOT_NEGATED):
            if _negated(cue.root):
                continue
            label = label[: -len(NOT_NEGATED)]
        kept.append(Span(cue.doc, cue.start, cue.end, label=label))
    return kept


def _conditioned_verb(mark: Token, rules: Rules) -> Token | None:
    """The verb an if/unless clause conditions ("spread" in "If ..., it will spread")."""
    if mark.dep_ != "mark" or mark.lower_ not in rules.condition_marks:
        return None
    clause = mark.head
    if clause.dep_ != "advcl" or clause.head == clause:
        return None
    return clause.head


def consequent_cues(doc: Doc, cues: list[Span], rules: Rules) -> list[Span]:
    """The would/will/could of each verb that a condition cue conditions."""
    found = []
    for cue in cues:
        if cue.label_ != CONDITIONAL:
            continue
        verb = _conditioned_verb(cue.root, rules)
        if verb is None:
            continue
        for child in verb.children:
            if child.dep_ == "aux" and child.lower_ in rules.consequent_aux:
                found.append(Span(doc, child.i, child.i + 1, label=CONDITIONAL))
    return found


def question_cues(doc: Doc) -> list[Span]:
    """The final "?" of each sentence that ends in one (closing quotes aside)."""
    if "?" not in doc.text:
        return []
    found = []
    for sent in doc.sents:
        i = sent.end - 1
        while i > sent.start and (doc[i].is_space or doc[i].text in _CLOSERS):
            i -= 1
        if doc[i].text.endswith("?"):
            found.append(Span(doc, i, i + 1, label=QUESTION))
    return found


def merge(cues: list[Span], extra: list[Span]) -> list[Span]:
    """``cues`` plus ``extra``; an extra cue replaces any cue on the same tokens."""
    taken = {i for span in extra for i in range(span.start, span.end)}
    kept = [c for c in cues if not any(c.start <= i < c.end for i in taken)]
    return sorted([*kept, *extra], key=lambda s: (s.start, s.end))


def _main_verb(cue: Span) -> Token:
    root = cue.root
    return root.head if root.dep_ in ("aux", "auxpass") else root


def cue_governs(cue: Span, rules: Rules) -> bool:
    token = cue.root
    if cue.label_ == QUESTION:
        return True
    if cue.label_ == PREDICTED:
        verb, root = _main_verb(cue), cue.sent.root
        return verb == root or (verb.dep_ == "conj" and verb.head == root)
    conditioned = _conditioned_verb(token, rules)
    if conditioned is not None:
        token = conditioned
    return governs(token, rules.side_deps)


def sentence_value(governing: list[Span], rules: Rules) -> tuple[str, list[Span]]:
    """The sentence's factuality and the governing cues that give it."""
    labels = {c.label_ for c in governing}
    for value in rules.precedence:
        if value in labels:
            return value, [c for c in governing if c.label_ == value]
    return ASSERTED, []
