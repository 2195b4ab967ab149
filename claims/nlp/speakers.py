"""Who is speaking: canonical names and pronoun resolution across the whole text.

A pronoun speaker ("He said") is resolved to the most recent named person speaker,
else to the most recent PERSON entity. A role-noun speaker ("the minister", "the
spokesman") is resolved to the most recent named person speaker only (never to a
person who has not spoken: a wrong speaker is worse than none), else kept as written.
A short name ("Kerry") is expanded to the longest earlier PERSON name that ends with
it ("John Kerry").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from claims.nlp.records import Entity

PERSON_PRONOUNS = frozenset({"he", "she", "him", "her"})


@dataclass
class SpeakerMemory:
    full_names: dict[str, str] = field(default_factory=dict)
    last_person_speaker: str | None = None
    last_person: str | None = None

    def observe(self, entities: Iterable[Entity]) -> None:
        """Remember the PERSON names seen (call in text order, after each sentence)."""
        for entity in entities:
            if entity.label != "PERSON":
                continue
            name = self.canonical(entity.text)
            words = name.split()
            if words and len(name) > len(self.full_names.get(words[-1], "")):
                self.full_names[words[-1]] = name
            self.last_person = self.canonical(entity.text)

    def canonical(self, name: str) -> str:
        name = " ".join(name.split())
        if name.endswith("'s") or name.endswith("\u2019s"):
            name = name[:-2]
        words = name.split()
        if not words:
            return name
        longer = self.full_names.get(words[-1], "")
        return longer if len(longer) > len(name) and longer.endswith(name) else name

    def named(self, mention: str, is_person: bool) -> str:
        name = self.canonical(mention)
        if is_person:
            self.last_person_speaker = name
        return name

    def resolve_role(self, mention: str) -> str:
        return self.last_person_speaker or mention

    def resolve_pronoun(self, pronoun: str) -> str:
        if pronoun.lower() not in PERSON_PRONOUNS:
            return pronoun
        return self.last_person_speaker or self.last_person or pronoun
