"""Variants of the extraction-time check-worthiness model on debates of a later year.

Usage: python scripts/eval_checkworthiness_variants.py PATH/TO/crowdsourced.csv
       [--cache DIR] [VARIANT ...]

Each variant is fitted on the debates before 2012 with the shipped learner
(:func:`claims.nlp.train.fit`: L2 logistic regression, balanced class weights) and
scored on 2012 and 2016; the F1 (CFS) is printed at a range of thresholds. That range
is for reading only: none of these figures chooses a threshold (the shipped one comes
from forward-chaining over the training years, ``manage.py train_checkworthiness --cv``).
Features are parsed once (several minutes) and kept in ``--cache`` when given.

Variants (issue 32, "features of the claim's context and form"):

- ``base``: the shipped features.
- ``context``: + the place in the speaker's turn (first, second, third, later; a
  sentence before, a sentence after) and the previous and next sentences' words,
  lemmas, entity labels and number flag, prefixed (a debate turn is an article's
  paragraph at extraction time).
- ``place``: + the place in the turn and whether the neighbours have a number.
- ``neighbours``: + the base model's logits of the previous and next sentences (in
  sample on the training side), as two dense columns.
- ``chars``: + character 3-5-grams of the lower-cased sentence (digits as 0) as
  binary features beside the others.
- ``blend``: the base model's probability blended (weight ``BLEND``) with that of a
  logistic regression on character 2-5-gram TF-IDF of the sentence.
- ``recent``: training sentences weighted by the year of their debate (linear, the
  earliest lightest), for the drift of topics.
"""

from __future__ import annotations

import argparse
import csv
import json
import pickle
import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from claims.nlp import train

THRESHOLDS = (0.4, 0.425, 0.45, 0.475, 0.5, 0.525, 0.55)
BLEND = 0.2
VARIANTS = ("base", "context", "place", "neighbours", "chars", "blend", "recent")


def turns(rows: list[dict]) -> tuple[list, list, list[int]]:
    """Previous and next row of the same speaker's turn (consecutive ``Sentence_id`` in
    the debate, same ``Speaker``), and the place in the turn."""
    at = {(r["File_id"], int(r["Sentence_id"])): i for i, r in enumerate(rows)}

    def neighbour(i: int, step: int) -> int | None:
        r = rows[i]
        j = at.get((r["File_id"], int(r["Sentence_id"]) + step))
        return j if j is not None and rows[j]["Speaker"] == r["Speaker"] else None

    prev = [neighbour(i, -1) for i in range(len(rows))]
    nxt = [neighbour(i, 1) for i in range(len(rows))]
    order = sorted(
        range(len(rows)), key=lambda i: (rows[i]["File_id"], int(rows[i]["Sentence_id"]))
    )
    place = [0] * len(rows)
    for i in order:
        place[i] = 0 if prev[i] is None else place[prev[i]] + 1
    return prev, nxt, place


def chars(text: str, lo: int = 3, hi: int = 5) -> list[str]:
    t = " " + " ".join(re.sub(r"\d", "0", text.lower()).split()) + " "
    return [f"c={t[a : a + k]}" for k in range(lo, hi + 1) for a in range(len(t) - k + 1)]


def load_features(path: str, cache: Path | None) -> train.Features:
    stored = cache / "features.pkl" if cache else None
    if stored and stored.exists():
        with open(stored, "rb") as fh:
            return pickle.load(fh)
    features = train.featurize(train.load_claimbuster(path).texts, log=print)
    if stored:
        cache.mkdir(parents=True, exist_ok=True)
        with open(stored, "wb") as fh:
            pickle.dump(features, fh)
    return features


def evaluate(path: str, features: train.Features, variant: str) -> dict:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    labels = np.array([r["Verdict"].strip() == "1" for r in rows], dtype=int)
    years = np.array([int(r["File_id"][:4]) for r in rows])
    tr, te = np.flatnonzero(years < train.LATER_FROM), np.flatnonzero(years >= train.LATER_FROM)
    prev, nxt, place = turns(rows)
    sparse, dense, weights = features.sparse, features.dense, None

    def flags(i: int) -> list[str]:
        return (
            [f"pos={min(place[i], 3)}"]
            + ["prev=none"] * (prev[i] is None)
            + ["next=none"] * (nxt[i] is None)
        )

    def of(j: int | None, tag: str, kinds: tuple[str, ...]) -> list[str]:
        return [] if j is None else [tag + f for f in sparse[j] if f.startswith(kinds)]

    if variant == "context":
        kinds = ("w=", "l=", "e=", "has_num")
        sparse = [
            s + flags(i) + of(prev[i], "p", kinds) + of(nxt[i], "n", kinds)
            for i, s in enumerate(sparse)
        ]
    elif variant == "place":
        sparse = [
            s + flags(i) + of(prev[i], "p", ("has_num",)) + of(nxt[i], "n", ("has_num",))
            for i, s in enumerate(sparse)
        ]
    elif variant == "chars":
        sparse = [s + chars(r["Text"]) for s, r in zip(sparse, rows, strict=True)]
    elif variant == "neighbours":
        first = train.fit(features, labels, tr)
        p = first.predict(features, np.arange(len(rows)))
        logit = np.log(p / (1 - p))
        cols = [
            [0.0 if j is None else logit[j] for j in (prev[i], nxt[i])] for i in range(len(rows))
        ]
        sparse = [s + flags(i) for i, s in enumerate(sparse)]
        dense = np.hstack([dense, np.array(cols)])
    elif variant == "recent":
        weights = (years - years.min() + 4) / (years[tr].max() - years.min() + 4)
        weights = weights / weights[tr].mean()
    elif variant not in ("base", "blend"):
        raise SystemExit(f"unknown variant {variant}; one of {', '.join(VARIANTS)}")
    model = train.Features(sparse, dense, features.table)
    probs = train.fit(model, labels, tr, weights=weights).predict(model, te)
    if variant == "blend":
        probs = (1 - BLEND) * probs + BLEND * char_tfidf(rows, labels, tr, te)
    truth = labels[te].astype(bool)
    return {
        "variant": variant,
        "f1": {t: round(train._f1(truth, probs >= t), 4) for t in THRESHOLDS},
    }


def char_tfidf(rows: list[dict], labels: np.ndarray, tr: np.ndarray, te: np.ndarray) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = np.array([re.sub(r"\d", "0", r["Text"].lower()) for r in rows], dtype=object)
    vectorizer = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True
    )
    clf = LogisticRegression(solver="liblinear", class_weight="balanced", random_state=train.SEED)
    clf.fit(vectorizer.fit_transform(texts[tr]), labels[tr])
    return clf.predict_proba(vectorizer.transform(texts[te]))[:, 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("variants", nargs="*", default=list(VARIANTS))
    parser.add_argument("--cache", type=Path, default=None, help="keep the parsed features here")
    args = parser.parse_intermixed_args()
    features = load_features(args.path, args.cache)
    for variant in args.variants:
        print(json.dumps(evaluate(args.path, features, variant)), flush=True)


if __name__ == "__main__":
    main()
