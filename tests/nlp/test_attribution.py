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


def test_a_claim_lists_every_attribution_beside_the_main_one() -> None:
    text = "Kerry said the talks had failed, but Lavrov said they would resume."
    claim = only_claim(text)
    assert [(a.mention, a.cue) for a in claim.attributions] == [
        ("Kerry", "said"),
        ("Lavrov", "said"),
    ]
    assert claim.attribution == claim.attributions[0]
    for a in claim.attributions:
        assert text[a.speaker_start : a.speaker_end] == a.mention
        assert text[a.cue_start : a.cue_end] == a.cue


def test_speech_reported_inside_the_main_content_is_not_listed() -> None:
    claim = only_claim("Merrill says Machado promised to keep supporting Clinton.")
    assert [a.mention for a in claim.attributions] == ["Merrill"]


def test_a_role_noun_speaker_resolves_to_the_last_named_speaker() -> None:
    text = "Angela Merkel said the deal was done. The chancellor said talks would go on."
    claims = extract(text).claims
    assert claims[1].attribution.mention == "The chancellor"
    assert claims[1].attribution.speaker == "Angela Merkel"
    assert claims[1].standalone == "Angela Merkel said talks would go on."


def test_a_role_noun_without_a_named_speaker_before_stays_as_written() -> None:
    claim = only_claim("The spokesman said the plant would close.")
    assert claim.attribution.speaker == "The spokesman"


@pytest.mark.parametrize(
    "text",
    [
        "The United States has pledged some 300 military advisers to help Iraqi forces.",
        "The company reported a loss of 3 million dollars.",
        "The officials refused to say whether the plant would close.",
        "Police found a body near the river.",
        "She called the police after the attack.",
    ],
)
def test_a_speech_verb_without_reported_content_gives_no_speaker(text: str) -> None:
    claim = only_claim(text)
    assert claim.attribution is None
    assert claim.attributions == []


def test_a_name_before_a_colon_is_the_speaker() -> None:
    claim = only_claim("WALLACE: Let us start with the breaking news on the debate.")
    assert (claim.attribution.mention, claim.attribution.cue) == ("WALLACE", ":")
    claim = only_claim("Pat Caddell: Democrat voters worried about the candidate.")
    assert claim.attribution.speaker == "Pat Caddell"


def test_a_label_before_a_colon_is_not_a_speaker() -> None:
    assert only_claim("Update: the bridge reopened on Monday.").attribution is None


def test_a_participle_report_takes_the_subject_of_its_verb() -> None:
    claim = only_claim(
        "Kerry spoke in Baghdad on Monday, saying that the support would be intense."
    )
    assert [(a.mention, a.cue) for a in claim.attributions] == [("Kerry", "saying")]
