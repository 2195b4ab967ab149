"""The headline check (issue 32): a headline or sub-heading whose figures or names differ
from the body sentence that carries the same fact ("the headline says £48m; the body says
£46m").

For each figure of a heading, the body sentences that state a figure of the same kind
and share its words are the ones that may carry the same fact: a common word next to the
figure in both ("£48m wing", "the wing will cost £46m"), or words weighing 2 together,
each weighed by how few sentences have it (a word in one sentence weighs 1, in two 1/2).
A bare number needs both the word it counts ("12,000 patients") and some of the
heading's words; a number that numbers ("1. Examine the blooms", "Idea #1") and a number
in words are left alone. When one of those sentences states the heading's figure, the
heading agrees (so does any sentence that shares a word with the heading and states it:
flagging asks more than agreeing); otherwise the best of them is where the body says
otherwise. Figures round: "£46m" agrees with "£46.4m" and "46%" with "45.7%" (one
rounds to the other at the precision it is written at), never "£48m" with "£46m".
Figures of other kinds never disagree.

A name in a heading (capitalised words the body does not use in lower case: in a heading
in Title Case only after an honorific, and a heading's first word only before a verb of
saying, "Osei says ...") that the body never mentions, where the sentence carrying the
same fact names someone the heading does not, is a names mismatch ("the headline says
Osei; the body says Amara Okafor").

Pure: plain text in, plain data out, no Django.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import Stemmer

from claims.text import figures

HEADLINE, SUBHEADING = "headline", "sub-heading"
FIGURE, NAME = "figure", "name"

_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")
_NUMBER = re.compile(r"[0-9][0-9,]*(?:\.([0-9]+))?")
MIN_COUNT_SCORE = 1.0  # a bare number also needs words of the heading in the sentence
COUNTED = 2  # words after a bare number that say what it counts ("432 new cases")
BESIDE_ONLY = frozenset({"count", "date"})  # compared only through the words by them
NEAR = 6  # words either side of a figure that say what it counts ("£48m wing")
MIN_SCORE = 2.0  # a sentence carries the heading's fact from this score, or with a word
# that stands next to the figure in both ("£48m wing", "the wing will cost £46m")
MIN_NAME_SCORE = 1.5  # names are compared only with a sentence that shares more

_LISTS = json.loads((Path(__file__).parent / "data" / "headline.json").read_text("utf-8"))
STOP = frozenset(_LISTS["stop"])
SAYING = frozenset(_LISTS["saying"])
HONORIFICS = frozenset(_LISTS["honorifics"])
_OPENS = re.compile(r"[:|\u2013\u2014]|\s-\s")  # a heading's parts: "Losing face: ..."


@dataclass(frozen=True)
class Heading:
    """A headline or sub-heading; ``start`` is where it is in the body (None for a title
    that is not in it)."""

    text: str
    where: str = HEADLINE
    start: int | None = None


@dataclass(frozen=True)
class Sentence:
    """A body sentence (a claim's text), with where it is and the claim's id if known."""

    text: str
    start: int
    end: int
    claim: int | None = None


@dataclass(frozen=True)
class Mismatch:
    where: str  # "headline" or "sub-heading"
    heading: str
    kind: str  # "figure" or "name"
    said: str  # the heading's figure or name, as written
    body: str  # the body's, as written
    sentence: str
    start: int
    end: int
    claim: int | None = None

    @property
    def message(self) -> str:
        return f"the {self.where} says {self.said}; the body says {self.body}"

    def as_json(self) -> dict[str, Any]:
        return asdict(self) | {"message": self.message}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Mismatch:
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in names})


# --- Words ---------------------------------------------------------------------------------


@lru_cache(maxsize=65536)  # words, over and over: each body word for each heading
def fold(word: str) -> str:
    """Lower case without accents ("Müller" -> "muller")."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@cache
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """ "Opened", "opens" -> "open"; "Mary's" -> "mary"."""
    word = fold(word).replace("\u2019", "'")
    if word.endswith("'s"):
        word = word[:-2]
    return str(_stemmer().stemWord(word))


def _words(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]


@lru_cache(maxsize=8192)
def content_words(text: str) -> frozenset[str]:
    """The stems of the words that say what a text is about (no function words)."""
    return frozenset(_stem(w) for w, _, _ in _words(text) if fold(w) not in STOP and len(w) > 1)


def _near(text: str, figure: figures.Figure, *, common: bool = False) -> set[str]:
    """The content words within ``NEAR`` words of a figure; with ``common``, only those
    written in lower case (what the figure counts, "wing", not a place: "Leeds")."""
    before = [w for w, _, end in _words(text) if end <= figure.start]
    after = [w for w, start, _ in _words(text) if start >= figure.end]
    near = before[-NEAR:] + after[:NEAR]
    return {
        _stem(w)
        for w in near
        if fold(w) not in STOP and len(w) > 1 and not (common and w[:1].isupper())
    }


# --- Figures -------------------------------------------------------------------------------


def _quantum(figure: figures.Figure) -> Decimal:
    """The precision the figure was written at, in its own unit ("£48m": 1,000,000;
    "4.5%": 0.1); 0 when it cannot be told (a number in words: exact)."""
    match = _NUMBER.search(figure.text)
    if match is None or figure.amount is None:
        return Decimal(0)
    written = Decimal(match.group().replace(",", ""))
    if written == 0:
        return Decimal(0)
    decimals = len(match.group(1) or "")
    return (figure.amount / written) * Decimal(10) ** -decimals


def rounds_to(heading: figures.Figure, body: figures.Figure) -> bool:
    """Does the body's figure say what the heading's says, at the heading's precision?
    (Same kind and unit; "£46m" for "£46.4m"; dates agree part by part.)"""
    if heading.kind != body.kind:
        return False
    if heading.kind == "date" or heading.amount is None or body.amount is None:
        return heading.agrees(body)
    if heading.unit != body.unit:
        return False
    return abs(body.amount - heading.amount) * 2 <= _quantum(heading)


def agree(heading: figures.Figure, body: figures.Figure) -> bool:
    """The two say the same, each at its own precision: one rounds to the other
    ("£46m" and "£46.4m" agree both ways; "£48m" and "£46m" do not)."""
    return rounds_to(heading, body) or rounds_to(body, heading)


# --- Matching ------------------------------------------------------------------------------


def weights(sentences: Sequence[Sentence]) -> dict[str, float]:
    """1 / the number of sentences a word is in."""
    counts: dict[str, int] = {}
    for sentence in sentences:
        for word in content_words(sentence.text):
            counts[word] = counts.get(word, 0) + 1
    return {word: 1 / n for word, n in counts.items()}


def score(
    heading: str,
    sentence: Sentence,
    weights: dict[str, float],
    exclude: frozenset[str] | set[str] = frozenset(),
) -> float:
    shared = (content_words(heading) & content_words(sentence.text)) - exclude
    return sum(weights.get(word, 0.0) for word in shared)


def _bare(figure: figures.Figure) -> bool:
    """A number alone ("432", "12,000", "two"), not "7.6 million" or "£46m"."""
    return figure.kind == "count" and _quantum(figure) <= 1


def _counted(text: str, figure: figures.Figure, *, common: bool = False) -> set[str]:
    """What a bare number counts: the content words among the ``COUNTED`` words after it
    ("432 new cases": "case"); with ``common``, only those written in lower case."""
    after = [w for w, start, _ in _words(text) if start >= figure.end][:COUNTED]
    return {
        _stem(w)
        for w in after
        if fold(w) not in STOP and len(w) > 1 and not (common and w[:1].isupper())
    }


def _carries(
    heading: Heading, figure: figures.Figure, sentence: Sentence, same_kind: list[figures.Figure]
) -> bool:
    """Does a common word stand by the figure in both? For a bare number, the word it
    counts ("12,000 patients"), so that a list's numbers, model numbers ("RTX 3080") and
    ages do not meet each other; for the others, any word near it ("£48m wing", "the
    wing will cost £46m")."""
    if _bare(figure):
        counted = _counted(heading.text, figure)
        return any(counted & _counted(sentence.text, f, common=True) for f in same_kind)
    near = _near(heading.text, figure)
    return any(near & _near(sentence.text, f, common=True) for f in same_kind)


def _figure_mismatch(
    heading: Heading,
    figure: figures.Figure,
    sentences: Sequence[Sentence],
    weights: dict[str, float],
) -> Mismatch | None:
    carrying: list[tuple[float, Sentence, list[figures.Figure]]] = []
    heading_words = content_words(heading.text)
    for sentence in sentences:
        if heading_words.isdisjoint(content_words(sentence.text)):
            continue  # no word in common: see ``_carriable``; its figures are not read
        same_kind = [f for f in figures.extract(sentence.text) if f.kind == figure.kind]
        if not same_kind:
            continue
        points = score(heading.text, sentence, weights)
        if points > 0 and any(agree(figure, f) for f in same_kind):
            return None  # a sentence on the same subject states it: the heading has it
        beside = _carries(heading, figure, sentence, same_kind)
        if _bare(figure):
            enough = beside and points >= MIN_COUNT_SCORE
        else:
            enough = beside or (points >= MIN_SCORE and figure.kind not in BESIDE_ONLY)
        if enough:
            carrying.append((points + beside, sentence, same_kind))
    if not carrying or any(agree(figure, f) for _, _, found in carrying for f in found):
        return None
    _, best, found = max(carrying, key=lambda item: (item[0], -item[1].start))
    near = _near(heading.text, figure)
    stated = sorted(  # the same unit first, then the figure with the heading's words by it
        found, key=lambda f: (f.unit != figure.unit, not near & _near(best.text, f, common=True))
    )
    return Mismatch(heading.where, heading.text, FIGURE, figure.text, stated[0].text,
                    best.text, best.start, best.end, best.claim)  # fmt: skip


def _carriable(heading: Heading, figure: figures.Figure) -> bool:
    """Could any body sentence carry this figure's fact? Not when the words it needs by
    the figure are none: a bare number's counted words (a title's "... 2024 0"), the
    words near a count or a date. Then ``_figure_mismatch`` finds nothing, whatever the
    body says, and ``check`` skips it.

    The same reasoning lets ``_figure_mismatch`` pass over a sentence that shares no
    content word with the heading: the words by a figure (``_near``, ``_counted``) are
    content words of their text, so such a sentence has no word beside the figure in
    common, scores 0, and neither agrees nor carries."""
    if _bare(figure):
        return bool(_counted(heading.text, figure))
    if figure.kind in BESIDE_ONLY:
        return bool(_near(heading.text, figure))
    return True


def _names(text: str, lower: set[str]) -> list[str]:
    """The names in a heading: runs of capitalised words that the body does not use in
    lower case; in a heading in Title Case or capitals, only those after an honorific. A
    heading's first word (or a part's, after a colon) is capitalised anyway ("Losing
    face: ..."): alone, it is a name only before a verb of saying ("Osei says ...")."""
    words = _words(text)
    capitalised = [w for w, _, _ in words if w[:1].isupper()]
    title_case = len(words) > 1 and len(capitalised) * 2 > len(words) + 1
    names: list[str] = []
    run: list[str] = []
    run_initial = after_honorific = False

    def flush(following: str) -> None:
        if run and not (run_initial and len(run) == 1 and fold(following) not in SAYING):
            names.append(" ".join(run))
        run.clear()

    previous_end = 0
    for word, start, end in words:
        initial = previous_end == 0 or bool(_OPENS.search(text[previous_end:start]))
        if initial:
            flush("")
        name_like = (
            word[:1].isupper()
            and fold(word) not in STOP
            and fold(word) not in HONORIFICS
            and fold(word) not in lower
            and (after_honorific or not title_case)
        )
        if name_like:
            run_initial = run_initial if run else initial
            run.append(word)
        else:
            flush(word)
        after_honorific = fold(word) in HONORIFICS or (after_honorific and name_like)
        previous_end = end
    flush("")
    return names


def _sentence_names(text: str, lower: set[str]) -> list[str]:
    """Names in a body sentence: runs of capitalised words the body never uses in lower
    case."""
    names, run = [], []
    for word, _, _ in _words(text):
        folded = fold(word)
        name_like = (
            word[:1].isupper()
            and folded not in STOP
            and folded not in HONORIFICS
            and folded not in lower
        )
        if name_like:
            run.append(word)
        elif run:
            names.append(" ".join(run))
            run = []
    if run:
        names.append(" ".join(run))
    return names


def _name_mismatches(
    heading: Heading,
    sentences: Sequence[Sentence],
    weights: dict[str, float],
    body_words: set[str],
    lower: set[str],
) -> list[Mismatch]:
    found = []
    for name in _names(heading.text, lower):
        parts = {fold(part) for part in name.split()}
        if parts & body_words:
            continue  # the body mentions them (any part of the name: "Okafor" for Dr Okafor)
        scored = [(score(heading.text, s, weights, exclude=parts), s) for s in sentences]
        scored = [(points, s) for points, s in scored if points >= MIN_NAME_SCORE]
        if not scored:
            continue
        _, best = max(scored, key=lambda item: (item[0], -item[1].start))
        heading_words = {fold(w) for w, _, _ in _words(heading.text)}
        others = [
            other
            for other in _sentence_names(best.text, lower)
            if not {fold(p) for p in other.split()} & heading_words
        ]
        if others:
            found.append(Mismatch(heading.where, heading.text, NAME, name, others[0],
                                  best.text, best.start, best.end, best.claim))  # fmt: skip
    return found


def check(headings: Iterable[Heading], sentences: Sequence[Sentence]) -> list[Mismatch]:
    """Every figure and name of the headings that the body sentence carrying the same
    fact states otherwise, in the headings' order.

    It runs on every article extracted (issue 34), so the body is read only for what a
    heading could be contradicted on: its figures that a sentence could carry
    (``_carriable``), and its names when it has any. A heading's names with the body's
    lower-case words unknown (``_names(text, set())``) are all the names it could have:
    a word the body writes in lower case only stops being a name, so none there means
    none at all. A heading with neither is not compared, and no heading, no body."""
    headings = list(headings)
    checked = [
        (heading, _checked_figures(heading), bool(_names(heading.text, set())))
        for heading in headings
    ]
    if not any(figs or named for _, figs, named in checked):
        return []
    body = [s for s in sentences if not any(holds(s, heading) for heading in headings)]
    weighed = weights(body)
    body_words, lower = _body_words(body) if any(named for *_, named in checked) else (set(), set())
    found: list[Mismatch] = []
    for heading, figs, named in checked:
        for figure in figs:
            mismatch = _figure_mismatch(heading, figure, body, weighed)
            if mismatch is not None and mismatch not in found:
                found.append(mismatch)
        if named:
            found += [m for m in _name_mismatches(heading, body, weighed, body_words, lower)
                      if m not in found]  # fmt: skip
    return found


def _checked_figures(heading: Heading) -> list[figures.Figure]:
    """The heading's figures the body could contradict: not a list's numbering, and one
    a sentence could carry."""
    return [
        figure
        for figure in figures.extract(heading.text)
        if not numbering(heading.text, figure) and _carriable(heading, figure)
    ]


def _body_words(body: Sequence[Sentence]) -> tuple[set[str], set[str]]:
    """The body's words folded, and those of them it writes in lower case somewhere.
    Each distinct word is folded once (this runs on every article written; issue 34)."""
    written: set[str] = set()
    for sentence in body:
        written.update(_WORD.findall(sentence.text))
    every = {fold(word) for word in written}
    lower = {fold(word) for word in written if word[:1].islower()}
    return every, lower


_NUMBERING = re.compile(
    r"(?:#|\b(?:no|nos|number|example|step|method|idea|part|tip|level|phase|chapter|day|"
    r"week|round|season|episode|volume|vol|section|stage|option|question|rule|reason|way)"
    r"\.?)\s*$",
    re.IGNORECASE,
)
_LIST_NUMBER = re.compile(r"\s*[0-9]+\s*[.):]")


def numbering(text: str, figure: figures.Figure) -> bool:
    """A number that numbers, not counts: a list's ("1. Examine the blooms", "Idea #1",
    "Example 3:", "Level 3"); and a number in words ("Two disasters are worse than one"),
    which a heading uses loosely."""
    if not _bare(figure):
        return False
    if not any(ch.isdigit() for ch in figure.text):
        return True
    if figure.start == 0 and _LIST_NUMBER.match(text):
        return True
    return bool(_NUMBERING.search(text[: figure.start]))


def holds(sentence: Sentence, heading: Heading) -> bool:
    """Is the sentence a heading line (a headline in the body read as a sentence)?"""
    if heading.start is None:
        return False
    return sentence.start < heading.start + len(heading.text) and heading.start < sentence.end


_SENTENCE_END = re.compile(
    r"(?<=[.!?])[\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(\[]?[A-Z0-9£$€])"
)


def sentences_of(text: str, start: int, end: int) -> list[Sentence]:
    """A plain split of ``text[start:end]`` into sentences (for a text not parsed yet)."""
    bounds, at = [], start
    for match in _SENTENCE_END.finditer(text, start, end):
        bounds.append((at, match.start()))
        at = match.end()
    bounds.append((at, end))
    found = []
    for lo, hi in bounds:
        while lo < hi and text[lo].isspace():
            lo += 1
        while hi > lo and text[hi - 1].isspace():
            hi -= 1
        if lo < hi:
            found.append(Sentence(text[lo:hi], lo, hi))
    return found
