"""Sentence embeddings of claims and fact-checks, computed once and stored.

A claim's or a fact-check's vector is computed in a background worker
(``claims.embed_pending`` for the archive and anything left over, ``claims.match_claims``
for an article's claims just before matching them) and stored as an ``Embedding`` row:
float32 bytes with the model version and the SHA-256 of the text embedded beside it.
A row is *pending* when it has no vector, when its text changed since, or when the model
version changed (``minilm.VERSION``): ``embed_pending`` re-embeds exactly those.

The same pass refines each claim's check-worthiness (:mod:`claims.nlp.checkworthiness_top`):
the fine-tuned top layers read the hidden states the embedding computes anyway, and the
score, ``check_worthy`` (unless a person corrected it) and the model's version are
written with a history entry. A claim is also pending when its score came from another
model than the current weights (``Claim.checkworthiness_model``), so new weights re-score
every claim.

Only ``embed_pending`` loads the model (``minilm.model()``); reading stored vectors for
matching (``stored_vectors``) does not, so the web process never loads it. The web
process loads only the refinement weights (once per process, cached by
``checkworthiness_top.load``), for their version: the article page polls until the
refinement has reached the article's claims (:func:`refining`).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Literal

import numpy as np
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from claims.matching.engine import minilm
from claims.matching.engine.text import clean
from claims.models import Article, Claim, ClaimEvent, Embedding, EventKind, FactCheck
from claims.models.events import event, record_many
from claims.nlp import checkworthiness_top
from claims.nlp.checkworthiness_top import TopLayers

log = logging.getLogger(__name__)

Kind = Literal["claim", "factcheck"]
BATCH = 256  # texts per encode-and-write round (progress is reported after each)
# How long after extraction the article page waits for the refinement (match_claims runs
# it straight after extraction; a queue that is this far behind is reported elsewhere).
REFINING_WINDOW = timedelta(minutes=10)


def claim_text(text: str) -> str:
    """What is embedded for a claim (the same text a query is embedded from)."""
    return clean(text)


def factcheck_text(text: str, title: str) -> str:
    """What is embedded for a fact-check: the claim reviewed and the headline."""
    return clean(f"{text} {title}")


def text_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype="<f4")


def _targets(
    kind: Kind, article_id: int | None = None
) -> Iterable[tuple[int, str, str | None, str | None]]:
    """(pk, text to embed, stored text SHA under the current model or None, the model
    that scored its check-worthiness: claims only) per target."""
    stored = Embedding.objects.filter(**{kind: OuterRef("pk")}, model_version=minilm.VERSION)
    sha = Subquery(stored.values("text_sha")[:1])
    if kind == "claim":
        rows = Claim.objects.filter(orphaned=False)
        if article_id is not None:
            rows = rows.filter(article_id=article_id)
        values = rows.annotate(sha=sha).values_list("pk", "text", "sha", "checkworthiness_model")
        for pk, text, found, scored_by in values.iterator(chunk_size=5000):
            yield pk, claim_text(text), found, scored_by
    else:
        checks = FactCheck.objects.annotate(sha=sha).values_list("pk", "text", "title", "sha")
        for pk, text, title, found in checks.iterator(chunk_size=5000):
            yield pk, factcheck_text(text, title), found, None


def pending(
    kind: Kind, *, article_id: int | None = None, refiner: TopLayers | None = None
) -> list[tuple[int, str]]:
    """Targets whose stored vector is missing, from another model, or of another text;
    with ``refiner``, also claims whose check-worthiness it has not scored."""
    return [
        (pk, text)
        for pk, text, found, scored_by in _targets(kind, article_id)
        if found is None
        or found != text_sha(text)
        or (refiner is not None and kind == "claim" and scored_by != refiner.version)
    ]


def embed_pending(
    *,
    article_id: int | None = None,
    kinds: tuple[Kind, ...] = ("claim", "factcheck"),
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Embed every pending claim (of one article, with ``article_id``) and fact-check, in
    batches, refining the claims' check-worthiness in the same pass; ``progress(done,
    total)`` after each. Returns the counts per kind and ``refined``: the claims whose
    check-worthiness was re-scored (0 when the refinement is off)."""
    if article_id is not None:
        kinds = ("claim",)
    refiner = checkworthiness_top.available() if "claim" in kinds else None
    todo = {kind: pending(kind, article_id=article_id, refiner=refiner) for kind in kinds}
    total, done, refined = sum(len(rows) for rows in todo.values()), 0, 0
    for kind, rows in todo.items():
        branch = refiner if kind == "claim" else None
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            if branch is None:
                vectors = minilm.encode([text for _, text in batch])
            else:
                vectors, scores = minilm.model().encode_with([text for _, text in batch], branch)
                refined += _refine(batch, scores, branch)
            _store(kind, batch, vectors)
            done += len(batch)
            if progress is not None:
                progress(done, total)
    return {kind: len(rows) for kind, rows in todo.items()} | {"refined": refined}


def refining(article: Article) -> bool:
    """Whether the refinement has yet to reach some of ``article``'s claims, within
    ``REFINING_WINDOW`` of the end of its extraction: the article page polls while this
    holds, and then stops, so a deployment whose worker never runs the refinement is not
    polled for ever. False when the weights cannot be used."""
    if article.state != Article.State.DONE or article.finished_at is None:
        return False
    if timezone.now() - article.finished_at > REFINING_WINDOW:
        return False
    refiner = checkworthiness_top.available()
    if refiner is None:
        return False
    claims = article.claims.filter(orphaned=False)
    return claims.exclude(checkworthiness_model=refiner.version).exists()


def worthy_key(article: Article) -> str:
    """A short digest of which of ``article``'s claims are check-worthy: the page sends
    the one it was drawn with, and is told when the refinement has changed the list."""
    pks = article.claims.filter(orphaned=False, check_worthy=True)
    joined = ",".join(str(pk) for pk in pks.order_by("pk").values_list("pk", flat=True))
    return hashlib.sha256(joined.encode()).hexdigest()[:12]


def _refine(batch: list[tuple[int, str]], scores: np.ndarray, refiner: TopLayers) -> int:
    """Write the refined check-worthiness of the claims in ``batch`` (pk, text scored)
    that still have that text; ``check_worthy`` stays as a person set it. Returns how
    many changed (each with a history entry saying from what to what)."""
    score_of = {
        pk: round(min(1.0, max(0.0, float(score))), 4)
        for (pk, _), score in zip(batch, scores, strict=True)
    }
    texts = dict(batch)
    now, changed, events = timezone.now(), [], []
    with transaction.atomic():
        # Locked in primary-key order, as ``confirmation.service.lock`` does: no deadlock.
        locked = Claim.objects.select_for_update(no_key=True).filter(
            pk__in=score_of, orphaned=False
        )
        for claim in locked.order_by("pk"):
            if claim_text(claim.text) != texts[claim.pk]:
                continue  # edited while we scored: its next pass scores the new text
            score = score_of[claim.pk]
            worthy = (
                claim.check_worthy
                if "check_worthy" in claim.corrected_fields
                else score >= refiner.threshold
            )
            before = (claim.checkworthiness, claim.check_worthy, claim.checkworthiness_model)
            if before == (score, worthy, refiner.version):
                continue
            # Seen as people read it (two decimals): "0.97 → 0.97" is no change to show.
            moved = round(before[0], 2) != round(score, 2)
            seen = moved or worthy != before[1]
            claim._change_reason = reason = (
                (
                    f"check-worthiness {before[0]:.2f} → {score:.2f}"
                    if moved
                    else f"check-worthiness unchanged at {score:.2f}"
                )
                + ("" if worthy == before[1] else f", {'' if worthy else 'not '}check-worthy")
                + f": refined by MiniLM's fine-tuned top layers ({refiner.version})"
            )
            claim.checkworthiness, claim.check_worthy = score, worthy
            claim.checkworthiness_model, claim.updated_at = refiner.version, now
            changed.append(claim)
            if seen:
                events.append(_refined(claim, before, refiner.version, reason))
        if not changed:
            return 0
        bulk_update_with_history(
            changed,
            Claim,
            ["checkworthiness", "check_worthy", "checkworthiness_model", "updated_at"],
        )
        record_many(events)
    return len(changed)


def _refined(
    claim: Claim, before: tuple[float, bool, str], model: str, sentence: str
) -> ClaimEvent:
    """The ``checkworthiness_refined`` event of a score that changed as people read it
    (two decimals) or a check-worthy flag that flipped; a new model version giving the
    same score changes the row (its history says so), but is no event."""
    return event(
        claim, EventKind.CHECKWORTHINESS_REFINED, sentence=sentence,
        old=before[0], new=claim.checkworthiness, old_worthy=before[1],
        new_worthy=claim.check_worthy, model=model,
    )  # fmt: skip


def _store(kind: Kind, batch: list[tuple[int, str]], vectors: np.ndarray) -> None:
    model = Claim if kind == "claim" else FactCheck
    alive = set(model.objects.filter(pk__in=[pk for pk, _ in batch]).values_list("pk", flat=True))
    rows = [
        Embedding(
            **{f"{kind}_id": pk},
            model_version=minilm.VERSION,
            text_sha=text_sha(text),
            vector=to_bytes(vector),
        )
        for (pk, text), vector in zip(batch, vectors, strict=True)
        if pk in alive  # deleted while we embedded
    ]
    Embedding.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=[kind],
        update_fields=["model_version", "text_sha", "vector", "updated_at"],
    )


def stored_vectors(kind: Kind, texts: dict[int, str]) -> dict[int, np.ndarray]:
    """The current vectors of the given targets (pk -> text to embed): only those of the
    current model and of the text as it is now."""
    rows = Embedding.objects.filter(
        **{f"{kind}__isnull": False}, model_version=minilm.VERSION
    ).values_list(f"{kind}_id", "text_sha", "vector")
    found = {}
    for pk, sha, vector in rows.iterator(chunk_size=5000):
        text = texts.get(pk)
        if text is not None and sha == text_sha(text):
            found[pk] = from_bytes(vector)
    return found
