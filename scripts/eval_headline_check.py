"""The headline check (``claims.text.headline``) on real pages: trafilatura's English
evaluation pages, each page's title as the headline and its main text (the product's
``extract_main_text``) as the body, read as on a revision (headings and plain sentences).

Usage:
    python scripts/eval_headline_check.py ../shared/data/boilerplate/trafilatura_eval_en [--show]

- false flags: pages flagged as they are (their headlines should agree with their text;
  every flag is listed with ``--show``, to judge by hand);
- caught: each headline figure that a body sentence sharing the headline's words states
  is changed by +10% (at least one in its last written digit), and must then be flagged.
  Version and model numbers ("RTX 3080", "Windows Server 2012") count as misses here
  although the check is right to leave them.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")

import django

django.setup()

from claims.ingest.headlines import headings, plain_sentences  # noqa: E402
from claims.nlp import extract_main_text  # noqa: E402
from claims.text import figures, headline  # noqa: E402

_NUMBER = re.compile(r"[0-9][0-9,]*(?:\.[0-9]+)?")


def changed(heading: headline.Heading, figure: figures.Figure) -> str | None:
    """The heading with the figure's number raised by 10% (at least one unit of its last
    digit), or None for a figure written without digits."""
    match = _NUMBER.search(figure.text)
    if match is None:
        return None
    written = match.group()
    value = Decimal(written.replace(",", ""))
    step = Decimal(10) ** -(len(written.split(".")[1]) if "." in written else 0)
    new = max(value * Decimal("1.1"), value + step).quantize(step)
    text = figure.text.replace(written, str(new), 1)
    return heading.text[: figure.start] + text + heading.text[figure.end :]


def evaluate(root: Path, show: bool) -> dict[str, int]:
    pages = json.loads((root / "evaldata_en.json").read_text(encoding="utf-8"))
    counts = dict(pages=0, with_figures=0, flagged=0, probes=0, caught=0)
    for url, page in pages.items():
        path = root / "html" / (page["file"] + ".gz")
        if page.get("lang_guess") != "en" or not page.get("title") or not path.exists():
            continue
        html = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
        body = extract_main_text(html, url=url)
        if not body.strip():
            continue
        counts["pages"] += 1
        found, blocks = headings(page["title"], body)
        sentences = plain_sentences(body, blocks)
        counts["with_figures"] += any(figures.extract(h.text) for h in found)
        flags = headline.check(found, sentences)
        counts["flagged"] += bool(flags)
        for flag in flags if show else []:
            print(f"FLAG {url}\n  {flag.where}: {flag.heading!r}\n  {flag.message}\n"
                  f"  body: {flag.sentence[:160]!r}")  # fmt: skip
        body_sentences = [s for s in sentences if not any(headline.holds(s, h) for h in found)]
        weights = headline.weights(body_sentences)
        title = found[0]
        if headline.check([title], sentences):
            continue
        for figure in figures.extract(title.text):
            if figure.kind == "date" or headline.numbering(title.text, figure):
                continue
            stated = any(
                headline.score(title.text, s, weights) > 0
                and any(headline.agree(figure, other) for other in figures.extract(s.text))
                for s in body_sentences
            )
            text = changed(title, figure) if stated else None
            if text is None:
                continue
            hit = headline.check([replace(title, text=text)], sentences)
            counts["probes"] += 1
            counts["caught"] += bool(hit)
            if show:
                print(f"PROBE {'caught' if hit else 'missed'}: {text!r}"
                      + (f" -> {hit[0].message}" if hit else ""))  # fmt: skip
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--show", action="store_true", help="list every flag and probe")
    args = parser.parse_args()
    counts = evaluate(args.root, args.show)
    print(json.dumps(counts))
    print(
        f"{counts['pages']} pages ({counts['with_figures']} with a figure in a heading): "
        f"{counts['flagged']} flagged as they are; {counts['caught']} of {counts['probes']} "
        "changed headline figures caught"
    )


if __name__ == "__main__":
    main()
