"""Benchmark: resident memory of a real worker over many articles.

Usage: python -m bench.memory [--articles N] [--every K]

Starts a real ``celery worker`` (one pool process, as ``bench/queueing.py`` does, on the
benchmark's own embedded Redis and database), submits ``--articles`` distinct generated
articles (new numbers and names, so spaCy's string store would grow without
``nlp.memory_zone()``), and after every ``--every`` finished articles samples the
resident set size (psutil) of the worker: its main process plus its pool children.
The ceiling is the memory after the first ``--every`` articles (model loaded, caches
warm); the figure is the growth from there to the last article (target < 10%).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from bench.run import exit_on_sigterm, setup_django

GROWTH_TARGET = 0.10
MB = 2**20


def rss(worker: Any) -> tuple[int, int]:
    """Resident bytes of the worker (main process + children) and of its pool children."""
    processes = worker.processes()
    total = sum(p.memory_info().rss for p in processes)
    children = sum(p.memory_info().rss for p in processes[1:])
    return total, children


def run(articles: int = 1000, every: int = 100, seed: int = 11) -> dict[str, Any]:
    setup_django()
    from bench import queueing as q
    from bench.pipeline import build_articles
    from claims.models import Article

    q.cleanup()
    texts = build_articles(articles, seed)
    samples = []
    with q.brokers() as found:
        label, url = found[0]
        q.point_app_at(url)
        with q.worker(url, 1, name="memory") as worker:
            _, before = rss(worker)
            ids = q.submit(texts[:1], "memory0")
            ids += q.submit(texts[1:], "memory")
            done_states = (Article.State.DONE, Article.State.FAILED)
            deadline = time.monotonic() + 60 + 10 * articles
            mark = every
            while mark <= articles:
                done = Article.objects.filter(pk__in=ids, state__in=done_states).count()
                if done >= mark:
                    total, children = rss(worker)
                    samples.append({"done": done, "rss_mb": total / MB, "pool_mb": children / MB})
                    print(f"[memory] {done}: {total / MB:.0f} MB", file=sys.stderr, flush=True)
                    mark += every
                    continue
                if time.monotonic() > deadline:
                    raise TimeoutError(f"only {done} of {articles} articles done")
                time.sleep(0.05)
            q.wait_done(ids, timeout=60)
    q.cleanup()
    first, last = samples[0], samples[-1]
    return {
        "articles": articles,
        "every": every,
        "broker": label,
        "pool_before_first_article_mb": round(before / MB, 1),
        "samples": [{k: round(v, 1) for k, v in s.items()} for s in samples],
        "growth": round(last["rss_mb"] / first["rss_mb"] - 1, 4),
        "pool_growth": round(last["pool_mb"] / first["pool_mb"] - 1, 4),
    }


def rows(report: dict[str, Any], row: Any) -> list[dict[str, Any]]:
    samples = report["samples"]
    first, last = samples[0], samples[-1]
    curve = " ".join(f"{s['rss_mb']:.0f}" for s in samples)
    return [
        row(
            "memory",
            f"worker RSS after article {first['done']} -> {last['done']} (MB: {curve})",
            f"{first['rss_mb']:.0f} -> {last['rss_mb']:.0f} MB "
            f"({report['growth']:+.1%}; pool child {report['pool_growth']:+.1%})",
            1 + report["growth"],
            f"RSS after article {first['done']}",
            f"growth < {GROWTH_TARGET:.0%}",
            report["growth"] < GROWTH_TARGET,
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--every", type=int, default=100)
    parser.add_argument("--json", dest="json_out", default=None)
    args = parser.parse_args()
    exit_on_sigterm()
    report = run(args.articles, args.every)
    from bench.run import format_table, row

    print(format_table(rows(report, row)))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
