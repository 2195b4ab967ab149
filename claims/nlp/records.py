"""Plain result records returned by :func:`claims.nlp.extract` (no spaCy objects inside)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


class InputRefused(ValueError):
    """Input that cannot be processed at all; the message is meant for a person."""


@dataclass(frozen=True)
class Span:
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Entity:
    text: str
    label: str
    start: int
    end: int


@dataclass(frozen=True)
class Attribution:
    speaker: str
    speaker_start: int
    speaker_end: int
    mention: str
    cue: str
    cue_start: int
    cue_end: int
    content_start: int | None
    content_end: int | None


@dataclass(frozen=True)
class Claim:
    text: str
    start: int
    end: int
    prefix: str
    suffix: str
    sentence_index: int
    checkworthiness: float
    check_worthy: bool
    claim_type: str
    hedged: bool
    hedge_cues: list[Span] = field(default_factory=list)
    attribution: Attribution | None = None
    entities: list[Entity] = field(default_factory=list)
    occurrences: list[tuple[int, int]] = field(default_factory=list)
    factuality: str = "asserted"
    factuality_cues: list[Span] = field(default_factory=list)
    attributions: list[Attribution] = field(default_factory=list)
    standalone: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "prefix": self.prefix,
            "suffix": self.suffix,
            "checkworthiness": self.checkworthiness,
            "check_worthy": self.check_worthy,
            "claim_type": self.claim_type,
            "hedged": self.hedged,
            "hedge_cues": [asdict(cue) for cue in self.hedge_cues],
            "attribution": asdict(self.attribution) if self.attribution else None,
            "entities": [asdict(entity) for entity in self.entities],
            "occurrences": [[start, end] for start, end in self.occurrences],
            "factuality": self.factuality,
            "factuality_cues": [asdict(cue) for cue in self.factuality_cues],
            "attributions": [asdict(a) for a in self.attributions],
            "standalone": self.standalone,
        }


@dataclass(frozen=True)
class Dropped:
    text: str
    start: int
    end: int
    reason: str


@dataclass(frozen=True)
class Extraction:
    pipeline_version: str
    model: str
    claims: list[Claim]
    dropped: list[Dropped]

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of ``manage.py extract --format json``."""
        return {
            "pipeline": {"version": self.pipeline_version, "model": self.model},
            "claims": [claim.to_dict() for claim in self.claims],
            "dropped": [asdict(item) for item in self.dropped],
        }
