"""Claim memory: find earlier claims and fact-checks that say the same thing.

The engine is ``claims.matching.engine`` (no Django): BM25 and nearest-embedding candidates,
fused, then a calibrated logistic re-ranker, scores in 0..1. Archive files are read by
``claims.archives``. This module ties them to the models: importing fact-checks,
matching an article's claims after extraction (the ``claims.match_claims`` task, which
first embeds the article's claims), accepting and dismissing matches.

Each worker process keeps two indexes, one over the claims and one over the archive.
Each is rebuilt when its table's texts may have changed (row count, newest id or newest
``updated_at``), and only its vectors are reloaded when its embeddings changed; both
checks run once per ``match_article`` call, not once per claim. A claim or fact-check
without a stored vector (the embedding task has not reached it yet) is matched by BM25
alone, with the BM25-only re-ranker. "Seen before" across articles is the same hybrid
search over the claims of other articles.

Thresholds (settings): a match scoring at least ``WORKBENCH_MATCH_HIGH`` is linked for
review automatically; one between ``WORKBENCH_MATCH_LOW`` and the high threshold is a
suggestion; claims of fewer than ``WORKBENCH_MATCH_MIN_WORDS`` words are never linked
automatically (at most suggested).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone

from claims import jobs
from claims.confirmation import service as status
from claims.matching import embeddings
from claims.matching.engine.index import DEFAULT_TOP, Hit, Index
from claims.matching.engine.minilm import DIMENSIONS
from claims.matching.engine.text import word_count
from claims.models import (
    Claim,
    ClaimMatch,
    ConfirmationRefused,
    Embedding,
    EventKind,
    Evidence,
    FactCheck,
    Source,
)
from claims.models.events import record

if TYPE_CHECKING:
    from django.contrib.auth.models import User

log = logging.getLogger(__name__)

DEFAULT_HIGH = 0.8
DEFAULT_LOW = 0.4
DEFAULT_MIN_WORDS = 8


# --- Fact-check archives ----------------------------------------------------------------


def import_factchecks(entries: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Create or update ``FactCheck`` rows keyed by archive id: re-importing the same
    archive updates entries in place and never duplicates them."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        for entry in entries:
            values = {
                "text": entry["text"],
                "title": entry["title"][:500],
                "url": entry["url"][:2000],
                "rating": entry["rating"][:200],
                "publisher": entry["publisher"][:200],
                "date": entry["date"],
            }
            existing = FactCheck.objects.filter(archive_id=entry["id"][:500]).first()
            if existing is None:
                FactCheck.objects.create(archive_id=entry["id"][:500], **values)
                counts["created"] += 1
            elif any(getattr(existing, k) != v for k, v in values.items()):
                FactCheck.objects.filter(pk=existing.pk).update(**values, updated_at=timezone.now())
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        if counts["created"] or counts["updated"]:  # their vectors, in the background
            jobs.send_on_commit(
                "claims.embed_pending", if_down="embedded on the beat schedule's next run"
            )
    return counts


# --- Matching claims in the app ---------------------------------------------------------


def thresholds() -> tuple[float, float, int]:
    """(low, high, minimum words for an automatic link), from the settings."""
    return (
        getattr(settings, "WORKBENCH_MATCH_LOW", DEFAULT_LOW),
        getattr(settings, "WORKBENCH_MATCH_HIGH", DEFAULT_HIGH),
        getattr(settings, "WORKBENCH_MATCH_MIN_WORDS", DEFAULT_MIN_WORDS),
    )


@dataclass
class _Cached:
    """One index and what it was built from."""

    kind: embeddings.Kind
    version: tuple[Any, ...] = ()
    vectors_version: tuple[Any, ...] = ()
    index: Index | None = None
    pks: list[int] = field(default_factory=list)
    positions: dict[int, int] = field(default_factory=dict)  # pk -> row of the index
    texts: dict[int, str] = field(default_factory=dict)  # pk -> text embedded
    articles: dict[str, int] = field(default_factory=dict)  # claim key -> article

    def vector(self, pk: int) -> np.ndarray | None:
        """The stored vector of one of the index's rows, if it has one."""
        index = self.index
        position = self.positions.get(pk)
        if index is None or index.vectors is None or position is None:
            return None
        return index.vectors[position] if index.has_vector[position] else None

    def search(self, text: str, **options: Any) -> list[Hit]:
        """``Index.search`` (``_refresh`` builds the index before any search)."""
        return self.index.search(text, **options) if self.index is not None else []


# Two indexes per process: the archive (large, changes on import) is not rebuilt when a
# claim is edited or confirmed, which bumps only the claims' version.
_claims = _Cached("claim")
_archive = _Cached("factcheck")


def _version(model: type[Claim] | type[FactCheck]) -> tuple[Any, ...]:
    """Changes whenever a candidate text of the model may have changed."""
    found = model.objects.aggregate(n=Count("pk"), last=Max("updated_at"), top=Max("pk"))
    return tuple(found.values())


def _vectors_version(kind: str) -> tuple[Any, ...]:
    rows = Embedding.objects.filter(**{f"{kind}__isnull": False})
    return tuple(rows.aggregate(n=Count("pk"), last=Max("updated_at")).values())


def _load_vectors(cached: _Cached, index: Index) -> None:
    found = embeddings.stored_vectors(cached.kind, cached.texts)
    matrix = np.zeros((len(cached.pks), DIMENSIONS), dtype=np.float32)
    for n, pk in enumerate(cached.pks):
        if pk in found:
            matrix[n] = found[pk]
    index.set_vectors(matrix)


def _refresh(
    cached: _Cached, version: tuple[Any, ...], docs: Iterable[tuple[int, str, str]]
) -> None:
    """Rebuild the index when its texts changed; reload its vectors when they changed."""
    vectors_version = _vectors_version(cached.kind)
    index = cached.index
    if index is None or cached.version != version:
        rows = list(docs)
        cached.pks = [pk for pk, _, _ in rows]
        cached.positions = {pk: n for n, pk in enumerate(cached.pks)}
        cached.texts = {pk: embedded for pk, _, embedded in rows}
        index = cached.index = Index((f"{cached.kind}:{pk}", text) for pk, text, _ in rows)
        cached.version, cached.vectors_version = version, ()
    if cached.vectors_version != vectors_version:
        _load_vectors(cached, index)
        cached.vectors_version = vectors_version


def claims_index() -> _Cached:
    """The index over every live claim, with each claim key's article."""

    def docs() -> Iterable[tuple[int, str, str]]:
        rows = Claim.objects.filter(orphaned=False).values_list("pk", "article_id", "text")
        _claims.articles = {}
        for pk, article_id, text in rows.iterator(chunk_size=5000):
            _claims.articles[f"claim:{pk}"] = article_id
            yield pk, text, embeddings.claim_text(text)

    _refresh(_claims, _version(Claim), docs())
    return _claims


def archive_index() -> _Cached:
    """The index over the fact-check archive (claim reviewed and headline)."""

    def docs() -> Iterable[tuple[int, str, str]]:
        rows = FactCheck.objects.values_list("pk", "text", "title").iterator(chunk_size=5000)
        for pk, text, title in rows:
            yield pk, f"{text} {title}".strip(), embeddings.factcheck_text(text, title)

    _refresh(_archive, _version(FactCheck), docs())
    return _archive


def state_for(score: float, text: str) -> str | None:
    """The state a new match with this score gets, or None below the suggestion level."""
    low, high, min_words = thresholds()
    if score < low:
        return None
    if score >= high and word_count(text) >= min_words:
        return ClaimMatch.State.LINKED
    return ClaimMatch.State.SUGGESTED


def match_claim(claim: Claim, *, top: int = DEFAULT_TOP) -> list[ClaimMatch]:
    """Find and record the matches of one claim (see ``match_article`` for many)."""
    return _match(claim, claims_index(), archive_index(), top=top)


def _match(claim: Claim, claims: _Cached, archive: _Cached, *, top: int) -> list[ClaimMatch]:
    """Match one claim among other articles' claims and the archive, with its stored
    vector when it has one. Decided matches (accepted, dismissed) are left as they are;
    undecided ones are updated, and dropped when the claim no longer matches them."""

    def other_article(key: str) -> bool:
        return claims.articles.get(key) not in (None, claim.article_id)

    vector = claims.vector(claim.pk)
    hits = claims.search(claim.text, vector=vector, top=top, keep=other_article)
    hits += archive.search(claim.text, vector=vector, top=top)
    hits = sorted(hits, key=lambda hit: -hit.score)[:top]
    found = []
    with transaction.atomic():
        for hit in hits:
            state = state_for(hit.score, claim.text)
            if state is not None:
                found.append(_record(claim, hit, state))
        stale = claim.matches.filter(state__in=ClaimMatch.UNDECIDED).exclude(
            pk__in=[m.pk for m in found]
        )
        for match in stale:
            match._change_reason = "no longer matches"
            match.delete()
    return found


def _record(claim: Claim, hit: Hit, state: str) -> ClaimMatch:
    kind, pk = hit.key.split(":")
    target: dict[str, Any] = (
        {"matched_claim_id": int(pk)} if kind == "claim" else {"factcheck_id": int(pk)}
    )
    match = ClaimMatch.objects.filter(claim=claim, **target).first()
    if match is None:
        match = ClaimMatch(claim=claim, score=hit.score, state=state, **target)
        match._change_reason = found = f"found by matching (score {hit.score:.2f})"
        try:
            with transaction.atomic():
                match.save()
                record(claim, EventKind.MATCH_FOUND, sentence=found, match=match.pk,
                       score=hit.score, **target)  # fmt: skip
        except IntegrityError:  # a concurrent run recorded it first
            return ClaimMatch.objects.get(claim=claim, **target)
    elif match.is_undecided and (match.score, match.state) != (hit.score, state):
        match.score, match.state = hit.score, state
        match._change_reason = f"re-scored by matching ({hit.score:.2f})"
        match.save(update_fields=["score", "state", "updated_at"])
    return match


def match_article(article_id: int) -> str:
    """The body of ``claims.match_claims``: match every live claim of an article."""
    claims = list(Claim.objects.filter(article_id=article_id, orphaned=False))
    counts = {state: 0 for state in ClaimMatch.State.values}
    claims_cache, archive_cache = claims_index(), archive_index()  # once per article
    for claim in claims:
        for match in _match(claim, claims_cache, archive_cache, top=DEFAULT_TOP):
            counts[match.state] += 1
    summary = ", ".join(f"{n} {state}" for state, n in counts.items() if n)
    return f"matched {len(claims)} claims: {summary or 'no matches'}"


# --- Deciding on a match ----------------------------------------------------------------


@dataclass
class Outcome:
    """What accepting a match did, for the message shown to the fact-checker."""

    carried_over: int = 0
    factcheck: bool = False
    confirmed: bool = False
    refused: str = ""
    notes: list[str] = field(default_factory=list)

    def message(self) -> str:
        noun = "link" if self.carried_over == 1 else "links"
        if self.factcheck:
            linked = "its page is linked as context" if self.carried_over else "no page linked"
            parts = [f"Fact-check match accepted; {linked}."]
        else:
            parts = [f"Match accepted; {self.carried_over} evidence {noun} carried over."]
        parts += self.notes
        if self.confirmed:
            parts.append("The claim is now confirmed.")
        if self.refused:
            parts.append(f"Not confirmed: {self.refused}")
        return " ".join(parts)


def accept_match(*, match: ClaimMatch, by: User, confirm: bool = False, note: str = "") -> Outcome:
    """Accept a match: carry the matched claim's evidence over (or, for a fact-check,
    link its page as context), record the decision, and confirm the claim when asked
    and the earlier claim was confirmed. A refused confirmation is reported in the
    outcome; the acceptance stays."""
    outcome = Outcome(factcheck=match.factcheck_id is not None)
    claim = match.claim
    target = f"claim #{match.matched_claim_id}" if match.matched_claim_id else "fact-check"
    cause = f"match with {target} accepted"
    # Evidence carried over (refuting evidence too) changes the claim's basis.
    with status.basis_change([claim], cause=cause, by=by):
        if match.matched_claim_id:
            outcome.carried_over = _carry_over_evidence(match, by=by)
        else:
            outcome.carried_over = _link_factcheck(match, by=by, outcome=outcome)
        match.decide(
            ClaimMatch.State.ACCEPTED,
            by=by,
            reason=f"accepted ({target}); {outcome.carried_over} evidence carried over"
            + (f": {note}" if note else ""),
        )
    if confirm:
        earlier = match.matched_claim
        if earlier is None or earlier.status != Claim.Status.CONFIRMED:
            outcome.refused = "the matched claim is not confirmed."
            return outcome
        try:
            status.confirm(claim, by=by, note=note or f"as confirmed claim #{earlier.pk} (matched)")
            outcome.confirmed = True
        except ConfirmationRefused as exc:
            outcome.refused = str(exc)
    return outcome


def _carry_over_evidence(match: ClaimMatch, *, by: User) -> int:
    claim, earlier = match.claim, match.matched_claim
    if earlier is None:  # a fact-check match: no claim's evidence to carry over
        return 0
    linked = set(claim.evidence.values_list("source_id", flat=True))
    copied = 0
    for evidence in earlier.evidence.exclude(source_id__in=linked).order_by("added_at", "pk"):
        reason = f"carried over from claim #{earlier.pk}"
        copy = Evidence(
            claim=claim,
            source_id=evidence.source_id,
            stance=evidence.stance,
            excerpt=evidence.excerpt,
            quote_check=evidence.quote_check,
            quote_score=evidence.quote_score,
            quote_matched=evidence.quote_matched,
            quote_reason=evidence.quote_reason,
            quote_sha256=evidence.quote_sha256,
            note=f"{reason}: {evidence.note}" if evidence.note else reason,
            added_by=by,
        )
        copy._history_user = by
        copy._change_reason = reason
        copy.save()
        record(claim, EventKind.EVIDENCE_ADDED, sentence=reason, by=by, evidence=copy.pk,
               source=copy.source_id, stance=copy.stance, from_claim=earlier.pk)  # fmt: skip
        copied += 1
    return copied


def _link_factcheck(match: ClaimMatch, *, by: User, outcome: Outcome) -> int:
    from claims.sources import capture as sources

    check = match.factcheck
    if check is None:  # a match with a claim: no fact-check page to link
        return 0
    if not check.url:
        outcome.notes.append("The fact-check has no URL, so no source was linked.")
        return 0
    try:
        source = sources.source_for_url(check.url, kind=Source.Kind.OTHER, by=by)
    except ValueError as exc:
        outcome.notes.append(f"The fact-check URL could not be linked ({exc}).")
        return 0
    if match.claim.evidence.filter(source=source).exists():
        outcome.notes.append("The fact-check page was already linked.")
        return 0
    rating = f"rated “{check.rating}”" if check.rating else "no rating given"
    by_whom = f" by {check.publisher}" if check.publisher else ""
    evidence = Evidence(
        claim=match.claim,
        source=source,
        stance=Evidence.Stance.CONTEXT,
        note=f"fact-check{by_whom}: {rating}",
        added_by=by,
    )
    evidence._history_user = by
    evidence._change_reason = reason = f"from accepted fact-check match #{match.pk}"
    try:
        with transaction.atomic():
            evidence.save()
            record(match.claim, EventKind.EVIDENCE_ADDED, sentence=reason, by=by,
                   evidence=evidence.pk, source=source.pk, stance=evidence.stance)  # fmt: skip
    except IntegrityError:  # linked concurrently
        return 0
    return 1
