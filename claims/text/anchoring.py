"""Finding a claim again in a new revision of its article's text.

A claim is anchored like a W3C Web Annotation: a TextQuoteSelector (exact text with
some context either side) and a TextPositionSelector (start, end). After an edit the
quote is looked for first exactly (with its context, then alone, nearest to the old
position), then fuzzily with rapidfuzz. Pure functions: no database.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

# Below this similarity (0..100) a fuzzy match is not the same claim any more.
FUZZY_THRESHOLD = 90.0


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    exact: bool


CONTEXT_UNITS = 32  # prefix and suffix, in UTF-16 code units (what JavaScript counts)


def utf16_length(text: str) -> int:
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def clip_prefix(prefix: str, units: int = CONTEXT_UNITS) -> str:
    """The end of ``prefix`` that fits in ``units`` UTF-16 code units (an emoji is two)."""
    used, start = 0, len(prefix)
    while start > 0:
        size = 2 if ord(prefix[start - 1]) > 0xFFFF else 1
        if used + size > units:
            break
        used, start = used + size, start - 1
    return prefix[start:]


def clip_suffix(suffix: str, units: int = CONTEXT_UNITS) -> str:
    """The start of ``suffix`` that fits in ``units`` UTF-16 code units."""
    return clip_prefix(suffix[::-1], units)[::-1]


def context(text: str, start: int, end: int, width: int = CONTEXT_UNITS) -> tuple[str, str]:
    """The TextQuoteSelector context: at most ``width`` UTF-16 code units either side."""
    before, after = text[max(0, start - width) : start], text[end : end + width]
    return clip_prefix(before, width), clip_suffix(after, width)


def find(
    text: str, exact: str, *, prefix: str = "", suffix: str = "", hint: int = 0
) -> Anchor | None:
    """Where ``exact`` stands in ``text`` now, or None when it cannot be found."""
    if not exact:
        return None
    with_context = text.find(prefix + exact + suffix)
    if with_context >= 0 and text.count(prefix + exact + suffix) == 1:
        start = with_context + len(prefix)
        return Anchor(start, start + len(exact), exact=True)
    positions = _all_positions(text, exact)
    if positions:
        start = min(positions, key=lambda p: abs(p - hint))
        return Anchor(start, start + len(exact), exact=True)
    return _fuzzy(text, exact)


def _all_positions(text: str, needle: str) -> list[int]:
    positions, at = [], text.find(needle)
    while at >= 0:
        positions.append(at)
        at = text.find(needle, at + 1)
    return positions


def _fuzzy(text: str, exact: str) -> Anchor | None:
    if len(exact) < 20:
        return None  # too short to be told apart from chance
    alignment = fuzz.partial_ratio_alignment(exact, text, score_cutoff=FUZZY_THRESHOLD)
    if alignment is None:
        return None
    start, end = alignment.dest_start, alignment.dest_end
    # partial_ratio aligns a window as long as the needle; trim the window to the text.
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end - start < len(exact) * 0.8:
        return None
    return Anchor(start, end, exact=False)
