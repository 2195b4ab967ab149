from __future__ import annotations

import pytest

from claims.nlp.blocks import (
    BOILERPLATE,
    DUPLICATE,
    TEXT,
    boilerplate_reason,
    chunks,
    lines,
    split_blocks,
)

BOILERPLATE_LINES = [
    ("ALSO READ: Iraq Offers U.S. Advisers 'Acceptable' Legal Protections", "cross_promotion"),
    ("READ MORE: How the vote was won", "cross_promotion"),
    ("Related: Ten things to know about the budget", "cross_promotion"),
    ("Click here to read the full report", "call_to_action"),
    ("Subscribe to our newsletter for the latest updates", "call_to_action"),
    ("Sign up for our daily briefing", "call_to_action"),
    ("Follow us on Twitter and Facebook", "call_to_action"),
    ("Share this article", "share_bar"),
    ("Facebook Twitter Email Print", "share_bar"),
    ("Share | Tweet | Email", "share_bar"),
    ("Advertisement", "advertisement"),
    ("ADVERTISEMENT", "advertisement"),
    ("Photo: Ahmed Saad/Reuters", "photo_credit"),
    ("(Photo by John Moore/Getty Images)", "photo_credit"),
    ("Iraqi soldiers in Baghdad on Monday. Jane Doe / AFP", "photo_agency"),
    ("By John Smith", "byline"),
    ("By Jane Doe and Ali Hassan, Reuters", "byline"),
    ("BAGHDAD (Reuters) -", "dateline"),
    ("Updated: June 23, 2014 10:15 GMT", "date_line"),
    ("June 23, 2014", "date_line"),
    ("\u00a9 2014 Reuters. All rights reserved.", "copyright"),
    ("Copyright 2014 The Associated Press.", "copyright"),
    ("Reporting by Ned Parker; Editing by Giles Elgood", "reporting_credit"),
]

NOT_BOILERPLATE = [
    "Subscribers to the service rose by 12 percent in May, the company said.",
    "Related companies reported losses of $3 billion last year.",
    "By the end of June, militants had seized Tal Afar.",
    "Advertisement spending fell 4 percent in 2014, according to the survey.",
    "Kerry said the photo was taken in Baghdad on June 23.",
    "Sign-up rates doubled after the law passed.",
]


@pytest.mark.parametrize(("line", "name"), BOILERPLATE_LINES)
def test_each_boilerplate_pattern_drops_its_line(line: str, name: str) -> None:
    assert boilerplate_reason(line) == name


@pytest.mark.parametrize("line", NOT_BOILERPLATE)
def test_ordinary_sentences_are_not_boilerplate(line: str) -> None:
    assert boilerplate_reason(line) is None


def test_repeated_block_points_at_its_first_copy() -> None:
    text = "First line here.\nSecond line.\n\nFirst line here.\n"
    blocks = split_blocks(text)
    assert [b.kind for b in blocks] == [TEXT, TEXT, DUPLICATE]
    assert blocks[2].original == 0
    assert text[blocks[2].start : blocks[2].end] == "First line here."


def test_boilerplate_block_is_classified_before_duplicates() -> None:
    blocks = split_blocks("Advertisement\nReal news.\nAdvertisement\n")
    assert [b.kind for b in blocks] == [BOILERPLATE, TEXT, BOILERPLATE]


def test_hard_wrapped_lines_join_into_one_block() -> None:
    text = "The minister said the plan\nwould cost billions.\nA new line starts here."
    assert [text[s:e] for s, e in lines(text)] == [
        "The minister said the plan\nwould cost billions.",
        "A new line starts here.",
    ]


def test_blank_line_separates_paragraphs_even_when_lower_case_follows() -> None:
    text = "A heading without a stop\n\nlower case paragraph."
    assert len(lines(text)) == 2


def test_over_long_line_is_cut_at_whitespace_into_bounded_chunks() -> None:
    text = " ".join(["word"] * 30_000)
    pieces = chunks(text, 0, len(text), limit=1000)
    assert all(0 < e - s <= 1000 for s, e in pieces)
    assert all(not text[s].isspace() and not text[e - 1].isspace() for s, e in pieces)
    assert sum(text[s:e].count("word") for s, e in pieces) == 30_000


def test_over_long_line_without_spaces_is_cut_hard() -> None:
    pieces = chunks("x" * 2500, 0, 2500, limit=1000)
    assert pieces == [(0, 1000), (1000, 2000), (2000, 2500)]


def test_chunks_prefer_a_sentence_end() -> None:
    text = ("a" * 600) + ". " + ("b " * 400)
    first = chunks(text, 0, len(text), limit=1000)[0]
    assert text[first[0] : first[1]].endswith(".")


FURNITURE_ARTICLE = """Covid: the new rules in England
A SIMPLE GUIDE
LOOK-UP TOOL
The city closed all schools on Monday after cases rose by 40 percent.
A city upended
How do I protect myself?
Image caption: Shoppers queue outside a pharmacy in Leicester
Source: Public Health England
By Jane Doe
- Map and filter are sometimes faster than comprehensions
Officials said the rules would be reviewed in two weeks.
Never miss the latest news by signing up for our newsletter
"""


def test_page_furniture_is_dropped_with_its_reason() -> None:
    from claims.nlp import extract

    result = extract(FURNITURE_ARTICLE)
    reasons = {d.text: d.reason for d in result.dropped}
    assert reasons["Covid: the new rules in England"] == "heading"
    assert reasons["A SIMPLE GUIDE"] in ("heading", "boilerplate")  # capitals: dateline form
    assert reasons["LOOK-UP TOOL"] in ("heading", "boilerplate")
    assert reasons["A city upended"] == "heading"
    assert reasons["How do I protect myself?"] == "question"
    assert reasons["Image caption: Shoppers queue outside a pharmacy in Leicester"] == "boilerplate"
    assert reasons["Source: Public Health England"] == "boilerplate"
    assert reasons["By Jane Doe"] == "boilerplate"
    assert reasons["Never miss the latest news by signing up for our newsletter"] == "boilerplate"
    assert [c.text for c in result.claims] == [
        "The city closed all schools on Monday after cases rose by 40 percent.",
        "- Map and filter are sometimes faster than comprehensions",
        "Officials said the rules would be reviewed in two weeks.",
    ]


def test_a_single_line_is_always_read_even_without_final_punctuation() -> None:
    from claims.nlp import extract

    assert [c.text for c in extract("Kerry pledges support for Iraq").claims] == [
        "Kerry pledges support for Iraq"
    ]
    assert [c.text for c in extract("How do I protect myself?").claims] == [
        "How do I protect myself?"
    ]


def test_a_headline_with_a_verb_in_sentence_case_is_kept() -> None:
    from claims.nlp import extract

    text = "Kerry pledges intense support for Iraq\nHe spoke in Baghdad on Monday."
    first = extract(text).claims[0]
    assert first.text == "Kerry pledges intense support for Iraq"


def test_items_of_a_numbered_or_bulleted_list_are_content_not_headings() -> None:
    from claims.nlp.blocks import HEADING, furniture_reason, split_blocks

    assert furniture_reason("The Right Pot for Herbs") == HEADING
    for item in ("1. Choose the Right Pot", "37. What did one volcano say?", "- cd to the folder"):
        assert furniture_reason(item) is None
    text = "How to grow herbs\n1. Choose the Right Pot\n2) Water Them Well\n• Fresh basil leaves\n"
    kinds = [b.kind for b in split_blocks(text)]
    assert kinds == ["text", "text", "text", "text"]
    assert [b.maybe_heading for b in split_blocks(text)] == [True, False, False, False]


def test_a_full_stop_of_another_script_ends_a_sentence_not_a_heading() -> None:
    from claims.nlp.blocks import furniture_reason

    assert furniture_reason("確保する。") is None
    assert furniture_reason("確保する") is not None


def test_a_question_between_paragraphs_is_read_a_question_among_furniture_is_not() -> None:
    from claims.nlp.blocks import QUESTION, split_blocks

    interview = (
        "The team moved the site to AMP in 2019 and traffic rose.\n"
        "Were there any challenges you had to overcome?\n"
        "We had to rebuild the comments, which took three months.\n"
    )
    assert [b.kind for b in split_blocks(interview)] == ["text", "text", "text"]
    navigation = (
        "The city closed all schools on Monday.\n"
        "How do I protect myself?\n"
        "What are the new rules?\n"
        "Officials said the rules would be reviewed.\n"
    )
    kinds = [b.kind for b in split_blocks(navigation)]
    assert kinds == ["text", QUESTION, QUESTION, "text"]
    at_the_end = "The city closed all schools on Monday.\nHow do I protect myself?\n"
    assert [b.kind for b in split_blocks(at_the_end)] == ["text", QUESTION]
