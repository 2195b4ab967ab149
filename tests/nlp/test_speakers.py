"""Pronoun and role-noun speakers resolve to the nearest compatible named speaker, and
attribution spans always index their own sentence."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.nlp import extract


def _speakers(text: str) -> list[tuple[str, str]]:
    return [(a.mention, a.speaker) for c in extract(text).claims for a in c.attributions]


def test_a_quote_by_biden_is_not_given_to_pence_who_spoke_before() -> None:
    text = (
        "Mike Pence said the plan would work.\n\n"
        "Joe Biden criticised the plan on Tuesday.\n\n"
        "\u201cIt is a disaster,\u201d he said."
    )
    assert _speakers(text)[-1] == ("he", "Joe Biden")


def test_a_pronoun_skips_a_person_of_the_other_gender() -> None:
    text = "Mr. Trump met Mrs. Clinton in New York. She said the talks were useful."
    assert _speakers(text) == [("She", "Clinton")]


def test_the_main_clauses_subject_comes_before_a_subordinate_one() -> None:
    text = (
        "Kerry, who met Iraqi leaders, said Maliki reaffirmed his commitment.\n\n"
        "He said the leaders face a moment of decision."
    )
    assert _speakers(text)[-1] == ("He", "Kerry")


def test_a_pronoun_with_no_person_nearby_stays_as_written() -> None:
    text = (
        "Angela Merkel said the deal was done.\n\n"
        "The weather was cold.\n\nTrains were late.\n\nShops closed early.\n\n"
        "Markets fell.\n\nShe said talks would go on."
    )
    assert _speakers(text)[-1] == ("She", "She")


def test_a_pronoun_resolves_to_a_person_named_earlier_in_its_paragraph() -> None:
    text = (
        "Angela Merkel arrived in Paris on Monday. The weather was cold. Trains were late. "
        "Shops closed early. Markets fell. She said talks would go on."
    )
    assert _speakers(text)[-1] == ("She", "Angela Merkel")


def test_the_minister_is_the_person_introduced_as_minister_not_the_last_speaker() -> None:
    text = (
        "Foreign Minister Sergei Lavrov met John Kerry in Geneva.\n\n"
        "Kerry said the talks were hard.\n\n"
        "The minister said the talks had failed."
    )
    assert _speakers(text)[-1] == ("The minister", "Sergei Lavrov")


def test_the_spokeswoman_is_the_person_introduced_in_an_apposition() -> None:
    text = (
        "Jen Psaki, a spokeswoman for the State Department, spoke on Monday. "
        "The spokeswoman said the talks would resume."
    )
    assert _speakers(text) == [("The spokeswoman", "Jen Psaki")]


def test_the_company_is_the_organisation_named_as_a_company() -> None:
    text = "Acme Corp opened a new plant on Monday. The company said profits would double."
    assert _speakers(text) == [("The company", "Acme Corp")]


def test_the_company_stays_as_written_without_a_company_named_before() -> None:
    text = "Officials opened a new plant on Monday. The company said profits would double."
    assert _speakers(text) == [("The company", "The company")]


def test_they_is_not_given_to_an_organisation_that_was_not_a_subject() -> None:
    text = "Officials visited the United Nations on Monday. They said the talks would resume."
    assert _speakers(text) == [("They", "They")]


WORDS = st.sampled_from(
    [
        "Kerry",
        "John Kerry",
        "He",
        "she",
        "It",
        "the minister",
        "The company",
        "Acme Corp",
        "said",
        "told reporters",
        "according to",
        "continued",
        "denounced",
        "as",
        "believes that",
        "in the words of",
        "claim that",
        "the talks",
        "failed",
        "will resume",
        ":",
        ",",
        ".",
        "\u201c",
        "\u201d",
        '"',
        "\u2014",
        "\n",
        "\n\n",
        "Mr.",
        "Mrs.",
        "who",
        "it",
    ]
)


@given(st.lists(WORDS, min_size=1, max_size=40))
@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
def test_attribution_spans_lie_inside_their_claim_and_never_raise(words: list[str]) -> None:
    text = " ".join(words)
    for claim in extract(text).claims:
        for a in claim.attributions:
            assert 0 <= a.speaker_start < a.speaker_end <= len(text)
            assert text[a.speaker_start : a.speaker_end] == a.mention
            assert text[a.cue_start : a.cue_end] == a.cue
            assert claim.start <= a.speaker_start and a.speaker_end <= claim.end
            assert claim.start <= a.cue_start and a.cue_end <= claim.end
            if a.content_start is not None:
                assert claim.start <= a.content_start < a.content_end <= claim.end
            assert a.speaker.strip()
