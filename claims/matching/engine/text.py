"""What the matcher sees of a text: index terms, numbers and capitalised names."""

from __future__ import annotations

import re
from functools import cache

import Stemmer

_STOP_WORDS = """a about above after again against all am an and any are as at be because been
    before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself now of off on once only or other our ours ourselves
    out over own same she should so some such than that the their theirs them themselves then
    there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours yourself yourselves
    rt amp via"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
_URL = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/)\S+", re.IGNORECASE)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_WORD = re.compile(r"[^\W_]+(?:[.,][0-9]+)*", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w'-]+")


def clean(text: str) -> str:
    """The text without URLs, with hashtags and handles split into words."""
    text = _URL.sub(" ", text)
    text = re.sub(r"[#@](\w+)", lambda m: " " + _CAMEL.sub(" ", m.group(1)) + " ", text)
    return " ".join(text.split())


@cache
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def terms(text: str) -> list[str]:
    """Stemmed index terms: lower-cased words and numbers, stop words left out."""
    words = [w for w in _WORD.findall(clean(text).lower()) if w not in STOP_WORDS]
    return _stemmer().stemWords([w.replace(",", "") for w in words])


def numbers(text: str) -> set[str]:
    found = set()
    for number in _NUMBER.findall(_URL.sub(" ", text)):
        number = number.replace(",", "")
        found.add(number.rstrip("0").rstrip(".") if "." in number else number)
    return found


def names(text: str) -> set[str]:
    """Capitalised words not at the start of a sentence: a cheap stand-in for entities."""
    return {n.lower() for n in _NAME.findall(clean(text))}


def word_count(text: str) -> int:
    return len(_WORD.findall(text))
