"""Attribution (source and cue spans) against PolNeAR (brat standoff).

Usage: python scripts/eval_attribution.py /work/shared/data/attribution/polnear [--split dev]

Each article text is run through ``extract``; every attribution of every claim (the
``attributions`` list; ``--main-only``: only the main ``attribution``) gives one
predicted source span (the speaker *mention*, e.g. "he") and one cue span. A predicted
span matches a gold Source/Cue span when they overlap (lenient) or are identical
(exact). An attribution that several claims share (the sentences of one quotation, a
speaker's turn after "NAME:") is counted once. Precision is over predicted spans,
recall over gold spans. PolNeAR marks every nested attribution, also those without a
speech verb, so recall is bounded below 1. An article annotated twice
(``<name>_<annotator>.ann``) counts once per annotation.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from claims.nlp import extract


def gold_spans(ann: Path) -> dict[str, list[tuple[int, int]]]:
    spans: dict[str, list[tuple[int, int]]] = {"Source": [], "Cue": []}
    for line in ann.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if not line.startswith("T") or len(fields) < 2:
            continue  # a few train files hold a malformed line
        label, *rest = fields[1].split(" ")
        if label in spans and ";" not in " ".join(rest):
            spans[label].append((int(rest[0]), int(rest[1])))
    return spans


def predicted_spans(text: str, main_only: bool = False) -> dict[str, list[tuple[int, int]]]:
    result = extract(text)
    spans: dict[str, list[tuple[int, int]]] = {"Source": [], "Cue": []}
    seen: set[tuple[int, int, int, int]] = set()
    for claim in result.claims:
        found = [claim.attribution] if main_only else claim.attributions
        for a in found:
            key = (a.speaker_start, a.speaker_end, a.cue_start, a.cue_end) if a else None
            if key is None or key in seen:
                continue  # a quotation or a turn over several sentences is one attribution
            seen.add(key)
            spans["Source"].append((a.speaker_start, a.speaker_end))
            spans["Cue"].append((a.cue_start, a.cue_end))
    return spans


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score(pairs: list[tuple[list, list]]) -> dict:
    n_pred = sum(len(p) for p, _ in pairs)
    n_gold = sum(len(g) for _, g in pairs)
    out = {"predicted": n_pred, "gold": n_gold}
    for name, match in (("lenient", _overlap), ("exact", lambda a, b: a == b)):
        tp_p = sum(any(match(p, g) for g in gold) for pred, gold in pairs for p in pred)
        tp_r = sum(any(match(p, g) for p in pred) for pred, gold in pairs for g in gold)
        prec, rec = tp_p / max(n_pred, 1), tp_r / max(n_gold, 1)
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out[name] = {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4)}
    return out


def evaluate(root: Path, limit: int | None = None, main_only: bool = False) -> dict:
    pairs: dict[str, list] = {"Source": [], "Cue": []}
    anns = sorted((root / "attributions").glob("*.ann"))[:limit]
    cache: dict[str, dict] = {}
    for ann in anns:
        text_path = root / "text" / (ann.stem.rsplit("_", 1)[0] + ".txt")
        text = text_path.read_bytes().decode("utf-8")
        if text not in cache:
            cache[text] = predicted_spans(text, main_only)
        gold, pred = gold_spans(ann), cache[text]
        for label in pairs:
            pairs[label].append((pred[label], gold[label]))
    return {"articles": len(anns), **{k.lower(): score(v) for k, v in pairs.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="the polnear folder (holding train/ and dev/)")
    parser.add_argument("--split", choices=["train", "dev"], default="dev")
    parser.add_argument("--limit", type=int, default=None, help="first N articles only")
    parser.add_argument("--main-only", action="store_true", help="only each claim's main one")
    args = parser.parse_args()
    root = Path(args.path) / args.split
    report = {"split": args.split, **evaluate(root, args.limit, args.main_only)}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
