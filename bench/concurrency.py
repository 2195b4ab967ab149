"""Benchmark: 30 concurrent clients on the article and claims pages under gunicorn,
while a Celery worker extracts articles.

Usage: python -m bench.concurrency [--clients 30] [--requests 10] [--articles 40]

Runs on the database the page benchmark seeded (``bench/pages.py``; seeded here at
200 articles of 50 claims if it is empty): a real ``gunicorn workbench.wsgi`` (DEBUG
off, gthread workers, on 127.0.0.1 and a free port) and a real ``celery worker`` on the
benchmark's embedded Redis, busy with ``--articles`` generated articles submitted just
before the clients start. Each of ``--clients`` threads logs in as the fact-checker (a
session made in the database) and requests, in turn, the 500-claim article page and
``/claims/``, ``--requests`` times each; the p95 of each page's latency over all
clients, and the error rate (anything but 200, or no answer within 30 s). The worker's
articles done while the clients ran are reported too, so the row says whether it kept
processing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.run import BENCH_DIR, exit_on_sigterm, setup_django

ROOT = Path(__file__).resolve().parents[1]
P95_TARGET_MS = 150.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(port: int, secret: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "workbench.settings",
            "WORKBENCH_VAR_DIR": str(BENCH_DIR),
            "DEBUG": "0",
            "SECRET_KEY": secret,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "WORKBENCH_BASE_URL": f"http://127.0.0.1:{port}",
            "WORKBENCH_NEWSROOM_NAME": "Bench",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


@contextlib.contextmanager
def gunicorn(port: int, env: dict[str, str], workers: int, threads: int) -> Iterator[None]:
    log = BENCH_DIR / "gunicorn-bench.log"
    args = [
        *(sys.executable, "-m", "gunicorn", "workbench.wsgi:application"),
        *("--bind", f"127.0.0.1:{port}", "--workers", str(workers)),
        *("--worker-class", "gthread", "--threads", str(threads), "--timeout", "60"),
    ]
    with open(log, "wb") as out:
        process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5)
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start; see {log}") from None
                time.sleep(0.3)
        yield
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, 15)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, 9)
            process.wait(timeout=10)


def session_cookie(secret: str) -> str:
    """A logged-in fact-checker's session, signed with the server's secret key."""
    from django.contrib.auth.models import User
    from django.test import Client, override_settings

    with override_settings(SECRET_KEY=secret):
        client = Client()
        client.force_login(User.objects.get(username="bench-checker"))
        return client.cookies["sessionid"].value


def client_loop(
    base: str, cookie: str, urls: dict[str, str], requests: int, out: dict[str, list]
) -> None:
    for _ in range(requests):
        for name, path in urls.items():
            request = urllib.request.Request(base + path, headers={"Cookie": f"sessionid={cookie}"})
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    response.read()
                    ok = response.status == 200
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                ok = False
            out[name].append(((time.perf_counter() - t0) * 1000, ok))


def run(clients: int = 30, requests: int = 10, articles: int = 40, workers: int = 2) -> dict:
    setup_django()
    from bench import pages
    from bench import queueing as queue
    from bench.pipeline import build_articles
    from claims.models import Article

    if not Article.objects.filter(url__startswith=pages.BENCH_ARTICLES).exists():
        pages.ensure_seeded(200, 50, 500)
    big = Article.objects.filter(url__startswith=pages.BENCH_ARTICLES).order_by("pk").first()
    assert big is not None, "seeded above"
    urls = {"article-500": f"/articles/{big.pk}/", "claims": "/claims/"}
    secret = secrets.token_urlsafe(48)
    port = free_port()
    env = server_env(port, secret)
    # DEBUG off serves static files by their hashed names, from collectstatic's manifest
    # (under the benchmark's own var/bench/static): without it every page is a 500.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT, env=env, check=True, timeout=300,
    )  # fmt: skip
    cookie = session_cookie(secret)
    queue.cleanup()
    texts = build_articles(articles, seed=11)
    results: dict[str, list[tuple[float, bool]]] = {name: [] for name in urls}
    with (
        queue.brokers() as found,
        gunicorn(port, env, workers, threads=4),
    ):
        _label, broker_url = found[0]
        queue.point_app_at(broker_url)
        with queue.worker(broker_url, 1, name="concurrency"):
            base = f"http://127.0.0.1:{port}"
            for path in urls.values():  # warm both gunicorn workers' templates and caches
                for _ in range(2 * workers):
                    client_loop(base, cookie, {"warm": path}, 1, {"warm": []})
            ids = queue.submit(texts, "concurrency")
            done_before = _done(ids)
            threads = [
                threading.Thread(
                    target=client_loop, args=(base, cookie, urls, requests, results), daemon=True
                )
                for _ in range(clients)
            ]
            t0 = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            seconds = time.perf_counter() - t0
            done_during = _done(ids) - done_before
    queue.cleanup()
    report: dict[str, Any] = {
        "clients": clients,
        "requests_per_client_per_page": requests,
        "gunicorn": f"{workers} workers x 4 threads (gthread)",
        "seconds": round(seconds, 1),
        "worker_articles_submitted": len(ids),
        "worker_articles_done_during": done_during,
        "pages": {},
    }
    for name, samples in results.items():
        times = [ms for ms, ok in samples if ok]
        errors = sum(1 for _, ok in samples if not ok)
        report["pages"][name] = {
            "url": urls[name],
            "requests": len(samples),
            "errors": errors,
            "error_rate": round(errors / len(samples), 4) if samples else None,
            "median_ms": round(statistics.median(times), 1) if times else None,
            "p95_ms": round(percentile(times, 0.95), 1) if times else None,
        }
    return report


def _done(ids: list[int]) -> int:
    from claims.models import Article

    return Article.objects.filter(pk__in=ids, state=Article.State.DONE).count()


def rows(report: dict[str, Any], row: Any) -> list[dict[str, Any]]:
    out = []
    for name, f in report["pages"].items():
        met = f["p95_ms"] is not None and f["p95_ms"] <= P95_TARGET_MS and f["errors"] == 0
        out.append(
            row(
                "concurrency",
                f"{report['clients']} clients, {name} {f['url']} under gunicorn "
                f"({report['gunicorn']}), worker extracting",
                f"median {f['median_ms']} ms, p95 {f['p95_ms']} ms; errors {f['errors']}/"
                f"{f['requests']}; worker did {report['worker_articles_done_during']}/"
                f"{report['worker_articles_submitted']} art. meanwhile",
                None,
                "",
                f"p95 <= {P95_TARGET_MS:.0f} ms, no errors",
                met,
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--articles", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", dest="json_out", default=None)
    args = parser.parse_args()
    exit_on_sigterm()
    report = run(args.clients, args.requests, args.articles, args.workers)
    from bench.run import format_table, row

    print(format_table(rows(report, row)))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
