"""Text normalisation: one named function per purpose, each the only one of its kind.

Pure (no Django). Each purpose folds a different set of differences, and the stored
text itself is only ever put through ``for_storage``:

- ``for_storage``: article text as stored. Line endings become ``\\n`` (CRLF and lone CR
  alike: browsers send every textarea line break as CRLF, and a client rendering the
  text as HTML drops the CRs, so offsets into CRLF text would point past the claims
  they name) and the text is put in Unicode NFC, so ``café`` typed precomposed or as
  ``e`` + U+0301 is one text. Claim offsets index the normalised text;
  ``storage_offsets`` says where offsets into the text as received land.
- ``for_wording``: the wording a confirmation is about (NFC, whitespace runs folded,
  trimmed), so a re-flowed line does not lapse a confirmation.
- ``for_search``: what search compares: case, accents (``Müller`` = ``Muller``, ``Zoë``
  = ``Zoe``), Unicode composition, and typographic quotes and dashes folded; spacing and
  punctuation kept. Stored, tokenised, in each searchable model's ``search_text``
  column (``claims.models.search``), so every database compares the same folded text.
- ``for_quote_matching``: what the quote check compares: case, whitespace runs, curly
  and straight quotes and apostrophes, and dashes folded, one character for one (but
  whitespace runs), remembering where each piece came from in the original.
- ``for_duplicates``: the key under which repeated sentences of an article collapse
  (NFKC, quotes and apostrophes, whitespace runs and case folded).
- ``for_figures``: a figure token's key (lower case, inner whitespace folded).
- ``for_names``: a publisher's or outlet's name for matching (case, accents,
  punctuation, spaces and a leading "The" ignored).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# Typography that changes no word, each one character for one: quotation marks and
# apostrophes, then dashes.
QUOTE_MARKS = {
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
}
DASHES = {
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "-",  # figure dash
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2015": "-",  # horizontal bar
    "\u2212": "-",  # minus sign
}
_QUOTES = str.maketrans(QUOTE_MARKS)
_TYPOGRAPHY = str.maketrans(QUOTE_MARKS | DASHES)
_WHITESPACE = re.compile(r"\s+")
_NAME_WORD = re.compile(r"[^\W_]+")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# --- Stored text ---------------------------------------------------------------------------


def for_storage(text: str) -> str:
    """Article text as stored: ``\\n`` line endings, Unicode NFC."""
    return nfc(text.replace("\r\n", "\n").replace("\r", "\n"))


def storage_offsets(text: str, offsets: Iterable[int]) -> dict[int, int]:
    """Where each offset into ``text`` lands in ``for_storage(text)``."""
    wanted = sorted(set(offsets))
    if "\r" not in text and unicodedata.is_normalized("NFC", text):
        return {offset: offset for offset in wanted}
    if unicodedata.is_normalized("NFC", text):
        pairs = [match.start() for match in re.finditer("\r\n", text)]
        # a CRLF wholly before the offset is one character shorter now
        return {offset: offset - bisect.bisect_left(pairs, offset - 1) for offset in wanted}
    return {offset: len(for_storage(text[:offset])) for offset in wanted}


# --- Comparing texts -----------------------------------------------------------------------


def for_wording(text: str) -> str:
    """The wording that a confirmation is about: NFC, whitespace runs folded, trimmed."""
    return " ".join(nfc(text).split())


def for_search(text: str) -> str:
    """The form search compares: case-folded, accents dropped, NFC, curly quotes and
    dashes as their ASCII forms (``Café Müller-Zoë`` -> ``cafe muller-zoe``, an en dash
    too). Marks that
    are part of a letter's decomposition go (``é`` = ``e`` + U+0301); letters without
    one stay (``ø``, ``ł``)."""
    folded = unicodedata.normalize("NFD", text.translate(_TYPOGRAPHY).casefold())
    bare = "".join(c for c in folded if not unicodedata.combining(c))
    return nfc(bare)


def for_duplicates(text: str) -> str:
    """Fold whitespace runs, quote/apostrophe variants and case, for comparing texts."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return _WHITESPACE.sub(" ", text).strip().casefold()


def for_figures(token: str) -> str:
    """A figure token's key: lower case, whitespace runs as one space."""
    return " ".join(token.lower().split())


def for_names(name: str) -> str:
    """A publisher's or outlet's name for matching: case, accents, punctuation, spaces
    and a leading "The" ignored ("The N.Y. Times" -> "nytimes")."""
    folded = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(c for c in folded if not unicodedata.combining(c))
    words = _NAME_WORD.findall(letters.replace("'", "").replace("\u2019", ""))
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return "".join(words)


# --- The quote check -----------------------------------------------------------------------


@dataclass(frozen=True)
class Normalised:
    """Normalised text plus where each of its segments starts in the original."""

    text: str
    starts: list[int]  # segment starts in ``text``
    origins: list[int]  # the same segments' starts in the original

    def original_index(self, index: int) -> int:
        segment = bisect.bisect_right(self.starts, index) - 1
        return self.origins[segment] + (index - self.starts[segment])

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        return self.original_index(start), self.original_index(end - 1) + 1


def _lower_keeping_length(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def for_quote_matching(text: str) -> Normalised:
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
    return Normalised("".join(pieces), starts, origins)
