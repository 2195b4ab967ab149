"""``claims.text.merge.merge3``: two edits of one revision, merged when they touch
different words (the article editor's refused save, issue 31 item 1)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from claims.text.merge import merge3

BASE = "The home side won the final 32 to 6 on Saturday. The new stand cost £12 million."

words = st.lists(st.sampled_from(["won", "lost", "32", "8", "£15", "million", ".", "the"]))
texts = words.map(" ".join)


def test_changes_to_different_words_are_both_kept() -> None:
    mine = BASE.replace("£12", "£15")
    theirs = BASE.replace("32 to 6", "32 to 8")
    assert merge3(BASE, mine, theirs) == BASE.replace("£12", "£15").replace("to 6", "to 8")


def test_changes_to_the_same_words_are_left_to_the_person() -> None:
    assert merge3(BASE, BASE.replace("6", "7"), BASE.replace("6", "8")) is None


def test_changes_to_neighbouring_words_are_left_to_the_person() -> None:
    mine, theirs = BASE.replace("final 32", "final 31"), BASE.replace("the final", "the cup")
    assert merge3(BASE, mine, theirs) is None
    assert merge3(BASE, BASE.replace("32 to", "31 to"), BASE.replace("to 6", "to 8")) is not None


def test_an_insertion_and_a_deletion_far_apart_are_both_kept() -> None:
    mine = "Breaking: " + BASE
    theirs = BASE.replace(" The new stand cost £12 million.", "")
    assert merge3(BASE, mine, theirs) == "Breaking: " + theirs


@given(base=texts, edited=texts)
def test_an_edit_merged_with_the_unchanged_text_is_that_edit(base: str, edited: str) -> None:
    assert merge3(base, edited, base) == edited
    assert merge3(base, base, edited) == edited


@given(base=texts, edited=texts)
def test_the_same_edit_twice_is_that_edit(base: str, edited: str) -> None:
    assert merge3(base, edited, edited) == edited


@given(base=texts, mine=texts, theirs=texts)
def test_a_merge_is_symmetric(base: str, mine: str, theirs: str) -> None:
    assert merge3(base, mine, theirs) == merge3(base, theirs, mine)
