"""Split text into blocks (lines/paragraphs), drop boilerplate and repeated blocks.

Runs before any parsing, on the raw text, so a pasted article that contains itself
twice is parsed about once. Offsets always index the original text.

- A block is a line (a run of characters without a line break), stripped of outer
  whitespace. A line that continues a hard-wrapped paragraph (the previous line does
  not end a sentence and this one starts in lower case) is joined to it.
- A block longer than ``max_chars`` is cut into bounded chunks, at a sentence end when
  there is one in the second half of the window, else at whitespace, else hard.
- Boilerplate: data-driven patterns in ``data/boilerplate.json``.
- Page furniture by form (``layout`` in the same file), in a text of several lines only:
  headings, sub-headings, promo labels and list items (a few words, no sentence-final
  punctuation) and navigation questions (a short line that is one question). Not
  furniture: an item of a numbered or bulleted list ("1. Choose the right pot", "- cd to
  the directory", "37. What did one volcano say?"), which is the page's content, and a
  question standing alone between paragraphs of body text (an interview's question),
  where a navigation question comes among other furniture lines.
- Sub-headings by place: a short line without final punctuation (at most
  ``SUBHEADING_MAX_WORDS`` words, not a list item) standing alone between two paragraphs
  is a heading whatever its words ("Opposition doubts" has a verb for the parser, but it
  is furniture, never a claim); an ``<h2>``-``<h6>`` of an HTML page comes out of the
  main-text extraction as such a line.
- Duplicate: a block whose exact text appeared as an earlier kept block; it points at
  that block, so its sentences become occurrences of the first copy's claims.

Main text and claims are two questions (``main_text``): a sub-heading is the article's
text (kept, marked ``heading``) but never a claim; page furniture is neither.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
MAX_BLOCK_CHARS = 10_000
_LINE = re.compile(r"[^\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")
_SENTENCE_END = re.compile(r"[.!?;:\"'\u201d\u2019)\]]\s*$")
_CUT_AT_SENTENCE = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s+")
_WHITESPACE = re.compile(r"\s+")
SUBHEADING_MAX_WORDS = 8
NAV_RUN = 3  # heading lines in a row that are a menu or a list of links, not sub-headings

TEXT, BOILERPLATE, DUPLICATE, NO_WORDS = "text", "boilerplate", "duplicate", "no_words"
HEADING, QUESTION, MAYBE_HEADING = "heading", "question", "maybe_heading"
TABLE = "table"  # a table row as trafilatura writes it: cells between " | "
_TABLE_ROW = re.compile(r"\S\s+\|\s+\S")
# "1. ", "12) ", "- ", "• ", "* ": a line that is an item of a list (content, not a heading)
_LIST_ITEM = re.compile("(?:\\d{1,3}[.)]|[-\u2022*\u2023\u25e6\u2043\u2013])\\s+\\S")


@dataclass(frozen=True)
class Block:
    start: int
    end: int
    kind: str = TEXT
    original: int | None = None  # index of the first copy, for duplicates
    maybe_heading: bool = False  # short, no final punctuation: a heading unless it has a verb


@dataclass(frozen=True)
class BoilerplatePattern:
    name: str
    regex: re.Pattern[str]
    max_chars: int

    def matches(self, text: str) -> bool:
        return len(text) <= self.max_chars and self.regex.match(text) is not None


@cache
def _data(path: Path = DATA_DIR / "boilerplate.json") -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


@cache
def boilerplate_patterns(path: Path = DATA_DIR / "boilerplate.json") -> tuple:
    data = _data(path)
    return tuple(
        BoilerplatePattern(
            p["name"],
            re.compile(p["regex"], re.IGNORECASE if "i" in p["flags"] else 0),
            p["max_chars"],
        )
        for p in data["patterns"]
    )


def boilerplate_reason(text: str) -> str | None:
    """The name of the first boilerplate pattern matching ``text``, or None."""
    return next((p.name for p in boilerplate_patterns() if p.matches(text)), None)


def _title_case(words: list[str], small: frozenset[str]) -> bool:
    cased = [w for w in words if w[:1].isalpha()]
    if not cased:
        return False
    if all(w.isupper() for w in cased if len(w) > 1) and any(len(w) > 1 for w in cased):
        return True
    return len(cased) >= 3 and all(w[0].isupper() or w.lower() in small for w in cased)


def furniture_reason(text: str) -> str | None:
    """ "table", "heading", "question" or "maybe_heading" (by the form of a line), else
    None.

    "table": a table row of a page (``claims.nlp.html`` writes a row per line, its cells
    between ``|``); the article's text, never a claim.

    "maybe_heading": a short line without final punctuation in sentence case; it is a
    heading unless the parse finds a finite verb in it (the pipeline decides).
    """
    layout = _data()["layout"]
    stripped = text.rstrip()
    if _LIST_ITEM.match(stripped):
        return None
    if _TABLE_ROW.search(stripped):
        return TABLE
    words = stripped.split()
    quoted = any(q in stripped for q in '"\u201c\u201d')
    if stripped.endswith("?") and "?" not in stripped[:-1] and not quoted:
        return QUESTION if len(words) <= layout["question_max_words"] else None
    if len(words) > layout["heading_max_words"] or stripped[-1:] in layout["terminal"]:
        return None
    if _title_case(words, frozenset(layout["small_words"])):
        return HEADING
    return MAYBE_HEADING


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _continues(text: str, previous: tuple[int, int], start: int) -> bool:
    """A hard-wrapped continuation: one line break apart, no sentence end, lower case."""
    gap = text[previous[1] : start]
    if gap.count("\n") + gap.count("\r") - gap.count("\r\n") > 1:
        return False
    if _SENTENCE_END.search(text[previous[0] : previous[1]]):
        return False
    return text[start].islower()


def lines(text: str) -> list[tuple[int, int]]:
    """Stripped, non-empty lines as (start, end), hard-wrapped lines joined."""
    spans: list[tuple[int, int]] = []
    for match in _LINE.finditer(text):
        start, end = _strip(text, match.start(), match.end())
        if start == end:
            continue
        if spans and _continues(text, spans[-1], start):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _cut_point(text: str, start: int, limit: int) -> int:
    window = text[start : start + limit]
    ends = [m.end() for m in _CUT_AT_SENTENCE.finditer(window, limit // 2)]
    if ends:
        return start + ends[-1]
    spaces = [m.start() for m in _WHITESPACE.finditer(window, limit // 2)]
    return start + spaces[-1] if spaces else start + limit


def chunks(text: str, start: int, end: int, limit: int = MAX_BLOCK_CHARS) -> list[tuple[int, int]]:
    """Cut ``text[start:end]`` into stripped pieces of at most ``limit`` characters."""
    pieces = []
    while end - start > limit:
        cut = _cut_point(text, start, limit)
        pieces.append(_strip(text, start, cut))
        start, _ = _strip(text, cut, end)
    pieces.append((start, end))
    return [p for p in pieces if p[0] < p[1]]


def split_blocks(text: str, max_chars: int = MAX_BLOCK_CHARS) -> list[Block]:
    """Blocks of ``text`` in order, each classified as text, boilerplate or duplicate."""
    blocks: list[Block] = []
    first_copy: dict[str, int] = {}
    spans = lines(text)
    layout = len(spans) > 1
    forms = [furniture_reason(text[s:e]) if layout else None for s, e in spans]
    for at, (line_start, line_end) in enumerate(spans):
        furniture = forms[at]
        if furniture == QUESTION and _between_body_text(text, spans, forms, at):
            furniture = None  # an interview's question, not a navigation link
        for start, end in chunks(text, line_start, line_end, max_chars):
            piece = text[start:end]
            blocks.append(_classify(piece, start, end, first_copy, len(blocks), furniture))
    return _subheadings(text, blocks) if layout else blocks


def _paragraph(text: str, block: Block) -> bool:
    """A block of running text: a sentence end at its end, or longer than a heading."""
    if block.kind not in (TEXT, DUPLICATE) or block.maybe_heading:
        return False
    piece = text[block.start : block.end]
    return bool(_SENTENCE_END.search(piece)) or len(piece.split()) > SUBHEADING_MAX_WORDS


def _subheadings(text: str, blocks: list[Block]) -> list[Block]:
    """Short unpunctuated lines standing alone between two paragraphs become headings
    (and so do later copies of them). List items are never ``maybe_heading``."""
    found = []
    for index in range(1, len(blocks) - 1):
        block = blocks[index]
        piece = text[block.start : block.end]
        if (
            block.kind == TEXT
            and block.maybe_heading
            and len(piece.split()) <= SUBHEADING_MAX_WORDS
            and _paragraph(text, blocks[index - 1])
            and _paragraph(text, blocks[index + 1])
        ):
            found.append(index)
    if not found:
        return blocks
    headings = set(found)
    return [
        Block(b.start, b.end, HEADING)
        if i in headings or (b.kind == DUPLICATE and b.original in headings)
        else b
        for i, b in enumerate(blocks)
    ]


def main_text(blocks: list[Block]) -> list[Block]:
    """The blocks that are the article's own text, in order: body text (``text``, also
    a ``maybe_heading`` line, which the pipeline may still keep from being a claim),
    sub-headings (``heading`` lines) and table rows (``table``). Not main text: page
    furniture (boilerplate, lines without words, navigation questions, and a run of
    ``NAV_RUN`` or more heading or question lines in a row: a menu, a list of related
    links, a bar of promo labels) and repeats (their first copy is the main text)."""
    furniture = set()
    run: list[int] = []
    for index, block in enumerate([*blocks, Block(0, 0, TEXT)]):
        if block.kind in (HEADING, QUESTION):
            run.append(index)
            continue
        if len(run) >= NAV_RUN:
            furniture.update(run)
        run = []
    kept = (TEXT, HEADING, TABLE)
    return [b for i, b in enumerate(blocks) if b.kind in kept and i not in furniture]


def _between_body_text(
    text: str, spans: list[tuple[int, int]], forms: list[str | None], at: int
) -> bool:
    """Whether the lines before and after line ``at`` are both body text: not of a
    furniture form and not boilerplate."""
    if at == 0 or at + 1 >= len(spans):
        return False
    return all(
        forms[i] is None and not boilerplate_reason(text[slice(*spans[i])])
        for i in (at - 1, at + 1)
    )


def _classify(
    piece: str, start: int, end: int, first_copy: dict[str, int], index: int, furniture: str | None
) -> Block:
    if boilerplate_reason(piece):
        return Block(start, end, BOILERPLATE)
    if not any(ch.isalnum() for ch in piece):
        return Block(start, end, NO_WORDS)
    if furniture in (HEADING, QUESTION, TABLE):
        return Block(start, end, furniture)
    if piece in first_copy:
        return Block(start, end, DUPLICATE, first_copy[piece])
    first_copy[piece] = index
    return Block(start, end, TEXT, maybe_heading=furniture == MAYBE_HEADING)
