"""The confirmation rule, as a pure function: which evidence counts, and does the claim
hold. No Django here: ``verification.py`` gathers the facts from the database and this
module judges them, so the rule can be read in one place and tested on plain data.

A piece of supporting evidence *counts* only when all of these hold:

1. its source has a capture: fetched successfully, or provided by hand;
2. the source is not dead (a fetched capture whose page has since died no longer
   counts; a capture provided by hand stands on its own);
3. it quotes an excerpt of at least four words (``quotes.MIN_WORDS``: whatever an older
   quote check recorded), and that excerpt was found (exactly or approximately) in the
   source's *latest* capture (the check must have run on that very capture); an
   approximate match that differs by a negation, a contrast or a figure is not found;
4. the excerpt's figures do not contradict the claim's *current* wording: a figure the
   claim states that the excerpt does not, while the excerpt states another of the same
   kind ("figures differ: the claim says £46 million, the excerpt says £48 million");
5. its publisher is independent of the article's: another publisher family (bbc.com and
   bbc.co.uk are one publisher), and not a wire that the article itself carries. A
   source whose text carries a wire credit ("LONDON (Reuters) -") counts as that wire.

A claim *can be confirmed* when at least ``required`` distinct publishers back it with
counting evidence, no evidence refutes it, it is not orphaned, and its anchor is on the
article's current revision. A confirmation *holds* while the claim can still be
confirmed and its wording is the wording that was confirmed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from claims.text import figures, normalising, quotes

PUBLISHERS_FILE = Path(__file__).resolve().parents[1] / "data" / "publishers.json"
# Wire datelines and credits stand at the top or the bottom of a story; searching only
# there keeps "she told the Associated Press" in the middle of a story from counting.
WIRE_HEAD = 600
WIRE_TAIL = 300

SUPPORTS, REFUTES = "supports", "refutes"
FOUND_STATES = ("found", "approximate")


# --- Wording ------------------------------------------------------------------------------


def wording_sha256(text: str) -> str:
    return hashlib.sha256(normalising.for_wording(text).encode("utf-8")).hexdigest()


# --- Publishers and wires -------------------------------------------------------------------


@dataclass(frozen=True)
class Wire:
    name: str
    patterns: tuple[re.Pattern[str], ...]


@cache
def seed_publishers() -> list[dict[str, Any]]:
    """The seed list of publisher families (``claims/data/publishers.json``)."""
    return json.loads(PUBLISHERS_FILE.read_text(encoding="utf-8"))["publishers"]


def install_seed(publisher_model: Any, domain_model: Any) -> int:
    """Create the seed publishers and domains that are missing (takes the model classes,
    so a data migration can pass its historical ones). Returns how many were created."""
    created = 0
    for entry in seed_publishers():
        publisher, new = publisher_model.objects.get_or_create(
            name=entry["name"],
            defaults={"url": entry["url"], "wire_credits": entry["wire_credits"],
                      "cite": entry["cite"]},
        )  # fmt: skip
        created += new
        for domain in entry["domains"]:
            if not domain_model.objects.filter(domain=domain).exists():
                domain_model.objects.create(publisher=publisher, domain=domain)
    return created


def compile_wires(publishers: Iterable[Mapping[str, Any]]) -> tuple[Wire, ...]:
    return tuple(
        Wire(p["name"], tuple(re.compile(pattern, re.MULTILINE) for pattern in p["wire_credits"]))
        for p in publishers
        if p.get("wire_credits")
    )


@cache
def default_wires() -> tuple[Wire, ...]:
    return compile_wires(seed_publishers())


def wire_credit(text: str, wires: tuple[Wire, ...] | None = None) -> tuple[str, str]:
    """``(wire name, the credit as written)`` when the text's head or tail credits a
    wire service, else ``("", "")``."""
    if not text:
        return "", ""
    window = text[:WIRE_HEAD] + "\n" + text[-WIRE_TAIL:]
    for wire in wires if wires is not None else default_wires():
        for pattern in wire.patterns:
            match = pattern.search(window)
            if match:
                return wire.name, " ".join(match.group(0).split())
    return "", ""


# --- Facts in, judgement out ------------------------------------------------------------


@dataclass(frozen=True)
class PublisherFacts:
    """Who stands behind a text: a display name and every key that identifies it."""

    name: str
    keys: frozenset[str]
    wire_credit: str = ""  # the credit that made it count as a wire, if any
    # Keys reached only through an archive, proxy, short link or redirect, with the hosts
    # crossed ("web.archive.org"); keys found directly are not listed.
    via: tuple[tuple[str, str], ...] = ()
    unknown: str = ""  # why the publisher cannot be known (a short link never followed)


def dependence(source: PublisherFacts, article: PublisherFacts) -> str:
    """Why a source is not independent of the article, or "" when it is: it shares a key
    with the article's publisher, or its own publisher cannot be known."""
    shared = source.keys & article.keys
    if not shared:
        return source.unknown
    routes = dict(source.via)
    indirect = sorted(routes[key] for key in shared if key in routes)
    via = f" (via {indirect[0]})" if len(indirect) == len(shared) else ""
    return f"same publisher as the article: {source.name}{via}"


@dataclass(frozen=True)
class EvidenceFacts:
    evidence_id: int
    stance: str
    excerpt: str
    publisher: PublisherFacts
    source_id: int = 0
    source_url: str = ""
    captured: bool = False
    capture_id: int = 0
    capture_sha256: str = ""
    captured_at: datetime | None = None
    provided_by: str = ""  # set when the latest capture was provided by hand
    dead: bool = False
    fetch_problem: str = ""  # why the source is not captured, or died
    quote_check: str = "unchecked"
    quote_sha256: str = ""  # the capture the quote check ran against
    quote_score: float | None = None
    quote_reason: str = ""  # why the quote check did not find it, when it says


@dataclass(frozen=True)
class EvidenceVerdict:
    evidence_id: int
    counts: bool
    reason: str
    publisher: str = ""
    # Why it does not count, as a code ("" when it counts): see ``VERDICT_LAPSES``.
    code: str = ""


@dataclass(frozen=True)
class Assessment:
    verdicts: dict[int, EvidenceVerdict]
    publishers: tuple[str, ...]
    required: int
    blockers: tuple[str, ...] = field(default=())
    # While sources are missing: the supporting evidence that does not count, and why.
    discounted: tuple[str, ...] = field(default=())
    # A code for each blocker, in the same order: see ``BLOCKER_LAPSES``.
    blocker_codes: tuple[str, ...] = field(default=())

    @property
    def satisfied(self) -> bool:
        return not self.blockers

    @property
    def blocker(self) -> str:
        """What stops the claim from being confirmed, and why its supporting evidence
        does not count ("" when nothing does)."""
        return "; ".join([*self.blockers, *self.discounted])

    def counting(self) -> list[EvidenceVerdict]:
        return [verdict for verdict in self.verdicts.values() if verdict.counts]


def _day(when: datetime | None) -> str:
    return f"{when.day} {when:%b %Y}" if when else "an unknown date"


def judge_evidence(
    facts: EvidenceFacts, article: PublisherFacts, *, claim_text: str = ""
) -> EvidenceVerdict:
    """Does one piece of evidence count towards confirmation, and why (not).
    ``claim_text`` is the claim's current wording, whose figures the excerpt must not
    contradict."""

    def no(code: str, reason: str) -> EvidenceVerdict:
        return EvidenceVerdict(facts.evidence_id, False, reason, facts.publisher.name, code)

    if facts.stance != SUPPORTS:
        return no("stance", "refutes the claim" if facts.stance == REFUTES else "context only")
    if not facts.captured:
        problem = f" ({facts.fetch_problem})" if facts.fetch_problem else ""
        return no("uncaptured", f"never captured{problem}")
    if facts.dead and not facts.provided_by:
        return no("dead", f"the source has died since it was captured ({facts.fetch_problem})")
    capture = f"the capture of {_day(facts.captured_at)}"
    if not facts.excerpt.strip():
        return no("no_excerpt", "no excerpt quoted from the source")
    if quotes.too_short(facts.excerpt):
        return no("too_short", quotes.TOO_SHORT)
    if facts.quote_sha256 != facts.capture_sha256 or facts.quote_check == "unchecked":
        return no("unchecked", f"excerpt not yet checked against {capture}")
    if facts.quote_check not in FOUND_STATES:
        why = f": {facts.quote_reason}" if facts.quote_reason else ""
        return no("not_found", f"excerpt not found in {capture}{why}")
    differ = figures.disagreement(claim_text, facts.excerpt)
    if differ:
        return no("figures", f"figures differ: {differ}")
    dependent = dependence(facts.publisher, article)
    if dependent:
        return no("dependent", dependent)
    how = "found" if facts.quote_check == "found" else "found approximately"
    by_hand = f", provided by {facts.provided_by}" if facts.provided_by else ""
    wire = (
        f"; counts as {facts.publisher.name} (wire credit “{facts.publisher.wire_credit}”)"
        if facts.publisher.wire_credit
        else ""
    )
    reason = f"counts: excerpt {how} in {capture}{by_hand}{wire}"
    return EvidenceVerdict(facts.evidence_id, True, reason, facts.publisher.name)


def assess(
    evidence: list[EvidenceFacts],
    *,
    article: PublisherFacts,
    required: int,
    orphaned: bool = False,
    pending_revision: bool = False,
    claim_text: str = "",
) -> Assessment:
    """Judge every piece of evidence and say whether the claim can be confirmed.
    ``claim_text`` is the claim's current wording (for the figure check)."""
    verdicts = {
        facts.evidence_id: judge_evidence(facts, article, claim_text=claim_text)
        for facts in evidence
    }
    publishers: dict[str, str] = {}
    for facts in evidence:
        if verdicts[facts.evidence_id].counts:
            publishers.setdefault(facts.publisher.name.casefold(), facts.publisher.name)
    blockers: dict[str, str] = {}  # code → sentence
    if orphaned:
        blockers["orphaned"] = "its text is no longer in the article"
    if pending_revision:
        blockers["pending_revision"] = (
            "the article was edited and its claims are not re-anchored yet"
        )
    refuting = sum(1 for facts in evidence if facts.stance == REFUTES)
    if refuting:
        noun = "source refutes" if refuting == 1 else "sources refute"
        blockers["refuted"] = f"{refuting} {noun} it"
    missing = max(0, required - len(publishers))
    if missing:
        noun = "source" if missing == 1 else "sources"
        blockers["too_few"] = (
            f"needs {missing} more supporting {noun} from another publisher, captured and "
            f"with the excerpt found in it (the article's own publisher does not count)"
        )
    discounted = _discounted(evidence, verdicts) if missing else ()
    return Assessment(
        verdicts,
        tuple(sorted(publishers.values())),
        required,
        tuple(blockers.values()),
        discounted,
        tuple(blockers),
    )


def _discounted(
    evidence: list[EvidenceFacts], verdicts: dict[int, EvidenceVerdict]
) -> tuple[str, ...]:
    """Why each piece of supporting evidence does not count, for the person who tries to
    confirm ("evidence from who.int does not count (figures differ: …)")."""
    named = []
    for facts in evidence:
        verdict = verdicts[facts.evidence_id]
        if facts.stance == SUPPORTS and not verdict.counts:
            who = _who(verdict.publisher)
            named.append(f"evidence from {who} does not count ({verdict.reason})")
    return tuple(named)


def _who(publisher: str) -> str:
    return publisher or "a source"


# --- Lapses -------------------------------------------------------------------------------

# The cause of a lapse, as a code (``claims.models.LapseCause`` has the same values).
EVIDENCE_REMOVED, STANCE_CHANGED = "evidence_removed", "stance_changed"
WORDING_CHANGED, MEANING_CHANGED = "wording_changed", "meaning_changed"
SOURCE_CHANGED, SOURCE_DEAD = "source_changed", "source_dead"
PUBLISHER_RULES, OTHER = "publisher_rules", "other"
LAPSE_CAUSES = (
    EVIDENCE_REMOVED, STANCE_CHANGED, WORDING_CHANGED, MEANING_CHANGED,
    SOURCE_CHANGED, SOURCE_DEAD, PUBLISHER_RULES, OTHER,
)  # fmt: skip

# Why a piece of the basis stopped counting (``EvidenceVerdict.code``) → the lapse cause.
VERDICT_LAPSES = {
    "stance": STANCE_CHANGED,
    "uncaptured": SOURCE_CHANGED,
    "dead": SOURCE_DEAD,
    "no_excerpt": MEANING_CHANGED,
    "too_short": MEANING_CHANGED,
    "unchecked": SOURCE_CHANGED,
    "not_found": SOURCE_CHANGED,
    "figures": MEANING_CHANGED,
    "dependent": PUBLISHER_RULES,
}
# What blocks the claim now (``Assessment.blocker_codes``) → the lapse cause.
BLOCKER_LAPSES = {
    "orphaned": WORDING_CHANGED,
    "pending_revision": WORDING_CHANGED,
    "refuted": STANCE_CHANGED,
    "too_few": PUBLISHER_RULES,
}


@dataclass(frozen=True)
class Lapse:
    """Why a confirmation no longer holds: a cause (``LAPSE_CAUSES``) and the sentence."""

    cause: str
    reason: str


def lapse(
    assessment: Assessment,
    *,
    confirmed_wording: str,
    wording: str,
    basis: list[dict[str, Any]] | None = None,
) -> Lapse | None:
    """Why a confirmation no longer holds, or None while it does. ``basis`` is the
    confirmation's record of the evidence it rested on: what became of each piece is
    named first, and the first such loss is the cause. After a change of wording, so is
    the evidence that the new wording took from under it (its figures now differ)."""
    lost, causes = [], []
    for item in basis or []:
        verdict = assessment.verdicts.get(item.get("evidence", 0))
        who = _who(item.get("publisher") or item.get("url") or "")
        if verdict is None:
            lost.append(f"evidence from {who} was removed")
            causes.append(EVIDENCE_REMOVED)
        elif not verdict.counts:
            lost.append(f"evidence from {who} no longer counts ({verdict.reason})")
            causes.append(VERDICT_LAPSES.get(verdict.code, OTHER))
    if normalising.for_wording(confirmed_wording) != normalising.for_wording(wording):
        reason = "; ".join(["the claim's wording changed since it was confirmed", *lost])
        return Lapse(WORDING_CHANGED, reason)
    if assessment.satisfied:
        return None
    causes += [BLOCKER_LAPSES.get(code, OTHER) for code in assessment.blocker_codes]
    return Lapse(causes[0] if causes else OTHER, "; ".join([*lost, *assessment.blockers]))


def lapse_reason(
    assessment: Assessment,
    *,
    confirmed_wording: str,
    wording: str,
    basis: list[dict[str, Any]] | None = None,
) -> str:
    """The sentence of ``lapse`` ("" while the confirmation holds)."""
    found = lapse(assessment, confirmed_wording=confirmed_wording, wording=wording, basis=basis)
    return found.reason if found else ""
