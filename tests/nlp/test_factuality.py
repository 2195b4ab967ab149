"""Factuality per claim: the value, its cue spans, and what ``hedged`` means now."""

from __future__ import annotations

import pytest

from claims.nlp import extract
from tests.nlp.helpers import only_claim

CASES = [
    # (sentence, factuality, a cue text)
    ("The refinery may have been seized by militants.", "hedged", "may"),
    ("The vote is likely to be delayed.", "hedged", "likely"),
    ("The rebels have reportedly captured the airport.", "hedged", "reportedly"),
    ("The minister allegedly took bribes from contractors.", "hedged", "allegedly"),
    ("The gunman is believed to have fled to Syria.", "hedged", "believed"),
    ("The company expects profits to rise next year.", "hedged", "expects"),
    ("The minister is expected to resign on Monday.", "hedged", "is expected to"),
    ("Many economists believe the recession is over.", "hedged", "believe"),
    ("He thinks the vote was rigged.", "hedged", "thinks"),
    (
        "There were unconfirmed reports that the refinery was seized.",
        "unverified_report",
        "unconfirmed reports",
    ),
    ("Sources say the minister will resign.", "unverified_report", "Sources say"),
    ("It is claimed that the mayor lied about the contract.", "unverified_report", "It is claimed"),
    ("If the talks fail, the strike will spread to other ports.", "conditional", "If"),
    ("Unless the council acts, prices would rise sharply.", "conditional", "Unless"),
    ("The strike will continue until wages rise.", "conditional", "until"),
    ("Inspectors will examine whether the dam is safe.", "conditional", "whether"),
    ("How do I protect myself from the virus?", "question", "?"),
    ("The ministers will meet on Monday.", "predicted", "will"),
    ("NATO foreign ministers will convene to discuss the Iraq crisis.", "predicted", "will"),
    ("The government plans to raise taxes in April.", "predicted", "plans to"),
    ("The president pledged to cut the deficit by half.", "predicted", "pledged to"),
]

HEDGING = {"hedged", "unverified_report", "conditional", "question"}


@pytest.mark.parametrize(("text", "value", "cue"), CASES)
def test_each_construction_gets_its_factuality_and_cue(text: str, value: str, cue: str) -> None:
    claim = only_claim(text)
    assert claim.factuality == value
    assert any(cue in c.text or c.text in cue for c in claim.factuality_cues), claim.factuality_cues
    assert claim.hedged == (value in HEDGING)


def test_the_conditioned_would_is_a_conditional_cue_not_a_prediction() -> None:
    claim = only_claim("If the talks fail, the strike will spread to other ports.")
    assert sorted(c.text for c in claim.factuality_cues) == ["If", "will"]


def test_a_plain_future_is_predicted_and_not_hedged() -> None:
    claim = only_claim("The ministers will meet on Monday.")
    assert (claim.factuality, claim.hedged, claim.hedge_cues) == ("predicted", False, [])


@pytest.mark.parametrize(
    "text",
    [
        "Many families could not afford the rent.",
        "The army retook the town on Monday.",
        "Washington has said U.S. troops would not engage in combat operations.",
        "The United States has pledged some 300 military advisers to help Iraqi forces.",
        "The actor appeared in three films last year.",
        "The station was rebuilt as quickly as possible.",
    ],
)
def test_plain_statements_are_asserted(text: str) -> None:
    claim = only_claim(text)
    assert claim.factuality == "asserted"
    assert not claim.hedged
    assert claim.factuality_cues == []


def test_a_cue_in_a_relative_clause_leaves_the_main_clause_asserted() -> None:
    claim = only_claim("Kerry, who is expected to attend the meeting, made a visit to Iraq.")
    assert claim.factuality == "asserted"
    assert [c.text for c in claim.hedge_cues] == ["is expected to"]


def test_factuality_cue_offsets_index_the_text() -> None:
    text = "Intro line.\nThe talks will fail if nobody compromises."
    claim = next(c for c in extract(text).claims if c.factuality == "conditional")
    for cue in claim.factuality_cues:
        assert text[cue.start : cue.end] == cue.text


# The Szeged-scheme cue types in their general forms, and the look-alikes that are not.
SECOND_PASS = [
    ("The results may not be comparable.", "hedged", "may"),
    ("Historians consider him a talented general.", "hedged", "consider"),
    ("Critics regard the law as a threat to farmers.", "hedged", "regard"),
    ("He faces allegations that he took bribes.", "hedged", "allegations that"),
    ("The drug seems to reduce the risk.", "hedged", "seems to"),
    ("The strike will continue until wages rise.", "conditional", "until"),
    ("The treaty holds even if one side withdraws.", "conditional", "if"),
    ('"Will the talks succeed?"', "question", "?"),
    ("The council will consider the bill on Monday.", "predicted", "will"),
    ("The company is planning to close the plant.", "predicted", "planning to"),
    ("Others thought the vote had been rigged.", "unverified_report", "Others thought"),
    ("The team did not concede a goal until they were beaten in the final.", "asserted", None),
    ("He moved to Leeds so that his father could work at the mill.", "asserted", None),
    ('Parker said of the ending, "How do we get out of this one?"', "asserted", None),
    ("The change had little, if any, effect on prices.", "asserted", None),
    ("Lewis is commonly known as Lew.", "asserted", None),
    ("The singer appeared on stage twice.", "asserted", None),
    ("The company denied the allegations.", "asserted", None),
    ("The new bridge made it possible for trucks to cross.", "asserted", None),
]


@pytest.mark.parametrize(("text", "value", "cue"), SECOND_PASS)
def test_cue_types_and_their_look_alikes(text: str, value: str, cue: str | None) -> None:
    claim = only_claim(text)
    assert claim.factuality == value, claim.factuality_cues
    assert claim.hedged == (value in HEDGING)
    if cue is None:
        assert claim.factuality_cues == []
    else:
        assert any(c.text == cue for c in claim.factuality_cues), claim.factuality_cues


# The third pass (Szeged wiki, tuning part): lack of knowledge and reported beliefs are
# cues; an attributive "possible" is mostly not (12 of 57 in the tuning part).
THIRD_PASS = [
    ("There is no evidence that the mayor took bribes.", "hedged", "no evidence"),
    ("Little is known about the gunman's motive.", "hedged", "Little is known"),
    ("It is not clear who fired first.", "hedged", "is not clear"),
    ("It is not yet known how the fire started.", "hedged", "is not yet known"),
    ("Their belief that prices will fall is widespread.", "hedged", "belief that"),
    ("The council bought a possible site for the new school.", "asserted", None),
    ("The belief he defended was shared by few.", "asserted", None),
]


@pytest.mark.parametrize(("text", "value", "cue"), THIRD_PASS)
def test_lack_of_knowledge_is_a_hedge_and_an_attributive_possible_is_not(
    text: str, value: str, cue: str | None
) -> None:
    claim = only_claim(text)
    assert claim.factuality == value, claim.factuality_cues
    if cue is None:
        assert claim.factuality_cues == []
    else:
        assert any(c.text == cue for c in claim.factuality_cues), claim.factuality_cues
