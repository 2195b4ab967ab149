"""Our spaCy components, registered as ``wb_*`` factories.

Each reads its lexicon or patterns from a data file under ``data/`` through the
``wb.data_file.v1`` registry function, and writes its results to ``doc.spans``:

- ``wb_hedges``: ``doc.spans["wb_hedge_cues"]`` (all factuality cues, labelled with the
  value they signal: hedged, unverified_report, conditional, question, predicted),
  ``doc.spans["wb_hedge_governing"]`` (the cues that govern their sentence) and
  ``doc.spans["wb_factuality"]`` (one span per sentence that is not asserted, labelled
  with its factuality value; ``factuality.py``);
- ``wb_attribution``: ``doc.spans["wb_attribution"]``, the main attribution of each
  sentence as SPEAKER / CUE / CONTENT spans (a pronoun speaker is labelled
  SPEAKER_PRONOUN; the pipeline resolves it across blocks), and every attribution
  found (the main one included) in ``doc._.wb_attributions``, a list of
  :class:`attribution.Found`;
- ``wb_claim_types``: ``doc.spans["wb_claims"]``, one span per sentence with a word in it,
  labelled with its claim type;
- ``wb_checkworthiness``: the score of each claim span in ``Span._.wb_checkworthiness``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypeVar

import spacy
from spacy.language import Language
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from claims.nlp import attribution, claim_types, factuality, hedges
from claims.nlp.checkworthiness import DEFAULT_MODEL_PATH, load_model
from claims.nlp.doctext import doc_text

DATA_DIR = Path(__file__).parent / "data"
CLAIMS_KEY = "wb_claims"
_Component = TypeVar("_Component")

if not Span.has_extension("wb_checkworthiness"):
    Span.set_extension("wb_checkworthiness", default=None)
if not Doc.has_extension("wb_attributions"):
    Doc.set_extension("wb_attributions", default=None)


@spacy.registry.misc("wb.data_file.v1")
def data_file(name: str) -> dict:
    """A JSON data file from ``claims/nlp/data``."""
    with open(DATA_DIR / name, encoding="utf-8") as fh:
        return json.load(fh)


def component(nlp: Language, name: str, kind: type[_Component]) -> _Component:
    """``nlp.get_pipe(name)`` as the class it is (spaCy types every pipe as a callable)."""
    pipe = nlp.get_pipe(name)
    if not isinstance(pipe, kind):
        raise TypeError(
            f"The pipeline's {name!r} is a {type(pipe).__name__}, not a {kind.__name__}."
        )
    return pipe


def _has_word(sent: Span) -> bool:
    return any(ch.isalnum() for ch in doc_text(sent.doc)[sent.start_char : sent.end_char])


def _verb_forms(nlp: Language) -> dict[str, list[str]]:
    """Irregular verb forms by lemma ("said" for "say") from the model's lemmatizer
    tables, so a pattern on a lemma is anchored on every form it can match."""
    forms: dict[str, list[str]] = {}
    if "lemmatizer" not in nlp.pipe_names:
        return forms
    lookups = component(nlp, "lemmatizer", Lemmatizer).lookups
    if not lookups.has_table("lemma_exc"):
        return forms
    for form, lemmas in lookups.get_table("lemma_exc").get("verb", {}).items():
        for lemma in lemmas:
            forms.setdefault(lemma, []).append(form)
    return forms


@Language.factory(
    "wb_hedges",
    requires=["token.tag", "token.dep", "token.lemma"],
    assigns=["doc.spans"],
    default_config={"lexicon": {"@misc": "wb.data_file.v1", "name": "hedges.json"}},
)
def make_hedges(nlp: Language, name: str, lexicon: dict) -> HedgeTagger:
    return HedgeTagger(nlp, lexicon)


class HedgeTagger:
    def __init__(self, nlp: Language, lexicon: dict) -> None:
        self.matcher = hedges.CueMatcher(
            nlp, lexicon["patterns"], lexicon["common_words"], _verb_forms(nlp)
        )
        self.rules = factuality.Rules.from_dict(lexicon)
        self.exclusions = hedges.build_matcher(
            nlp, [{"label": "EXCLUDE", "pattern": p} for p in lexicon.get("exclusions", [])]
        )

    def _exclusions(self, doc: Doc, cues: list[Span]) -> list[Span]:
        """Exclusion matches near the cues only (an exclusion is at most 4 tokens)."""
        spans = []
        for cue in cues:
            lo, hi = max(cue.sent.start, cue.start - 3), min(cue.sent.end, cue.end + 3)
            spans += [s for s in self.exclusions(doc[lo:hi], as_spans=True)]
        return spans

    def __call__(self, doc: Doc) -> Doc:
        found = self.matcher(doc)
        # the flags and exclusions first, then the longest valid match wins
        cues = filter_spans(factuality.clean_cues(found, self._exclusions(doc, found), self.rules))
        extra = factuality.consequent_cues(doc, cues, self.rules) + factuality.question_cues(doc)
        cues = factuality.merge(cues, extra)
        governing = [c for c in cues if factuality.cue_governs(c, self.rules)]
        doc.spans[hedges.CUES_KEY] = cues
        doc.spans[hedges.GOVERNING_KEY] = governing
        values = []
        if governing:
            for sent in doc.sents:
                inside = [c for c in governing if sent.start <= c.start < sent.end]
                value, _ = factuality.sentence_value(inside, self.rules)
                if value != factuality.ASSERTED:
                    values.append(Span(doc, sent.start, sent.end, label=value))
        doc.spans[hedges.FACTUALITY_KEY] = values
        return doc


@Language.factory(
    "wb_attribution",
    requires=["token.dep", "token.lemma", "doc.ents"],
    assigns=["doc.spans"],
    default_config={"lexicon": {"@misc": "wb.data_file.v1", "name": "attribution.json"}},
)
def make_attribution(nlp: Language, name: str, lexicon: dict) -> AttributionTagger:
    return AttributionTagger(lexicon)


class AttributionTagger:
    def __init__(self, lexicon: dict) -> None:
        self.lex = attribution.Lexicon.from_dict(lexicon)
        self.pronouns = frozenset(lexicon["person_pronouns"]) | frozenset(lexicon["other_pronouns"])
        self.role_nouns = frozenset(lexicon["role_nouns"])

    def __call__(self, doc: Doc) -> Doc:
        spans, every = [], []
        quoted = attribution.quoted_tokens(doc)
        for sent in doc.sents:
            candidates = attribution.find_attributions(sent, self.lex, quoted)
            found = attribution.main_attribution(sent, self.lex, candidates)
            every += attribution.besides_main(candidates, found)
            if found is None:
                continue
            pronoun = len(found.speaker) == 1 and found.speaker[0].lower_ in self.pronouns
            label = "SPEAKER_PRONOUN" if pronoun else "SPEAKER"
            spans.append(Span(doc, found.speaker.start, found.speaker.end, label=label))
            spans.append(Span(doc, found.cue.start, found.cue.end, label="CUE"))
            if found.content is not None:
                spans.append(Span(doc, found.content.start, found.content.end, label="CONTENT"))
        doc.spans[attribution.ATTRIBUTION_KEY] = spans
        doc._.wb_attributions = every
        return doc


@Language.factory(
    "wb_claim_types",
    requires=["token.dep", "token.tag", "doc.ents", "doc.spans"],
    assigns=["doc.spans"],
    default_config={"rules": {"@misc": "wb.data_file.v1", "name": "claim_types.json"}},
)
def make_claim_types(nlp: Language, name: str, rules: dict) -> ClaimTyper:
    return ClaimTyper(rules)


class ClaimTyper:
    def __init__(self, rules: dict) -> None:
        self.rules = rules

    def __call__(self, doc: Doc) -> Doc:
        cue_starts = {
            s.start for s in doc.spans.get(attribution.ATTRIBUTION_KEY, []) if s.label_ == "CUE"
        }
        claims = []
        for sent in doc.sents:
            if not _has_word(sent):
                continue
            attributed = any(sent.start <= i < sent.end for i in cue_starts)
            label = claim_types.claim_type(sent, self.rules, attributed=attributed)
            claims.append(Span(doc, sent.start, sent.end, label=label))
        doc.spans[CLAIMS_KEY] = claims
        return doc


@Language.factory(
    "wb_checkworthiness",
    requires=["doc.spans", "token.tag", "doc.ents", "doc.tensor"],
    assigns=["span._.wb_checkworthiness"],
    default_config={"model_path": ""},
)
def make_checkworthiness(nlp: Language, name: str, model_path: str) -> CheckworthinessScorer:
    return CheckworthinessScorer(model_path or str(DEFAULT_MODEL_PATH))


class CheckworthinessScorer:
    def __init__(self, model_path: str) -> None:
        self.model = load_model(model_path)

    def __call__(self, doc: Doc) -> Doc:
        for span in doc.spans.get(CLAIMS_KEY, []):
            span._.wb_checkworthiness = self.model.score(span)
        return doc
