"""Claim matching against CheckThat! 2020 task 2 (tweets matched to Snopes claims).

Usage: python scripts/eval_matching.py /work/shared/data/matching/checkthat2020_task2
       [--fit] [--splits dev test] [--json OUT]

The archive is ``verified_claims.docs.tsv`` (id, vclaim, title; each indexed as
"vclaim title"); each split has ``tweets.queries.tsv`` and TREC qrels
(``query_id 0 vclaim_id 1``). Reported per split: MAP@5 of BM25 alone (stage 1), MAP@5
after re-ranking (the shipped ranking), the share of queries whose gold claim is among
the BM25 top 50 (the ceiling of re-ranking), and the precision and recall of the
thresholds (is the top hit, with a score above the threshold, the gold claim?).

``--fit`` fits the logistic re-ranker on the *train* split's top-50 candidates (labels:
the qrels) and writes ``claims/data/matching.json``; dev and test are never used for it.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")

import django  # noqa: E402

django.setup()

from claims import matching  # noqa: E402

K = 5


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
    return [q for q in queries if q[0] in qrels], qrels


def average_precision(ranked: list[str], relevant: set[str], k: int = K) -> float:
    hits, total = 0, 0.0
    for rank, key in enumerate(ranked[:k], start=1):
        if key in relevant:
            hits += 1
            total += hits / rank
    return total / min(len(relevant), k) if relevant else 0.0


def candidate_rows(
    index: matching.Index, queries: list[tuple[str, str]], qrels: dict[str, set[str]]
) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Features and labels of every (query, top-50 candidate) pair; group sizes."""
    rows, labels, groups = [], [], []
    for query_id, text in queries:
        query_terms = matching.terms(text)
        found = index.retrieve(query_terms)
        for i, score in found:
            features = index.features(text, query_terms, i, score, found[0][1])
            rows.append(list(features.values()))
            labels.append(float(index.keys[i] in qrels[query_id]))
        groups.append(len(found))
    return np.array(rows), np.array(labels), groups


def fit(rows: np.ndarray, labels: np.ndarray, l2: float = 1.0) -> matching.Calibration:
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
    meta = {
        "fitted_on": "CheckThat! 2020 task 2 train split, BM25 top-50 candidates",
        "pairs": len(labels),
        "positives": int(labels.sum()),
        "l2": l2,
    }
    return matching.Calibration(mean, scale, w[:-1], float(w[-1]), meta)


def evaluate(
    index: matching.Index,
    queries: list[tuple[str, str]],
    qrels: dict[str, set[str]],
    model: matching.Calibration,
) -> dict[str, float]:
    bm25_ap, ap, in_depth = [], [], 0
    top_hits: list[tuple[float, bool]] = []
    for query_id, text in queries:
        relevant = qrels[query_id]
        found = index.retrieve(matching.terms(text))
        bm25_ranked = [index.keys[i] for i, _ in found]
        in_depth += bool(relevant & set(bm25_ranked))
        bm25_ap.append(average_precision(bm25_ranked, relevant))
        hits = index.search(text, top=K, model=model)
        ap.append(average_precision([h.key for h in hits], relevant))
        if hits:
            top_hits.append((hits[0].score, hits[0].key in relevant))
    result = {
        "queries": len(queries),
        "map@5_bm25": round(float(np.mean(bm25_ap)), 4),
        "map@5": round(float(np.mean(ap)), 4),
        "gold_in_top50": round(in_depth / len(queries), 4),
    }
    for name, threshold in (("high", matching.DEFAULT_HIGH), ("low", matching.DEFAULT_LOW)):
        above = [correct for score, correct in top_hits if score >= threshold]
        result[f"precision@{name}={threshold}"] = round(sum(above) / len(above), 4) if above else 0
        result[f"recall@{name}={threshold}"] = round(sum(above) / len(queries), 4)
    result["sweep"] = {}
    for threshold in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        above = [correct for score, correct in top_hits if score >= threshold]
        precision = round(sum(above) / len(above), 3) if above else 0
        result["sweep"][threshold] = (precision, round(sum(above) / len(queries), 3))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--fit", action="store_true", help="refit the weights on train")
    parser.add_argument("--splits", nargs="+", default=["dev", "test"])
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    index = matching.Index(load_archive(args.data))
    if args.fit:
        queries, qrels = load_split(args.data, "train")
        rows, labels, _ = candidate_rows(index, queries, qrels)
        model = fit(rows, labels)
        matching.WEIGHTS_PATH.parent.mkdir(exist_ok=True)
        matching.WEIGHTS_PATH.write_text(json.dumps(model.as_json(), indent=2) + "\n")
        print(f"wrote {matching.WEIGHTS_PATH.relative_to(ROOT)}: {model.meta}")
    else:
        model = matching.calibration()
    report = {}
    for split in args.splits:
        queries, qrels = load_split(args.data, split)
        report[split] = evaluate(index, queries, qrels, model)
        print(split, json.dumps(report[split]))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
