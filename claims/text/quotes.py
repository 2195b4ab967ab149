"""The quote check: does a source's text really contain the quoted excerpt?

First an exact search, after normalising what typography changes without changing words:
case, runs of whitespace, curly and straight quotes and apostrophes, and dashes. Then a
fuzzy search with rapidfuzz's ``partial_ratio_alignment``, which scores the best-matching
window of the text against the excerpt (0-100). A score at or above the threshold counts
as "approximate": by default 90 (setting ``WORKBENCH_QUOTE_FUZZY_THRESHOLD``), which lets
one changed word in a sentence-long quote through but not a different sentence.

An approximate match must still say the same numbers: a passage that matches but for a
figure ("fell by 9 percent" for "fell by 12 percent") is *not found*, whatever its score,
since the figure is usually what the claim is about.

``matched`` is always a real substring of the original text, so it can be shown and
highlighted as the source wrote it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any, Literal

from rapidfuzz import fuzz

DEFAULT_THRESHOLD = 90.0

# One character in, one character out, so offsets survive the translation.
_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'",  # left single quotation mark
        "\u2019": "'",  # right single quotation mark / apostrophe
        "\u201a": "'",  # single low-9 quotation mark
        "\u201b": "'",  # single high-reversed-9 quotation mark
        "\u2032": "'",  # prime
        "\u0060": "'",  # grave accent used as a quote
        "\u00b4": "'",  # acute accent used as an apostrophe
        "\u201c": '"',  # left double quotation mark
        "\u201d": '"',  # right double quotation mark
        "\u201e": '"',  # double low-9 quotation mark
        "\u201f": '"',  # double high-reversed-9 quotation mark
        "\u2033": '"',  # double prime
        "\u00ab": '"',  # left-pointing guillemet
        "\u00bb": '"',  # right-pointing guillemet
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2012": "-",  # figure dash
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2015": "-",  # horizontal bar
        "\u2212": "-",  # minus sign
    }
)
_WHITESPACE = re.compile(r"\s+")
# A figure as written: digits with thousands separators and decimals ("467,000", "4.2").
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# Pasted quotes often bring their own quotation marks; the source's may differ or sit
# after a comma, so they are dropped from the excerpt's ends before searching.
_QUOTE_EDGES = " \"'"


@dataclass(frozen=True)
class QuoteCheck:
    result: Literal["found", "approximate", "not_found"]
    score: float
    matched: str


@dataclass(frozen=True)
class _Normalised:
    """Normalised text plus where each of its segments starts in the original."""

    text: str
    starts: list[int]  # segment starts in ``text``
    origins: list[int]  # the same segments' starts in the original

    def original_index(self, index: int) -> int:
        segment = bisect_right(self.starts, index) - 1
        return self.origins[segment] + (index - self.starts[segment])

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        return self.original_index(start), self.original_index(end - 1) + 1


def _lower_keeping_length(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def normalise(text: str) -> _Normalised:
    """Fold case, quotes, dashes and whitespace runs, remembering original offsets."""
    folded = _lower_keeping_length(text.translate(_TYPOGRAPHY))
    pieces: list[str] = []
    starts: list[int] = []
    origins: list[int] = []
    length = position = 0
    for match in _WHITESPACE.finditer(folded):
        for piece, origin in ((folded[position : match.start()], position), (" ", match.start())):
            pieces.append(piece)
            starts.append(length)
            origins.append(origin)
            length += len(piece)
        position = match.end()
    pieces.append(folded[position:])
    starts.append(length)
    origins.append(position)
    return _Normalised("".join(pieces), starts, origins)


def _threshold(value: float | None) -> float:
    if value is not None:
        return float(value)
    try:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured
    except ImportError:
        return DEFAULT_THRESHOLD
    try:
        return float(getattr(settings, "WORKBENCH_QUOTE_FUZZY_THRESHOLD", DEFAULT_THRESHOLD))
    except (ImproperlyConfigured, ImportError):
        return DEFAULT_THRESHOLD


def _widen_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Grow a span so it does not cut a word in half."""
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    return start, end


def _word_edges(text: str, low: int, high: int, *, starts: bool) -> list[int]:
    """Positions in ``text[low:high]`` where a word starts (or, with starts=False, ends)."""
    low, high = max(low, 0), min(high, len(text))
    edges = []
    for index in range(max(low, 1), high):
        inner, outer = (index, index - 1) if starts else (index - 1, index)
        if text[inner].isalnum() and not text[outer].isalnum():
            edges.append(index)
    return edges


def _snap_to_words(needle: str, haystack: str, start: int, end: int) -> tuple[int, int]:
    """Move a fuzzy window's ends to the nearby word boundaries that fit the excerpt best.

    ``partial_ratio_alignment`` returns a window as long as the excerpt, so a quote that is
    a few characters shorter or longer than the source's wording gets cut mid-phrase.
    """
    slack = max(8, len(needle) // 5)
    starts = [start, *_word_edges(haystack, start - slack, start + slack, starts=True)]
    ends = [end, *_word_edges(haystack, end - slack, end + slack + 1, starts=False)]
    pairs = [(s, e) for s in starts for e in ends if e > s]
    return max(pairs, key=lambda pair: fuzz.ratio(needle, haystack[pair[0] : pair[1]]))


def _passage(text: str, normalised: _Normalised, start: int, end: int) -> str:
    original_start, original_end = normalised.original_span(start, end)
    original_start, original_end = _widen_to_words(text, original_start, original_end)
    return text[original_start:original_end].strip()


def check_quote(excerpt: str, text: str, *, threshold: float | None = None) -> QuoteCheck:
    """Look for ``excerpt`` in ``text``: found exactly, approximately, or not at all."""
    needle = normalise(excerpt).text.strip(_QUOTE_EDGES)
    haystack = normalise(text)
    if not needle or not haystack.text.strip():
        return QuoteCheck("not_found", 0.0, "")
    exact = haystack.text.find(needle)
    if exact >= 0:
        return QuoteCheck("found", 100.0, _passage(text, haystack, exact, exact + len(needle)))
    alignment: Any = fuzz.partial_ratio_alignment(needle, haystack.text)
    if alignment is None or alignment.score < _threshold(threshold):
        return QuoteCheck("not_found", round(alignment.score if alignment else 0.0, 1), "")
    start, end = _snap_to_words(needle, haystack.text, alignment.dest_start, alignment.dest_end)
    matched = _passage(text, haystack, start, end)
    if _figures(needle) != _figures(normalise(matched).text):
        return QuoteCheck("not_found", round(alignment.score, 1), "")
    return QuoteCheck("approximate", round(alignment.score, 1), matched)


def _figures(text: str) -> list[str]:
    """The numbers a passage states, in order, separators ignored ("467,000" = "467000")."""
    return [re.sub(r"[.,](?=\d{3}\b)", "", n) for n in _NUMBER.findall(text)]
