"""Every benchmark, one table: ``make bench`` (``.venv/bin/python -m bench.run``).

Usage: python -m bench.run [--quick] [--only NAME ...] [--skip NAME ...]

Runs the pipeline, queue, memory, pages, concurrency, matching, exports and dashboard
benchmarks, prints one table and writes it as JSON to
``var/bench/results-<timestamp>.json`` and ``var/bench/latest.json``.
Each figure is a ratio against a ceiling measured in the same run (plain spaCy, direct
extraction, the worker's memory at article 100, the cheapest page of the app...), so the
numbers mean something on a noisy shared machine; the absolute values are shown too.

Everything runs under ``var/bench/`` (``WORKBENCH_VAR_DIR``): its own SQLite database
``var/bench/bench.sqlite3`` by default, or the PostgreSQL database of ``DATABASE_URL``
(created if missing; its name must contain "bench"), and its own embedded Redis. The
development database and broker (``var/db.sqlite3``, ``var/redis.sock``) are never used.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "var" / "bench"

# name -> (sizes of the full run, sizes of --quick)
SIZES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "pipeline": (
        {"articles": 200, "whole_articles": 84, "whole_repeats": 3},
        {"articles": 20, "whole_articles": 10, "whole_repeats": 1, "real_words": 5000},
    ),
    "queue": ({"articles": 200, "latency_articles": 30}, {"articles": 16, "latency_articles": 5}),
    "memory": ({"articles": 1000, "every": 100}, {"articles": 100, "every": 10}),
    "pages": (
        {"sizes": [(200, 50), (2000, 50)], "requests": 50},
        {"sizes": [(40, 50), (200, 50)], "requests": 10},
    ),
    "concurrency": (
        {"clients": 30, "requests": 10, "articles": 40},
        {"clients": 10, "requests": 2, "articles": 4},
    ),
    "matching": (
        {"archive": 100_000, "queries": 50, "embed_sample": 5000},
        {"archive": 20_000, "queries": 20, "embed_sample": 500},
    ),
    "exports": ({"claims": 20_000, "small": 5_000}, {"claims": 2_000, "small": 1_000}),
    "dashboard": (
        {"claims": 100_000, "events": 1_000_000, "requests": 30},
        {"claims": 10_000, "events": 100_000, "requests": 10},
    ),
}
ORDER = [
    "pipeline",
    "queue",
    "memory",
    "pages",
    "concurrency",
    "matching",
    "exports",
    "dashboard",
]


# --- The environment every benchmark runs in ------------------------------------------


def setup_django() -> None:
    """Point Django at ``var/bench/`` and the benchmark database, set it up, migrate."""
    import django
    from django.conf import settings

    if settings.configured:
        return
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    os.environ["WORKBENCH_VAR_DIR"] = str(BENCH_DIR)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{BENCH_DIR / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    check_database_url(os.environ["DATABASE_URL"])
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def exit_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so brokers and workers are stopped on the way out."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def check_database_url(url: str) -> None:
    """Refuse the development database; create a missing PostgreSQL bench database."""
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        path = Path(parts.path.lstrip("/") if parts.path.startswith("//") else parts.path)
        if path.resolve() == (ROOT / "var" / "db.sqlite3").resolve():
            sys.exit("bench: refusing to use the development database var/db.sqlite3")
        return
    name = parts.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"bench: the database name must contain 'bench' (got {name!r})")
    if parts.scheme.startswith("postgres"):
        import psycopg
        from psycopg import sql

        admin = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://")
        with psycopg.connect(admin, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_label() -> str:
    from django.db import connection

    vendor = connection.vendor
    name = connection.settings_dict["NAME"]
    return f"{vendor} ({Path(str(name)).name if vendor == 'sqlite' else name})"


def machine() -> dict[str, Any]:
    import psutil

    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


# --- Rows of the table ------------------------------------------------------------------


def row(
    bench: str,
    figure: str,
    value: str,
    ratio: float | None,
    ceiling: str,
    target: str = "",
    met: bool | None = None,
) -> dict[str, Any]:
    """One line of the table: the figure, its ratio to the ceiling, and the target."""
    return {
        "bench": bench,
        "figure": figure,
        "value": value,
        "ratio": None if ratio is None else round(ratio, 3),
        "ceiling": ceiling,
        "target": target,
        "met": met,
    }


def pipeline_rows(r: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for key, label, limit in (("ordinary", "articles", 1.1), ("repeated_2x", "2x repeats", 1.0)):
        f = r[key]
        op = "<=" if limit == 1.1 else "<"
        met = f["ratio"] <= limit if limit == 1.1 else f["ratio"] < limit
        rows.append(
            row(
                "pipeline",
                f"extract, {label} ({f['articles']} art., {f['words']} words)",
                f"{f['extract_words_per_second']} w/s",
                f["ratio"],
                f"plain nlp.pipe {f['plain_words_per_second']} w/s",
                f"{op} {limit}x",
                met,
            )
        )
    news = r.get("real_news", {})
    if news.get("available"):
        for key, label, ceiling in (
            ("per_article", "per article", "plain nlp.pipe(articles)"),
            ("one_document", "as one document", "plain nlp.pipe(its paragraphs)"),
        ):
            f = news[key]
            rows.append(
                row(
                    "pipeline",
                    f"extract, real news (PolNeAR train), {label} "
                    f"({news['articles']} art., {f['words']} words)",
                    f"{f['extract_words_per_second']} w/s ({f['extract_seconds']} s CPU)",
                    f["ratio"],
                    f"{ceiling} {f['plain_words_per_second']} w/s ({f['plain_spacy_seconds']} s)",
                    "<= 1.05x",
                    f["ratio"] <= 1.05,
                )
            )
    elif "real_news" in r:
        rows.append(row("pipeline", "extract, real news (PolNeAR)", "texts not found", None, ""))
    if "whole_process" in r:
        w = r["whole_process"]
        rows.append(
            row(
                "pipeline",
                f"manage.py extract --format json, whole process ({w['articles']} art., "
                f"{w['words']} words, best of {w['repeats']})",
                f"{w['extract_seconds']} s wall, {w['extract_cpu_seconds']} s CPU "
                f"({w['cpu_ratio']:.2f}x CPU)",
                w["ratio"],
                f"plain spaCy script {w['plain_spacy_seconds']} s wall, "
                f"{w['plain_spacy_cpu_seconds']} s CPU",
                "<= 1.05x",
                w["ratio"] <= 1.05,
            )
        )
    return rows


def queue_rows(r: dict[str, Any]) -> list[dict[str, Any]]:
    from bench.queueing import rows

    return rows(r, row)


def memory_rows(r: dict[str, Any]) -> list[dict[str, Any]]:
    from bench.memory import rows

    return rows(r, row)


def exports_rows(r: dict[str, Any]) -> list[dict[str, Any]]:
    from bench.exports import rows

    return rows(r, row)


def pages_rows(r: dict[str, Any]) -> list[dict[str, Any]]:
    from bench.pages import rows

    return rows(r, row)


def concurrency_rows(r: dict[str, Any]) -> list[dict[str, Any]]:
    from bench.concurrency import rows

    return rows(r, row)


def matching_rows(r: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows from ``bench/matching.run``; figures it may add later are listed as they come."""
    if "match_seconds_p95" not in r or "embedding" not in r:
        return [row("matching", k, str(v), None, "") for k, v in _flatten(r).items()]
    n = f"{r['archive_claims']:,}"
    e = r["embedding"]
    p95_ms = r["match_seconds_p95"] * 1000
    bm25_p95_ms = r["bm25_match_seconds_p95"] * 1000
    return [
        row(
            "matching",
            f"embed {e['sample']:,} archive claims (all-MiniLM-L6-v2, numpy, "
            f"{e['blas_threads']} BLAS threads)",
            f"{e['sentences_per_second']} sentences/s; model load {e['model_load_seconds']} s; "
            f"encode peak {e['encode_peak_mib']} MiB",
            None,
            "none (absolute)",
        ),
        *_refinement_rows(r.get("refinement", {})),
        row(
            "matching",
            f"embed {n} fact-checks (extrapolated from {e['sample']:,})",
            f"{e['archive_extrapolated_seconds'] / 60:.0f} min; peak {e['encode_peak_mib']} MiB "
            f"+ model {e['model_rss_mib']} MiB resident; vectors {e['archive_vectors_mib']} MiB",
            None,
            "none (absolute)",
        ),
        row(
            "matching",
            f"index {n} archive claims (vocabulary {r['vocabulary']:,})",
            f"{r['index_seconds']} s, peak {r['index_peak_mib']} MiB",
            None,
            "none (absolute)",
        ),
        row(
            "matching",
            f"one article of {r['queries']} claims against {n}, index built once",
            f"embed {r['article_embed_seconds']} s + match {r['article_match_seconds']} s"
            f"; planted original first {r['planted_original_first']:.0%}",
            None,
            "none (absolute)",
        ),
        row(
            "matching",
            f"match one claim against {n}, hybrid (BM25 alone)",
            f"median {r['match_seconds_median'] * 1000:.1f} ms, p95 {p95_ms:.1f} ms "
            f"(BM25 alone: p95 {bm25_p95_ms:.1f} ms)",
            r["match_seconds_p95"] / r["bm25_match_seconds_p95"],
            "BM25 alone, same claims",
            "p95 < 100 ms",
            p95_ms < 100,
        ),
    ]


def _refinement_rows(f: dict[str, Any]) -> list[dict[str, Any]]:
    if "ratio" not in f:
        return [row("matching", "check-worthiness refinement", "weights not available", None, "")]
    return [
        row(
            "matching",
            f"embed {f['sentences']:,} claims and refine their check-worthiness "
            f"(top 2 layers, {f['weights']})",
            f"{f['refined_seconds']} s against {f['plain_seconds']} s plain; background "
            "only, nothing added to extraction",
            f["ratio"],
            "plain embedding, same claims",
        )
    ]


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat |= _flatten(value, f"{prefix}{key}.")
        elif not isinstance(value, list):
            flat[f"{prefix}{key}"] = value
    return flat


def run_matching(**options: Any) -> dict[str, Any]:
    import importlib

    try:
        matching = importlib.import_module("bench.matching")
    except ModuleNotFoundError as exc:
        if exc.name != "bench.matching":
            raise  # the module exists but something it imports is missing
        return {"available": False}
    return matching.run(**options)


def dashboard_rows(r: dict[str, Any]) -> list[dict[str, Any]]:
    from bench.dashboard import rows

    return rows(r, row)


def runners() -> dict[str, tuple[Callable[..., dict], Callable[[dict], list[dict]]]]:
    from bench import concurrency, dashboard, exports, memory, pages, pipeline
    from bench import queueing as queue_bench

    return {
        "pipeline": (pipeline.run, pipeline_rows),
        "queue": (queue_bench.run, queue_rows),
        "memory": (memory.run, memory_rows),
        "pages": (pages.run, pages_rows),
        "concurrency": (concurrency.run, concurrency_rows),
        "matching": (run_matching, matching_rows),
        "exports": (exports.run, exports_rows),
        "dashboard": (dashboard.run, dashboard_rows),
    }


# --- The table --------------------------------------------------------------------------


def format_table(rows: list[dict[str, Any]]) -> str:
    headers = ["bench", "figure", "value", "ratio", "ceiling (same run)", "target", "met"]
    cells = [
        [
            r["bench"],
            r["figure"],
            r["value"],
            "" if r["ratio"] is None else f"{r['ratio']:.2f}x",
            r["ceiling"],
            r["target"],
            {True: "met", False: "NOT MET", None: ""}[r["met"]],
        ]
        for r in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)), line]
    previous = None
    for c in cells:
        if previous is not None and c[0] != previous:
            out.append(line)
        previous = c[0]
        out.append("  ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)).rstrip())
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--only", nargs="+", choices=ORDER, default=None)
    parser.add_argument("--skip", nargs="+", choices=ORDER, default=[])
    args = parser.parse_args()
    exit_on_sigterm()
    setup_django()
    selected = [n for n in (args.only or ORDER) if n not in args.skip]
    results: dict[str, Any] = {}
    rows: list[dict[str, Any]] = []
    timings: dict[str, float] = {}
    started = time.perf_counter()
    table = runners()
    for name in selected:
        run, to_rows = table[name]
        options = SIZES[name][1 if args.quick else 0]
        print(f"[bench] {name} {options} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            results[name] = run(**options)
            if name == "matching" and results[name] == {"available": False}:
                rows.append(row("matching", "bench/matching.py", "not available", None, ""))
            else:
                rows.extend(to_rows(results[name]))
        except Exception as exc:  # one broken benchmark must not hide the others
            traceback.print_exc()
            results[name] = {"error": f"{type(exc).__name__}: {exc}"}
            rows.append(row(name, "error", f"{type(exc).__name__}: {exc}"[:90], None, ""))
        timings[name] = round(time.perf_counter() - t0, 1)
        print(f"[bench] {name} done in {timings[name]} s", file=sys.stderr, flush=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    report = {
        "when": stamp,
        "quick": args.quick,
        "database": database_label(),
        "broker": "embedded Redis" + (" + REDIS_URL" if os.environ.get("REDIS_URL") else ""),
        "machine": machine(),
        "seconds": timings | {"total": round(time.perf_counter() - started, 1)},
        "sizes": {n: SIZES[n][1 if args.quick else 0] for n in selected},
        "rows": rows,
        "results": results,
    }
    text = format_table(rows)
    m = report["machine"]
    print(
        f"\nBenchmarks {'(quick) ' if args.quick else ''}{stamp}: {report['database']}, "
        f"{report['broker']}; {m['cpus']} CPUs {m['cpu_model']}, {m['memory_gb']} GB, "
        f"Python {m['python']}; {report['seconds']['total']} s"
    )
    print("sizes: " + "; ".join(f"{n} {s}" for n, s in report["sizes"].items()))
    print(text)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(report, indent=2, default=str) + "\n"
    out = BENCH_DIR / f"results-{stamp}.json"
    out.write_text(payload, encoding="utf-8")
    (BENCH_DIR / "latest.json").write_text(payload, encoding="utf-8")
    print(f"\nwritten: {out.relative_to(ROOT)} and var/bench/latest.json")


if __name__ == "__main__":
    main()
