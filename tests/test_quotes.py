"""The quote check: exact, approximate or missing, always pointing at the source's words."""

from __future__ import annotations

import random

import pytest

from claims.text import quotes
from claims.text.quotes import QuoteCheck, check_quote, normalise

SOURCE = (
    "The mayor spoke after the vote on Tuesday.\n\n"
    "\u201cWe have made difficult choices, but the children of this city come first,\u201d "
    "she told reporters, adding that schools would receive more money than last year.  "
    "Opposition members said the plan \u2013 which still needs the governor\u2019s approval "
    "\u2013 would not address the housing shortage."
)


def assert_points_into_source(check: QuoteCheck, text: str = SOURCE) -> None:
    assert check.matched
    assert check.matched in text


def test_an_exact_quote_is_found() -> None:
    check = check_quote("schools would receive more money than last year", SOURCE)
    assert check == QuoteCheck("found", 100.0, "schools would receive more money than last year")


def test_case_whitespace_quotes_and_dashes_do_not_matter() -> None:
    excerpt = (
        "the plan - which still needs the GOVERNOR'S approval -   would not address the housing"
    )
    check = check_quote(excerpt, SOURCE)
    assert check.result == "found"
    assert check.matched == (
        "the plan \u2013 which still needs the governor\u2019s approval \u2013 would not "
        "address the housing"
    )


def test_straight_quotes_around_a_curly_quoted_passage_are_found() -> None:
    excerpt = '"We have made difficult choices, but the children of this city come first"'
    check = check_quote(excerpt, SOURCE)
    assert check.result == "found"
    assert check.matched == (
        "We have made difficult choices, but the children of this city come first"
    )


def test_a_quote_running_across_a_line_break_is_found() -> None:
    check = check_quote("after the vote on Tuesday. We have made", SOURCE.replace("\u201c", ""))
    assert check.result == "found"
    assert_points_into_source(check, SOURCE.replace("\u201c", ""))
    assert "\n\n" in check.matched


def test_one_changed_word_is_approximate() -> None:
    excerpt = "she told reporters, adding that schools would get more money than last year"
    check = check_quote(excerpt, SOURCE)
    assert check.result == "approximate"
    assert 90 <= check.score < 100
    assert_points_into_source(check)
    assert check.matched.startswith("she told reporters")
    assert check.matched.endswith("than last year")


def test_an_approximate_match_with_curly_quotes_in_the_excerpt() -> None:
    excerpt = (
        "\u201cWe\u2019ve made difficult choices, but the children of our city come first\u201d"
    )
    check = check_quote(excerpt, SOURCE)
    assert check.result == "approximate"
    assert_points_into_source(check)
    assert check.matched == (
        "We have made difficult choices, but the children of this city come first"
    )


def test_a_changed_figure_is_not_found_however_close_the_rest() -> None:
    source = "Unemployment in the region fell by 9 percent last year, the ministry said."
    check = check_quote("Unemployment in the region fell by 12 percent last year", source)
    assert check.result == "not_found" and check.score >= 90
    same = check_quote("Unemployment in the region dropped by 9 percent last year", source)
    assert same.result == "approximate"
    assert quotes._figures("467,000 cases and 4.2 million") == ["467000", "4.2"]


def test_a_different_sentence_is_not_found() -> None:
    check = check_quote("The bridge will reopen to traffic on the first of June", SOURCE)
    assert check.result == "not_found"
    assert check.score < 90
    assert check.matched == ""


def test_a_paraphrase_is_not_found() -> None:
    check = check_quote("Children matter most, the mayor insisted after tough decisions", SOURCE)
    assert check.result == "not_found"


def test_the_threshold_decides_what_counts_as_approximate() -> None:
    excerpt = "she told reporters, adding that schools would get more money than last year"
    assert check_quote(excerpt, SOURCE, threshold=99).result == "not_found"
    assert check_quote(excerpt, SOURCE, threshold=80).result == "approximate"


def test_the_threshold_follows_the_setting_when_not_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    excerpt = "she told reporters, adding that schools would get more money than last year"
    monkeypatch.setattr(quotes, "_threshold", lambda value: 99.0 if value is None else value)
    assert check_quote(excerpt, SOURCE).result == "not_found"


@pytest.mark.parametrize(("excerpt", "text"), [("", SOURCE), ("   ", SOURCE), ("quote", "")])
def test_empty_excerpt_or_text_is_not_found_with_score_zero(excerpt: str, text: str) -> None:
    assert check_quote(excerpt, text) == QuoteCheck("not_found", 0.0, "")


def test_normalising_keeps_a_map_back_to_the_original() -> None:
    text = "  A \u201cQuote\u201d\t\n here \u2014 THERE"
    normalised = normalise(text)
    assert normalised.text == ' a "quote" here - there'
    start = normalised.text.index("here")
    begin, end = normalised.original_span(start, start + len("here - there"))
    assert text[begin:end] == "here \u2014 THERE"


def test_a_partial_word_match_is_widened_to_whole_words() -> None:
    check = check_quote("ildren of this city come fir", SOURCE)
    assert check.result == "found"
    assert check.matched == "children of this city come first"


def test_it_finds_a_quote_in_a_megabyte_of_text() -> None:
    rng = random.Random(7)
    words = ["council", "budget", "mayor", "school", "housing", "rent", "city", "vote"]
    filler = " ".join(rng.choice(words) for _ in range(130_000))
    text = f"{filler}\n{SOURCE}\n{filler}"
    assert len(text) > 1_000_000
    excerpt = "she told reporters, adding that schools would get more money than last year"
    check = check_quote(excerpt, text)
    assert check.result == "approximate"
    assert_points_into_source(check, text)
    assert check.matched.startswith("she told reporters")
