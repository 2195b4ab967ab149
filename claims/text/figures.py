"""Figures in a text, as values that can be compared: numbers with their units, currency
and percent, magnitudes, and dates.

"£46 million", "£46m" and "46 million pounds" are one figure (money, £, 46000000);
"71 percent", "71 per cent" and "71%" are one (percent, 71); "two" is 2; "12 March
2024", "March 12, 2024" are one date, and "March 2024" and "2024" agree with it. A bare
four-digit number from 1800 to 2199 is a year. "one" is a figure only before a magnitude
or a unit, or after a currency sign ("one of them" is not a figure). The words come from
``data/meaning.json``.

``disagreement(claim, excerpt)`` says where an excerpt contradicts a claim's figures: a
figure the claim states that the excerpt does not, while the excerpt states another of
the same kind ("the claim says £46 million, the excerpt says £48 million"). Figures of
other kinds, and an excerpt without figures, never disagree.

Pure: plain text in, plain data out, no Django.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from claims.text import normalising

MEANING_FILE = Path(__file__).resolve().parent / "data" / "meaning.json"

Date = tuple[int | None, int | None, int | None]  # year, month, day

_TOKEN = re.compile(
    r"(?P<sign>us\$|[£$€¥₹])"
    r"|(?P<number>[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?(?![0-9])|[0-9]+(?:\.[0-9]+)?)"
    r"|(?P<word>per\s+cent|percentage\s+points?|°[cf]|%|[^\W\d_]+)",
    re.IGNORECASE,
)
_JOINED = re.compile(r"[\s\-\u2010-\u2014]{0,3}")  # what may stand between parts of a figure
_DATE_JOINED = re.compile(r"[\s,\-\u2010-\u2014]{0,3}")
_ORDINAL = {"st", "nd", "rd", "th"}
_YEARS = range(1800, 2200)


@cache
def lexicon() -> dict[str, Any]:
    """The word lists of ``data/meaning.json``, read once per process."""
    return json.loads(MEANING_FILE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Figure:
    """One figure: its kind ("count", "money", "percent", "length", "date"…), its unit
    ("£", "%", " points", " km"; "" for counts and dates) and its value."""

    kind: str
    unit: str = ""
    amount: Decimal | None = None
    date: Date = (None, None, None)
    text: str = field(default="", compare=False)  # as written in the text
    start: int = field(default=0, compare=False)  # where it is in the text read
    end: int = field(default=0, compare=False)

    def agrees(self, other: Figure) -> bool:
        """Same kind and value; dates agree when each part both state is the same
        ("March 2024" agrees with "12 March 2024")."""
        if self.kind != other.kind:
            return False
        if self.kind == "date":
            return all(
                a is None or b is None or a == b for a, b in zip(self.date, other.date, strict=True)
            )
        return self.unit == other.unit and self.amount == other.amount

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class _Token:
    group: str  # "sign", "number" or "word"
    key: str  # lower case, inner whitespace folded
    start: int
    end: int


def _tokens(text: str) -> list[_Token]:
    return [
        _Token(m.lastgroup or "", normalising.for_figures(m.group()), m.start(), m.end())
        for m in _TOKEN.finditer(text)
    ]


class _Reader:
    """Reads figures from a text's tokens, left to right."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.words = lexicon()

    def joined(self, index: int, pattern: re.Pattern[str] = _JOINED) -> bool:
        """Does token ``index`` follow the one before it with only a space or a hyphen
        between them?"""
        if index <= 0 or index >= len(self.tokens):
            return False
        gap = self.text[self.tokens[index - 1].end : self.tokens[index].start]
        return pattern.fullmatch(gap) is not None

    def key(self, index: int) -> str:
        return self.tokens[index].key if index < len(self.tokens) else ""

    def figure(self, kind: str, first: int, after: int, **values: Any) -> Figure:
        start, end = self.tokens[first].start, self.tokens[after - 1].end
        text = " ".join(self.text[start:end].split())
        return Figure(kind, text=text, start=start, end=end, **values)

    def read(self) -> list[Figure]:
        figures, index = [], 0
        while index < len(self.tokens):
            found = self.date(index) or self.quantity(index)
            if found is None:
                index += 1
                continue
            figure, index = found
            figures.append(figure)
        return figures

    # --- numbers --------------------------------------------------------------------------

    def number(self, index: int) -> tuple[Decimal, int, bool] | None:
        """A number at ``index``: its value, the index after it, and whether it was
        written in digits."""
        token = self.tokens[index] if index < len(self.tokens) else None
        if token is None:
            return None
        if token.group == "number":
            return Decimal(token.key.replace(",", "")), index + 1, True
        words = self.words["number_words"]
        if token.key not in words:
            return None
        value = Decimal(words[token.key])
        units = self.key(index + 1)
        if 20 <= value <= 90 and self.joined(index + 1) and words.get(units, 99) < 10:
            return value + words[units], index + 2, False  # "twenty-one"
        return value, index + 1, False

    def quantity(self, first: int) -> tuple[Figure, int] | None:
        index, currency = first, ""
        signs = self.words["currency_signs"]
        if self.key(index) in signs:
            currency = signs[self.key(index)]
            index += 1
            if not self.joined(index):
                return None
        read = self.number(index)
        if read is None:
            return None
        amount, index, digits = read
        magnitude = False
        while True:
            key = self.key(index)
            if key in self.words["magnitudes"] and self.joined(index):
                amount *= self.words["magnitudes"][key]
            elif key in self.words["short_magnitudes"] and (
                self._touching(index) or (len(key) > 1 and self.joined(index))
            ):
                amount *= self.words["short_magnitudes"][key]
            else:
                break
            magnitude, index = True, index + 1
        kind, unit = ("money", currency) if currency else ("count", "")
        key = self.key(index)
        if not currency and key in self.words["currency_words"] and self.joined(index):
            kind, unit, index = "money", self.words["currency_words"][key], index + 1
        elif key in self.words["units"] and self.joined(index):
            kind, unit = self.words["units"][key]
            index += 1
        plain = kind == "count" and not magnitude
        if plain and not digits and self.tokens[first].key == "one":
            return None  # "one of them"
        if plain and digits and self._year(first):
            return self.figure("date", first, index, date=(int(amount), None, None)), index
        return self.figure(kind, first, index, unit=unit, amount=amount.normalize()), index

    def _touching(self, index: int) -> bool:
        return index < len(self.tokens) and self.tokens[index - 1].end == self.tokens[index].start

    def _number_token(self, index: int) -> bool:
        return index < len(self.tokens) and self.tokens[index].group == "number"

    def _year(self, index: int) -> bool:
        key = self.key(index)
        return self._number_token(index) and len(key) == 4 and key.isdigit() and int(key) in _YEARS

    # --- dates ----------------------------------------------------------------------------

    def day(self, index: int) -> tuple[int, int] | None:
        """A day of the month at ``index`` ("12", "12th"), and the index after it."""
        if not self._number_token(index):
            return None
        key = self.key(index)
        if not (key.isdigit() and len(key) <= 2 and 1 <= int(key) <= 31):
            return None
        if self.key(index + 1) in _ORDINAL and self._touching(index + 1):
            index += 1
        return int(key), index + 1

    def month(self, index: int) -> int | None:
        return self.words["months"].get(self.key(index))

    def year(self, index: int) -> int | None:
        return int(self.key(index)) if self._year(index) else None

    def date(self, first: int) -> tuple[Figure, int] | None:
        joined = self.joined
        day = self.day(first)
        if day is not None:  # "12 March 2024", "12th of March"
            index = day[1] + (1 if self.key(day[1]) == "of" and joined(day[1]) else 0)
            month = self.month(index) if joined(index) else None
            if month is None:
                return None
            index += 1
            year = self.year(index) if joined(index, _DATE_JOINED) else None
            index += year is not None
            return self.figure("date", first, index, date=(year, month, day[0])), index
        month = self.month(first)
        if month is None:
            return None
        index = first + 1
        day = self.day(index) if joined(index) else None
        if day is not None:  # "March 12, 2024"
            index = day[1]
        year = self.year(index) if joined(index, _DATE_JOINED) else None
        if day is None and year is None:
            return None  # "may" alone is not a date
        index += year is not None
        date = (year, month, day[0] if day else None)
        return self.figure("date", first, index, date=date), index


@lru_cache(maxsize=4096)
def extract(text: str) -> tuple[Figure, ...]:
    """Every figure in ``text``, in order."""
    return tuple(_Reader(text).read())


def contradicted(
    claim: tuple[Figure, ...], excerpt: tuple[Figure, ...]
) -> tuple[list[Figure], list[Figure]]:
    """The claim's figures that the excerpt contradicts, and the excerpt's figures of
    those kinds (both empty when they agree)."""
    said: list[Figure] = []
    instead: list[Figure] = []
    for figure in claim:
        same_kind = [other for other in excerpt if other.kind == figure.kind]
        if same_kind and not any(figure.agrees(other) for other in same_kind):
            said.append(figure)
            instead.extend(other for other in same_kind if other not in instead)
    return said, instead


def disagreement(claim: str, excerpt: str) -> str:
    """ "the claim says £46 million, the excerpt says £48 million", or "" when the
    excerpt's figures do not contradict the claim's."""
    said, instead = contradicted(extract(claim), extract(excerpt))
    if not said:
        return ""
    return f"the claim says {_listed(said)}, the excerpt says {_listed(instead)}"


def _listed(figures: list[Figure]) -> str:
    texts = list(dict.fromkeys(figure.text for figure in figures))
    return texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " and " + texts[-1]
