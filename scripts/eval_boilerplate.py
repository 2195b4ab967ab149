"""Page furniture in claims: trafilatura's evaluation pages (English subset).

Usage: python scripts/eval_boilerplate.py /work/shared/data/boilerplate/trafilatura_eval_en
       [--cache var/cache/trafilatura_en.json] [--show N]

Each English page (``lang_guess == "en"``) goes through the ingestion path:
``extract_main_text`` (trafilatura, ``claims/nlp/html.py``), then ``extract``. The page
lists strings that belong to the main text (``with``) and boilerplate strings that do
not (``without``). Reported:

- ``without_in_claims``: how many ``without`` strings end up inside a claim (the string,
  whitespace-normalised and case-folded, is a substring of one claim's text), out of
  how many;
- main-text word F1 of the claims against the page's strings: each ``with`` string's
  words are true positives when the string is inside a claim, else false negatives;
  each ``without`` string inside a claim counts its words as false positives.

``--cache`` stores trafilatura's main text per page (it does not change with our code),
so a second run only runs ``extract``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from claims.nlp import extract, extract_main_text


def norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def main_texts(root: Path, cache: Path | None) -> dict[str, str]:
    if cache is not None and cache.exists():
        return json.loads(cache.read_text(encoding="utf-8"))
    pages = json.loads((root / "evaldata_en.json").read_text(encoding="utf-8"))
    texts = {}
    for url, page in pages.items():
        if page.get("lang_guess") != "en":
            continue
        path = root / "html" / (page["file"] + ".gz")
        if not path.exists():
            continue
        html = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
        texts[url] = extract_main_text(html, url=url)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(texts), encoding="utf-8")
    return texts


def evaluate(root: Path, cache: Path | None, show: int = 0) -> dict:
    pages = json.loads((root / "evaldata_en.json").read_text(encoding="utf-8"))
    texts = main_texts(root, cache)
    inside = total = tp = fp = fn = 0
    examples = []
    for url, text in texts.items():
        claims = [norm(c.text) for c in extract(text).claims] if text.strip() else []

        def in_claim(snippet: str, claims: list[str] = claims) -> bool:
            return any(norm(snippet) in claim for claim in claims)

        for snippet in pages[url]["without"]:
            total += 1
            if in_claim(snippet):
                inside += 1
                fp += len(snippet.split())
                examples.append((url, snippet))
        for snippet in pages[url]["with"]:
            if in_claim(snippet):
                tp += len(snippet.split())
            else:
                fn += len(snippet.split())
    p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    report = {
        "pages": len(texts),
        "without_in_claims": inside,
        "without_strings": total,
        "main_text_words": {
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
        },
    }
    if show:
        report["examples"] = examples[:show]
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--show", type=int, default=0, help="list N strings found in claims")
    args = parser.parse_args()
    print(json.dumps(evaluate(args.path, args.cache, args.show), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
