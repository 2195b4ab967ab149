"""Factuality against the Szeged Uncertainty Corpus (Wikipedia part).

Usage: python scripts/eval_factuality.py /work/shared/data/hedging/wiki_sentences.tsv
       [--split test|tune|all] [--cache var/cache/wiki_all.spacy]

Fixed split by document: a document is in "test" when md5(doc_id) mod 5 == 0 (about 20%),
else in "tune". ``--cache`` reads the English model's parses of the whole file from a
spaCy DocBin (written by ``--write-cache`` on the first run) so that only our
``wb_hedges`` component runs again; without it every sentence is parsed.

The Szeged cue types are mapped to our factuality values:
speculation_modal_* and hypo_doxastic -> hedged (weasel phrases too, when a file has
them); hypo_condition -> conditional; hypo_investigation -> conditional (an open
alternative, "whether", "to determine if", is what our ``conditional`` value covers:
the claim's truth is left open; it is not a question a reader could be answered).

Reported:
- per class (sentence level): precision over sentences we give that value, recall over
  sentences that hold a gold cue of the mapped type;
- sentence "hedged" (our ``hedged`` flag: hedged, unverified_report, conditional or
  question) against the gold ``uncertain`` flag;
- cues, lenient (spans overlap) over the hedging values only.
Szeged has no notion of unverified reports or of predictions (a stated future is not
uncertainty there), so those values are counted, not scored.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from spacy.tokens import DocBin

from claims.nlp import get_nlp
from claims.nlp.factuality import ASSERTED, CONDITIONAL, HEDGED, Rules, is_hedging
from claims.nlp.hedges import CUES_KEY, FACTUALITY_KEY

GOLD_CLASS = {
    "speculation_modal_probable_": HEDGED,
    "speculation_hypo_doxastic _": HEDGED,
    "weasel": HEDGED,
    "speculation_hypo_condition _": CONDITIONAL,
    "speculation_hypo_investigation _": CONDITIONAL,
}


def split_of(doc_id: str) -> str:
    return "test" if int(hashlib.md5(doc_id.encode()).hexdigest(), 16) % 5 == 0 else "tune"


def load(path: str) -> list[dict]:
    csv.field_size_limit(10_000_000)
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_MINIMAL))


def parses(rows: list[dict], cache: Path | None, write_cache: bool):
    """The English model's Docs for ``rows`` (all rows), from the cache when given."""
    nlp = get_nlp()
    if cache is not None and cache.exists():
        return list(DocBin().from_disk(cache).get_docs(nlp.vocab))
    names = [n for n in nlp.pipe_names if not n.startswith("wb_")]
    with nlp.select_pipes(enable=names):
        docs = list(nlp.pipe((r["text"] for r in rows), batch_size=256))
    if cache is not None and write_cache:
        cache.parent.mkdir(parents=True, exist_ok=True)
        DocBin(docs=docs).to_disk(cache)
    return docs


def prf(tp: int, n_pred: int, n_gold: int, tp_r: int | None = None) -> dict:
    p = tp / n_pred if n_pred else 0.0
    r = (tp if tp_r is None else tp_r) / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "n": n_gold}


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def evaluate(rows: list[dict], docs: list) -> dict:
    nlp = get_nlp()
    tagger = nlp.get_pipe("wb_hedges")
    rules: Rules = tagger.rules
    classes = (HEDGED, CONDITIONAL)
    per = {c: [0, 0, 0] for c in classes}  # tp, predicted, gold
    sent = [0, 0, 0]
    cues = [0, 0, 0, 0]  # tp_p, pred, tp_r, gold
    values: Counter[str] = Counter()
    for row, doc in zip(rows, docs, strict=True):
        doc = tagger(doc)
        value = next((s.label_ for s in doc.spans[FACTUALITY_KEY]), ASSERTED)
        values[value] += 1
        gold_cues = json.loads(row["cues_json"] or "[]")
        gold_classes = {GOLD_CLASS.get(c["type"], HEDGED) for c in gold_cues}
        for c in classes:
            per[c][0] += value == c and c in gold_classes
            per[c][1] += value == c
            per[c][2] += c in gold_classes
        hedged, uncertain = is_hedging(value, rules), row["uncertain"] == "1"
        sent[0] += hedged and uncertain
        sent[1] += hedged
        sent[2] += uncertain
        gold = [(c["start"], c["end"]) for c in gold_cues]
        pred = [
            (s.start_char, s.end_char) for s in doc.spans[CUES_KEY] if is_hedging(s.label_, rules)
        ]
        cues[0] += sum(any(_overlap(p, g) for g in gold) for p in pred)
        cues[1] += len(pred)
        cues[2] += sum(any(_overlap(p, g) for p in pred) for g in gold)
        cues[3] += len(gold)
    return {
        "sentences": len(rows),
        "per_class": {c: prf(*per[c]) for c in classes},
        "sentence_hedged": prf(*sent),
        "cue_lenient": prf(cues[0], cues[1], cues[3], cues[2]),
        "values_given": dict(values.most_common()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--split", choices=["tune", "test", "all"], default="test")
    parser.add_argument("--cache", type=Path, default=None, help="DocBin of all rows' parses")
    parser.add_argument("--write-cache", action="store_true", help="write --cache if missing")
    args = parser.parse_args()
    rows = load(args.path)
    docs = parses(rows, args.cache, args.write_cache)
    wanted = ("tune", "test") if args.split == "all" else (args.split,)
    keep = [i for i, r in enumerate(rows) if split_of(r["doc_id"]) in wanted]
    report = evaluate([rows[i] for i in keep], [docs[i] for i in keep])
    print(json.dumps({"split": args.split, **report}, indent=2))


if __name__ == "__main__":
    main()
