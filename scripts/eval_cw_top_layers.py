"""Check-worthiness by MiniLM's fine-tuned top layers, on debates of years it has not seen.

Usage: python scripts/eval_cw_top_layers.py ../shared/data/checkworthiness/crowdsourced.csv
       [--k 2] [--folds 5] [--cache var/cache/cw_top]

The recipe is the product's (:mod:`claims.nlp.train_top`, what ``manage.py
train_checkworthiness --top-layers`` runs), trained here on the debates before 2012 and
tested once on 2012 and 2016: at 0.5, and at the threshold that grouped K-fold (folds by
debate, ``File_id``) of the earlier debates picks from their pooled out-of-fold scores
(``--folds 0`` skips it). Nothing is tuned on the later debates.

Needs torch (CPU), which ``make install`` does not install: ``pip install -e '.[train]'``.
The hidden states entering layer ``6 - k`` are computed once by the product's numpy
MiniLM (about 4 minutes on 2 cores) and kept as float16 in ``--cache``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

try:
    import torch

    from claims.nlp import train_top
except ImportError as exc:  # pragma: no cover - a message, not a test path
    sys.exit(str(exc))
from claims.nlp.train import LATER_FROM, load_claimbuster


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--k", type=int, default=2, choices=range(1, 7))
    parser.add_argument("--folds", type=int, default=5, help="0: no threshold search")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=train_top.DEFAULT_CACHE)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    config = train_top.Config(k=args.k, epochs=args.epochs, seed=args.seed)

    data = load_claimbuster(args.data)
    years = np.array([int(g[:4]) for g in data.groups])
    earlier, later = np.flatnonzero(years < LATER_FROM), np.flatnonzero(years >= LATER_FROM)
    y = data.labels.astype(np.float32)
    weight = np.ones(len(y), dtype=np.float32)
    states = train_top.hidden_states(data.texts, 6 - args.k, args.cache)
    truth = y.astype(bool)
    report: dict = {"k": args.k, "train_before": LATER_FROM, "test_sentences": len(later)}

    threshold = 0.5
    if args.folds:
        threshold, cv_f1 = train_top.grouped_threshold(
            states,
            y,
            weight,
            earlier,
            data.groups,
            np.array([], dtype=int),
            config,
            folds=args.folds,
        )
        report["threshold_from_grouped_cv"] = threshold
        report["cv_f1_at_threshold"] = cv_f1

    began = time.time()
    model = train_top.fit(states, y, weight, earlier, config)
    seconds = time.time() - began
    probs = train_top.predict(model, states, later)
    for name, t in {"at_0.5": 0.5, "at_threshold": threshold}.items():
        score, p, r = train_top.f1(truth[later], probs >= t)
        report[name] = {"threshold": t, "f1": round(score, 4), "p": round(p, 4), "r": round(r, 4)}
    report["train_seconds"] = round(seconds, 1)
    report["trainable"] = sum(p.numel() for p in model.parameters())
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
