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
marked ``not_negated`` is dropped when its verb is negated ("could not afford"); one
marked ``needs_complement`` is kept only when its verb takes a judgement ("consider him a
liability", not "consider the bill"). "until" with a clause in the simple past tells when
("until they were beaten"), and a modal in a purpose or time clause ("so that he could
work") speaks of ability: neither is a cue. A question quoted inside a sentence is not a
question cue.

The sentence's value is the first value in ``precedence`` that has a governing cue,
else ``asserted``. ``hedged`` (not asserted as established fact) holds for the values in
``hedging_values``: hedged, unverified_report, conditional and question.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from claims.nlp.doctext import doc_text
from claims.nlp.hedges import governs

ASSERTED = "asserted"
HEDGED = "hedged"
UNVERIFIED_REPORT = "unverified_report"
CONDITIONAL = "conditional"
QUESTION = "question"
PREDICTED = "predicted"
VALUES = (ASSERTED, HEDGED, UNVERIFIED_REPORT, CONDITIONAL, QUESTION, PREDICTED)
COMPLEMENT_DEPS = frozenset({"oprd", "ccomp"})
COMPLEMENT_PREPS = frozenset({"as", "of"})
_CLOSERS = frozenset({'"', "'", "\u201d", "\u2019", ")", "]"})


@dataclass(frozen=True)
class Rules:
    side_deps: frozenset[str]
    precedence: tuple[str, ...]
    hedging_values: frozenset[str]
    condition_marks: frozenset[str]
    consequent_aux: frozenset[str]
    narrative_marks: frozenset[str]
    ability_clause_marks: frozenset[str]

    @classmethod
    def from_dict(cls, data: dict) -> Rules:
        return cls(
            side_deps=frozenset(data["side_clause_deps"]),
            precedence=tuple(data["precedence"]),
            hedging_values=frozenset(data["hedging_values"]),
            condition_marks=frozenset(data["condition_marks"]),
            consequent_aux=frozenset(data["consequent_aux"]),
            narrative_marks=frozenset(data["narrative_marks"]),
            ability_clause_marks=frozenset(data["ability_clause_marks"]),
        )


def is_hedging(value: str, rules: Rules) -> bool:
    return value in rules.hedging_values


def _negated(token: Token) -> bool:
    verb = token.head if token.dep_ in ("aux", "auxpass") else token
    return any(c.dep_ == "neg" for c in verb.children) or any(
        c.dep_ == "neg" for c in token.children
    )


def _narrated(cue: Span, rules: Rules) -> bool:
    """ "did not concede a goal until they were beaten": a marker whose clause, and the
    verb it attaches to, are in the simple past tells when something happened; nothing
    is left open ("was to be suspended until ... were reviewed" is)."""
    mark = cue.root
    if mark.dep_ != "mark" or mark.lower_ not in rules.narrative_marks:
        return False
    clause = mark.head
    return _simple_past(clause) and (clause.head == clause or _simple_past(clause.head))


def _simple_past(verb: Token) -> bool:
    """A past tense without a modal or an infinitive "to" ("were beaten", "lost")."""
    auxes = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    if any(a.tag_ in ("MD", "TO") for a in auxes):
        return False
    return verb.tag_ == "VBD" or any(a.tag_ == "VBD" for a in auxes)


def _has_complement(verb: Token) -> bool:
    """ "consider him a liability", "consider that ...", "consider it to be", "regard it
    as", "accuse her of": the verb states a judgement, not a deliberation."""
    for child in verb.children:
        if child.dep_ in COMPLEMENT_DEPS:
            return True
        if child.dep_ == "prep" and child.lower_ in COMPLEMENT_PREPS:
            return True
        if child.dep_ == "xcomp" and any(c.lower_ == "to" for c in child.children):
            return True
    return False


def clean_cues(cues: list[Span], exclusions: list[Span], rules: Rules) -> list[Span]:
    """Drop cues overlapping an exclusion, narrative markers and cues whose flags
    (:data:`claims.nlp.hedges.FLAGS`) do not hold; the kept cues carry the plain value."""
    kept = []
    for cue in cues:
        if any(x.start < cue.end and cue.start < x.end for x in exclusions):
            continue
        if _narrated(cue, rules):
            continue
        value, *flags = cue.label_.split("/")
        if "not_negated" in flags and _negated(cue.root):
            continue
        if "needs_complement" in flags and not _has_complement(cue.root):
            continue
        kept.append(Span(cue.doc, cue.start, cue.end, label=value))
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


def _quoted(doc: Doc, sent: Span, i: int) -> bool:
    """True when token ``i`` is inside a quotation opened earlier in the sentence."""
    before = doc_text(doc)[sent.start_char : doc[i].idx].lstrip('"\u201c ')  # a quoted sentence
    return before.count('"') % 2 == 1 or before.count("\u201c") > before.count("\u201d")


def question_cues(doc: Doc) -> list[Span]:
    """The final "?" of each sentence that ends in one (closing quotes aside), unless the
    question is quoted inside the sentence ('He asked, "Why now?"' asserts the asking)."""
    if "?" not in doc_text(doc):
        return []
    found = []
    for sent in doc.sents:
        i = sent.end - 1
        while i > sent.start and (doc[i].is_space or doc[i].text in _CLOSERS):
            i -= 1
        if doc[i].text.endswith("?") and not _quoted(doc, sent, i):
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


def _in_ability_clause(cue: Span, rules: Rules) -> bool:
    """A modal in a purpose or time clause ("so that he could work", "before it could be
    answered") speaks of ability or purpose, not of whether the claim is true."""
    root = cue.root
    if root.tag_ != "MD" or root.dep_ != "aux" or root.head.dep_ != "advcl":
        return False
    return any(
        c.dep_ == "mark" and c.lower_ in rules.ability_clause_marks for c in root.head.children
    )


def cue_governs(cue: Span, rules: Rules) -> bool:
    token = cue.root
    if cue.label_ == QUESTION:
        return True
    if _in_ability_clause(cue, rules):
        return False
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
