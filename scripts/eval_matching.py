"""Claim matching against CheckThat! 2020 task 2 (tweets matched to Snopes claims).

Usage: python scripts/eval_matching.py /work/shared/data/matching/checkthat2020_task2
       [--fit] [--splits dev test] [--json OUT] [--cache var/matching]

The archive is ``verified_claims.docs.tsv`` (id, vclaim, title; each indexed as
"vclaim title"); each split has ``tweets.queries.tsv`` and TREC qrels
(``query_id 0 vclaim_id 1``). Reported per split, as MAP@5:

- ``bm25``: BM25 alone (stage 1's order);
- ``embeddings``: the cosine of all-MiniLM-L6-v2 sentence embeddings alone;
- ``bm25_reranked``: BM25 top 50 re-ranked by the ``bm25`` logistic model (what the app
  does for a claim or fact-check without a vector);
- ``hybrid``: BM25 top 50 and embedding top 50, fused by union, re-ranked by the
  ``hybrid`` logistic model (the shipped ranking);

with the share of queries whose gold claim is among the candidates (the ceiling of
re-ranking), and a sweep of thresholds for the hybrid and for BM25 + re-ranker (the
fallback without vectors): precision and recall of the top
hit (does it score at least the threshold, and is it the gold claim?), and the false
alarms: the share of queries that still get a hit at the threshold when their gold
claim is withheld from the archive (most claims in a newsroom match nothing; the
archive's near-duplicates of the gold claim make this an upper bound).

Embeddings of the archive (10,389 claims) and the queries are computed once and kept in
``--cache`` (``var/matching/*.npy``, keyed by model version and texts): the first run
takes several minutes on two cores, later runs seconds.

``--fit`` fits both logistic re-rankers on the *train* split's candidates (labels: the
qrels) and writes ``claims/data/matching.json``; dev and test are never used for it.
No Django: the engine (``claims.matching.engine``) is plain Python.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claims.matching.engine import index as engine  # noqa: E402
from claims.matching.engine import minilm  # noqa: E402
from claims.matching.engine.text import clean, terms  # noqa: E402

K = 5
THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


def read_tsv(path: Path) -> list[list[str]]:
    csv.field_size_limit(10_000_000)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    return rows[1:]  # header


def load_archive(root: Path) -> list[tuple[str, str]]:
    return [(row[0], f"{row[1]} {row[2]}") for row in read_tsv(root / "verified_claims.docs.tsv")]


def load_split(root: Path, split: str) -> tuple[list[tuple[str, str]], dict[str, set[str]]]:
    queries = [(row[0], row[1]) for row in read_tsv(root / split / "tweets.queries.tsv")]
    qrels: dict[str, set[str]] = {}
    for line in (root / split / "tweet-vclaim-pairs.qrels").read_text().splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[3] != "0":
            qrels.setdefault(parts[0], set()).add(parts[2])
    return queries, qrels  # every query, judged or not: the embedding cache keeps them all


def embed(texts: list[str], cache: Path, name: str) -> np.ndarray:
    return minilm.encode_cached([clean(t) for t in texts], cache, name=name)


def average_precision(ranked: list[str], relevant: set[str], k: int = K) -> float:
    hits, total = 0, 0.0
    for rank, key in enumerate(ranked[:k], start=1):
        if key in relevant:
            hits += 1
            total += hits / rank
    return total / min(len(relevant), k) if relevant else 0.0


def candidate_rows(
    index: engine.Index,
    queries: list[tuple[str, str]],
    vectors: np.ndarray | None,
    qrels: dict[str, set[str]],
    features: list[str],
) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels of every (query, candidate) pair."""
    rows, labels = [], []
    for n, (query_id, text) in enumerate(queries):
        if query_id not in qrels:
            continue
        query_terms = terms(text)
        found = index.candidates(query_terms, None if vectors is None else vectors[n])
        for candidate, row in zip(found, index.feature_rows(text, query_terms, found), strict=True):
            rows.append([row[name] for name in features])
            labels.append(float(index.keys[candidate.position] in qrels[query_id]))
    return np.array(rows), np.array(labels)


def fit(rows: np.ndarray, labels: np.ndarray, features: list[str], l2: float = 1.0, **meta):
    """L2-regularised logistic regression by Newton's method (no extra dependency)."""
    mean, scale = rows.mean(axis=0), rows.std(axis=0)
    scale[scale == 0] = 1.0
    x = np.hstack([(rows - mean) / scale, np.ones((len(rows), 1))])
    w = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(x @ w, -30, 30)))
        gradient = x.T @ (p - labels) + penalty * w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    meta |= {"pairs": len(labels), "positives": int(labels.sum()), "l2": l2}
    return engine.Calibration(features, mean, scale, w[:-1], float(w[-1]), meta)


def _not_in(keys: set[str]) -> Callable[[str], bool]:
    return lambda key: key not in keys


def evaluate(
    index: engine.Index,
    queries: list[tuple[str, str]],
    vectors: np.ndarray,
    qrels: dict[str, set[str]],
    models: engine.Models,
) -> dict[str, object]:
    ap: dict[str, list[float]] = {"bm25": [], "embeddings": [], "bm25_reranked": [], "hybrid": []}
    in_bm25 = in_hybrid = 0
    top_hits: dict[str, list[tuple[float, bool]]] = {"bm25_reranked": [], "hybrid": []}
    withheld: dict[str, list[float]] = {"bm25_reranked": [], "hybrid": []}
    judged = 0
    for n, (query_id, text) in enumerate(queries):
        if query_id not in qrels:
            continue
        judged += 1
        relevant = qrels[query_id]
        bm25 = [index.keys[i] for i, _ in index.retrieve(terms(text))]
        dense = [index.keys[i] for i, _ in index.nearest(vectors[n])]
        in_bm25 += bool(relevant & set(bm25))
        in_hybrid += bool(relevant & (set(bm25) | set(dense)))
        ap["bm25"].append(average_precision(bm25, relevant))
        ap["embeddings"].append(average_precision(dense, relevant))
        for name, vector in (("bm25_reranked", None), ("hybrid", vectors[n])):
            hits = index.search(text, vector=vector, top=K, models=models)
            ap[name].append(average_precision([h.key for h in hits], relevant))
            if hits:
                top_hits[name].append((hits[0].score, hits[0].key in relevant))
            # The query when the archive does not hold its claim: any hit is a false alarm.
            others = index.search(text, vector=vector, top=1, keep=_not_in(relevant))
            withheld[name].append(others[0].score if others else 0.0)
    result: dict[str, object] = {"queries": judged}
    result |= {f"map@5_{name}": round(float(np.mean(v)), 4) for name, v in ap.items()}
    result["gold_in_bm25_top50"] = round(in_bm25 / judged, 4)
    result["gold_in_hybrid_candidates"] = round(in_hybrid / judged, 4)
    for name in ("hybrid", "bm25_reranked"):
        sweep = {}
        for threshold in THRESHOLDS:
            above = [correct for score, correct in top_hits[name] if score >= threshold]
            precision = round(sum(above) / len(above), 3) if above else 0
            alarms = round(sum(score >= threshold for score in withheld[name]) / judged, 3)
            sweep[threshold] = (precision, round(sum(above) / judged, 3), alarms)
        result[f"{name}_sweep_precision_recall_false_alarms"] = sweep
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--fit", action="store_true", help="refit the weights on train")
    parser.add_argument("--splits", nargs="+", default=["dev", "test"])
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--cache", type=Path, default=ROOT / "var" / "matching")
    args = parser.parse_args()

    docs = load_archive(args.data)
    print(f"embedding {len(docs)} archive claims (cached in {args.cache}) ...", file=sys.stderr)
    index = engine.Index(docs, embed([t for _, t in docs], args.cache, "checkthat2020-archive"))
    if args.fit:
        queries, qrels = load_split(args.data, "train")
        vectors = embed([t for _, t in queries], args.cache, "checkthat2020-train")
        fitted_on = "CheckThat! 2020 task 2 train split"
        bm25_rows, bm25_labels = candidate_rows(index, queries, None, qrels, engine.BM25_FEATURES)
        hybrid_rows, hybrid_labels = candidate_rows(
            index, queries, vectors, qrels, engine.HYBRID_FEATURES
        )
        models = engine.Models(
            bm25=fit(bm25_rows, bm25_labels, engine.BM25_FEATURES,
                     fitted_on=f"{fitted_on}, BM25 top-50 candidates"),
            hybrid=fit(hybrid_rows, hybrid_labels, engine.HYBRID_FEATURES,
                       fitted_on=f"{fitted_on}, BM25 top-50 and embedding top-50 candidates"),
            meta={"embeddings": minilm.VERSION,
                  "command": "python scripts/eval_matching.py DATA --fit"},
        )  # fmt: skip
        engine.WEIGHTS_PATH.parent.mkdir(exist_ok=True)
        engine.WEIGHTS_PATH.write_text(json.dumps(models.as_json(), indent=2) + "\n")
        print(f"wrote {engine.WEIGHTS_PATH.relative_to(ROOT)}")
    else:
        models = engine.calibration()
    report = {}
    for split in args.splits:
        queries, qrels = load_split(args.data, split)
        vectors = embed([t for _, t in queries], args.cache, f"checkthat2020-{split}")
        report[split] = evaluate(index, queries, vectors, qrels, models)
        print(split, json.dumps(report[split]))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
