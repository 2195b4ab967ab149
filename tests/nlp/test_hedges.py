from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.tokens import Doc

from claims.nlp import extract, get_nlp, hedges
from tests.nlp.helpers import only_claim

HEDGED = [
    ("The refinery may have been seized by militants.", "may"),
    ("The strike might spread to other ports.", "might"),
    ("The dam could collapse within days.", "could"),
    ("The vote is likely to be delayed.", "likely"),
    ("The bridge was possibly damaged in the attack.", "possibly"),
    ("The minister allegedly took bribes from contractors.", "allegedly"),
    ("The rebels have reportedly captured the airport.", "reportedly"),
    ("The gunman is believed to have fled to Syria.", "believed"),
    ("The fire appears to have started in the kitchen.", "appears"),
    ("The minister is expected to resign on Monday.", "is expected to"),
    ("There were unconfirmed reports that the refinery was seized.", "unconfirmed reports"),
    ("Sources say the minister will resign.", "Sources say"),
    ("According to unconfirmed reports, the bridge collapsed.", "According to unconfirmed"),
    ("It is rumoured that the king is ill.", "rumoured"),
]

NOT_HEDGED = [
    "The army retook the town on Monday.",
    "In May, prices rose 3 percent.",
    "The company denied the allegations.",
    "Iraqi security forces retook the border crossing after militants withdrew.",
]


@pytest.mark.parametrize(("text", "cue"), HEDGED)
def test_each_hedge_construction_is_found_and_governs(text: str, cue: str) -> None:
    claim = only_claim(text)
    assert claim.hedged
    assert any(cue in c.text for c in claim.hedge_cues), claim.hedge_cues


@pytest.mark.parametrize("text", NOT_HEDGED)
def test_plain_statements_are_not_hedged(text: str) -> None:
    claim = only_claim(text)
    assert not claim.hedged
    assert claim.hedge_cues == []


def test_a_cue_in_a_relative_clause_does_not_govern_the_main_claim() -> None:
    claim = only_claim("Kerry, who is expected to attend the meeting, made a visit to Iraq.")
    assert not claim.hedged
    assert [c.text for c in claim.hedge_cues] == ["is expected to"]


def test_a_modal_in_reported_content_governs() -> None:
    assert only_claim("Kerry said the talks may collapse.").hedged


def test_may_the_month_is_not_a_modal() -> None:
    assert not only_claim("May 20 was the day the refinery fell.").hedged


def test_hedge_cue_offsets_index_the_text() -> None:
    text = "Intro line.\nThe rebels have reportedly captured the airport."
    claim = next(c for c in extract(text).claims if c.hedged)
    cue = claim.hedge_cues[0]
    assert text[cue.start : cue.end] == cue.text == "reportedly"


def test_cues_are_found_in_every_sentence_of_a_block() -> None:
    text = "It is rumoured that the king is ill. The army may win. Nothing is hedged here."
    claims = extract(text).claims
    assert [c.hedged for c in claims] == [True, True, False]
    assert [[cue.text for cue in c.hedge_cues] for c in claims] == [["It is rumoured"], ["may"], []]


WORDS = ["may", "the", "said", "vote", "likely", "if", "Until", "rain", "MAY", "it"]


@settings(max_examples=60, deadline=None)
@given(
    words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=30),
    anchors=st.sets(st.sampled_from([w.lower() for w in WORDS]), min_size=1),
)
def test_anchor_hits_are_the_tokens_whose_lower_form_is_an_anchor(
    words: list[str], anchors: set[str]
) -> None:
    vocab = get_nlp().vocab
    doc = Doc(vocab, words=words)
    ids = np.array(sorted(vocab.strings.add(a) for a in anchors), dtype="uint64")
    expected = [i for i, w in enumerate(words) if w.lower() in anchors]
    assert hedges.anchor_hits(doc, ids).tolist() == expected


def test_a_pattern_is_anchored_on_its_most_specific_required_token() -> None:
    pattern = [{"LOWER": {"IN": ["some", "critics"]}}, {"LEMMA": {"IN": ["say", "think"]}}]
    forms = {"say": ["said"], "think": ["thought"]}
    anchors = hedges.pattern_anchors(pattern, frozenset({"some"}), forms)
    assert {"say", "says", "said", "thought", "thinking"} <= anchors
    assert "critics" not in anchors
    with pytest.raises(ValueError):
        hedges.pattern_anchors(
            [{"LOWER": "some"}, {"LOWER": "to", "OP": "?"}], frozenset({"some"}), {}
        )
