"""The figure check: figures read from text as comparable values, and where an excerpt's
figures contradict a claim's (issue 28, item 4). Pure: no database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims.text.figures import Figure, disagreement, extract


def values(text: str) -> list[tuple[str, str, Decimal | None, tuple[int | None, ...]]]:
    return [(f.kind, f.unit, f.amount, f.date) for f in extract(text)]


@pytest.mark.parametrize(
    ("text", "kind", "unit", "amount", "written"),
    [
        ("It cost £46 million.", "money", "£", Decimal(46_000_000), "£46 million"),
        ("It cost £46m.", "money", "£", Decimal(46_000_000), "£46m"),
        ("It cost 46 million pounds.", "money", "£", Decimal(46_000_000), "46 million pounds"),
        ("Sales of $3.2bn", "money", "$", Decimal(3_200_000_000), "$3.2bn"),
        ("Sales of US$3.2 bn", "money", "$", Decimal(3_200_000_000), "US$3.2 bn"),
        ("a fund of €5,000", "money", "€", Decimal(5000), "€5,000"),
        ("71 percent agreed", "percent", "%", Decimal(71), "71 percent"),
        ("71% agreed", "percent", "%", Decimal(71), "71%"),
        ("71 per cent agreed", "percent", "%", Decimal(71), "71 per cent"),
        ("up 3 percentage points", "percent", " points", Decimal(3), "3 percentage points"),
        ("467,000 cases", "count", "", Decimal(467_000), "467,000"),
        ("a rate of 4.1", "count", "", Decimal("4.1"), "4.1"),
        ("three people", "count", "", Decimal(3), "three"),
        ("twenty-one people", "count", "", Decimal(21), "twenty-one"),
        ("4.2 million people", "count", "", Decimal(4_200_000), "4.2 million"),
        ("one million people", "count", "", Decimal(1_000_000), "one million"),
        ("a 5 km walk", "length", " km", Decimal(5), "5 km"),
    ],
)
def test_a_figure_is_read_with_its_unit_currency_and_magnitude(
    text: str, kind: str, unit: str, amount: Decimal, written: str
) -> None:
    (figure,) = extract(text)
    assert (figure.kind, figure.unit, figure.amount, figure.text) == (kind, unit, amount, written)


@pytest.mark.parametrize(
    ("text", "date", "written"),
    [
        ("on 12 March 2024", (2024, 3, 12), "12 March 2024"),
        ("on March 12, 2024", (2024, 3, 12), "March 12, 2024"),
        ("on the 12th of March", (None, 3, 12), "12th of March"),
        ("in March 2024", (2024, 3, None), "March 2024"),
        ("in 2024", (2024, None, None), "2024"),
    ],
)
def test_a_date_is_read_as_year_month_and_day(
    text: str, date: tuple[int | None, ...], written: str
) -> None:
    (figure,) = extract(text)
    assert (figure.kind, figure.date, figure.text) == ("date", date, written)


def test_ways_of_writing_one_figure_are_equal() -> None:
    assert values("£46 million") == values("£46m") == values("46 million pounds")
    assert values("71%") == values("71 percent") == values("71 per cent")
    assert values("two cases") == values("2 cases")
    assert values("467,000") == values("467 thousand")


def test_words_that_only_look_like_figures_are_not_figures() -> None:
    assert extract("One of them said it may rain in the spring.") == ()
    assert extract("") == ()


def test_three_and_thirty_differ() -> None:
    assert values("three") != values("thirty")


def test_a_less_precise_date_agrees_with_a_more_precise_one() -> None:
    day, month, year = extract("12 March 2024, March 2024 and 2024")
    assert day.agrees(month) and month.agrees(year) and day.agrees(year)
    (other,) = extract("13 March 2024")
    assert not day.agrees(other) and other.agrees(month)


# --- disagreement: the claim's figures against the excerpt's ------------------------------


@pytest.mark.parametrize(
    ("claim", "excerpt", "says"),
    [
        (
            "The council spent £46 million on the bridge.",
            "the council spent £48 million on the bridge",
            "the claim says £46 million, the excerpt says £48 million",
        ),
        (
            "The council spent £46 million on the bridge.",
            "the council spent $46 million on the bridge",
            "the claim says £46 million, the excerpt says $46 million",
        ),
        (
            "Turnout was 71 percent.",
            "turnout rose by 71 points in the city",
            "the claim says 71 percent, the excerpt says 71 points",
        ),
        (
            "Three people were arrested.",
            "thirty people were arrested after the match",
            "the claim says Three, the excerpt says thirty",
        ),
        (
            "The law took effect on 12 March 2024.",
            "the law took effect on 13 March 2024",
            "the claim says 12 March 2024, the excerpt says 13 March 2024",
        ),
        (
            "It cost £46 million in 2024.",
            "it cost £46m in 2023 and in 2022",
            "the claim says 2024, the excerpt says 2023 and 2022",
        ),
    ],
)
def test_figures_of_one_kind_that_differ_disagree(claim: str, excerpt: str, says: str) -> None:
    assert disagreement(claim, excerpt) == says


@pytest.mark.parametrize(
    ("claim", "excerpt"),
    [
        ("The council spent £46 million on the bridge.", "the bridge cost the council a lot"),
        ("The council spent £46 million on the bridge.", "the £46m bridge opened in 2024"),
        ("The council spent £46 million in March 2024.", "spent £46m on 12 March 2024"),
        ("Two people were arrested.", "2 people were arrested on 3 May"),
        ("Turnout was 71 percent in 2024.", "turnout of 71% in the city's 12 districts"),
        ("Cases rose from 400,000 to 467,000.", "467,000 cases, up from 400,000"),
    ],
)
def test_an_excerpt_that_states_the_same_figures_or_none_of_that_kind_agrees(
    claim: str, excerpt: str
) -> None:
    assert disagreement(claim, excerpt) == ""


# --- Properties ------------------------------------------------------------------------------

_figure_text = st.text(
    alphabet=st.sampled_from(list("0123456789.,%£$€- ")) | st.characters(), max_size=80
) | st.lists(
    st.sampled_from(
        ["£46", "million", "bn", "3.2", "71%", "percent", "per cent", "three", "twenty-one",
         "one", "12", "March", "May", "2024", ",", "of", "12th", "pounds", "km", "US$", "-"]
    ),
    max_size=12,
).map(" ".join)  # fmt: skip


@given(_figure_text)
def test_reading_figures_never_fails_and_always_points_at_the_text(text: str) -> None:
    for figure in extract(text):
        assert isinstance(figure, Figure)
        assert figure.text and " ".join(figure.text.split()) == figure.text


@given(_figure_text)
def test_a_text_always_agrees_with_itself(text: str) -> None:
    assert disagreement(text, text) == ""
