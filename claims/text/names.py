"""Speakers' names: which of an article's name variants are one speaker, and which
"speakers" are only sources of information.

Pure (no Django). ``resolve`` groups one article's mentions:

- a person's full name, the name with an honorific ("Dr Amara Okafor", "Dr Okafor",
  "Ms Müller") and the surname alone ("Okafor") are one speaker when the article names
  exactly one full name with that surname (two Smiths: "Smith" alone stays apart);
- an organisation's short form ("the college") joins the one organisation of the
  article whose head noun it is ("the Royal College", "the Royal College of Nursing");
- a role noun stated with a person ("the medical director", given as that person's
  ``role``) is kept as the speaker's role;
- documents, figures and reports ("the board's own figures", "unconfirmed reports")
  are not speakers (``is_speaker``); vague groups of people ("officials") are.

Two mentions with different surnames are never one speaker. ``key`` is the name used
to find the same speaker across articles (``normalising.for_names`` without the
honorifics); only a ``distinctive`` name (a full name, a named organisation) is used
that way: "Okafor" in another story may be someone else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from claims.text.normalising import for_names

PERSON, ORGANISATION, GROUP = "person", "organisation", "group"
PERSON_LABELS = frozenset({"PERSON"})
ORG_LABELS = frozenset({"ORG", "NORP", "GPE", "FAC"})

HONORIFICS = frozenset(
    {"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "professor", "sir", "dame", "rev",
     "reverend", "lord", "lady"}
)  # fmt: skip
# Head nouns of what informs rather than speaks: "the board's own figures".
NOT_SPEAKERS = frozenset(
    {"figure", "figures", "number", "numbers", "statistic", "statistics", "data", "report",
     "reports", "document", "documents", "record", "records", "paper", "papers", "memo",
     "memos", "minutes", "estimate", "estimates", "filing", "filings", "study", "studies",
     "survey", "surveys", "analysis", "analyses", "file", "files", "leak", "leaks",
     "footage", "transcript", "transcripts", "rumour", "rumours", "rumor", "rumors"}
)  # fmt: skip
# Head nouns of unnamed groups of people: "Officials said" is a group, not a Mr Officials.
GROUP_NOUNS = frozenset(
    {"officials", "sources", "residents", "experts", "analysts", "doctors", "nurses", "police",
     "critics", "witnesses", "scientists", "researchers", "campaigners", "activists",
     "economists", "lawyers", "investigators", "authorities", "diplomats", "aides", "insiders",
     "locals", "protesters", "parents", "patients", "teachers", "workers", "staff", "people",
     "spokespeople", "ministers", "lawmakers", "executives", "observers", "families",
     "officers", "paramedics", "firefighters", "prosecutors", "unions", "leaders", "voters"}
)  # fmt: skip
PRONOUNS = frozenset({"he", "she", "it", "they", "we", "i", "you", "him", "her", "them"})
_CONNECTORS = frozenset({"of", "for", "on", "in", "and", "&"})
_WORD = re.compile("[^\\W_][\\w'\u2019.-]*")


@dataclass(frozen=True)
class Mention:
    """A speaker as an article names it, with the entity label the pipeline gave it
    (``PERSON``, ``ORG``...; empty when unknown) and a role stated with it."""

    name: str
    label: str = ""
    role: str = ""


@dataclass
class Speaker:
    """One speaker of an article: the name to show, every variant seen, its kind, and
    the role stated with it."""

    name: str
    kind: str
    aliases: list[str] = field(default_factory=list)
    role: str = ""

    @property
    def keys(self) -> list[str]:
        """The distinctive names' keys: what finds this speaker in other articles."""
        found = {key(a) for a in self.aliases if distinctive(a, self.kind)}
        return sorted(k for k in found if k)


# The functions of one name below are pure and each is called many times for the same
# name while one article is resolved (``clean`` ~800 times an article, for ~60 names:
# ``words``, ``core``, ``kind_of`` and ``is_speaker`` each clean it again), so they are
# cached: the names of a newsroom's articles repeat, and a bounded cache keeps a
# long-running worker's memory flat. The cached word lists are tuples; ``words`` and
# ``core`` hand out fresh lists.
_CACHED = 65536


@lru_cache(maxsize=_CACHED)
def clean(name: str) -> str:
    """Whitespace runs as one space, a possessive "'s" and edge punctuation dropped."""
    name = " ".join(name.split()).strip(" ,.;:\"'\u201c\u201d\u2018\u2019()[]")
    for suffix in ("'s", "\u2019s"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return name


def words(name: str) -> list[str]:
    return list(_words(name))


@lru_cache(maxsize=_CACHED)
def _words(name: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(clean(name)))


@lru_cache(maxsize=65536)  # the same words for each mention, in each check
def _fold(word: str) -> str:
    return for_names(word) or word.casefold()


def core(name: str) -> list[str]:
    """The name's words without a leading "the" and honorifics: "Dr Amara Okafor" ->
    ["Amara", "Okafor"]."""
    return list(_core(name))


@lru_cache(maxsize=_CACHED)
def _core(name: str) -> tuple[str, ...]:
    found = _words(name)
    while found and (_fold(found[0]) in HONORIFICS or _fold(found[0]) == "the"):
        found = found[1:]
    return found


@lru_cache(maxsize=_CACHED)
def key(name: str) -> str:
    """The name for matching across articles: case, accents, punctuation, honorifics
    and a leading "the" ignored."""
    return for_names(" ".join(_core(name)))


@lru_cache(maxsize=_CACHED)
def is_speaker(name: str) -> bool:
    """Whether the mention can be a speaker: not empty, not a pronoun, and not a
    document, figure or report."""
    found = _words(name)
    if not found or not _core(name):
        return False
    if len(found) == 1 and _fold(found[0]) in PRONOUNS:
        return False
    return _fold(_head(found)) not in NOT_SPEAKERS


def _head(found: Sequence[str]) -> str:
    """The head noun: the last word before a connector ("College" of "Royal College of
    Nursing"), else the last word."""
    for i, word in enumerate(found):
        if i > 0 and _fold(word) in _CONNECTORS:
            return found[i - 1]
    return found[-1]


def kind_of(mention: Mention) -> str:
    return _kind(mention.name, mention.label)


@lru_cache(maxsize=_CACHED)  # by name and label (hashing a ``Mention`` costs more)
def _kind(name: str, label: str) -> str:
    if label in PERSON_LABELS:
        return PERSON
    found = _words(name)
    if found and _fold(found[0]) in HONORIFICS:
        return PERSON
    if label in ORG_LABELS:
        return ORGANISATION
    if found and _fold(found[-1]) in GROUP_NOUNS:
        return GROUP
    names = _core(name)
    if names and all(w[:1].isupper() for w in names if _fold(w) not in _CONNECTORS):
        return ORGANISATION if found and _fold(found[0]) == "the" else PERSON
    return GROUP


@lru_cache(maxsize=_CACHED)
def distinctive(name: str, kind: str) -> bool:
    """A name that is one speaker wherever it appears: a person's first and last name,
    or an organisation's proper name (not "the college")."""
    names = _core(name)
    if kind == PERSON:
        return len(names) >= 2
    if kind == ORGANISATION:
        return bool(names) and all(w[:1].isupper() or not w[:1].isalpha() for w in names)
    return False


def surname(name: str) -> str:
    names = _core(name)
    return _fold(names[-1]) if names else ""


def resolve(mentions: Iterable[Mention]) -> dict[str, Speaker]:
    """The speakers of one article: each mention's cleaned name -> its speaker (the same
    ``Speaker`` object for variants of one). Mentions that are not speakers are left
    out. The result does not depend on the mentions' order."""
    seen: dict[str, Mention] = {}
    roles: dict[str, set[str]] = {}
    for mention in mentions:
        name = clean(mention.name)
        if not is_speaker(name):
            continue
        kind = _kind(name, mention.label)
        before = seen.get(name)
        if before is None or _rank(kind) < _rank(_kind(before.name, before.label)):
            seen[name] = Mention(name, mention.label)
        if mention.role:
            roles.setdefault(name, set()).add(clean(mention.role))
    groups: dict[str, list[str]] = {}  # the group's full name -> its variants
    index = _Index(seen)
    for name in sorted(seen):
        groups.setdefault(index.anchor(name), []).append(name)
    result: dict[str, Speaker] = {}
    for anchor, variants in groups.items():
        labelled = [v for v in variants if seen[v].label] or variants
        kind = min((_kind(v, seen[v].label) for v in labelled), key=_rank)
        stated = sorted({r for v in variants for r in roles.get(v, ())})
        role = stated[0] if stated else ""
        speaker = Speaker(_display(anchor), kind, aliases=sorted(variants), role=role)
        for variant in variants:
            result[variant] = speaker
    return result


_RANKS = {PERSON: 0, ORGANISATION: 1, GROUP: 2}


def _rank(kind: str) -> int:
    return _RANKS[kind]


class _Index:
    """The article's names with their keys, kinds and surnames worked out once, and
    looked up by key, by surname and by head noun: each name's anchor is then found in
    constant time (an article of 4,500 mentions took 9 minutes when every look-up
    scanned every name)."""

    def __init__(self, seen: dict[str, Mention]) -> None:
        self.kind = {name: _kind(name, mention.label) for name, mention in seen.items()}
        self.core = {name: _core(name) for name in seen}
        self.key = {name: key(name) for name in seen}
        self.by_key: dict[str, list[str]] = {}
        self.full_by_surname: dict[str, set[str]] = {}  # persons with 2+ names
        self.full_by_head: dict[str, set[str]] = {}  # organisations with 2+ words
        self.shown: dict[str, str] = {}  # ``fullest``, worked out once per key
        for name in seen:
            self.by_key.setdefault(self.key[name], []).append(name)
            names = self.core[name]
            if len(names) >= 2 and self.kind[name] == PERSON:
                self.full_by_surname.setdefault(_fold(names[-1]), set()).add(self.key[name])
            if len(names) >= 2 and self.kind[name] == ORGANISATION:
                self.full_by_head.setdefault(_fold(_head(names)), set()).add(self.key[name])

    def anchor(self, name: str) -> str:
        """The fullest variant ``name`` stands for, or ``name`` itself."""
        names = self.core[name]
        if self.kind[name] == PERSON:
            if len(names) >= 2:
                return self.fullest(self.key[name])
            fuller = self.full_by_surname.get(_fold(names[-1]) if names else "", set())
            if len(fuller) == 1:
                return self.fullest(next(iter(fuller)))
            return self.fullest(self.key[name])
        if len(names) == 1 and names[0][:1].islower():  # "the college"
            owners = self.full_by_head.get(_fold(names[0]), set())
            if len(owners) == 1:
                return self.fullest(next(iter(owners)))
        return self.fullest(self.key[name])

    def fullest(self, wanted: str) -> str:
        """Of the variants with key ``wanted``, the one to show: the longest, then the
        first in sort order (so that "Dr Amara Okafor" and "Amara Okafor" settle on
        one)."""
        found = self.shown.get(wanted)
        if found is None:
            found = min(self.by_key[wanted], key=lambda other: (-len(other), other))
            self.shown[wanted] = found
        return found


def _display(anchor: str) -> str:
    """The speaker's name: without a leading lower-case "the" ("the Royal College" ->
    "Royal College") and without honorifics before a full name."""
    found = clean(anchor).split()
    if len(found) > 1 and _fold(found[0]) == "the":
        found = found[1:]
    names = _core(anchor)
    if len(names) >= 2 and found and _fold(found[0]) in HONORIFICS:
        while found and _fold(found[0]) in HONORIFICS:
            found = found[1:]
    return " ".join(found)
