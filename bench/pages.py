"""Benchmark: server time and SQL queries of the review pages on a generated database.

Usage: python -m bench.pages [--size ARTICLES:CLAIMS_PER_ARTICLE ...] [--requests N]

For each size, ``manage.py seed_bench`` builds the database (kept when it already has
that size), then each page is requested in-process through Django's test Client as a
logged-in fact-checker: the median and p95 of the server time over ``--requests``
requests, and the SQL query count (``CaptureQueriesContext``) of one request. Showing
two sizes proves the query counts constant in the number of rows. The ceiling of each
page is the cheapest page of the app measured in the same run (the article status
fragment: session, user, permissions and one row), so the ratio says how many "empty
requests" a page costs. On PostgreSQL (SQLite: ``EXPLAIN QUERY PLAN``) the slowest
queries of each page are EXPLAINed and full-table scans of big tables are reported.

On PostgreSQL the same sizes (but the 1,000,000 one) are also measured on the
benchmark's SQLite database, in a process of its own (on SQLite, on
``BENCH_PAGES_POSTGRES_URL`` when it is set), and the article page's row shows both side
by side; ``--one-database`` leaves that out.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench.run import exit_on_sigterm, setup_django

BENCH_ARTICLES = "https://bench.invalid/article/"
LIST_PAGES = {"articles", "articles-search", "claims", "claims-filtered", "claims-search"}
P95_TARGET_MS = 150.0
LIST_QUERY_TARGET = 12
# The 1,000,000-claim size (20,000 articles of 50): PostgreSQL only, opt-in because
# seeding it takes minutes (``BENCH_PAGES_1M=1 make bench``, or ``--size 20000:50``).
LARGE_SIZE = (20_000, 50)
BIG_TABLES = ("claims_claim", "claims_article", "claims_evidence", "claims_historicalclaim")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def ensure_seeded(articles: int, per_article: int, big: int) -> dict[str, float]:
    from django.core.management import call_command

    from claims.models import Article, Claim

    expected = (articles - 1) * per_article + (big or per_article)
    have_articles = Article.objects.filter(url__startswith=BENCH_ARTICLES).count()
    have_claims = Claim.objects.filter(article__url__startswith=BENCH_ARTICLES).count()
    seeded_seconds = 0.0
    if (have_articles, have_claims) != (articles, expected):
        t0 = time.perf_counter()
        call_command(
            "seed_bench",
            articles=articles,
            claims_per_article=per_article,
            big_article=big,
            stdout=sys.stderr,
        )
        seeded_seconds = round(time.perf_counter() - t0, 1)
        analyze()
    return {
        "articles": Article.objects.count(),
        "claims": Claim.objects.count(),
        "seed_seconds": seeded_seconds,
    }


def analyze() -> None:
    """Fresh statistics; on PostgreSQL also VACUUM, so that the visibility map lets
    index-only scans skip the heap (a freshly seeded table has none of it)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def pages_to_measure() -> dict[str, tuple[str, dict[str, str]]]:
    from claims.models import Article, Claim

    big = Article.objects.filter(url__startswith=BENCH_ARTICLES).order_by("pk").first()
    claim = Claim.objects.filter(article=big, evidence__isnull=False).order_by("pk").first()
    if big is None or claim is None:
        raise RuntimeError("No benchmark article with evidence: run seed_bench first.")
    htmx = {"HTTP_HX_REQUEST": "true"}
    return {
        "floor": (f"/articles/{big.pk}/status/", {}),
        "articles": ("/articles/", {}),
        "articles-search": ("/articles/?q=Bench&state=done&page=2", {}),  # page 2 at every size
        "claims": ("/claims/", {}),
        "claims-filtered": (
            "/claims/?status=unconfirmed&hedged=true&q=percent&min_score=0.5",
            {},
        ),
        "claims-search": ("/claims/?q=Nairobi&page=3", {}),
        "article-500": (f"/articles/{big.pk}/", {}),
        "claim-panel": (f"/claims/{claim.pk}/", htmx),
    }


def measure_page(client: Any, url: str, headers: dict[str, str], requests: int) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):  # warm caches (templates, permissions, database pages)
        response = client.get(url, **headers)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
    reset_queries()  # the log of earlier work would hide this request's queries
    with CaptureQueriesContext(connection) as captured:
        client.get(url, **headers)
    # Read now: the log is emptied when the next request starts.
    queries: list[dict[str, Any]] = [
        {"sql": q["sql"], "ms": float(q["time"]) * 1000} for q in captured.captured_queries
    ]
    gc.collect()
    times = []
    with GcTimer() as collector:
        for _ in range(requests):
            t0 = time.perf_counter()
            client.get(url, **headers)
            times.append((time.perf_counter() - t0) * 1000)
    return {
        "url": url,
        "requests": requests,
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "queries": len(queries),
        "sql_ms": round(sum(q["ms"] for q in queries), 1),
        "bytes": len(response.content),
        "slowest": sorted(queries, key=lambda q: -q["ms"])[:2],
        "gc_ms_per_request": round(collector.seconds * 1000 / requests, 1),
        "gc_collections": collector.collections,
        "gc_share": round(collector.seconds * 1000 / sum(times), 3),
    }


class GcTimer:
    """Time spent in Python's garbage collector while the block runs, and how many
    collections of each generation (``gc.callbacks``)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.collections = [0, 0, 0]
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started
            self.collections[info["generation"]] += 1

    def __enter__(self) -> GcTimer:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)


def explain(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) " + sql)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return [" | ".join(str(c) for c in r) if len(r) > 1 else str(r[0]) for r in cursor]


def full_scans(plan: list[str]) -> list[str]:
    """Big tables read in full (PostgreSQL "Seq Scan on", SQLite "SCAN <table>")."""
    found = set()
    for line in plan:
        detail = line.split("|")[-1]
        for table in BIG_TABLES:
            name = rf"{table}\b"  # not claims_claimmatch for claims_claim
            if re.search(rf"Seq Scan on {name}", line) or (
                re.search(rf"SCAN {name}", detail) and "USING" not in detail
            ):
                found.add(table)
    return sorted(found)


def measure_size(requests: int) -> dict[str, Any]:
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client, override_settings

    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    results = {}
    with override_settings(DEBUG=False, ALLOWED_HOSTS=hosts):
        client = Client()
        client.force_login(User.objects.get(username="bench-checker"))
        for name, (url, headers) in pages_to_measure().items():
            try:
                figures = measure_page(client, url, headers, requests)
            except Exception as exc:  # a broken page must not hide the others
                results[name] = {"url": url, "error": f"{type(exc).__name__}: {exc}"}
                continue
            for query in figures["slowest"]:
                query["plan"] = explain(query["sql"])
                query["full_scans"] = full_scans(query["plan"])
                query["sql"] = query["sql"][:600]
            results[name] = figures
    return results


def large_enabled() -> bool:
    return os.environ.get("BENCH_PAGES_1M", "") not in ("", "0")


def run(
    sizes: list[tuple[int, int]] | None = None,
    requests: int = 50,
    big: int = 500,
    *,
    both: bool = True,
) -> dict[str, Any]:
    """Seed each size in turn (smallest first) and measure every page at it."""
    setup_django()
    from django.db import connection

    sizes = list(sizes or [(200, 50), (2000, 50)])
    if large_enabled() and connection.vendor == "postgresql" and LARGE_SIZE not in sizes:
        sizes.append(LARGE_SIZE)
    report: dict[str, Any] = {"database": connection.vendor, "sizes": []}
    for articles, per_article in sizes:
        seeded = ensure_seeded(articles, per_article, big)
        print(f"[pages] measuring at {seeded}", file=sys.stderr, flush=True)
        report["sizes"].append(seeded | {"pages": measure_size(requests)})
    if both and (other := other_database(connection.vendor)) is not None:
        report["other"] = run_elsewhere(other, sizes, requests)
    return report


def other_database(vendor: str) -> dict[str, str] | None:
    """The environment of the run on the other database, so that one ``make bench``
    shows the pages on both side by side: on PostgreSQL, the benchmark's own SQLite
    database; on SQLite, ``BENCH_PAGES_POSTGRES_URL`` when it is set (else none)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if vendor == "postgresql":
        return env
    url = os.environ.get("BENCH_PAGES_POSTGRES_URL", "")
    return env | {"DATABASE_URL": url} if url else None


def run_elsewhere(env: dict[str, str], sizes: list[tuple[int, int]], requests: int) -> dict:
    """``python -m bench.pages`` in a process of its own on the other database (Django
    is set up once per process), interleaved in time with this run's sizes."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "pages.json"
        command = [sys.executable, "-m", "bench.pages", "--one-database", "--json", str(out)]
        command += [f"--requests={requests}"]
        command += [f"--size={a}:{b}" for a, b in sizes if (a, b) != LARGE_SIZE]
        root = Path(__file__).resolve().parents[1]
        done = subprocess.run(command, cwd=root, env=env, check=False, stdout=subprocess.DEVNULL)
        if done.returncode != 0 or not out.exists():
            return {"error": f"bench.pages on the other database exited {done.returncode}"}
        return dict(json.loads(out.read_text(encoding="utf-8")))


def rows(report: dict[str, Any], row: Any) -> list[dict[str, Any]]:
    """A row per page at each size but the smallest (which only proves the query counts
    constant), the 100,000-claim size and, when run, the 1,000,000 one side by side."""
    sizes = report["sizes"]
    small = sizes[0] if len(sizes) > 1 else None
    out = []
    for size in sizes[1:] or sizes:
        out += _size_rows(size, small, row, report["database"])
    other = report.get("other")
    if other and "error" in other:
        out.append(row("pages", "the other database", f"ERROR {other['error']}", None, ""))
    elif other:
        out += rows(other, row)
        out += _side_by_side(report, other, row)
    return out


def _side_by_side(report: dict[str, Any], other: dict[str, Any], row: Any) -> list[dict]:
    """The article pages on both databases in one row each: p95, and p95 over the
    floor page's median of the same database and run."""
    out: list[dict[str, Any]] = []
    here, there = report["sizes"][-1], other["sizes"][-1]
    if report["database"] == "postgresql" and len(report["sizes"]) > len(other["sizes"]):
        here = report["sizes"][len(other["sizes"]) - 1]  # the same size, not the 1M one
    for name in ("article-500",):
        figures = []
        met = True
        for result, size in ((report, here), (other, there)):
            f, floor = size["pages"].get(name, {}), size["pages"]["floor"].get("median_ms")
            if "p95_ms" not in f or not floor:
                return out
            figures.append(
                f"{result['database']} @{_k(size['claims'])} p95 {f['p95_ms']} ms "
                f"({f['p95_ms'] / floor:.1f}x floor)"
            )
            met = met and f["p95_ms"] <= P95_TARGET_MS
        out.append(
            row(
                "pages",
                f"{name} on both databases",
                "; ".join(figures),
                None,
                "floor page median, each database",
                f"p95 <= {P95_TARGET_MS:.0f} ms on both",
                met,
            )
        )
    return out


def _size_rows(
    size: dict[str, Any], small: dict[str, Any] | None, row: Any, database: str = ""
) -> list[dict]:
    floor = size["pages"]["floor"].get("median_ms")
    at = f"@{_k(size['claims'])}" + (f" {database}" if database else "")
    out = []
    for name, f in size["pages"].items():
        if "error" in f:
            error = f["error"].splitlines()[0][:70]
            out.append(row("pages", f"{name} {at} {f['url'][:52]}", f"ERROR {error}", None, ""))
            continue
        counts = f"{f['queries']} q"
        constant = True
        if small is not None and "error" not in small["pages"][name]:
            before = small["pages"][name]["queries"]
            constant = before == f["queries"]
            counts = f"{before} q @{_k(small['claims'])} -> {f['queries']} q {at}"
        scans = sorted({t for q in f["slowest"] for t in q["full_scans"]})
        figure = f"{name} {at} {f['url'][:52]}"
        figure += f" [full scan: {', '.join(scans)}]" if scans else ""
        gc_note = ""
        if "gc_ms_per_request" in f and name.startswith("article"):
            gc_note = f"; GC {f['gc_ms_per_request']} ms/request ({f['gc_share']:.0%})"
        if name == "floor":
            target, met = "", None
        else:
            limit = LIST_QUERY_TARGET if name in LIST_PAGES else None
            met = f["p95_ms"] <= P95_TARGET_MS and constant
            target = f"p95 <= {P95_TARGET_MS:.0f} ms, queries constant"
            if limit is not None:
                met = met and f["queries"] <= limit
                target += f", <= {limit}"
        out.append(
            row(
                "pages",
                figure,
                f"median {f['median_ms']} ms, p95 {f['p95_ms']} ms; {counts}{gc_note}",
                f["p95_ms"] / floor if floor else None,
                f"floor page median {floor} ms" if name != "floor" else "itself",
                target,
                met,
            )
        )
    return out


def _k(n: int) -> str:
    return f"{n / 1000:.0f}k" if n >= 1000 else str(n)


def _size(text: str) -> tuple[int, int]:
    """``ARTICLES:CLAIMS_PER_ARTICLE`` as two numbers."""
    articles, per_article = text.split(":")
    return int(articles), int(per_article)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size",
        action="append",
        default=None,
        help="ARTICLES:CLAIMS_PER_ARTICLE (repeatable; default 200:50 and 2000:50)",
    )
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--json", dest="json_out", default=None)
    parser.add_argument(
        "--one-database", action="store_true", help="not also the other database (see run)"
    )
    args = parser.parse_args()
    sizes = [_size(s) for s in args.size] if args.size else None
    exit_on_sigterm()
    report = run(sizes=sizes, requests=args.requests, both=not args.one_database)
    from bench.run import format_table, row

    print(format_table(rows(report, row)))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
