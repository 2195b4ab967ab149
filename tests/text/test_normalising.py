"""Each normalisation folds what its purpose ignores, and nothing it must keep: property
tests of ``claims.text.normalising`` (pure: no database)."""

from __future__ import annotations

import string
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from claims.text import normalising

# Words, whitespace of every kind, curly and straight quotes, dashes and accents: the
# differences the normalisers fold or must keep.
WORDY = st.text(
    alphabet=st.sampled_from(
        [
            *string.ascii_letters,
            *string.digits,
            *" \t\n\r\u00a0\u2009.,;:!?()%$",
            *normalising.QUOTE_MARKS,
            *normalising.DASHES,
            "'",
            '"',
            "-",
            "é",
            "\u0301",
            "ß",
            "İ",
            "Ω",
        ]
    ),
    max_size=60,
)
ANY_TEXT = st.text(max_size=60)
WHITESPACE_RUN = st.text(alphabet=" \t\n\u00a0\u2009", min_size=1, max_size=3)


def _straight(text: str, marks: dict[str, str] = normalising.QUOTE_MARKS) -> str:
    return text.translate(str.maketrans(marks))


# The quotation marks NFKC leaves alone: duplicates are keyed after NFKC, which turns the
# acute accent into a space and a combining accent, and a double prime into two primes.
NFKC_STABLE_MARKS = {
    mark: plain
    for mark, plain in normalising.QUOTE_MARKS.items()
    if unicodedata.normalize("NFKC", mark) == mark
}


def _reflowed(text: str, runs: list[str]) -> str:
    """``text`` with its spaces replaced by other whitespace runs."""
    words = text.split(" ")
    return "".join(word + (runs[i % len(runs)] if i < len(words) - 1 else "")
                   for i, word in enumerate(words))  # fmt: skip


# --- for_storage -------------------------------------------------------------------------


@given(ANY_TEXT)
def test_stored_text_has_newlines_only_is_nfc_and_is_stable(text: str) -> None:
    stored = normalising.for_storage(text)
    assert "\r" not in stored
    assert unicodedata.is_normalized("NFC", stored)
    assert normalising.for_storage(stored) == stored


@given(WORDY, st.data())
def test_storage_offsets_land_where_the_stored_prefix_ends(text: str, data: st.DataObject) -> None:
    offsets = data.draw(st.lists(st.integers(0, len(text)), max_size=8))
    where = normalising.storage_offsets(text, offsets)
    assert where == {o: len(normalising.for_storage(text[:o])) for o in offsets}


# --- for_wording -------------------------------------------------------------------------


@given(ANY_TEXT)
def test_wording_is_trimmed_single_spaced_and_stable(text: str) -> None:
    wording = normalising.for_wording(text)
    assert wording == wording.strip()
    assert "  " not in wording
    assert normalising.for_wording(wording) == wording


@given(
    st.text(alphabet=string.ascii_letters + " ", max_size=40), st.lists(WHITESPACE_RUN, min_size=1)
)
def test_a_reflowed_wording_is_the_same_wording(text: str, runs: list[str]) -> None:
    assert normalising.for_wording(_reflowed(text, runs)) == normalising.for_wording(text)


# --- for_search --------------------------------------------------------------------------


@given(ANY_TEXT)
def test_search_folding_is_stable(text: str) -> None:
    folded = normalising.for_search(text)
    assert normalising.for_search(folded) == folded


@given(WORDY)
def test_search_folds_case_and_composition(text: str) -> None:
    ascii_only = "".join(c for c in text if c.isascii())
    assert normalising.for_search(ascii_only.upper()) == normalising.for_search(ascii_only)
    decomposed = unicodedata.normalize("NFD", text)
    assert normalising.for_search(decomposed) == normalising.for_search(text)


# --- for_quote_matching ------------------------------------------------------------------


@given(ANY_TEXT)
def test_quote_matching_is_stable(text: str) -> None:
    once = normalising.for_quote_matching(text).text
    assert normalising.for_quote_matching(once).text == once


@given(WORDY)
def test_every_normalised_character_maps_back_to_the_one_it_came_from(text: str) -> None:
    normalised = normalising.for_quote_matching(text)
    for index, char in enumerate(normalised.text):
        original = text[normalised.original_index(index)]
        if char == " ":
            assert original.isspace()
        else:
            assert normalising.for_quote_matching(original).text == char


@given(WORDY)
def test_quote_matching_ignores_typography_and_case(text: str) -> None:
    typed = _straight(text).translate(str.maketrans(normalising.DASHES))
    plain = "".join(c.lower() if c.isascii() else c for c in typed)
    assert normalising.for_quote_matching(plain).text == normalising.for_quote_matching(text).text


# --- for_duplicates ----------------------------------------------------------------------


@given(WORDY, st.lists(WHITESPACE_RUN, min_size=1))
def test_repeats_that_differ_in_quotes_spacing_or_case_share_a_key(
    text: str, runs: list[str]
) -> None:
    key = normalising.for_duplicates(text)
    assert normalising.for_duplicates(_straight(text, NFKC_STABLE_MARKS)) == key
    assert normalising.for_duplicates(_reflowed(text, runs)) == key
    assert normalising.for_duplicates(f"  {text}\n") == key
    ascii_only = "".join(c for c in text if c.isascii())
    assert normalising.for_duplicates(ascii_only.upper()) == normalising.for_duplicates(ascii_only)


@given(WORDY)
def test_repeats_that_differ_in_a_word_do_not_share_a_key(text: str) -> None:
    assert normalising.for_duplicates(text + " x") != normalising.for_duplicates(text + " y")


# --- for_figures and for_names -----------------------------------------------------------


@given(WORDY)
def test_a_figure_key_is_lower_case_single_spaced_and_stable(text: str) -> None:
    key = normalising.for_figures(text)
    assert key == key.lower()
    assert "  " not in key and key == key.strip()
    assert normalising.for_figures(key) == key


@given(st.text(alphabet=string.ascii_letters, min_size=1, max_size=12), st.data())
def test_a_name_key_ignores_case_accents_punctuation_and_a_leading_the(
    word: str, data: st.DataObject
) -> None:
    key = normalising.for_names(word)
    accented = "".join(c + "\u0301" if c in "aeiou" else c for c in word)
    punctuated = ".".join(word) + data.draw(st.sampled_from(["", "!", " ", "\u2019"]))
    assert normalising.for_names(word.upper()) == key
    assert normalising.for_names(unicodedata.normalize("NFC", accented)) == key
    assert normalising.for_names(punctuated) == key
    assert normalising.for_names(f"The {word}") == key
