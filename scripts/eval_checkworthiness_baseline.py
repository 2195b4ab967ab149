"""Reference baseline for check-worthiness: TF-IDF (word 1-2 grams) + logistic regression.

Usage: python scripts/eval_checkworthiness_baseline.py PATH/TO/crowdsourced.csv

Same protocol as ``manage.py train_checkworthiness --cv``: CFS (Verdict == 1) vs rest,
5 folds grouped by debate (File_id), mean positive-class F1 over folds, per threshold.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from claims.nlp.train import FOLDS, SEED, THRESHOLDS, _f1, load_claimbuster


def evaluate(path: str, balanced: bool) -> dict:
    data = load_claimbuster(path)
    texts = np.array(data.texts, dtype=object)
    scores: dict[float, list[float]] = {t: [] for t in THRESHOLDS}
    for train, test in GroupKFold(n_splits=FOLDS).split(texts, data.labels, data.groups):
        vectorizer = TfidfVectorizer(ngram_range=(1, 2))
        clf = LogisticRegression(
            solver="liblinear",
            class_weight="balanced" if balanced else None,
            random_state=SEED,
        )
        clf.fit(vectorizer.fit_transform(texts[train]), data.labels[train])
        probs = clf.predict_proba(vectorizer.transform(texts[test]))[:, 1]
        truth = data.labels[test].astype(bool)
        for t in THRESHOLDS:
            scores[t].append(_f1(truth, probs >= t))
    means = {t: float(np.mean(v)) for t, v in scores.items()}
    best = max(means, key=means.__getitem__)
    return {
        "class_weight": "balanced" if balanced else None,
        "f1_at_0.5": round(means[0.5], 4),
        "best_threshold": best,
        "f1_at_best_threshold": round(means[best], 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    args = parser.parse_args()
    print(json.dumps([evaluate(args.path, False), evaluate(args.path, True)], indent=2))


if __name__ == "__main__":
    main()
