"""Benchmark: claim matching at archive scale.

Usage: python bench/matching.py [--archive N] [--queries Q] [--json OUT]

Builds ``N`` synthetic archive claims (default 100,000; templates filled with people,
places, organisations and numbers, seeded; made-up surnames make the vocabulary grow
with the archive as real names do, while the template words give long posting lists,
the costly case for BM25), then measures:

- indexing: wall time of ``matching.Index(docs)``, and the peak of memory allocated
  while indexing (``tracemalloc``, in a second build so the timing is not slowed);
- matching: ``index.search(text, top=5)`` (BM25 top-50, then features and the
  calibrated re-ranking) for ``Q`` queries, each a reworded copy of an archive claim;
  median and 95th percentile in seconds, and how often the planted original came
  first (a sanity check, not a quality figure: see scripts/eval_matching.py).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Run as a script: import the project (and bench.*) from the project root.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")

import django  # noqa: E402
from django.apps import apps  # noqa: E402

if not apps.ready:  # run as a script; bench/run.py has set Django up already
    django.setup()
logging.getLogger("bm25s").setLevel(logging.WARNING)

from claims import matching  # noqa: E402

FIRST = [
    "John",
    "Maria",
    "David",
    "Angela",
    "Nuri",
    "Ana",
    "Kwame",
    "Li",
    "Olga",
    "Samir",
    "Fatima",
    "Pedro",
    "Ingrid",
    "Tomasz",
    "Aiko",
    "Lars",
    "Chen",
    "Amara",
    "Ravi",
    "Zoe",
]
LAST = [
    "Kerry",
    "Lopez",
    "Chen",
    "Merkel",
    "Okafor",
    "Silva",
    "Novak",
    "Tanaka",
    "Haddad",
    "Jensen",
    "Murphy",
    "Kowalski",
    "Rossi",
    "Dubois",
    "Schmidt",
    "Nakamura",
    "Patel",
]
PLACES = [
    "Baghdad",
    "Brussels",
    "Mosul",
    "Berlin",
    "Madrid",
    "Nairobi",
    "Ohio",
    "Texas",
    "Lagos",
    "Lima",
    "Osaka",
    "Krakow",
    "Quebec",
    "Manila",
    "Cairo",
    "Denver",
    "Perth",
]
ORGS = [
    "the ministry",
    "NATO",
    "the central bank",
    "the United Nations",
    "the council",
    "the health agency",
    "the electoral commission",
    "the police",
    "the university",
    "the army",
    "the World Bank",
    "the senate",
    "the airline",
    "the union",
]
THINGS = [
    "vaccine",
    "bridge",
    "tax",
    "pension",
    "border wall",
    "school",
    "hospital",
    "election",
    "refinery",
    "railway",
    "water supply",
    "minimum wage",
    "stadium",
    "subsidy",
    "curfew",
    "tariff",
    "drug",
    "satellite",
    "vote",
    "reactor",
]
TEMPLATES = [
    "{person} said {org} spent {n} million dollars on the {thing} in {place}.",
    "{org} banned the {thing} in {place} after {n} people fell ill.",
    "A photo shows {person} visiting the {thing} in {place} in {year}.",
    "{person} claimed that the {thing} in {place} cost {n} billion dollars.",
    "Unemployment in {place} rose to {pct} percent because of the {thing}, {org} said.",
    "{org} confirmed that {n} {thing} workers in {place} were fired in {year}.",
    "{person} never voted for the {thing} bill in {year}, contrary to reports.",
    "The {thing} in {place} will be closed for {n} days, {org} announced.",
]
REWORD = {
    "said": "stated",
    "spent": "used",
    "banned": "prohibited",
    "claimed": "alleged",
    "rose": "climbed",
    "confirmed": "verified",
    "closed": "shut",
    "cost": "costed",
}


SYLLABLES = ["ka", "lo", "mi", "ra", "ten", "vo", "shi", "dru", "pel", "zan", "ber", "qui"]


def rare_names(rng: random.Random, count: int = 30_000) -> list[str]:
    """Made-up surnames, so the vocabulary grows with the archive as real names do."""
    return ["".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))).title() for _ in range(count)]


def synthetic_claim(rng: random.Random, names: list[str]) -> str:
    return rng.choice(TEMPLATES).format(
        person=f"{rng.choice(FIRST)} {rng.choice(names)}",
        org=rng.choice(ORGS),
        place=rng.choice(PLACES),
        thing=rng.choice(THINGS),
        n=rng.randint(2, 999),
        pct=round(rng.uniform(2, 30), 1),
        year=rng.randint(1990, 2026),
    )


def reworded(text: str) -> str:
    words = [REWORD.get(word, word) for word in text.split()]
    return "Reports say " + " ".join(words)


def run(archive: int = 100_000, queries: int = 50, seed: int = 0) -> dict:
    rng = random.Random(seed)
    names = LAST + rare_names(rng)
    docs = [(f"fc{i}", synthetic_claim(rng, names)) for i in range(archive)]

    started = time.perf_counter()
    index = matching.Index(docs)
    index_seconds = time.perf_counter() - started

    tracemalloc.start()
    matching.Index(docs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    matching.calibration()  # loaded once per process, as in the app
    picks = rng.sample(range(archive), queries)
    timings, first = [], 0
    for pick in picks:
        text = reworded(docs[pick][1])
        started = time.perf_counter()
        hits = index.search(text, top=5)
        timings.append(time.perf_counter() - started)
        first += bool(hits) and hits[0].key == docs[pick][0]
    timings.sort()
    return {
        "archive_claims": archive,
        "vocabulary": len(index.idf),
        "index_seconds": round(index_seconds, 2),
        "index_peak_mib": round(peak / 2**20, 1),
        "queries": queries,
        "match_seconds_median": round(statistics.median(timings), 5),
        "match_seconds_p95": round(timings[int(0.95 * (len(timings) - 1))], 5),
        "planted_original_first": round(first / queries, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--archive", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", dest="json_out", default=None, help="write figures here")
    args = parser.parse_args()
    figures = run(args.archive, args.queries, args.seed)
    print(json.dumps(figures, indent=2))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
