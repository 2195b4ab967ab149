"""Benchmark: claim matching and sentence embeddings at archive scale.

Usage: python -m bench.matching [--archive N] [--queries Q] [--embed-sample S] [--json OUT]

Builds ``N`` synthetic archive claims (default 100,000; templates filled with people,
places, organisations and numbers, seeded; made-up surnames make the vocabulary grow
with the archive as real names do, while the template words give long posting lists,
the costly case for BM25), then measures:

- embeddings: loading the verified model, and ``minilm.encode`` over ``S`` archive
  claims (default 5,000): sentences per second, and the peak of memory allocated while
  encoding (``tracemalloc``). Embedding all ``N`` is *extrapolated* from that sample
  (time = N / throughput; the peak does not grow with N, because the app encodes and
  writes batches of 256; holding all N vectors would add N x 1.5 kB);
- the check-worthiness refinement that rides on the claims' embedding pass: the same
  1,000 claims encoded plainly and with the fine-tuned top layers as a branch
  (``encode_with``), alternately, best of 3 each, and the ratio of the two;
- indexing: wall time of ``engine.Index(docs)`` (BM25) and the peak of memory allocated
  while indexing (in a second build so the timing is not slowed);
- matching one article of ``Q`` claims (default 50), each a reworded copy of an archive
  claim from the embedded sample, against the whole archive with the index built once:
  embedding the ``Q`` claims, then the hybrid search (BM25 top 50 and nearest-embedding
  top 50 over an N x 384 float32 matrix, fused, re-ranked) per claim, and BM25 alone for
  comparison; how often the planted original came first (a sanity check, not a quality
  figure: see scripts/eval_matching.py). Archive claims outside the embedded sample get
  random unit vectors: the cost of the matrix product does not depend on their values.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
import tracemalloc
from pathlib import Path

import numpy as np

from claims.matching.engine import index as engine
from claims.matching.engine import minilm
from claims.matching.engine.text import clean
from claims.nlp import checkworthiness_top

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


def _percentile(timings: list[float], q: float) -> float:
    ordered = sorted(timings)
    return ordered[int(q * (len(ordered) - 1))]


def embedding_figures(texts: list[str], archive: int) -> tuple[dict, np.ndarray]:
    import psutil
    from threadpoolctl import threadpool_info

    process = psutil.Process()
    before = process.memory_info().rss
    started = time.perf_counter()
    minilm.model()
    load_seconds = time.perf_counter() - started
    model_rss = process.memory_info().rss - before
    tracemalloc.start()
    started = time.perf_counter()
    vectors = minilm.encode([clean(t) for t in texts])
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rate = len(texts) / seconds
    figures = {
        "model_load_seconds": round(load_seconds, 2),
        "model_rss_mib": round(model_rss / 2**20, 1),
        "sample": len(texts),
        "sample_seconds": round(seconds, 1),
        "sentences_per_second": round(rate, 1),
        "encode_peak_mib": round(peak / 2**20, 1),
        "blas_threads": max((i["num_threads"] for i in threadpool_info()), default=None),
        "archive_extrapolated_seconds": round(archive / rate),
        "archive_vectors_mib": round(archive * minilm.DIMENSIONS * 4 / 2**20, 1),
    }
    return figures, vectors


def refinement_figures(texts: list[str], rounds: int = 3) -> dict:
    """Plain embedding against embedding with the check-worthiness branch, same texts,
    measured alternately in one run (a ratio, robust to the machine's load)."""
    refiner = checkworthiness_top.available()
    if refiner is None:
        return {"available": False}
    model, texts = minilm.model(), [clean(t) for t in texts]
    plain, refined = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        model.encode(texts)
        plain.append(time.perf_counter() - started)
        started = time.perf_counter()
        model.encode_with(texts, refiner)
        refined.append(time.perf_counter() - started)
    return {
        "sentences": len(texts),
        "plain_seconds": round(min(plain), 2),
        "refined_seconds": round(min(refined), 2),
        "ratio": round(min(refined) / min(plain), 3),
        "weights": refiner.version,
    }


def run(archive: int = 100_000, queries: int = 50, embed_sample: int = 5000, seed: int = 0) -> dict:
    rng = random.Random(seed)
    names = LAST + rare_names(rng)
    docs = [(f"fc{i}", synthetic_claim(rng, names)) for i in range(archive)]
    sample = min(embed_sample, archive)
    embedding, sampled = embedding_figures([t for _, t in docs[:sample]], archive)
    refinement = refinement_figures([t for _, t in docs[: min(sample, 1000)]])

    started = time.perf_counter()
    index = engine.Index(docs)
    index_seconds = time.perf_counter() - started
    tracemalloc.start()
    engine.Index(docs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    noise = np.random.default_rng(seed).standard_normal((archive, minilm.DIMENSIONS))
    vectors = (noise / np.linalg.norm(noise, axis=1, keepdims=True)).astype(np.float32)
    vectors[:sample] = sampled
    index.set_vectors(vectors)
    engine.calibration()  # loaded once per process, as in the app

    picks = rng.sample(range(sample), min(queries, sample))
    texts = [reworded(docs[pick][1]) for pick in picks]
    started = time.perf_counter()
    query_vectors = minilm.encode([clean(t) for t in texts])
    embed_article = time.perf_counter() - started
    hybrid, bm25, first = [], [], 0
    for text, vector, pick in zip(texts, query_vectors, picks, strict=True):
        started = time.perf_counter()
        hits = index.search(text, vector=vector, top=5)
        hybrid.append(time.perf_counter() - started)
        first += bool(hits) and hits[0].key == docs[pick][0]
        started = time.perf_counter()
        index.search(text, top=5)
        bm25.append(time.perf_counter() - started)
    return {
        "archive_claims": archive,
        "vocabulary": len(index.idf),
        "index_seconds": round(index_seconds, 2),
        "index_peak_mib": round(peak / 2**20, 1),
        "embedding": embedding,
        "refinement": refinement,
        "queries": len(texts),
        "article_embed_seconds": round(embed_article, 2),
        "article_match_seconds": round(sum(hybrid), 2),
        "match_seconds_median": round(statistics.median(hybrid), 5),
        "match_seconds_p95": round(_percentile(hybrid, 0.95), 5),
        "bm25_match_seconds_median": round(statistics.median(bm25), 5),
        "bm25_match_seconds_p95": round(_percentile(bm25, 0.95), 5),
        "planted_original_first": round(first / len(texts), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--archive", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--embed-sample", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", dest="json_out", default=None, help="write figures here")
    args = parser.parse_args()
    figures = run(args.archive, args.queries, args.embed_sample, args.seed)
    print(json.dumps(figures, indent=2))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
