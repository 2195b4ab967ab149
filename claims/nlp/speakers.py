"""Who is speaking: canonical names, and pronouns and role nouns resolved to the nearest
compatible named speaker (rules and word lists in ``data/speakers.json``).

The pipeline calls :meth:`SpeakerMemory.observe` for every sentence in text order,
before it resolves the sentence's speakers, so a sentence's own names count when they
come before the mention ("When Kerry met Maliki, he said ...").

- "he"/"she": the nearest person named in the current sentence before the mention or
  in the previous ``window_sentences`` sentences of the text (or earlier in the same
  paragraph). In each sentence, going back, the subject comes first ("Kerry said X.
  Maliki was there too. He said Y": Maliki), then the last person named. A person
  whose gender the text shows (an honorific, "Mr. Kerry"; a gendered noun that
  introduces them, "spokeswoman Jen Psaki") must agree with the pronoun.
- "it"/"they": the nearest organisation or place (for "they" also a group such as
  "Democrats") that is the subject of a sentence in the same window.
- "the minister", "the company": the nearest entity introduced with that role
  ("Foreign Minister Sergei Lavrov", "Jen Psaki, a spokeswoman for ...", "Acme Corp")
  within ``role_window_sentences``.
- Nothing compatible nearby: the mention stays as written (a wrong speaker is worse
  than none).
- A short name ("Kerry") is expanded to the longest earlier PERSON name that ends with
  it ("John Kerry").

Each sentence is read once and each resolution looks at a bounded number of sentences,
so the work stays linear in the text.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from spacy.tokens import Span, Token

DATA_FILE = Path(__file__).parent / "data" / "speakers.json"
PERSON, GROUP_LABELS = "PERSON", frozenset({"ORG", "GPE", "NORP"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
Labels = set[str] | frozenset[str]


@dataclass(frozen=True)
class Rules:
    window: int
    role_window: int
    person_pronouns: dict[str, str]
    group_pronouns: dict[str, frozenset[str]]
    male_words: frozenset[str]
    female_words: frozenset[str]
    org_roles: dict[str, frozenset[str]]

    @classmethod
    def from_dict(cls, data: dict) -> Rules:
        return cls(
            window=int(data["window_sentences"]),
            role_window=int(data["role_window_sentences"]),
            person_pronouns=dict(data["person_pronouns"]),
            group_pronouns={k: frozenset(v) for k, v in data["group_pronouns"].items()},
            male_words=frozenset(data["male_words"]),
            female_words=frozenset(data["female_words"]),
            org_roles={k: frozenset(v) for k, v in data["org_roles"].items()},
        )


@cache
def load_rules(path: Path = DATA_FILE) -> Rules:
    with open(path, encoding="utf-8") as fh:
        return Rules.from_dict(json.load(fh))


@dataclass(frozen=True)
class Candidate:
    """A named entity a later mention may refer to."""

    name: str
    label: str
    start: int  # absolute character offsets
    end: int
    subject: bool
    words: frozenset[str]  # lower-cased words that introduce it (title, apposition, name)
    depth: int = 0  # a subject's distance from the sentence root: the main clause's is 1


@dataclass
class _Sentence:
    index: int
    block: int
    candidates: list[Candidate] = field(default_factory=list)


def _introduction(ent: Span) -> frozenset[str]:
    """The words that introduce an entity: its own, the title words right before it
    ("Foreign Minister", "Mr."), and an apposition ("X, a spokesman for Y", "a
    spokesman, X,")."""
    doc = ent.doc
    words = [t.lower_ for t in ent]
    i = ent.start - 1
    while i >= ent.sent.start and len(words) < len(ent) + 5:
        token = doc[i]
        if token.is_punct or token.pos_ in ("DET", "VERB", "AUX", "PRON", "ADP", "CCONJ"):
            break
        words.append(token.lower_)
        i -= 1
    root = ent.root
    for child in root.children:
        if child.dep_ == "appos" and child.i > root.i:
            words += [t.lower_ for t in doc[child.left_edge.i : child.i + 1]]
    if root.dep_ == "appos" and root.head.i < root.i:
        words += [t.lower_ for t in doc[root.head.left_edge.i : root.head.i + 1]]
    return frozenset(words)


def _gender(words: frozenset[str], rules: Rules) -> str | None:
    male, female = bool(words & rules.male_words), bool(words & rules.female_words)
    if male == female:
        return None
    return "male" if male else "female"


@dataclass
class SpeakerMemory:
    rules: Rules = field(default_factory=load_rules)
    full_names: dict[str, str] = field(default_factory=dict)
    genders: dict[str, str] = field(default_factory=dict)
    sentences: deque[_Sentence] = field(default_factory=deque)  # the last few
    _count: int = 0
    _blocks: int = 0
    _doc: object = None

    def observe(self, sent: Span, offset: int) -> None:
        """Read one sentence (call in text order, before resolving its speakers)."""
        if sent.doc is not self._doc:
            self._doc, self._blocks = sent.doc, self._blocks + 1
        current = _Sentence(self._count, self._blocks)
        self._count += 1
        for ent in sent.ents:
            self._remember(current, ent, offset)
        self.sentences.append(current)
        while len(self.sentences) > self.rules.role_window + 1:
            self.sentences.popleft()

    def _remember(self, current: _Sentence, ent: Span, offset: int) -> None:
        if ent.label_ != PERSON and ent.label_ not in GROUP_LABELS:
            return
        name = self._learn_name(ent.text) if ent.label_ == PERSON else _clean(ent.text)
        words = _introduction(ent)
        if ent.label_ == PERSON:
            gender = _gender(words, self.rules)
            if gender is not None:
                self.genders.setdefault(name, gender)
        subject = ent.root.dep_ in SUBJECT_DEPS
        start, end = offset + ent.start_char, offset + ent.end_char
        depth = _depth(ent.root)
        current.candidates.append(Candidate(name, ent.label_, start, end, subject, words, depth))

    def _learn_name(self, text: str) -> str:
        name = self.canonical(text)
        words = name.split()
        if words and len(name) > len(self.full_names.get(words[-1], "")):
            self.full_names[words[-1]] = name
        return self.canonical(text)

    def canonical(self, name: str) -> str:
        name = _clean(name)
        words = name.split()
        if not words:
            return name
        longer = self.full_names.get(words[-1], "")
        return longer if len(longer) > len(name) and longer.endswith(name) else name

    def named(self, mention: Span | str, is_person: bool, offset: int = 0) -> str:
        """The canonical name of a named speaker. A person speaker the entity
        recogniser missed ("Jolly said ...") is remembered as the sentence's subject."""
        if isinstance(mention, str):
            return self.canonical(mention)
        name = self.canonical(mention.text)
        start, end = offset + mention.start_char, offset + mention.end_char
        if is_person and self.sentences:
            current = self.sentences[-1]
            if not any(c.start < end and start < c.end for c in current.candidates):
                words = frozenset(t.lower_ for t in mention)
                current.candidates.append(Candidate(name, PERSON, start, end, True, words))
        return name

    def _window(self, size: int) -> list[_Sentence]:
        """The current sentence and earlier ones within ``size`` sentences or in the
        current paragraph, nearest first."""
        if not self.sentences:
            return []
        last = self.sentences[-1]
        return [
            s
            for s in reversed(self.sentences)
            if last.index - s.index <= size or s.block == last.block
        ]

    def _before(self, sentence: _Sentence, position: int) -> list[Candidate]:
        return [c for c in sentence.candidates if c.end <= position]

    def resolve_pronoun(self, mention: Span | str, offset: int = 0) -> str:
        """The nearest compatible named speaker for a pronoun, else the pronoun."""
        text = mention if isinstance(mention, str) else mention.text
        position = _position(mention, offset)
        pronoun = text.lower()
        if pronoun in self.rules.person_pronouns:
            gender = self.rules.person_pronouns[pronoun]
            found = self._nearest(position, {PERSON}, gender, subjects_only=False)
        elif pronoun in self.rules.group_pronouns:
            labels = self.rules.group_pronouns[pronoun]
            found = self._nearest(position, labels, None, subjects_only=True)
        else:
            found = None
        return found.name if found is not None else text

    def _nearest(
        self, position: int, labels: Labels, gender: str | None, *, subjects_only: bool
    ) -> Candidate | None:
        for sentence in self._window(self.rules.window):
            fitting = [
                c
                for c in self._before(sentence, position)
                if c.label in labels and self._agrees(c, gender)
            ]
            subjects = [c for c in fitting if c.subject]
            if subjects:  # the main clause's subject before a subordinate one's
                return min(reversed(subjects), key=_by_depth)
            if fitting and not subjects_only:
                return fitting[-1]
        return None

    def _agrees(self, candidate: Candidate, gender: str | None) -> bool:
        known = self.genders.get(candidate.name)
        return gender is None or known is None or known == gender

    def resolve_role(self, mention: Span | str, offset: int = 0) -> str:
        """The nearest entity introduced with the mention's role noun, else the mention."""
        text = mention if isinstance(mention, str) else mention.text
        words = text.lower().split()
        if not words:
            return text
        role = words[-1]
        markers = self.rules.org_roles.get(role)
        labels = GROUP_LABELS if markers is not None else {PERSON}
        markers = markers or frozenset({role})
        position = _position(mention, offset)
        for sentence in self._window(self.rules.role_window):
            fitting = [
                c
                for c in self._before(sentence, position)
                if c.label in labels and c.words & markers
            ]
            if fitting:
                return fitting[-1].name
        return text


def _by_depth(candidate: Candidate) -> int:
    return candidate.depth


def _depth(token: Token) -> int:
    depth = 0
    while token.head != token and depth < 100:
        token, depth = token.head, depth + 1
    return depth


def _position(mention: Span | str, offset: int) -> int:
    """Where the mention starts in the whole text (a plain string: after everything)."""
    if isinstance(mention, str):
        return 1 << 62
    return offset + mention.start_char


def _clean(name: str) -> str:
    name = " ".join(name.split())
    if name.endswith("'s") or name.endswith("\u2019s"):
        name = name[:-2]
    return name
