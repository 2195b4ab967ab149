"""The quote check: does a source's text really contain the quoted excerpt?

First an exact search, after normalising what typography changes without changing words:
case, runs of whitespace, curly and straight quotes and apostrophes, and dashes. Then a
fuzzy search with rapidfuzz's ``partial_ratio_alignment``, which scores the best-matching
window of the text against the excerpt (0-100). A score at or above the threshold counts
as "approximate": by default 90 (setting ``WORKBENCH_QUOTE_FUZZY_THRESHOLD``), which lets
one changed word in a sentence-long quote through but not a different sentence.

An approximate match must still say the same thing. A passage that matches but for a
negation ("were not reported" for "were reported"), a contrast from the curated list in
``data/meaning.json`` ("fell" for "rose", "denied" for "confirmed", "deaths" for
"cases"), or a figure, unit or magnitude ("9 percent" for "12 percent", "thirty" for
"three", "billion" for "million"; "two" and "2" are the same figure) is *not found*,
whatever its score, with a ``reason`` that says where they differ. An exact match is
found as it stands.

An excerpt of fewer than ``MIN_WORDS`` words is not looked for: a word or two is found
almost anywhere and proves nothing.

``matched`` is always a real substring of the original text, so it can be shown and
highlighted as the source wrote it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache
from typing import Any, Literal

from rapidfuzz import fuzz

from claims.text import figures
from claims.text.normalising import Normalised, for_quote_matching

DEFAULT_THRESHOLD = 90.0
MIN_WORDS = 4
TOO_SHORT = f"the excerpt is too short to check: at least {MIN_WORDS} words"

# A word as the meaning check reads it: letters and digits, with inner apostrophes
# ("wasn't") and separators ("467,000").
_WORD = re.compile(r"[^\W_]+(?:['.,][^\W_]+)*")
_WORD_BEFORE = re.compile(r"(\S+)\s*$")
_WORD_AFTER = re.compile(r"\s*\S+")
# Pasted quotes often bring their own quotation marks; the source's may differ or sit
# after a comma, so they are dropped from the excerpt's ends before searching.
_QUOTE_EDGES = " \"'"


@dataclass(frozen=True)
class QuoteCheck:
    result: Literal["found", "approximate", "not_found"]
    score: float
    matched: str
    reason: str = ""  # why a passage that scored high enough is not found


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


def _passage(text: str, normalised: Normalised, start: int, end: int) -> str:
    original_start, original_end = normalised.original_span(start, end)
    original_start, original_end = _widen_to_words(text, original_start, original_end)
    return text[original_start:original_end].strip()


def word_count(excerpt: str) -> int:
    """How many words the excerpt has (a word has at least one letter or digit)."""
    return sum(1 for word in excerpt.split() if any(ch.isalnum() for ch in word))


def too_short(excerpt: str) -> bool:
    return word_count(excerpt) < MIN_WORDS


def check_quote(excerpt: str, text: str, *, threshold: float | None = None) -> QuoteCheck:
    """Look for ``excerpt`` in ``text``: found exactly, approximately, or not at all."""
    needle = for_quote_matching(excerpt).text.strip(_QUOTE_EDGES)
    haystack = for_quote_matching(text)
    if not needle or not haystack.text.strip():
        return QuoteCheck("not_found", 0.0, "")
    if too_short(needle):
        return QuoteCheck("not_found", 0.0, "", TOO_SHORT)
    exact = haystack.text.find(needle)
    if exact >= 0:
        return QuoteCheck("found", 100.0, _passage(text, haystack, exact, exact + len(needle)))
    alignment: Any = fuzz.partial_ratio_alignment(needle, haystack.text)
    if alignment is None or alignment.score < _threshold(threshold):
        return QuoteCheck("not_found", round(alignment.score if alignment else 0.0, 1), "")
    window = _snap_to_words(needle, haystack.text, alignment.dest_start, alignment.dest_end)
    differences = []
    for start, end in _with_neighbours(haystack.text, *window):
        matched = _passage(text, haystack, start, end)
        differences.append(meaning_difference(needle, for_quote_matching(matched).text))
        if not differences[-1]:
            return QuoteCheck("approximate", round(alignment.score, 1), matched)
    return QuoteCheck("not_found", round(alignment.score, 1), "", differences[0])


def _with_neighbours(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The passage, then with the word before it, after it, and both: a fuzzy window
    leaves out a figure written differently at its edge ("2" for the excerpt's "two")."""
    before = _WORD_BEFORE.search(text, max(0, start - 100), start)
    after = _WORD_AFTER.match(text, end)
    wider = before.start(1) if before else start
    further = after.end() if after else end
    return list(dict.fromkeys([(start, end), (wider, end), (start, further), (wider, further)]))


# --- Does the passage say what the excerpt says? ------------------------------------------


@dataclass(frozen=True)
class _Word:
    key: str  # what is compared: lower case; "n't" read as "not"
    start: int
    end: int


@cache
def _lexicon() -> tuple[frozenset[str], dict[str, list[str]], dict[str, frozenset[int]]]:
    """Negations, contractions, and for each contrasting word the groups it is in."""
    words = figures.lexicon()
    groups: dict[str, set[int]] = {}
    for number, group in enumerate(words["contrasts"]):
        for word in group:
            groups.setdefault(word, set()).add(number)
    frozen = {word: frozenset(numbers) for word, numbers in groups.items()}
    return frozenset(words["negations"]), words["contractions"], frozen


def _words(text: str) -> list[_Word]:
    _, contractions, _ = _lexicon()
    words: list[_Word] = []
    for match in _WORD.finditer(text):
        token, start, end = match.group(), match.start(), match.end()
        if token in contractions:
            keys = contractions[token]
        elif token.endswith("n't"):
            keys = [token[:-3], "not"]
        else:
            keys = [token]
        words.extend(_Word(key, start, end) for key in keys if key)
    return words


def _contrast(removed: list[str], added: list[str]) -> bool:
    _, _, groups = _lexicon()
    return any(
        a != b and groups.get(a, frozenset()) & groups.get(b, frozenset())
        for a in removed
        for b in added
    )


def meaning_difference(excerpt: str, passage: str) -> str:
    """Where ``passage`` says something other than ``excerpt`` (both normalised): a
    negation, a contrasting word or a figure; "" when it does not."""
    negations, _, _ = _lexicon()
    ours, theirs = _words(excerpt), _words(passage)
    a, b = [word.key for word in ours], [word.key for word in theirs]
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        removed, added = a[i1:i2], b[j1:j2]
        negated = sorted(k for k in removed if k in negations) != sorted(
            k for k in added if k in negations
        )
        if negated or _contrast(removed, added):
            if not removed or not added:  # show the words around an inserted "not"
                i1, i2, j1, j2 = max(i1 - 1, 0), i2 + 1, max(j1 - 1, 0), j2 + 1
            return _says(_span(passage, theirs[j1:j2]), _span(excerpt, ours[i1:i2]))
    return _figure_difference(excerpt, passage)


def _figure_difference(excerpt: str, passage: str) -> str:
    ours, theirs = figures.extract(excerpt), figures.extract(passage)
    if list(ours) == list(theirs):
        return ""
    matcher = SequenceMatcher(None, ours, theirs, autojunk=False)
    _, i1, i2, j1, j2 = next(op for op in matcher.get_opcodes() if op[0] != "equal")
    said = " ".join(str(figure) for figure in ours[i1:i2])
    instead = " ".join(str(figure) for figure in theirs[j1:j2])
    if not said:
        return f"the source says '{instead}' where the excerpt has no such figure"
    if not instead:
        return f"the excerpt says '{said}' where the source has no such figure"
    return _says(instead, said)


def _span(text: str, words: list[_Word]) -> str:
    return text[words[0].start : words[-1].end] if words else ""


def _says(source: str, excerpt: str) -> str:
    return f"the source says '{source}' where the excerpt says '{excerpt}'"
