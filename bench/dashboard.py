"""Benchmark: the desk dashboard at newsroom scale (issue 33).

Usage: python -m bench.dashboard [--claims N] [--events N] [--requests N]

Seeds ``--claims`` check-worthy claims (``manage.py seed_bench``, kept when it already has
that size) and ``--events`` claim events spread over the last 120 days (the kinds in
the proportions a desk writes them: extraction, refinement, evidence, assignment,
status changes and lapses, matches), written with ``COPY`` on PostgreSQL. Then
``/dashboard/`` is requested in-process as a logged-in fact-checker for the last 7, 30 and
90 days, for one outlet and for one assignee, and one chart's CSV: median and p95 of the
server time, with the cheapest page of the app (the article status fragment) measured in
the same run as the ceiling.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.run import exit_on_sigterm, setup_django

P95_TARGET_MS = 300.0
MARK = "bench-desk"  # the sentence of seeded events, so a size can be recognised and redone
# (kind, share of the events, from_status, to_status, cause)
MIX = [
    ("extracted", 0.10, "", "", ""),
    ("checkworthiness_refined", 0.10, "", "", ""),
    ("evidence_added", 0.30, "", "", ""),
    ("evidence_removed", 0.04, "", "", ""),
    ("assigned", 0.12, "", "", ""),
    ("status_changed", 0.14, "unconfirmed", "confirmed", ""),
    ("status_changed", 0.03, "confirmed", "unconfirmed", ""),
    ("lapsed", 0.02, "confirmed", "needs_rereview", "evidence_removed"),
    ("lapsed", 0.01, "confirmed", "needs_rereview", "source_dead"),
    ("corrected", 0.04, "", "", ""),
    ("reanchored", 0.04, "", "", ""),
    ("match_found", 0.06, "", "", ""),
]


def spread_history(days: int = 120) -> bool:
    """``seed_bench`` creates its claims and adds their evidence at the moment it runs; a
    desk does both over time. Spread them over the same ``days`` as the events (once:
    kept when already spread), so claims are created and first refuted on any day, not
    all today. True when it spread them now."""
    from django.db import connection
    from django.utils import timezone

    from claims.models import Claim, DeskStock

    recent = Claim.objects.filter(created_at__gte=timezone.now() - timedelta(days=1)).count()
    if recent <= Claim.objects.count() / 10:
        return False
    with connection.cursor() as cursor:
        for table, column in (("claims_claim", "created_at"), ("claims_evidence", "added_at")):
            cursor.execute(
                f"UPDATE {table} SET {column} = {column} - (random() * %s) * interval '1 day'"
                if connection.vendor == "postgresql"
                else f"UPDATE {table} SET {column} = datetime({column}, "
                "'-' || abs(random() %% %s) || ' days')",
                [days],
            )
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    DeskStock.objects.all().delete()
    return True


def ensure_events(events: int) -> dict[str, Any]:
    """``events`` seeded claim events on the bench claims (redone if the count differs)."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.utils import timezone

    from claims.models import Article, Claim, ClaimEvent, desk

    have = ClaimEvent.objects.filter(sentence=MARK).count()
    if have == events:
        return {"events": events, "seed_seconds": 0.0}
    t0 = time.perf_counter()
    ClaimEvent.objects.filter(sentence=MARK).delete()
    outlets = dict(Article.objects.values_list("id", "outlet"))
    claims = [
        (pk, article, outlets.get(article, ""), assignee)
        for pk, article, assignee in Claim.objects.values_list("id", "article_id", "assignee_id")
    ]
    users: list[int | None] = [*User.objects.values_list("id", flat=True)] or [None]
    rng = random.Random(33)
    now = timezone.now()
    kinds = [m for m in MIX]
    weights = [m[1] for m in MIX]
    columns = ("claim_id", "claim_ref", "article_id", "kind", "at", "by_id", "cause",
               "from_status", "to_status", "data", "sentence", "outlet", "assignee_id")  # fmt: skip

    def rows(n: int) -> Any:
        for _ in range(n):
            kind, _share, before, after, cause = rng.choices(kinds, weights)[0]
            claim_id, article_id, outlet, assignee = rng.choice(claims)
            at = now - timedelta(seconds=rng.randrange(0, 120 * 86400))
            by = (
                rng.choice(users)
                if kind in ("status_changed", "assigned", "evidence_added")
                else None
            )
            data = (
                '{"stance": "refutes"}' if kind == "evidence_added" and rng.random() < 0.1 else "{}"
            )
            yield (claim_id, claim_id, article_id, kind, at, by, cause, before, after, data, MARK,
                   outlet, assignee)  # fmt: skip

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg 3
            sql = f"COPY claims_claimevent ({', '.join(columns)}) FROM STDIN"
            with raw.copy(sql) as copy:
                for one in rows(events):
                    copy.write_row(one)
    else:
        batch = 20_000
        for start in range(0, events, batch):
            ClaimEvent.objects.bulk_create(
                ClaimEvent(**dict(zip(columns, one, strict=True)) | {"data": json.loads(one[9])})
                for one in rows(min(batch, events - start))
            )
    # COPY writes behind ``events.record``'s back, as a migration would: recompute the
    # dashboard's aggregates from the events, as the migration's backfill does.
    desk.rebuild()
    with connection.cursor() as cursor:
        # What autovacuum does on a live database: statistics, and the visibility map
        # that lets the dashboard's counts read only their indexes.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {"events": events, "seed_seconds": round(time.perf_counter() - t0, 1)}


def run(claims: int = 100_000, events: int = 1_000_000, requests: int = 30) -> dict[str, Any]:
    setup_django()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client, override_settings

    from bench.pages import ensure_seeded, measure_page
    from claims.models import Article, Claim
    from claims.web.forms import reviewers

    per_article = 50
    seeded = ensure_seeded(max(1, claims // per_article), per_article, per_article)
    # Spread first: the aggregates the events' seeding rebuilds count the hours from each
    # claim's creation to its first decision (time to verify), so they need the spread
    # creation times (seeded in the other order, every decision took 0 hours).
    spread = spread_history()
    seeded |= ensure_events(events)
    if spread and not seeded["seed_seconds"]:
        from claims.models import desk

        desk.rebuild()  # events kept from before the spread: count them again
    print(f"[dashboard] measuring at {seeded}", file=sys.stderr, flush=True)
    outlet = Article.objects.exclude(outlet="").values_list("outlet", flat=True).first() or ""
    # An assignee the page's form offers (a reviewer) who has claims.
    assignee = (
        Claim.objects.filter(assignee__in=reviewers()).values_list("assignee_id", flat=True).first()
        or ""
    )
    article = Article.objects.order_by("pk").first()
    assert article is not None, "seed_bench made no article"
    pages = {
        "floor": f"/articles/{article.pk}/status/",
        "dashboard-7d": "/dashboard/?range=7",
        "dashboard-30d": "/dashboard/",
        "dashboard-90d": "/dashboard/?range=90",
        "dashboard-outlet": f"/dashboard/?range=30&outlet={outlet}",
        "dashboard-assignee": f"/dashboard/?range=30&assignee={assignee}",
        "dashboard-csv": "/dashboard/backlog.csv?range=90",
    }
    results: dict[str, Any] = {"database": connection.vendor, **seeded}
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    with override_settings(DEBUG=False, ALLOWED_HOSTS=hosts):
        client = Client()
        client.force_login(User.objects.get(username="bench-checker"))
        for name, url in pages.items():
            try:
                first = measure_first(client, url) if name != "floor" else None
                figures = measure_page(client, url, {}, requests)
                if first is not None:
                    figures["first_ms"] = first
                if name != "floor":
                    figures["cold"] = measure_cold(client, url, requests)
            except Exception as exc:  # a broken page must not hide the others
                results[name] = {"url": url, "error": f"{type(exc).__name__}: {exc}"}
                continue
            figures.pop("slowest", None)
            results[name] = figures
    return results


def measure_first(client: Any, url: str) -> float:
    """One view with nothing kept: no figure cached and no closed day's backlog stored
    (``DeskStock`` emptied), so every day of the range is counted from the events."""
    from django.core.cache import cache

    from claims.models import DeskStock

    cache.clear()
    DeskStock.objects.all().delete()
    t0 = time.perf_counter()
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return round((time.perf_counter() - t0) * 1000, 1)


def measure_cold(client: Any, url: str, requests: int) -> dict[str, float]:
    """The page computed from the database every time (the figures' cache emptied before
    each request, and the backlog of yesterday forgotten, as on the first view of a day;
    the days before stay kept in ``DeskStock``):
    what the first visitor after a change waits."""
    import statistics
    from datetime import timedelta

    from django.core.cache import cache
    from django.utils import timezone

    from bench.pages import percentile
    from claims.models import DeskStock

    yesterday = timezone.localdate() - timedelta(days=1)
    times = []
    for _ in range(requests):
        cache.clear()
        DeskStock.objects.filter(day__gte=yesterday).delete()
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
    return {
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
    }


def rows(r: dict[str, Any], row: Any) -> list[dict[str, Any]]:
    floor = r.get("floor", {}).get("median_ms")
    out = []
    scale = f"{r.get('claims', 0):,} claims, {r.get('events', 0):,} events"
    for name in (
        "dashboard-7d",
        "dashboard-30d",
        "dashboard-90d",
        "dashboard-outlet",
        "dashboard-assignee",
        "dashboard-csv",
    ):
        f = r.get(name)
        if not f:
            continue
        if "error" in f:
            out.append(row("dashboard", f"{name} {f['url']}", f"ERROR {f['error'][:70]}", None, ""))
            continue
        cold = f["cold"]
        out.append(
            row(
                "dashboard",
                f"{name} {f['url'][:40]} ({scale}, {r['database']}), computed every time",
                f"median {cold['median_ms']} ms, p95 {cold['p95_ms']} ms",
                cold["p95_ms"] / floor if floor else None,
                f"floor page median {floor} ms",
                f"p95 <= {P95_TARGET_MS:.0f} ms",
                cold["p95_ms"] <= P95_TARGET_MS,
            )
        )
        if "first_ms" in f:
            out.append(
                row(
                    "dashboard",
                    f"{name}, first view with no closed day kept (once)",
                    f"{f['first_ms']} ms",
                    f["first_ms"] / floor if floor else None,
                    f"floor page median {floor} ms",
                )
            )
        out.append(
            row(
                "dashboard",
                f"{name}, figures cached (nothing changed since the last view)",
                f"median {f['median_ms']} ms, p95 {f['p95_ms']} ms; {f['queries']} q",
                f["p95_ms"] / floor if floor else None,
                f"floor page median {floor} ms",
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--json", dest="json_out", default=None)
    args = parser.parse_args()
    exit_on_sigterm()
    report = run(claims=args.claims, events=args.events, requests=args.requests)
    from bench.run import format_table, row

    print(format_table(rows(report, row)))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
