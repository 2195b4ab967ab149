"""Claim type by documented rules (``data/claim_types.json``).

Types: "quantity" (figures/statistics), "statement" (reported statement), "event",
"prediction" (predictions, promises, the future), "opinion", "other". The rules are
tried in the file's ``order`` and the first that holds wins:

- statement: an attribution governs the sentence;
- prediction: the main clause has a future auxiliary (will, shall, 'll, going to) or its
  verb is a promise/forecast verb (pledge, promise, vow, plan, predict, ...);
- quantity: a PERCENT/MONEY/QUANTITY entity, or a CARDINAL entity written with digits;
- opinion: a first-person opinion verb ("I think"), a modal of obligation (should, must)
  on the main verb, or an evaluative adjective (good, wrong, unacceptable, ...);
- event: the main verb is a non-stative verb in the past tense or a perfect form (a
  present-tense tag on a form that is not the base form, "forces retook", counts as past).
"""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Span, Token

CLAIM_TYPES = ("quantity", "statement", "event", "prediction", "opinion", "other")


def _main_verb(sent: Span) -> Token:
    return sent.root


def _aux(verb: Token) -> list[Token]:
    return [c for c in verb.children if c.dep_ in ("aux", "auxpass")]


def is_prediction(sent: Span, rules: dict) -> bool:
    verb = _main_verb(sent)
    auxes = [a.lower_ for a in _aux(verb)]
    if any(a in rules["future_aux"] for a in auxes):
        return True
    if verb.lemma_.lower() in rules["future_verbs"]:
        return True
    going = verb.lemma_ == "go" and verb.tag_ == "VBG"
    return going and any(c.dep_ == "xcomp" for c in verb.children)


def is_quantity(sent: Span, rules: dict) -> bool:
    for ent in sent.ents:
        if ent.label_ in rules["quantity_labels"]:
            return True
        if ent.label_ in rules["cardinal_labels"] and any(ch.isdigit() for ch in ent.text):
            return True
    return False


def is_opinion(sent: Span, rules: dict) -> bool:
    verb = _main_verb(sent)
    subjects = [c.lower_ for c in verb.children if c.dep_ == "nsubj"]
    first_person = any(s in rules["first_person"] for s in subjects)
    if first_person and verb.lemma_.lower() in rules["opinion_verbs"]:
        return True
    if any(a.lower_ in rules["opinion_modals"] for a in _aux(verb)):
        return True
    adjectives = set(rules["opinion_adjectives"])
    return any(t.pos_ == "ADJ" and t.lower_ in adjectives and t.head == verb for t in sent)


def is_event(sent: Span, rules: dict) -> bool:
    verb = _main_verb(sent)
    if verb.pos_ != "VERB" or verb.lemma_.lower() in rules["stative_verbs"]:
        return False
    if verb.tag_ in rules["event_tags"]:
        return True
    if verb.tag_ == "VBP" and verb.lower_ != verb.lemma_.lower():
        return True  # a present-tense tag on a non-base form ("retook"): a past tense
    return any(a.lower_ in rules["perfect_aux"] for a in _aux(verb))


RULES: dict[str, Callable[[Span, dict], bool]] = {
    "prediction": is_prediction,
    "quantity": is_quantity,
    "opinion": is_opinion,
    "event": is_event,
}


def claim_type(sent: Span, rules: dict, *, attributed: bool) -> str:
    """The first rule in ``rules["order"]`` that holds for ``sent``, else "other"."""
    for name in rules["order"]:
        if name == "statement":
            if attributed:
                return name
        elif RULES[name](sent, rules):
            return name
    return "other"
