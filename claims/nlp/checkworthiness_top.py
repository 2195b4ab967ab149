"""Check-worthiness refined by all-MiniLM-L6-v2's top layers, fine-tuned (background).

Extraction scores each sentence with the linear model of :mod:`claims.nlp.checkworthiness`
(within the pipeline's time budget). The background task that embeds an article's
claims for matching (``claims.match_claims``, ``claims.embed_pending``) then refines
the score: the hidden states entering MiniLM's layer ``start`` (4 of 6), which the
embedding computes anyway, go through a fine-tuned copy of the top layers and a linear
head on their mean-pooled output. Only those copied layers are extra work (about 30% of
the embedding pass), and nothing is added to extraction.

The weights (``claims/nlp/data/checkworthiness_top2.npz``, float16) are written by
``manage.py train_checkworthiness --top-layers`` (:mod:`claims.nlp.train_top`, which
needs torch; scoring here is numpy only). The file holds, beside the weights, the
MiniLM version it was trained on (a different one is refused), the threshold, and
reference scores of a few sentences computed by the training code, against which the
numpy forward pass is tested. ``VERSION`` names the file by its SHA-256: it is stored on
every claim it scored (``Claim.checkworthiness_model``), so new weights re-score claims.

The refinement replaces the extraction score only where it has been shown better on our
splits: the weights' ``figures`` (F1 on debates of later years, trained before 2012 and
tested on 2012 and 2016, and by debate, grouped folds over all years) must each be at
least the linear model's figure on the same split, as stored with its weights
(:func:`shown_worse`). Otherwise :func:`available` turns the refinement off with a
warning, and claims keep the extraction score.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from claims.matching.engine import minilm

log = logging.getLogger(__name__)

DEFAULT_PATH = Path(__file__).parent / "data" / "checkworthiness_top2.npz"
FORMAT = "claims.nlp checkworthiness-top v1"
# The fields of a ``minilm.Layer``, as stored per layer (``layer{i}.{field}``).
LAYER_FIELDS = ("qkv", "qkv_bias", "out", "out_bias", "up", "up_bias", "down", "down_bias")
NORM_FIELDS = ("norm1", "norm2")


class WeightsRefused(ValueError):
    """The weights file is missing, malformed, or made for another MiniLM."""


@dataclass(frozen=True)
class TopLayers:
    """The fine-tuned top layers and head: a ``minilm.Branch``."""

    start: int
    layers: tuple[minilm.Layer, ...]
    head: np.ndarray  # (384,)
    bias: float
    threshold: float
    version: str
    meta: dict

    def __call__(
        self, model: minilm.MiniLM, x: np.ndarray, attend: np.ndarray, mask: np.ndarray
    ) -> np.ndarray:
        for layer in self.layers:
            x = model.block(x, attend, layer)
        logits = minilm.mean_pool(x, mask) @ self.head + np.float32(self.bias)
        return 1.0 / (1.0 + np.exp(-np.clip(logits, -30.0, 30.0)))

    def scores(self, texts: list[str]) -> np.ndarray:
        """Probabilities that each text is check-worthy (loads MiniLM: workers only)."""
        return minilm.model().encode_with(texts, self)[1]

    def reference(self) -> list[tuple[str, float]]:
        """(sentence, score by the training code) pairs stored with the weights."""
        return [(text, float(score)) for text, score in self.meta.get("reference", [])]


def version_of(data: bytes) -> str:
    return f"minilm-top@{hashlib.sha256(data).hexdigest()[:12]}"


def from_bytes(data: bytes) -> TopLayers:
    """Read weights written by :func:`claims.nlp.train_top.save` (no pickles)."""
    import io
    import zipfile

    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
        meta = json.loads(str(arrays.pop("meta")))
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise WeightsRefused(f"not a check-worthiness weights file: {exc}") from None
    if meta.get("format") != FORMAT:
        raise WeightsRefused(f"unknown weights format {meta.get('format')!r}")
    if meta.get("minilm") != minilm.VERSION:
        raise WeightsRefused(
            f"the weights were fine-tuned from {meta.get('minilm')}, not {minilm.VERSION}: "
            "retrain them with train_checkworthiness --top-layers"
        )

    def f32(name: str) -> np.ndarray:
        return np.ascontiguousarray(arrays[name], dtype=np.float32)

    start = int(meta["start"])
    try:
        layers = tuple(minilm.Layer(**_layer_arrays(i, f32)) for i in range(start, 6))
        head = f32("head")
    except KeyError as exc:
        raise WeightsRefused(f"the weights file lacks {exc}") from None
    return TopLayers(
        start=start,
        layers=layers,
        head=head,
        bias=float(meta["bias"]),
        threshold=float(meta["threshold"]),
        version=version_of(data),
        meta=meta,
    )


def _layer_arrays(i: int, f32: Callable[[str], np.ndarray]) -> dict[str, Any]:
    """``minilm.Layer``'s arguments for layer ``i``: its arrays, and its norms' pairs."""
    arrays: dict[str, Any] = {f: f32(f"layer{i}.{f}") for f in LAYER_FIELDS}
    arrays |= {f: (f32(f"layer{i}.{f}.weight"), f32(f"layer{i}.{f}.bias")) for f in NORM_FIELDS}
    return arrays


@cache
def load(path: str | Path = DEFAULT_PATH) -> TopLayers:
    return from_bytes(Path(path).read_bytes())


# The splits on which the refinement must do at least as well as the extraction score:
# name -> where the linear model's figure is in its stored ``meta["cv"]``.
SPLITS = {
    "later_years": ("later_years", "f1"),
    "by_debate": ("f1_at_temporal_threshold",),
}


def linear_figures(meta: dict) -> dict[str, float]:
    """The linear (extraction) model's F1 per split, from its stored ``meta``."""
    figures = {}
    for split, path in SPLITS.items():
        value: Any = meta.get("cv", {})
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, int | float):
            figures[split] = float(value)
    return figures


def shown_worse(refined: dict, linear: dict[str, float]) -> str | None:
    """Why the refinement must not replace the extraction score, or None: a split on
    which its stored F1 (``refined[split]["f1"]``) is missing or below the linear
    model's (``linear[split]``)."""
    for split in SPLITS:
        mine = (refined.get(split) or {}).get("f1")
        theirs = linear.get(split)
        if not isinstance(mine, int | float):
            return f"its weights state no F1 on the {split} split"
        if theirs is not None and mine < theirs:
            return (
                f"its F1 on the {split} split, {mine:.3f}, is below the extraction "
                f"score's, {theirs:.3f}"
            )
    return None


@cache
def _linear_meta() -> dict:
    from claims.nlp.checkworthiness import DEFAULT_MODEL_PATH

    with open(DEFAULT_MODEL_PATH, encoding="utf-8") as fh:
        meta = json.load(fh).get("meta", {})
    return meta if isinstance(meta, dict) else {}


def available(path: str | Path | None = None) -> TopLayers | None:
    """The stored weights (``DEFAULT_PATH`` unless given), or None (logged) when they
    cannot be used, or have not been shown at least as good as the extraction score
    on our splits: claims then keep the extraction score, and embedding goes on."""
    try:
        weights = load(path or DEFAULT_PATH)
    except (OSError, WeightsRefused) as exc:
        log.warning("check-worthiness refinement is off: %s", exc)
        return None
    reason = shown_worse(weights.meta.get("figures", {}), linear_figures(_linear_meta()))
    if reason is not None:
        log.warning("check-worthiness refinement is off: %s", reason)
        return None
    return weights
