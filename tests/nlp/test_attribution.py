from __future__ import annotations

import pytest

from claims.nlp import extract
from tests.nlp.helpers import only_claim

CASES = [
    ("Kerry said the talks had failed.", "Kerry", "said", "the talks had failed"),
    ("The talks had failed, Kerry said.", "Kerry", "said", "The talks had failed"),
    (
        "According to the ministry, 40 people were killed in the blast.",
        "the ministry",
        "According to",
        "40 people were killed in the blast",
    ),
    (
        "The minister told reporters that the budget would grow.",
        "The minister",
        "told",
        "that the budget would grow",
    ),
    ("Obama pledged to close the prison.", "Obama", "pledged", "to close the prison"),
    ("The company denied the allegations.", "The company", "denied", "the allegations"),
]


@pytest.mark.parametrize(("text", "speaker", "cue", "content"), CASES)
def test_each_reported_speech_construction(text: str, speaker: str, cue: str, content: str) -> None:
    attribution = only_claim(text).attribution
    assert attribution is not None
    assert attribution.mention == speaker
    assert text[attribution.speaker_start : attribution.speaker_end] == speaker
    assert text[attribution.cue_start : attribution.cue_end] == attribution.cue == cue
    assert text[attribution.content_start : attribution.content_end] == content


def test_a_pronoun_speaker_resolves_to_the_last_named_speaker() -> None:
    text = "Kerry said the visit mattered. Maliki was there too. He said the talks went well."
    claims = extract(text).claims
    attribution = claims[-1].attribution
    assert attribution is not None
    assert attribution.speaker == "Kerry"
    assert attribution.mention == "He"
    assert text[attribution.speaker_start : attribution.speaker_end] == "He"


def test_a_pronoun_resolves_to_the_last_person_when_nobody_spoke_yet() -> None:
    claims = extract("Angela Merkel visited Paris on Monday. She said the talks went well.").claims
    assert claims[1].attribution.speaker == "Angela Merkel"


def test_a_short_name_is_expanded_to_the_full_name_seen_earlier() -> None:
    claims = extract("John Kerry arrived in Baghdad. Kerry said the visit was a success.").claims
    assert claims[1].attribution.speaker == "John Kerry"
    assert claims[1].attribution.mention == "Kerry"


def test_an_unresolvable_pronoun_stays_as_written() -> None:
    assert only_claim("He said it was over.").attribution.speaker == "He"


def test_speech_in_a_relative_clause_is_not_the_claims_attribution() -> None:
    claim = only_claim("The fighters who say they are angry seized the town.")
    assert claim.attribution is None


def test_no_attribution_without_a_speech_act() -> None:
    assert only_claim("The army retook the town on Monday.").attribution is None


def test_an_opinion_in_the_first_person_is_not_reported_speech() -> None:
    assert only_claim("I think we have seen a deterioration of values.").attribution is None
