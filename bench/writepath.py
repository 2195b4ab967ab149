"""Benchmark: the extraction job's write path, this checkout against another, side by side.

Usage: python -m bench.writepath [--articles N] [--rounds N] [--against PATH] [--turns N]

``run_extraction`` on ``bench.pipeline.build_articles(N)``, each article's extraction
computed beforehand (so only the job's database work and its Python are timed), in
rounds of N articles: the CPU seconds of each round, in this process. With ``--against
PATH`` (another checkout of the project, e.g. ``git worktree add /tmp/old <commit>``),
the same runs in that checkout and in this one take turns, each in its own process on
the same database, and the medians are compared: a change to the write path measured
side by side on a noisy machine. The first round of each process is left out (it
creates the speaker records the later rounds find). The database must be a ``*bench*``
one (``DATABASE_URL``), as for every benchmark; the articles are deleted after each round.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def rounds(articles: int, count: int) -> list[float]:
    """CPU seconds of each round of ``run_extraction`` over ``articles`` articles."""
    from unittest import mock

    from bench import queueing
    from bench.pipeline import build_articles
    from bench.run import setup_django

    setup_django()
    from claims import jobs
    from claims.ingest import articles as ingest

    queueing.cleanup()
    texts = build_articles(articles, 7)
    done = {text: ingest._extract(text, progress=lambda d, t: None) for text in texts}
    seconds = []
    for i in range(count + 1):
        ids = queueing.submit(texts, f"writepath{i}", send=False)
        with (
            mock.patch.object(ingest, "_extract", lambda text, progress: done[text]),
            mock.patch.object(jobs, "send", lambda *args, **kwargs: None),
        ):
            cpu0 = time.process_time()
            for pk in ids:
                ingest.run_extraction(pk, 1)
            seconds.append(time.process_time() - cpu0)
        queueing.cleanup()
    return seconds[1:]


def in_checkout(path: Path, articles: int, count: int) -> list[float]:
    """``rounds`` in a process of its own, importing the project from the checkout at
    ``path`` (this file is run as a script, so the other checkout needs no copy of it)."""
    done = subprocess.run(
        [sys.executable, __file__, "--only-rounds", "--articles", str(articles),
         "--rounds", str(count)],
        cwd=path, env=dict(os.environ, PYTHONPATH=str(path)), capture_output=True,
        text=True, check=True, timeout=1800,
    )  # fmt: skip
    return list(json.loads(done.stdout.strip().splitlines()[-1])["cpu_seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--against", type=Path, default=None)
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--only-rounds", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only_rounds or args.against is None:
        found = rounds(args.articles, args.rounds)
        print(json.dumps({"cpu_seconds": [round(s, 3) for s in found]}))
        return
    report: dict[str, Any] = {"this": [], "against": []}
    for _ in range(args.turns):
        report["against"] += in_checkout(args.against.resolve(), args.articles, args.rounds)
        report["this"] += in_checkout(ROOT, args.articles, args.rounds)
    print(json.dumps(report))
    this, other = statistics.median(report["this"]), statistics.median(report["against"])
    per = 1000 / args.articles
    print(f"write path, {args.articles} articles a round, median CPU of "
          f"{len(report['this'])} rounds each, taken in turns:")  # fmt: skip
    print(f"  {args.against}: {other:.3f} s ({other * per:.1f} ms an article)")
    print(f"  this checkout: {this:.3f} s ({this * per:.1f} ms an article)")
    print(f"  ratio: {this / other:.2f}x")


if __name__ == "__main__":
    main()
