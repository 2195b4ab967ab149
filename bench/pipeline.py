"""Benchmark: ``extract`` against plain spaCy ``nlp.pipe`` with the same model.

Usage: python -m bench.pipeline [--articles N] [--json OUT]

The article set is assembled here (no data is read from outside the project): the
sentences of tests/fixtures/seed_article.txt recombined with generated news sentences,
some boilerplate lines (deterministic, seeded). Each timing is the best of three
interleaved runs, measured in CPU seconds of this process (``time.process_time``, so
other load on a shared machine does not skew the ratio); wall-clock figures are
reported next to them. Two comparisons on the same texts:

- ordinary articles: ``extract(article)`` for each article vs ``nlp.pipe(articles)``;
- every article pasted twice (its paragraphs repeated 2x): the repeats are detected
  before parsing, so ``extract`` should cost less than plain spaCy on the same text.

On real news (``real_news``): the PolNeAR train articles (hard news on the 2016 US
election, ``../shared/data/attribution/polnear/train/text``, found by walking up from the
project, or ``WORKBENCH_POLNEAR_DIR``; never copied into the project), in file-name
order up to 50,000 words, read two ways in the same run and with the same model
(``--repeats`` interleaved runs, default 3; the medians of the CPU seconds and of each
repeat's ratio are reported, with every ratio and the load average before and after):

- per article: ``extract(article)`` for each against ``nlp.pipe(articles)``;
- as one long document (the articles joined by blank lines): ``extract(document)``
  against ``nlp.pipe`` over the document's paragraphs, the split the plain script of the
  whole-process run makes (spaCy is cheaper on paragraphs than on whole articles, so
  this ceiling is the stricter one).

And the whole process, start-up included (``whole_process``): ``python manage.py extract
FILE --format json`` against a plain spaCy script (``spacy.load`` + ``nlp.pipe`` over the
file's paragraphs) on the same file of 84 articles, each a fresh interpreter, interleaved,
best of three; wall seconds (the headline) and the children's CPU seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import spacy

from claims.nlp import extract, get_nlp
from claims.nlp.model import resolve_model_name

ROOT = Path(__file__).resolve().parents[1]

PEOPLE = ["John Kerry", "Nuri al-Maliki", "Angela Merkel", "Maria Lopez", "David Chen"]
PLACES = ["Baghdad", "Brussels", "Mosul", "Berlin", "Madrid", "Nairobi", "Ohio"]
ORGS = ["the ministry", "NATO", "the central bank", "the United Nations", "the council"]
TEMPLATES = [
    "{person} said {org} would spend {n} million dollars on roads in {place} next year.",
    "Unemployment in {place} fell to {pct} percent in {month}, according to {org}.",
    "{org} may delay the vote until {month}, sources say.",
    "Militants seized {n} villages near {place} on {day}, officials said.",
    "There were unconfirmed reports that {n} people had been arrested in {place}.",
    "{person}, who is expected to visit {place}, met leaders of {org} on {day}.",
    "He said the talks had reached a moment of decision.",
    "The plan is likely to cost about {n} billion euros over {k} years.",
    "Prices rose {pct} percent in {place} last month, the fastest rise since {year}.",
    "{person} denied that {org} had lost {n} million dollars.",
    "Critics argue the law will hurt small farmers in {place}.",
    "The bridge reopened on {day} after {k} months of repairs.",
]
BOILERPLATE = [
    "ALSO READ: What the vote means for {place}",
    "Advertisement",
    "Share this article",
    "Photo: {person}/Reuters",
    "Subscribe to our newsletter",
]
MONTHS = ["January", "March", "May", "July", "September", "November"]
REPEATS = 3
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        person=rng.choice(PEOPLE),
        place=rng.choice(PLACES),
        org=rng.choice(ORGS),
        n=rng.randint(2, 900),
        pct=round(rng.uniform(0.5, 12.0), 1),
        k=rng.randint(2, 9),
        month=rng.choice(MONTHS),
        day=rng.choice(DAYS),
        year=rng.randint(1990, 2015),
    )


def build_articles(n: int, seed: int = 0) -> list[str]:
    """``n`` articles of 12-30 paragraphs: seed sentences, generated sentences, boilerplate."""
    seed_lines = (ROOT / "tests" / "fixtures" / "seed_article.txt").read_text("utf-8").splitlines()
    seed_lines = [s for s in dict.fromkeys(seed_lines) if not s.startswith("ALSO READ")]
    rng = random.Random(seed)
    articles = []
    for _ in range(n):
        paragraphs = []
        for _ in range(rng.randint(12, 30)):
            roll = rng.random()
            if roll < 0.25:
                paragraphs.append(rng.choice(seed_lines))
            elif roll < 0.3:
                paragraphs.append(_fill(rng.choice(BOILERPLATE), rng))
            else:
                k = rng.randint(1, 3)
                paragraphs.append(" ".join(_fill(rng.choice(TEMPLATES), rng) for _ in range(k)))
        articles.append("\n\n".join(dict.fromkeys(paragraphs)))
    return articles


def _time(fn) -> tuple[float, float]:
    """(CPU seconds of this process, wall seconds) spent in ``fn``."""
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - cpu, time.perf_counter() - wall


def _compare(plain, articles: list[str]) -> dict:
    words = sum(len(a.split()) for a in articles)

    def run_plain() -> None:
        with plain.memory_zone():
            for _ in plain.pipe(articles):
                pass

    def run_extract() -> None:
        for article in articles:
            extract(article)

    plain_t = extract_t = (float("inf"), float("inf"))
    for _ in range(REPEATS):  # interleaved, best of REPEATS, to damp machine noise
        plain_t = min(plain_t, _time(run_plain))
        extract_t = min(extract_t, _time(run_extract))
    return {
        "articles": len(articles),
        "words": words,
        "plain_spacy_seconds": round(plain_t[0], 3),
        "extract_seconds": round(extract_t[0], 3),
        "ratio": round(extract_t[0] / plain_t[0], 3),
        "plain_words_per_second": round(words / plain_t[0]),
        "extract_words_per_second": round(words / extract_t[0]),
        "wall_plain_spacy_seconds": round(plain_t[1], 3),
        "wall_extract_seconds": round(extract_t[1], 3),
        "wall_ratio": round(extract_t[1] / plain_t[1], 3),
    }


POLNEAR = Path("attribution") / "polnear" / "train" / "text"


def polnear_dir() -> Path | None:
    """The PolNeAR train texts: ``WORKBENCH_POLNEAR_DIR``, else ``shared/data/...`` in the
    nearest folder above the project that has it; None when absent."""
    if os.environ.get("WORKBENCH_POLNEAR_DIR"):
        return Path(os.environ["WORKBENCH_POLNEAR_DIR"])
    for parent in ROOT.parents:
        candidate = parent / "shared" / "data" / POLNEAR
        if candidate.is_dir():
            return candidate
    return None


def polnear_articles(words: int = 50_000, directory: Path | None = None) -> list[str]:
    """PolNeAR train articles in file-name order, until ``words`` words are reached."""
    directory = directory or polnear_dir()
    if directory is None:
        return []
    texts, total = [], 0
    for path in sorted(directory.glob("*.txt")):
        text = path.read_text("utf-8")
        texts.append(text)
        total += len(text.split())
        if total >= words:
            break
    return texts


def _compare_pair(run_plain, run_extract, words: int, repeats: int = REPEATS) -> dict:
    """Interleaved repeats (plain, extract, plain, extract, ...): the median CPU seconds
    of each, the median of the repeats' own ratios, and every repeat's ratio."""
    plain_t: list[tuple[float, float]] = []
    extract_t: list[tuple[float, float]] = []
    for _ in range(repeats):
        plain_t.append(_time(run_plain))
        extract_t.append(_time(run_extract))
    plain_cpu = statistics.median(t[0] for t in plain_t)
    extract_cpu = statistics.median(t[0] for t in extract_t)
    ratios = [e[0] / p[0] for p, e in zip(plain_t, extract_t, strict=True)]
    wall = [e[1] / p[1] for p, e in zip(plain_t, extract_t, strict=True)]
    return {
        "words": words,
        "repeats": repeats,
        "plain_spacy_seconds": round(plain_cpu, 3),
        "extract_seconds": round(extract_cpu, 3),
        "ratio": round(statistics.median(ratios), 3),
        "ratios": [round(r, 3) for r in ratios],
        "plain_words_per_second": round(words / plain_cpu),
        "extract_words_per_second": round(words / extract_cpu),
        "wall_ratio": round(statistics.median(wall), 3),
    }


def real_news(plain, words: int = 50_000, repeats: int = REPEATS) -> dict:
    """``extract`` on the PolNeAR articles, per article and as one document, against a
    plain spaCy pass over the same text in the same run (CPU seconds; medians of
    ``repeats`` interleaved runs, and the load average before and after)."""
    articles = polnear_articles(words)
    if not articles:
        return {"available": False}
    document = "\n\n".join(articles)
    paragraphs = [p for p in document.split("\n\n") if p.strip()]
    n = len(document.split())

    def pipe(texts: list[str]):
        def run_plain() -> None:
            with plain.memory_zone():
                for _ in plain.pipe(texts):
                    pass

        return run_plain

    def each() -> None:
        for article in articles:
            extract(article)

    load_before = os.getloadavg()
    per_article = _compare_pair(pipe(articles), each, n, repeats)
    one_document = _compare_pair(pipe(paragraphs), lambda: extract(document), n, repeats)
    return {
        "available": True,
        "articles": len(articles),
        "words": n,
        "per_article": per_article,
        "one_document": one_document,
        "load_average": [round(x, 2) for x in (*load_before, *os.getloadavg())],
    }


def print_real_news(r: dict) -> None:
    """The two real-news rows side by side with plain spaCy."""
    if not r.get("available"):
        print("real news: PolNeAR texts not found")
        return
    print(
        f"real news (PolNeAR train, {r['articles']} articles, {r['words']} words); "
        f"load average before {r['load_average'][:3]}, after {r['load_average'][3:]}"
    )
    print(f"{'':14}{'plain spaCy':>13}{'extract':>10}{'ratio':>8}  each repeat")
    for label in ("per_article", "one_document"):
        f = r[label]
        print(
            f"{label:14}{f['plain_spacy_seconds']:>12.2f}s{f['extract_seconds']:>9.2f}s"
            f"{f['ratio']:>7.3f}x  {f['ratios']}"
        )


def snapshot(path: Path, write: bool) -> int:
    """Write (``write``) or check ``extract(text).to_dict()`` of every PolNeAR train text
    and of the 50,000-word document, one JSON line each, to or against ``path`` (kept
    outside the project: the texts are the publishers'). Returns how many differ."""
    directory = polnear_dir()
    if directory is None:
        raise SystemExit("PolNeAR texts not found")
    named = [(p.name, p.read_text("utf-8")) for p in sorted(directory.glob("*.txt"))]
    named.append(("document-50000-words", "\n\n".join(polnear_articles(50_000))))
    lines = [json.dumps({"file": n, "out": extract(t).to_dict()}, sort_keys=True) for n, t in named]
    if write:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return 0
    stored = path.read_text("utf-8").splitlines()
    differ = [json.loads(a)["file"] for a, b in zip(lines, stored, strict=True) if a != b]
    print(f"{len(lines)} texts, {len(differ)} differ from {path}: {differ[:10]}")
    return len(differ)


PLAIN_SCRIPT = """\
import sys
import spacy
nlp = spacy.load(sys.argv[2])
with open(sys.argv[1], encoding="utf-8") as f:
    text = f.read()
docs = list(nlp.pipe(p for p in text.split("\\n\\n") if p.strip()))
print(len(docs))
"""


def _run_process(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one child process, run to completion."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def whole_process(articles: int = 84, repeats: int = 3, seed: int = 0, model: str | None = None):
    """``manage.py extract FILE --format json`` vs a plain spaCy script, whole processes."""
    name = resolve_model_name(model)
    text = "\n\n".join(build_articles(articles, seed))
    env = {**os.environ, "WORKBENCH_SPACY_MODEL": name}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "articles.txt"
        path.write_text(text, encoding="utf-8")
        extract_cmd = [sys.executable, "manage.py", "extract", str(path), "--format", "json"]
        plain_cmd = [sys.executable, "-c", PLAIN_SCRIPT, str(path), name]
        plain = extract_ = (float("inf"), float("inf"))
        for _ in range(repeats):  # interleaved, best of ``repeats``
            plain = min(plain, _run_process(plain_cmd, env))
            extract_ = min(extract_, _run_process(extract_cmd, env))
    return {
        "articles": articles,
        "words": len(text.split()),
        "repeats": repeats,
        "plain_spacy_seconds": round(plain[0], 3),
        "extract_seconds": round(extract_[0], 3),
        "ratio": round(extract_[0] / plain[0], 3),
        "plain_spacy_cpu_seconds": round(plain[1], 3),
        "extract_cpu_seconds": round(extract_[1], 3),
        "cpu_ratio": round(extract_[1] / plain[1], 3),
    }


def run(
    articles: int = 300,
    seed: int = 0,
    model: str | None = None,
    whole_articles: int = 84,
    whole_repeats: int = 3,
    real_words: int = 50_000,
) -> dict:
    """Both comparisons on ``articles`` generated articles; returns the figures."""
    name = resolve_model_name(model)
    plain = spacy.load(name)
    get_nlp(model)
    texts = build_articles(articles, seed)
    warm = texts[:5]
    list(plain.pipe(warm))
    for text in warm:
        extract(text, model=model)
    doubled = [text + "\n\n" + text for text in texts]
    return {
        "model": name,
        "ordinary": _compare(plain, texts),
        "repeated_2x": _compare(plain, doubled),
        "real_news": real_news(plain, real_words) if real_words else {"available": False},
        "whole_process": whole_process(whole_articles, whole_repeats, seed, model),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--whole-articles", type=int, default=84)
    parser.add_argument("--whole-repeats", type=int, default=3)
    parser.add_argument("--real-words", type=int, default=50_000, help="0: skip PolNeAR")
    parser.add_argument("--only-real", action="store_true", help="only the PolNeAR rows")
    parser.add_argument(
        "--repeats", type=int, default=REPEATS, help="interleaved repeats of the PolNeAR rows"
    )
    parser.add_argument("--json", dest="json_out", default=None, help="write figures here")
    parser.add_argument("--write-snapshot", default=None, help="PolNeAR outputs to this file")
    parser.add_argument("--check-snapshot", default=None, help="compare with such a file")
    args = parser.parse_args()
    if args.write_snapshot or args.check_snapshot:
        path = Path(args.write_snapshot or args.check_snapshot)
        sys.exit(1 if snapshot(path, write=bool(args.write_snapshot)) else 0)
    if args.only_real:
        name = resolve_model_name(None)
        plain = spacy.load(name)
        get_nlp()
        texts = polnear_articles(2_000)
        list(plain.pipe(texts))
        for text in texts:
            extract(text)
        figures = real_news(plain, args.real_words, args.repeats)
        print_real_news(figures)
        if args.json_out:
            Path(args.json_out).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        return
    figures = run(
        args.articles,
        args.seed,
        whole_articles=args.whole_articles,
        whole_repeats=args.whole_repeats,
    )
    for label in ("ordinary", "repeated_2x"):
        f = figures[label]
        print(
            f"{label:12} {f['articles']} articles, {f['words']} words: "
            f"plain spaCy {f['plain_spacy_seconds']}s ({f['plain_words_per_second']} w/s), "
            f"extract {f['extract_seconds']}s ({f['extract_words_per_second']} w/s), "
            f"ratio {f['ratio']}x"
        )
    print_real_news(figures["real_news"])
    w = figures["whole_process"]
    print(
        f"whole process {w['articles']} articles, {w['words']} words: plain spaCy script "
        f"{w['plain_spacy_seconds']}s, manage.py extract {w['extract_seconds']}s, ratio "
        f"{w['ratio']}x (CPU {w['plain_spacy_cpu_seconds']}s vs {w['extract_cpu_seconds']}s, "
        f"{w['cpu_ratio']}x)"
    )
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
