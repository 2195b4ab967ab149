"""Hedge cues against the Szeged Uncertainty Corpus (Wikipedia part).

Usage: python scripts/eval_hedges.py /work/shared/data/hedging/wiki_sentences.tsv [--split test]

Fixed split by document: a document is in "test" when md5(doc_id) mod 5 == 0 (about 20%),
else in "tune". Cue scores: a predicted cue matches a gold cue when the spans overlap
(lenient) or are identical (exact). Sentence scores: gold "uncertain" against (a) any cue
found, (b) ``hedged`` (a cue governing the main clause). Szeged's notion is narrower than
ours on attribution ("sources say" is not a cue there) and wider on conditions and
weasel words, so these figures are a guide, not the target.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from claims.nlp import get_nlp
from claims.nlp.hedges import CUES_KEY, GOVERNING_KEY


def split_of(doc_id: str) -> str:
    return "test" if int(hashlib.md5(doc_id.encode()).hexdigest(), 16) % 5 == 0 else "tune"


def load(path: str, split: str) -> list[dict]:
    csv.field_size_limit(10_000_000)
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_MINIMAL))
    return [r for r in rows if split == "all" or split_of(r["doc_id"]) == split]


def prf(tp_p: int, n_pred: int, tp_r: int, n_gold: int) -> dict:
    p = tp_p / n_pred if n_pred else 0.0
    r = tp_r / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def evaluate(rows: list[dict]) -> dict:
    nlp = get_nlp()
    counts = {"pred": 0, "gold": 0, "p_len": 0, "r_len": 0, "p_ex": 0, "r_ex": 0}
    sent = {"any": [0, 0, 0], "hedged": [0, 0, 0]}  # tp, predicted, gold
    with nlp.memory_zone():
        for row, doc in zip(rows, nlp.pipe((r["text"] for r in rows), batch_size=128), strict=True):
            gold = [(c["start"], c["end"]) for c in json.loads(row["cues_json"] or "[]")]
            pred = [(s.start_char, s.end_char) for s in doc.spans[CUES_KEY]]
            _count_cues(counts, gold, pred)
            uncertain = row["uncertain"] == "1"
            for key, flag in (("any", bool(pred)), ("hedged", bool(doc.spans[GOVERNING_KEY]))):
                sent[key][0] += flag and uncertain
                sent[key][1] += flag
                sent[key][2] += uncertain
    return {
        "sentences": len(rows),
        "cue_lenient": prf(counts["p_len"], counts["pred"], counts["r_len"], counts["gold"]),
        "cue_exact": prf(counts["p_ex"], counts["pred"], counts["r_ex"], counts["gold"]),
        "sentence_any_cue": prf(sent["any"][0], sent["any"][1], sent["any"][0], sent["any"][2]),
        "sentence_hedged": prf(
            sent["hedged"][0], sent["hedged"][1], sent["hedged"][0], sent["hedged"][2]
        ),
    }


def _count_cues(counts: dict, gold: list, pred: list) -> None:
    def overlap(a, b):
        return a[0] < b[1] and b[0] < a[1]

    counts["pred"] += len(pred)
    counts["gold"] += len(gold)
    counts["p_len"] += sum(any(overlap(p, g) for g in gold) for p in pred)
    counts["r_len"] += sum(any(overlap(p, g) for p in pred) for g in gold)
    counts["p_ex"] += sum(p in gold for p in pred)
    counts["r_ex"] += sum(g in pred for g in gold)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--split", choices=["tune", "test", "all"], default="test")
    args = parser.parse_args()
    report = {"split": args.split, **evaluate(load(args.path, args.split))}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
