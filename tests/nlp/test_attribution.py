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


def test_a_pronoun_speaker_resolves_to_the_subject_of_the_nearest_sentence() -> None:
    text = "Kerry said the visit mattered. Maliki was there too. He said the talks went well."
    claims = extract(text).claims
    attribution = claims[-1].attribution
    assert attribution is not None
    assert attribution.speaker == "Maliki"
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


def test_a_role_noun_speaker_resolves_to_the_person_introduced_with_that_role() -> None:
    text = "Chancellor Angela Merkel said the deal was done. The chancellor said talks would go on."
    claims = extract(text).claims
    assert claims[1].attribution.mention == "The chancellor"
    assert claims[1].attribution.speaker == "Angela Merkel"
    assert claims[1].standalone == "Angela Merkel said talks would go on."


def test_a_role_noun_is_not_given_to_a_person_never_introduced_with_that_role() -> None:
    text = "Angela Merkel said the deal was done. The chancellor said talks would go on."
    claims = extract(text).claims
    assert claims[1].attribution.speaker == "The chancellor"


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


@pytest.mark.parametrize(
    "text",
    [
        "Wow: Glenn Beck Just Responded To Palin\u2019s Trump Endorsement With One Line.",
        "Revealed: More Than 100 Delegates Are Planning To Do Something To Trump.",
        "Remember: The world also ignored the Holocaust during World War II.",
        "Hey: Maybe I can send Mitt a bill for the carpet he ruined.",
    ],
)
def test_a_headlines_word_before_a_colon_is_not_a_speaker(text: str) -> None:
    # An interjection, a verb or an adverb is no name, however it is capitalised.
    label = text.split(":")[0]
    assert [a for a in extract(text).claims[0].attributions if a.cue == ":"] == []
    assert label not in [a.mention for a in extract(text).claims[0].attributions]


def test_a_participle_report_takes_the_subject_of_its_verb() -> None:
    claim = only_claim(
        "Kerry spoke in Baghdad on Monday, saying that the support would be intense."
    )
    assert [(a.mention, a.cue) for a in claim.attributions] == [("Kerry", "saying")]


PATTERNS = [
    # (text, mention, cue, content)
    (
        "Trump said in a statement that he would win the state.",
        "Trump",
        "said",
        "that he would win the state",
    ),
    (
        "It was announced by the ministry that the border would close.",
        "the ministry",
        "was announced",
        "that the border would close",
    ),
    (
        "\u201cThe border will close on Monday,\u201d said Smith.",
        "Smith",
        "said",
        "The border will close on Monday",
    ),
    (
        "The Senate's spokesman said the vote would be on Monday.",
        "The Senate's spokesman",
        "said",
        "the vote would be on Monday",
    ),
    ("Matthews: Well, speculation is bad for the markets.", "Matthews", ":", None),
    (
        "Clinton's claim that the economy was growing drew criticism.",
        "Clinton",
        "claim",
        "that the economy was growing",
    ),
    ("In Kerry's view, the talks had failed.", "Kerry", "In Kerry's view", "the talks had failed"),
    (
        "The talks, in the words of one diplomat, were a disaster.",
        "one diplomat",
        "in the words",
        "were a disaster",
    ),
    (
        "Ted Cruz is calling for some of his Republican rivals to drop out.",
        "Ted Cruz",
        "is calling",
        "for some of his Republican rivals to drop out",
    ),
    (
        "\u201cCyber security remains a big challenge,\u201d Carson continued.",
        "Carson",
        "continued",
        "Cyber security remains a big challenge",
    ),
    (
        "Hollande denounced Trump's remarks as hurtful and humiliating.",
        "Hollande",
        "denounced",
        "Trump's remarks as hurtful and humiliating",
    ),
    (
        "Sanders believes that the economy is rigged against workers.",
        "Sanders",
        "believes",
        "that the economy is rigged against workers",
    ),
]


@pytest.mark.parametrize(("text", "mention", "cue", "content"), PATTERNS)
def test_each_news_attribution_pattern(
    text: str, mention: str, cue: str, content: str | None
) -> None:
    attribution = only_claim(text).attribution
    assert attribution is not None
    assert (attribution.mention, attribution.cue) == (mention, cue)
    assert text[attribution.speaker_start : attribution.speaker_end] == mention
    assert text[attribution.cue_start : attribution.cue_end] == cue
    if content is not None:
        assert text[attribution.content_start : attribution.content_end] == content


def test_an_it_speaker_resolves_to_the_organisation_that_was_the_subject() -> None:
    text = "The Pentagon announced new measures on Friday. It said the troops would return."
    attribution = extract(text).claims[1].attribution
    assert (attribution.mention, attribution.speaker) == ("It", "Pentagon")


@pytest.mark.parametrize(
    "text",
    [
        "Prices continued to rise in March.",
        "He added to the confusion over the vote.",
        "The champion defended her title in Paris.",  # no speech
        "The senator talked to reporters about the vote.",  # "talk" reports nothing
        "Clinton won the primary, adding to her run of victories.",
        "The circumstances of his hiring added to the uncertainty.",
        "It is demanding work for the staff.",
        "He is a man who many believe betrayed the party.",
    ],
)
def test_words_that_only_look_like_reporting_give_no_speaker(text: str) -> None:
    assert only_claim(text).attributions == []


def test_speech_quoted_inside_a_quotation_is_the_quoted_speakers_not_the_articles() -> None:
    text = "\u201cI saw in the news that Trump said his approval was 41 percent,\u201d Smith said."
    assert [a.mention for a in only_claim(text).attributions] == ["Smith"]


def test_a_quote_running_over_several_sentences_is_all_the_quoted_speakers() -> None:
    # "Trump said" inside the quotation is Smith's report, not the article's: every
    # sentence of the quotation is Smith's, none is Trump's.
    text = "\u201cThe plan failed. Trump said it would work. It did not,\u201d Smith said."
    claims = extract(text).claims
    assert [[a.mention for a in c.attributions] for c in claims] == [["Smith"]] * 3
    assert {(a.cue_start, a.speaker_start) for c in claims for a in c.attributions} == {
        (text.index("said."), text.index("Smith"))
    }


def _voices(text: str) -> list[tuple[str, str | None, str | None, str]]:
    """(claim, speaker, content, standalone) of each claim."""
    rows = []
    for claim in extract(text).claims:
        found = claim.attribution
        content = None
        if found is not None and found.content_start is not None:
            content = text[found.content_start : found.content_end]
        rows.append((claim.text, found and found.speaker, content, claim.standalone))
    return rows


def test_the_sentences_of_a_quote_before_its_speaker_are_the_speakers() -> None:
    text = (
        '"We will win the vote. We have the numbers in the Senate," '
        "Senator John Smith said on Tuesday."
    )
    first, second = _voices(text)
    assert first == (
        '"We will win the vote.',
        "John Smith",
        "We will win the vote",
        "John Smith: \u201cWe will win the vote.\u201d",
    )
    assert second[1:3] == ("John Smith", "We have the numbers in the Senate")


def test_the_sentences_of_a_quote_after_its_speaker_are_the_speakers() -> None:
    text = 'Senator John Smith said on Tuesday: "We will win the vote. We have the numbers."'
    rows = _voices(text)
    assert [r[1] for r in rows] == ["John Smith", "John Smith"]
    assert rows[1][2:] == ("We have the numbers", "John Smith: \u201cWe have the numbers.\u201d")


def test_a_whole_quote_after_an_attributed_quote_goes_on_in_the_same_voice() -> None:
    text = '"We will win," Senator John Smith said. "We have the numbers in the Senate."'
    rows = _voices(text)
    assert [r[1] for r in rows] == ["John Smith", "John Smith"]
    assert extract(text).claims[1].claim_type == "statement"


def test_the_voice_stops_at_the_quote_and_at_the_paragraph() -> None:
    text = (
        '"We will win," Senator John Smith said. The vote is on Friday.\n\n"We have the numbers."'
    )
    assert [r[1] for r in _voices(text)] == ["John Smith", None, None]


def test_the_object_of_tell_is_whom_the_speaker_addressed_not_the_content() -> None:
    text = '"Inflation is falling. Wages are rising," the president told reporters.'
    rows = _voices(text)
    assert [r[2] for r in rows] == ["Inflation is falling", "Wages are rising"]
    # "the president" names nobody: the standalone text does not pretend it does
    assert rows[0][3] == "\u201cInflation is falling.\u201d"


def test_a_speaker_label_split_from_its_statement_is_dropped_and_speaks_the_turn() -> None:
    # The parser makes "PENCE:" a sentence of its own: it is no claim, and the turn's
    # sentences are Pence's.
    text = "PENCE: The economy grew by 3 percent last year. Jobless claims fell.\n\nEnd."
    result = extract(text)
    assert [(d.text, d.reason) for d in result.dropped] == [("PENCE:", "speaker_label")]
    voiced = [(c.text, c.attribution and c.attribution.speaker) for c in result.claims]
    assert voiced == [
        ("The economy grew by 3 percent last year.", "PENCE"),
        ("Jobless claims fell.", "PENCE"),
        ("End.", None),
    ]
    assert result.claims[0].standalone == "PENCE: The economy grew by 3 percent last year."
    cue = result.claims[1].attribution
    assert (cue.cue, cue.cue_start, cue.speaker_start) == (":", 5, 0)


def test_a_speakers_turn_goes_on_after_the_sentence_with_the_label() -> None:
    text = "Pat Caddell: Democrat voters are worried. Jobless claims fell.\n\nEnd."
    voiced = [(c.text, c.attribution and c.attribution.speaker) for c in extract(text).claims]
    assert voiced == [
        ("Pat Caddell: Democrat voters are worried.", "Pat Caddell"),
        ("Jobless claims fell.", "Pat Caddell"),
        ("End.", None),
    ]


def test_a_name_the_parser_leaves_without_a_subject_is_still_the_speaker() -> None:
    claim = only_claim("Jolly said he has worked with Republicans on student loans.")
    assert claim.attribution.mention == "Jolly"


def test_a_speaker_label_speaks_the_whole_line_not_what_the_line_reports() -> None:
    claim = only_claim("KAINE: That is not what the figures show.")
    assert [(a.mention, a.cue) for a in claim.attributions] == [("KAINE", ":")]


def test_a_reporting_clause_that_is_not_set_off_reports_nothing() -> None:
    # "what the figures show" is the object of the sentence, not 'Y, the figures show'
    assert only_claim("That is not what the figures show.").attributions == []
    set_off = only_claim("Unemployment is falling, the figures show.")
    assert [a.mention for a in set_off.attributions] == ["the figures"]


@pytest.mark.parametrize(
    "text",
    [
        "Intervention: Patients received 5 mg daily. Most of them improved within a week.",
        "Gallery:\n\nThe halls hold 300 students. Rooms are shared by four.",
        "Performance: The code runs 20 percent faster. Memory use fell too.",
        "CARD HIGHLIGHTS:\n\nEarn 3 points per dollar on travel. Fees rose in 2024.",
    ],
)
def test_a_section_label_is_no_speaker_of_the_lines_after_it(text: str) -> None:
    # (A "Label: statement" line may still name "Label" for its own statement: the
    # parser tags "Intervention" and "Matthews" alike, so that rule is unchanged.)
    claims = extract(text).claims
    assert claims[-1].attributions == []
    assert [d.reason for d in extract(text).dropped] != ["speaker_label"]


def test_a_quote_left_open_goes_on_in_the_next_paragraph_that_opens_one() -> None:
    # The news convention: no closing mark at the end of a quoted paragraph, an opening
    # mark at the start of the next one.
    text = (
        "\u201cWe will win the vote,\u201d Senator John Smith said. \u201cWe have the numbers.\n\n"
        "\u201cAnd the country is with us.\u201d\n\n"
        "The vote is on Friday."
    )
    rows = _voices(text)
    assert [r[1] for r in rows] == ["John Smith", "John Smith", "John Smith", None]
    assert rows[2][2:] == (
        "And the country is with us",
        "John Smith: \u201cAnd the country is with us.\u201d",
    )


def test_a_quote_over_paragraphs_is_its_speakers_when_the_last_part_names_them() -> None:
    text = (
        "\u201cWe have the numbers in the Senate.\n\n"
        "\u201cAnd the country is with us,\u201d Senator John Smith said on Tuesday."
    )
    assert [r[1] for r in _voices(text)] == ["John Smith", "John Smith"]


def test_a_quote_over_three_paragraphs_keeps_its_speaker_throughout() -> None:
    middle = "\u201cAnd the country is with us.\n\n"
    named_last = (
        "\u201cWe have the numbers in the Senate.\n\n" + middle + "\u201cThe polls show a lead "
        "of ten points,\u201d Senator John Smith said on Tuesday."
    )
    named_first = (
        "\u201cWe will win,\u201d Senator John Smith said. \u201cWe have the numbers.\n\n"
        + middle
        + "\u201cThe polls show a lead of ten points.\u201d\n\nThe vote is on Friday."
    )
    assert [r[1] for r in _voices(named_last)] == ["John Smith"] * 3
    assert [r[1] for r in _voices(named_first)] == ["John Smith"] * 4 + [None]


@pytest.mark.parametrize(
    "text",
    [
        # the quotation was closed: the next one is nobody's yet
        "\u201cWe will win,\u201d Senator John Smith said.\n\n\u201cWe have the numbers.\u201d",
        # left open, but the next paragraph does not open a quotation
        "\u201cWe will win,\u201d Senator John Smith said. \u201cWe have the numbers.\n\n"
        "The vote is on Friday.",
        # a straight mark left over from copying does not go on with a curly quotation
        "\u201cWe will win,\u201d Senator John Smith said. \u201cWe have the numbers.\n\n"
        '"The vote is on Friday, the clerk confirmed on Tuesday.',
    ],
)
def test_a_quote_goes_on_in_the_next_paragraph_only_as_the_convention_marks_it(
    text: str,
) -> None:
    assert _voices(text)[-1][1] is None


def test_a_turn_goes_on_in_the_paragraphs_before_the_next_speakers_label() -> None:
    text = (
        "PENCE: The economy grew by 3 percent last year.\n\n"
        "We cut taxes for every family in our state.\n\n"
        "KAINE: That is not what the figures show."
    )
    rows = _voices(text)
    assert [r[1] for r in rows] == ["PENCE", "PENCE", "KAINE"]
    assert rows[1][3] == "PENCE: We cut taxes for every family in our state."


@pytest.mark.parametrize(
    "text",
    [
        # no later label: the transcript may have ended, and the reporter speaks again
        "PENCE: The economy grew by 3 percent last year.\n\n"
        "We cut taxes for every family in our state.",
        # the reporter's narration between two turns does not speak in the first person
        "PENCE: The economy grew by 3 percent last year.\n\n"
        "The exchange came after an hour of questions on trade.\n\n"
        "KAINE: That is not what the figures show.",
    ],
)
def test_a_turn_does_not_go_on_into_what_may_be_the_reporters_words(text: str) -> None:
    assert _voices(text)[1][1] is None


def _listed(text: str) -> list[tuple[str, str, str, str | None]]:
    """(speaker, mention, cue, content) of every attribution of every claim."""
    found = []
    for claim in extract(text).claims:
        for a in claim.attributions:
            content = None if a.content_start is None else text[a.content_start : a.content_end]
            found.append((a.speaker, a.mention, a.cue, content))
    return found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a wire story's dateline is no part of the speaker
        (
            "LONDON (Reuters) - Donald Trump said he would not meet the prime minister.",
            ("Donald Trump", "said", "he would not meet the prime minister"),
        ),
        (
            "Washington (AFP) \u2013 Democrat Hillary Clinton criticised the plan, saying it "
            "would cost jobs.",
            ("Democrat Hillary Clinton", "saying", "it would cost jobs"),
        ),
        # "As X reported, Y": the clause the "as" clause leads is the content
        (
            "As Politico reported, the governor would win the primary easily.",
            ("Politico", "reported", "the governor would win the primary easily"),
        ),
        # emphatic "did", and "goes on to say"
        (
            "He did say he found the senator very charming.",
            ("He", "did say", "he found the senator very charming"),
        ),
        (
            "The email goes on to say that the plan is unlawful.",
            ("The email", "to say", "that the plan is unlawful"),
        ),
        # a participle after "by" or "after" takes the subject of the verb it hangs on
        (
            "Obama closed his speech by saying the country must act.",
            ("Obama", "saying", "the country must act"),
        ),
        # a name right after a quotation, which the parser left without a subject
        (
            "\u201cConservatives have issues with Trump,\u201d Viguerie notes.",
            ("Viguerie", "notes", "Conservatives have issues with Trump"),
        ),
        # a speech verb whose object is what was said
        (
            "Obama announced a series of steps to tighten gun sales.",
            ("Obama", "announced", "a series of steps"),
        ),
    ],
)
def test_fourth_pass_constructions(text: str, expected: tuple[str, str, str]) -> None:
    speaker, cue, content = expected
    assert (speaker, cue, content) in [(m, c, x) for _, m, c, x in _listed(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\u201cDenver,\u201d he answered.", ("he", "answered", "Denver")),
        (
            "\u201cReally,\u201d she added when the interviewer expressed shock.",
            ("she", "added", "Really"),
        ),
        ("He warned of the dangers of technology.", ("He", "warned", "the dangers of technology")),
        (
            "The American Legion has complained about the use of its emblem.",
            ("The American Legion", "has complained", "the use of its emblem"),
        ),
        (
            "Clinton has pointed to her record on medical research.",
            ("Clinton", "has pointed", "her record on medical research"),
        ),
        (
            "Chris Christie endorsed Donald Trump on Friday.",
            ("Chris Christie", "endorsed", "Donald Trump"),
        ),
        (
            "A new poll shows Sanders leading Clinton nationally.",
            ("A new poll", "shows", "Sanders leading Clinton nationally"),
        ),
    ],
)
def test_what_a_speech_was_about_and_a_quote_before_its_speaker(
    text: str, expected: tuple[str, str, str]
) -> None:
    assert expected in [(m, c, x) for _, m, c, x in _listed(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a poll's share the parser left as a number, not a subject
        (
            "About 4 in 10 say they want the next president to be more liberal.",
            ("About 4 in 10", "say", "they want the next president to be more liberal"),
        ),
        # a speaker the parser hung on the verb as a modifier after a long opening
        (
            "Saturday at the state party convention Sen. Elizabeth Warren (D-MA) said "
            "Trump was a failure.",
            ("Elizabeth Warren", "said", "Trump was a failure"),
        ),
        # a passive with its agent: what was reported is the subject
        (
            "The meeting was first reported by Politico.",
            ("Politico", "was first reported", "The meeting"),
        ),
        # a digest's item: heading, dash, name, colon, quotation
        (
            "Pollsters agree - Carl Bialik: \u201cThe biggest lesson was to keep polling.\u201d",
            ("Carl Bialik", ":", "The biggest lesson was to keep polling"),
        ),
    ],
)
def test_poll_shares_passive_agents_and_digest_quotes(
    text: str, expected: tuple[str, str, str]
) -> None:
    assert expected in [(m, c, x) for _, m, c, x in _listed(text)]


def test_a_passive_without_a_speaker_or_a_dash_without_a_name_lists_nobody() -> None:
    assert _listed("The plan was rejected by the council.") == []
    assert _listed("The voter file is maintained by a technology company.") == []
    assert _listed("The vote - as expected: \u201cnothing\u201d happened.") == []


def test_a_reporting_clause_ending_in_a_colon_introduces_the_next_paragraph() -> None:
    text = "In a 1963 speech, the governor declared:\n\n\u201cSegregation forever.\u201d"
    assert ("the governor", "declared", None) in [(m, c, x) for _, m, c, x in _listed(text)]


def test_a_named_speaker_of_a_relative_clause_is_listed_with_who_as_the_mention() -> None:
    text = "Charles Barkley, who said he usually votes Democratic, praised the senator."
    assert ("Charles Barkley", "who", "said", "he usually votes Democratic") in _listed(text)


@pytest.mark.parametrize(
    "text",
    [
        "Voters who say the economy matters backed the senator.",  # a group, no name
        "He did not say when the vote would be held.",  # negated
        "The senator will continue to say that the plan works.",  # not said yet
        "Prices continued to rise in March.",
        "The United States has pledged some 300 military advisers.",
    ],
)
def test_fourth_pass_look_alikes_list_no_speaker(text: str) -> None:
    assert _listed(text) == []


def test_the_addressees_of_a_message_are_not_its_speaker() -> None:
    text = "The party emailed supporters saying the rally was cancelled."
    assert all(mention != "supporters" for _, mention, _, _ in _listed(text))
