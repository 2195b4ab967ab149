"""The headline check's comparison (``claims.text.headline``), pure: which body sentence
carries a heading's fact, and when their figures or names differ."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from claims.text import figures
from claims.text.headline import (
    HEADLINE,
    SUBHEADING,
    Heading,
    Mismatch,
    Sentence,
    agree,
    check,
    sentences_of,
)

BODY = [
    "A new cancer wing at St Mary's hospital in Leeds will cost £46m, the board said.",
    "Dr Amara Okafor, the medical director, said the wing would treat 12,000 patients a year.",
    "Nurses who staff it will earn £31,200 a year.",
    "Hannah Müller said the cost had risen by 15 per cent since the plan was published.",
    "The Royal College of Nursing welcomed the plan.",
]


def sentences(texts: list[str] = BODY) -> list[Sentence]:
    found, at = [], 0
    for number, text in enumerate(texts):
        found.append(Sentence(text, at, at + len(text), claim=100 + number))
        at += len(text) + 1
    return found


def messages(heading: str, where: str = HEADLINE, texts: list[str] = BODY) -> list[str]:
    return [m.message for m in check([Heading(heading, where)], sentences(texts))]


def test_the_headline_figure_the_body_corrected_is_flagged() -> None:
    (flag,) = check([Heading("St Mary's hospital to get £48m cancer wing")], sentences())
    assert flag.message == "the headline says £48m; the body says £46m"
    assert (flag.kind, flag.claim, flag.sentence) == ("figure", 100, BODY[0])
    assert Mismatch.from_json(flag.as_json()) == flag


def test_a_headline_that_agrees_with_the_body_is_not_flagged() -> None:
    assert messages("St Mary's hospital to get £46m cancer wing") == []
    assert messages("St Mary's to get 46 million pound cancer wing") == []
    assert messages("Cancer wing to treat 12,000 patients") == []


def test_figures_round_at_the_precision_they_are_written_at() -> None:
    assert messages("Cancer wing to cost £46.2m", texts=[BODY[0]]) == []  # the body rounds
    assert messages("Nurses to earn £31,200", texts=[BODY[2]]) == []
    body = ["The wing will cost £46.4m, the board said."]
    assert messages("Wing to cost £46m", texts=body) == []
    assert messages("Wing to cost £47m", texts=body) == [
        "the headline says £47m; the body says £46.4m"
    ]


def test_a_sub_heading_is_checked_too() -> None:
    assert messages("Cost up 20 per cent", SUBHEADING) == [
        "the sub-heading says 20 per cent; the body says 15 per cent"
    ]


def test_figures_of_other_kinds_or_unrelated_sentences_never_disagree() -> None:
    assert messages("Wing opens in 2027") == []  # no sentence gives a year
    assert messages("Leeds council spends £5m on parks") == []  # shares no fact's words
    assert messages("Nurses to earn 20% more") == []  # a percent, the body's is money


def test_a_name_the_body_never_mentions_is_flagged_against_the_fact_sentence() -> None:
    assert messages("Osei says wing would treat 12,000 patients") == [
        "the headline says Osei; the body says Amara Okafor"
    ]
    assert messages("Okafor says wing would treat 12,000 patients") == []
    assert messages("Royal College welcomes the plan") == []
    assert messages("Opposition doubts", SUBHEADING) == []


def test_the_headline_line_itself_is_not_its_own_body() -> None:
    line = "St Mary's hospital to get £48m cancer wing"
    texts = [line, *BODY]
    found = sentences(texts)
    assert check([Heading(line, HEADLINE, start=0)], found)[0].sentence == BODY[0]
    assert check([Heading(line, HEADLINE, start=0)], found[:1]) == []


def test_plain_sentences_have_true_offsets() -> None:
    text = 'Intro.  The wing cost £46m. "It is good," she said.  Done'
    for sentence in sentences_of(text, 0, len(text)):
        assert text[sentence.start : sentence.end] == sentence.text
    assert [s.text for s in sentences_of(text, 0, len(text))] == [
        "Intro.", "The wing cost £46m.", '"It is good," she said.', "Done"
    ]  # fmt: skip


# --- Properties of the figure comparison -------------------------------------------------

SIGNS = st.sampled_from(["£", "$", "€"])
MONEY_FORMS = ["{s}{n}m", "{s}{n} million", "{s}{n}million"]


def money(sign: str, amount: int, form: str) -> figures.Figure:
    (figure,) = figures.extract(form.format(s=sign, n=amount))
    return figure


@settings(max_examples=300, deadline=None)
@given(sign=SIGNS, n=st.integers(1, 9999), a=st.sampled_from(MONEY_FORMS),
       b=st.sampled_from(MONEY_FORMS))  # fmt: skip
def test_one_amount_agrees_in_every_spelling(sign: str, n: int, a: str, b: str) -> None:
    assert agree(money(sign, n, a), money(sign, n, b))


@settings(max_examples=300, deadline=None)
@given(sign=SIGNS, head=st.integers(1, 9999), body=st.integers(1, 9999))
def test_different_whole_amounts_disagree_and_are_flagged(sign: str, head: int, body: int) -> None:
    assume(head != body)
    assert not agree(money(sign, head, "{s}{n}m"), money(sign, body, "{s}{n}m"))
    text = [f"The new wing will cost {sign}{body}m, the board said."]
    assert messages(f"Hospital to get {sign}{head}m wing", texts=text) == [
        f"the headline says {sign}{head}m; the body says {sign}{body}m"
    ]
    assert messages(f"Hospital to get {sign}{body}m wing", texts=text) == []


@settings(max_examples=300, deadline=None)
@given(tenths=st.integers(10, 99_999))
def test_a_rounded_heading_agrees_with_the_precise_body(tenths: int) -> None:
    precise = Decimal(tenths) / 10
    rounded = int(precise.to_integral_value(rounding="ROUND_HALF_UP"))
    (body,) = figures.extract(f"£{precise}m")
    (head,) = figures.extract(f"£{rounded}m")
    assert agree(head, body) and agree(body, head)
    (wrong,) = figures.extract(f"£{rounded + 1}m")
    assert not agree(wrong, body)


@settings(max_examples=200, deadline=None)
@given(x=st.integers(0, 100_000), y=st.integers(0, 100_000),
       unit=st.sampled_from(["%", " per cent", "m", " kg"]))  # fmt: skip
def test_agreement_is_symmetric_and_reflexive(x: int, y: int, unit: str) -> None:
    (a,) = figures.extract(f"{x}{unit}" if unit != "m" else f"£{x}m")
    (b,) = figures.extract(f"{y}{unit}" if unit != "m" else f"£{y}m")
    assert agree(a, a)
    assert agree(a, b) == agree(b, a) == (x == y)
