"""The matching engine: BM25 and nearest-embedding candidates, fused, then re-ranked.

1. **Candidates**: the top ``DEPTH`` by BM25 (bm25s, sparse matrices over stemmed,
   stop-word-free terms: scoring touches only the posting lists of the query's terms)
   and, when the query and the candidates have sentence embeddings, the top ``DEPTH`` by
   cosine (one float32 matrix-vector product over the unit vectors). The two lists are
   fused by union: a paraphrase with no word in common is still a candidate.
2. **Re-ranking and calibration**: each candidate gets features (BM25, the share of the
   query's and the candidate's term weight they have in common, rapidfuzz
   ``token_set_ratio`` and ``partial_ratio``, overlap of numbers and of capitalised names,
   and with embeddings the cosine and whether BM25 found the candidate at all;
   no feature is relative to the query's other candidates, so a claim that matches
   nothing scores low) and a logistic model fitted on the CheckThat! 2020
   task 2 train split (``scripts/eval_matching.py --fit``) turns them into a probability
   in 0..1 that the pair is a match, comparable across queries. Two models are stored in
   ``claims/data/matching.json``: ``hybrid`` for pairs that both have a vector, ``bm25``
   for the rest (before the embedding task has run, or without a query vector).

Plain text and numpy arrays in, ``Hit``s out; no Django.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
from rapidfuzz import fuzz, utils

from claims.matching.engine.text import clean, names, numbers, terms

logging.getLogger("bm25s").setLevel(logging.WARNING)

WEIGHTS_PATH = Path(__file__).resolve().parents[2] / "data" / "matching.json"
DEPTH = 50  # candidates per retriever
DEFAULT_TOP = 5

BM25_FEATURES = [
    "bm25_log",  # log(1 + BM25)
    "query_cover",  # share of the query's idf weight found in the candidate
    "cand_cover",  # share of the candidate's idf weight found in the query
    "cover_f1",  # harmonic mean of the two
    "fuzz_set",  # rapidfuzz token_set_ratio / 100
    "fuzz_partial",  # rapidfuzz partial_ratio / 100 (the shorter text inside the longer)
    "numbers_shared",  # share of the candidate's numbers found in the query
    "numbers_clash",  # both have numbers, none in common
    "names_shared",  # share of the candidate's names found in the query
]
HYBRID_FEATURES = [
    *BM25_FEATURES,
    "cosine",  # cosine of the two sentence embeddings
    "bm25_found",  # 1 if BM25 retrieved the candidate, 0 if only the embeddings did
]
FEATURES = {"bm25": BM25_FEATURES, "hybrid": HYBRID_FEATURES}


@dataclass(frozen=True)
class Hit:
    key: str
    score: float
    features: dict[str, float] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Calibration:
    """A logistic model over standardised features."""

    features: list[str]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    meta: dict[str, Any] = field(default_factory=dict)

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        z = ((rows - self.mean) / self.scale) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def as_json(self) -> dict[str, Any]:
        return {
            "features": self.features,
            "mean": self.mean.round(6).tolist(),
            "scale": self.scale.round(6).tolist(),
            "weights": self.weights.round(6).tolist(),
            "bias": round(float(self.bias), 6),
            "meta": self.meta,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], *, kind: str) -> Calibration:
        if data.get("features") != FEATURES[kind]:
            raise ValueError(f"the {kind} weights were fitted on other features; refit them")
        return cls(
            features=list(data["features"]),
            mean=np.array(data["mean"]),
            scale=np.array(data["scale"]),
            weights=np.array(data["weights"]),
            bias=float(data["bias"]),
            meta=data.get("meta", {}),
        )


@dataclass(frozen=True)
class Models:
    bm25: Calibration
    hybrid: Calibration
    meta: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"meta": self.meta, "bm25": self.bm25.as_json(), "hybrid": self.hybrid.as_json()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Models:
        return cls(
            bm25=Calibration.from_json(data["bm25"], kind="bm25"),
            hybrid=Calibration.from_json(data["hybrid"], kind="hybrid"),
            meta=data.get("meta", {}),
        )


@cache
def calibration() -> Models:
    """The shipped re-rankers, read once per process."""
    return Models.from_json(json.loads(WEIGHTS_PATH.read_text(encoding="utf-8")))


@dataclass
class Candidate:
    position: int
    bm25: float
    cosine: float | None  # None: the query or the candidate has no vector
    bm25_found: bool


class Index:
    """Candidate texts (and, optionally, their unit sentence embeddings) to search.

    ``Index([(key, text), ...], vectors)``: ``vectors`` is an (n, d) float32 array in
    the order of the texts, a row of zeros for a text without a vector.
    ``index.search(text, vector=q, top=5)`` gives ``Hit``s, best first, each with a
    probability-like score in 0..1; without ``vector`` the search is BM25 alone.
    """

    def __init__(self, docs: Iterable[tuple[str, str]], vectors: np.ndarray | None = None) -> None:
        self.keys: list[str] = []
        self.texts: list[str] = []
        tokens: list[list[str]] = []
        for key, text in docs:
            self.keys.append(key)
            self.texts.append(text)
            tokens.append(terms(text))
        self.bm25 = bm25s.BM25(k1=1.2, b=0.75)
        self.idf: dict[str, float] = {}
        self.unseen_idf = math.log(1 + (len(tokens) + 0.5) / 0.5)  # a term no candidate has
        if self.keys:
            self.bm25.index(tokens, show_progress=False)
            self.idf = self._idf(len(tokens))
        self.vectors: np.ndarray | None = None
        self.has_vector = np.zeros(len(self.keys), dtype=bool)
        if vectors is not None:
            self.set_vectors(vectors)

    def __len__(self) -> int:
        return len(self.keys)

    def set_vectors(self, vectors: np.ndarray) -> None:
        """Replace the embeddings (rows of zeros: no vector) without re-indexing BM25."""
        if vectors.shape[0] != len(self.keys):
            raise ValueError(f"{vectors.shape[0]} vectors for {len(self.keys)} texts")
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.has_vector = np.abs(self.vectors).sum(axis=1) > 0

    def _idf(self, n: int) -> dict[str, float]:
        indptr = np.asarray(self.bm25.scores["indptr"])
        df = np.diff(indptr)
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
        return {term: float(idf[i]) for term, i in self.bm25.vocab_dict.items() if i < len(idf)}

    def bm25_scores(self, query_terms: list[str]) -> np.ndarray | None:
        known = [t for t in query_terms if t in self.idf]
        if not known or not self.keys:
            return None
        return self.bm25.get_scores(known)

    def retrieve(self, query_terms: list[str], depth: int = DEPTH) -> list[tuple[int, float]]:
        """BM25 alone: (position, score) of the best ``depth`` candidates."""
        scores = self.bm25_scores(query_terms)
        if scores is None:
            return []
        return [(int(i), float(scores[i])) for i in _top(scores, depth) if scores[i] > 0]

    def nearest(self, vector: np.ndarray, depth: int = DEPTH) -> list[tuple[int, float]]:
        """Embeddings alone: (position, cosine) of the ``depth`` nearest candidates."""
        if self.vectors is None or not self.has_vector.any():
            return []
        cosines = self.vectors @ np.asarray(vector, dtype=np.float32)
        cosines[~self.has_vector] = -2.0
        return [(int(i), float(cosines[i])) for i in _top(cosines, depth) if self.has_vector[i]]

    def candidates(
        self, query_terms: list[str], vector: np.ndarray | None, depth: int = DEPTH
    ) -> list[Candidate]:
        """The union of the BM25 and the nearest-embedding candidates."""
        scores = self.bm25_scores(query_terms)
        found: dict[int, Candidate] = {}
        if scores is not None:
            for i in _top(scores, depth):
                if scores[i] > 0:
                    found[int(i)] = Candidate(int(i), float(scores[i]), None, True)
        vectors = self.vectors
        if vector is not None and vectors is not None and np.any(vector):
            for i, _ in self.nearest(vector, depth):
                bm25 = float(scores[i]) if scores is not None else 0.0
                found.setdefault(i, Candidate(i, bm25, None, False))
            for candidate in found.values():
                if self.has_vector[candidate.position]:
                    candidate.cosine = float(vectors[candidate.position] @ vector)
        return list(found.values())

    def search(
        self,
        text: str,
        *,
        vector: np.ndarray | None = None,
        top: int = DEFAULT_TOP,
        depth: int = DEPTH,
        keep: Callable[[str], bool] | None = None,
        models: Models | None = None,
    ) -> list[Hit]:
        """The best ``top`` candidates for ``text`` (``keep(key)`` filters candidates)."""
        query_terms = terms(text)
        found = self.candidates(query_terms, vector, depth)
        if keep is not None:
            found = [c for c in found if keep(self.keys[c.position])]
        if not found:
            return []
        models = models or calibration()
        rows = self.feature_rows(text, query_terms, found)
        hits = []
        for kind, model in (("bm25", models.bm25), ("hybrid", models.hybrid)):
            group = [(c, r) for c, r in zip(found, rows, strict=True) if _kind(c) == kind]
            if not group:
                continue
            matrix = np.array([[r[name] for name in model.features] for _, r in group])
            for (c, row), p in zip(group, model.probabilities(matrix), strict=True):
                hits.append(Hit(self.keys[c.position], round(float(p), 4), row))
        hits.sort(key=lambda h: -h.score)
        return hits[:top]

    def feature_rows(
        self, text: str, query_terms: list[str], found: list[Candidate]
    ) -> list[dict[str, float]]:
        """Features of every (query, candidate) pair; the hybrid ones where both have a
        vector."""
        q_clean = utils.default_process(clean(text))
        q_num, q_names = numbers(text), names(text)
        q = set(query_terms)
        q_weight = sum(self.idf.get(t, self.unseen_idf) for t in q) or 1.0
        rows = []
        for c in found:
            candidate = self.texts[c.position]
            row = self._pair(candidate, q, q_weight, q_clean, q_num, q_names, c.bm25)
            if c.cosine is not None:
                row["cosine"] = c.cosine
                row["bm25_found"] = float(c.bm25_found)
            rows.append(row)
        return rows

    def _pair(
        self,
        candidate: str,
        q: set[str],
        q_weight: float,
        q_clean: str,
        q_num: set[str],
        q_names: set[str],
        bm25: float,
    ) -> dict[str, float]:
        c = set(terms(candidate))
        shared = sum(self.idf[t] for t in q & c)
        c_weight = sum(self.idf[t] for t in c) or 1.0
        c_clean = utils.default_process(candidate)
        c_num, c_names = numbers(candidate), names(candidate)
        return {
            "bm25_log": math.log1p(bm25),
            "query_cover": shared / q_weight,
            "cand_cover": shared / c_weight,
            "cover_f1": 2 * shared / (q_weight + c_weight),
            "fuzz_set": fuzz.token_set_ratio(q_clean, c_clean) / 100,
            "fuzz_partial": fuzz.partial_ratio(q_clean, c_clean) / 100,
            "numbers_shared": len(q_num & c_num) / len(c_num) if c_num else 0.0,
            "numbers_clash": float(bool(q_num and c_num and not q_num & c_num)),
            "names_shared": len(q_names & c_names) / len(c_names) if c_names else 0.0,
        }


def _kind(candidate: Candidate) -> str:
    return "bm25" if candidate.cosine is None else "hybrid"


def _top(scores: np.ndarray, depth: int) -> np.ndarray:
    depth = min(depth, len(scores))
    if depth <= 0:
        return np.array([], dtype=np.int64)
    top = np.argpartition(-scores, depth - 1)[:depth]
    return top[np.argsort(-scores[top], kind="stable")]
