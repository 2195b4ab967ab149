"""Page furniture against main text: trafilatura's evaluation pages (English subset).

Usage: python scripts/eval_boilerplate.py /work/shared/data/boilerplate/trafilatura_eval_en
       [--cache var/cache/trafilatura_en.json] [--half a|b] [--no-claims]
       [--show N] [--diffs N]

Each English page (``lang_guess == "en"``, 137 pages) goes through the ingestion path:
``extract_main_text`` (trafilatura, ``claims/nlp/html.py``), then ``split_blocks`` and
``main_text`` (``claims/nlp/blocks.py``), then ``extract``. The page lists strings that
belong to the main text (``with``) and boilerplate strings that do not (``without``).
A string is *in* a text when, whitespace-normalised and case-folded, it is a substring
of it. Reported:

- ``main_text_words``: word F1 of the article's main text (the ``main_text`` blocks,
  sub-headings included, joined by line breaks) against the page's strings: each
  ``with`` string's words are true positives when the string is in the main text, else
  false negatives; each ``without`` string in it counts its words as false positives.
  ``without_in_main_text`` counts those strings.
- ``claim_words``: the same F1 against the claims (a string is in one claim's text).
  Sub-headings are main text but never claims, and a ``with`` string that runs over two
  sentences is in no single claim, so this figure stays below the first. (Before issue
  32's fix this was the only figure, reported as ``main_text_words``.)
- ``without_in_claims``: how many ``without`` strings end up inside a claim, out of
  ``without_strings``.
- ``halves``: both figures on each half of the pages (half ``a`` or ``b`` by the first
  byte of the SHA-1 of the page's URL), so a change developed on one half is checked on
  the other. ``--half`` evaluates one half only.

``--cache`` stores trafilatura's main text per page (it changes only with
``claims/nlp/html.py``; delete the file after changing that), so a second run does not
run trafilatura. ``--no-claims`` skips ``extract`` (no spaCy; the main text only).
``--show N`` lists N ``without`` strings found in claims; ``--diffs N`` lists, for N
pages, the ``with`` strings missing from the main text and the ``without`` strings in it.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from claims.nlp import extract, extract_main_text
from claims.nlp.blocks import main_text, split_blocks


def norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def half(url: str) -> str:
    return "ab"[hashlib.sha1(url.encode("utf-8")).digest()[0] % 2]


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


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    inside: int = 0  # without strings inside

    def add(self, found: bool, snippet: str, wanted: bool) -> None:
        words = len(snippet.split())
        if wanted:
            self.tp += words if found else 0
            self.fn += 0 if found else words
        elif found:
            self.fp += words
            self.inside += 1

    def f1(self) -> dict[str, float]:
        p, r = self.tp / max(self.tp + self.fp, 1), self.tp / max(self.tp + self.fn, 1)
        return {
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
        }


@dataclass
class Scores:
    main: Score = field(default_factory=Score)
    claims: Score = field(default_factory=Score)
    strings: int = 0


def page_main_text(text: str) -> str:
    return norm("\n".join(text[b.start : b.end] for b in main_text(split_blocks(text))))


def evaluate(
    root: Path,
    cache: Path | None,
    *,
    only: str | None = None,
    claims: bool = True,
    show: int = 0,
    diffs: int = 0,
) -> dict:
    pages = json.loads((root / "evaldata_en.json").read_text(encoding="utf-8"))
    texts = {u: t for u, t in main_texts(root, cache).items() if only in (None, half(u))}
    total, halves = Scores(), {"a": Scores(), "b": Scores()}
    examples, pages_diffs = [], []
    for url, text in texts.items():
        kept = page_main_text(text)
        found = [norm(c.text) for c in extract(text).claims] if claims and text.strip() else []
        missed, extra = [], []
        for wanted, side in ((True, "with"), (False, "without")):
            for snippet in pages[url][side]:
                in_main = norm(snippet) in kept
                in_claim = any(norm(snippet) in claim for claim in found)
                for scores in (total, halves[half(url)]):
                    scores.main.add(in_main, snippet, wanted)
                    scores.claims.add(in_claim, snippet, wanted)
                    scores.strings += not wanted
                if in_claim and not wanted:
                    examples.append((url, snippet))
                if in_main != wanted:
                    (missed if wanted else extra).append(snippet)
        if missed or extra:
            pages_diffs.append({"url": url, "missing": missed, "furniture_kept": extra})
    report: dict = {"pages": len(texts)}
    if claims:
        report["without_in_claims"] = total.claims.inside
    report["without_strings"] = total.strings
    report["without_in_main_text"] = total.main.inside
    report["main_text_words"] = total.main.f1()
    if claims:
        report["claim_words"] = total.claims.f1()
    report["halves"] = {
        name: {"main_text_f1": s.main.f1()["f1"]}
        | ({"claim_f1": s.claims.f1()["f1"]} if claims else {})
        for name, s in halves.items()
        if s.strings
    }
    if show:
        report["examples"] = examples[:show]
    if diffs:
        report["diffs"] = pages_diffs[:diffs]
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--half", choices=["a", "b"], default=None, help="one half of the pages")
    parser.add_argument("--no-claims", action="store_true", help="main text only, no extract")
    parser.add_argument("--show", type=int, default=0, help="list N strings found in claims")
    parser.add_argument("--diffs", type=int, default=0, help="list N pages' main-text misses")
    args = parser.parse_args()
    report = evaluate(
        args.path,
        args.cache,
        only=args.half,
        claims=not args.no_claims,
        show=args.show,
        diffs=args.diffs,
    )
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
