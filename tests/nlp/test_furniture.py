"""Issue 32, furniture: a short sub-heading standing alone between paragraphs is never a
claim, whatever its words ("Opposition doubts" has a verb for the parser); and a figure's
currency sign and unit stay with it in the entities ("£31,200", "£46m")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claims.nlp import extract
from claims.nlp.blocks import DUPLICATE, HEADING, TEXT, split_blocks
from claims.nlp.entities import widened
from tests.nlp.helpers import assert_offsets_true
from tests.nlp.test_extract_command import call

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
STORY = (FIXTURES / "headline_story.txt").read_text(encoding="utf-8")
PARAGRAPH = "The council approved the plan on Monday after a long debate."
NEXT = "Officials said the work would start in the spring of next year."


@pytest.fixture(scope="module")
def story():
    return extract(STORY)


def test_a_sub_heading_between_paragraphs_is_dropped_as_a_heading(story) -> None:
    assert ("Opposition doubts", "heading") in {(d.text, d.reason) for d in story.dropped}
    assert all("Opposition doubts" not in c.text for c in story.claims)
    assert_offsets_true(STORY, story)


@pytest.mark.parametrize(
    "line",
    ["Opposition doubts", "Minister says no", "Why the cost rose", "Doctors warn of delays"],
)
def test_short_lines_between_paragraphs_are_headings_whatever_their_words(line: str) -> None:
    text = f"{PARAGRAPH}\n\n{line}\n\n{NEXT}"
    assert [b.kind for b in split_blocks(text)] == [TEXT, HEADING, TEXT]
    result = extract(text)
    assert [c.text for c in result.claims] == [PARAGRAPH, NEXT]
    assert [(d.text, d.reason) for d in result.dropped] == [(line, "heading")]


def test_list_items_and_runs_of_short_lines_stay_text() -> None:
    items = "- Map and filter are sometimes faster"
    text = f"{PARAGRAPH}\n{items}\n{NEXT}"
    assert [b.kind for b in split_blocks(text)] == [TEXT, TEXT, TEXT]
    run = f"{PARAGRAPH}\nPrices rose sharply\nWages fell back\n{NEXT}"
    assert [b.kind for b in split_blocks(run)] == [TEXT, TEXT, TEXT, TEXT]


def test_a_long_unpunctuated_line_is_not_a_sub_heading() -> None:
    line = "Hospital managers in the north say the new plan has been costed twice over"
    text = f"{PARAGRAPH}\n{line}\n{NEXT}"
    assert [b.kind for b in split_blocks(text)] == [TEXT, TEXT, TEXT]


def test_a_repeated_sub_heading_is_a_heading_both_times() -> None:
    text = f"{PARAGRAPH}\nOpposition doubts\n{NEXT}\nOpposition doubts\nA last line ends here."
    blocks = split_blocks(text)
    assert [b.kind for b in blocks] == [TEXT, HEADING, TEXT, HEADING, TEXT]
    result = extract(text)
    assert [d.reason for d in result.dropped] == ["heading", "heading"]
    assert not any(b.kind == DUPLICATE for b in blocks)


def test_an_html_sub_heading_is_dropped(tmp_path: Path) -> None:
    body = "".join(
        f"<p>The army retook the town of Tal Afar on June {d}, officials said in Baghdad.</p>"
        for d in range(1, 5)
    )
    page = (
        "<html><body><article><h1>Iraq crisis</h1>"
        f"{body}<h3>Opposition doubts</h3>{body.replace('army', 'police')}</article></body></html>"
    )
    path = tmp_path / "page.html"
    path.write_text(page, "utf-8")
    data = json.loads(call(str(path), "--html", "--format", "json"))
    assert ("Opposition doubts", "heading") in {(d["text"], d["reason"]) for d in data["dropped"]}
    assert all("doubts" not in c["text"] for c in data["claims"])


def test_currency_signs_and_units_stay_with_their_numbers_in_entities(story) -> None:
    entities = {(e.text, e.label) for c in story.claims for e in c.entities}
    assert ("£31,200", "MONEY") in entities
    assert ("£46m", "MONEY") in entities
    assert ("£48m", "MONEY") in entities
    assert not {"31,200", "46", "48"} & {text for text, _ in entities}
    text = "The trust has $3bn, and 12% more, or 5 per cent, weighing 40 kg in 300 beds."
    found = {e.text for c in extract(text).claims for e in c.entities}
    assert {"$3bn", "12%", "5 per cent", "40 kg", "300"} <= found


def test_the_seed_article_still_matches_its_gold(seed_result, seed_gold) -> None:
    assert len(seed_result.claims) == seed_gold["expect"]["distinct_claims"]
    assert {d.reason for d in seed_result.dropped} == {"boilerplate", "duplicate"}


SIGNS = st.sampled_from(["£", "$", "€"])
UNITS = st.sampled_from(["", "m", "bn", " million", " billion"])


@settings(max_examples=200, deadline=None)
@given(
    sign=SIGNS,
    number=st.integers(min_value=1, max_value=999_999),
    unit=UNITS,
    before=st.sampled_from(["It cost ", "Pay rose to ", "A fund of "]),
    after=st.sampled_from([" in all.", " a year.", ", they said."]),
)
def test_widening_covers_the_sign_and_unit_and_never_narrows(
    sign: str, number: int, unit: str, before: str, after: str
) -> None:
    written = f"{number:,}{unit}"
    text = f"{before}{sign}{written}{after}"
    at = text.index(written)
    # spaCy's span: the digits alone, or the digits with the unit
    for end in (at + len(f"{number:,}"), at + len(written)):
        start, stop = widened(text, at, end, "MONEY")
        assert text[start:stop] == f"{sign}{written}"
    assert widened(text, at, at + len(written), "DATE") == (at, at + len(written))
