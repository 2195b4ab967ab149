"""Benchmark: articles through a real Celery worker against direct extraction.

Usage: python -m bench.queueing [--articles N] [--latency-articles N]

The same generated articles (``bench.pipeline.build_articles``) are processed

1. directly: ``extract(text)`` for each, in this process (the ceiling);
2. directly with the database: ``submit`` without a broker, then ``run_extraction``
   in this process (what the database adds);
3. through the queue: all submitted at once (``ingest.submit_article``) to a real
   ``celery worker`` subprocess with one, then two pool processes; the time from the
   first submit to the last ``finished_at``, and each article's latency from submit
   (``created_at``) to done (``finished_at``), median and p95;
4. one at a time through the queue with one worker (submit, wait until done, next):
   the latency of an article on an idle worker against its own direct extraction.

The broker is an embedded Redis of the benchmark's own (``var/bench/``); with
``REDIS_URL`` set, the runs are repeated on that Redis (database 15 of that server, on
queues named for this process, so no other worker takes the jobs). The worker uses
the benchmark's database and ``WORKBENCH_VAR_DIR=var/bench``. Workers are warmed up
(model loaded) before any timing. The articles are deleted afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.run import BENCH_DIR, exit_on_sigterm, setup_django

ROOT = Path(__file__).resolve().parents[1]

# Per process: concurrent runs (and their cleanups) must not touch each other's articles.
URL_PREFIX = f"https://bench.invalid/queue/{os.getpid()}/"
QUEUE = f"bench-extraction-{os.getpid()}"
READY_MARK = b"ready."
OVERHEAD_TARGET = 1.15
EXTERNAL_REDIS_DB = 15


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


# --- Broker and worker ------------------------------------------------------------------


@contextlib.contextmanager
def brokers() -> Iterator[list[tuple[str, str]]]:
    """(label, url) of the brokers to measure: our embedded Redis, and REDIS_URL's."""
    from workbench import broker

    socket = BENCH_DIR / f"redis-{os.getpid()}.sock"
    process = broker.start(socket, log_path=BENCH_DIR / "redis-bench.log")
    found = [("embedded Redis", f"redis+socket://{socket}")]
    if os.environ.get("REDIS_URL"):
        parts = urlsplit(os.environ["REDIS_URL"])
        found.append(("REDIS_URL", parts._replace(path=f"/{EXTERNAL_REDIS_DB}").geturl()))
    try:
        yield found
    finally:
        for _, url in found[1:]:
            _forget_queues(url)
        broker.stop(process, socket)


def _forget_queues(url: str) -> None:
    """Drop what the benchmark left on a shared Redis (only its own keys)."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        queues = [QUEUE, f"{QUEUE}-matching", "default"]
        bindings = [
            f"_kombu.{kind}.{q}" for q in queues for kind in ("binding", "binding_permanent")
        ]
        client.delete(*queues, *bindings)
    finally:
        client.close()


def point_app_at(url: str) -> None:
    """Publish to ``url``, extraction jobs on this benchmark's own queue."""
    import kombu.pools

    from workbench.celery import app

    app.conf.update(
        broker_url=url,
        result_backend=url,
        task_routes={
            "claims.extract_claims": {"queue": QUEUE},
            "claims.match_claims": {"queue": f"{QUEUE}-matching"},  # nobody consumes it
        },
    )
    app.amqp.flush_routes()
    app.amqp.__dict__.pop("router", None)
    kombu.pools.reset()
    app._pool = None  # type: ignore[attr-defined]  # the producer pool: private, not in celery-types
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@dataclass
class Worker:
    """A real ``celery worker`` subprocess in its own process group."""

    broker_url: str
    concurrency: int = 1
    name: str = "bench"
    process: subprocess.Popen[bytes] | None = None

    @property
    def log_path(self) -> Path:
        return BENCH_DIR / f"worker-{self.name}.log"

    def start(self, timeout: float = 90.0) -> Worker:
        env = dict(os.environ)
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "workbench.settings",
                "WORKBENCH_VAR_DIR": str(BENCH_DIR),
                "REDIS_URL": self.broker_url,
                "PYTHONUNBUFFERED": "1",
                # As deployed: DEBUG on makes Django close the worker's database
                # connection after every task and keep a log of every query.
                "DEBUG": "0",
                "SECRET_KEY": env.get("SECRET_KEY") or secrets.token_urlsafe(48),
                "WORKBENCH_BASE_URL": env.get("WORKBENCH_BASE_URL") or "http://127.0.0.1:8000",
                "SECURE_SSL_REDIRECT": "0",
                "WORKBENCH_NEWSROOM_NAME": env.get("WORKBENCH_NEWSROOM_NAME") or "Bench",
                "LOG_LEVEL": env.get("LOG_LEVEL") or "INFO",
            }
        )
        args = [
            *(sys.executable, "-m", "celery", "-A", "workbench", "worker", "-Q", QUEUE),
            *("--concurrency", str(self.concurrency), "-P", "prefork", "-l", "info"),
            *("--without-mingle", "--without-gossip", "--without-heartbeat"),
            *("-n", f"{self.name}-{os.getpid()}@%h"),
        ]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                args,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while READY_MARK not in self.log_path.read_bytes():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the worker did not start; see {self.log_path}")
            time.sleep(0.2)
        return self

    def processes(self) -> list[Any]:
        import psutil

        if self.process is None:
            return []
        main = psutil.Process(self.process.pid)
        return [main, *main.children(recursive=True)]

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)  # warm shutdown
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # any pool child left behind


@contextlib.contextmanager
def worker(broker_url: str, concurrency: int = 1, name: str = "bench") -> Iterator[Worker]:
    started = Worker(broker_url, concurrency, name).start()
    try:
        yield started
    finally:
        started.stop()


# --- Articles ----------------------------------------------------------------------------


def submit(texts: list[str], tag: str, *, send: bool = True) -> list[int]:
    """Submit the texts as articles (``send=False``: saved, no job sent); their ids."""
    from unittest import mock

    from claims import jobs
    from claims.ingest import articles as ingest

    ids = []
    patch = contextlib.nullcontext() if send else mock.patch.object(ingest, "enqueue")
    with patch, jobs.unsent() as unsent:
        for i, text in enumerate(texts):
            article = ingest.submit_article(
                title=f"Queue bench {tag} {i}", text=text, url=f"{URL_PREFIX}{tag}/{i}", by=None
            )
            if unsent:
                raise RuntimeError(f"the broker refused the job: {unsent}")
            ids.append(article.pk)
    return ids


def wait_done(ids: list[int], timeout: float, interval: float = 0.1) -> None:
    from claims.models import Article

    deadline = time.monotonic() + timeout
    finished = (Article.State.DONE, Article.State.FAILED)
    while Article.objects.filter(pk__in=ids, state__in=finished).count() < len(ids):
        if time.monotonic() > deadline:
            raise TimeoutError(f"articles not done after {timeout:.0f} s")
        time.sleep(interval)
    failed = Article.objects.filter(pk__in=ids, state=Article.State.FAILED).first()
    if failed is not None:
        raise RuntimeError(f"article {failed.pk} failed: {failed.error}")


def timestamps(ids: list[int]) -> list[tuple[Any, Any]]:
    from claims.models import Article

    return list(Article.objects.filter(pk__in=ids).values_list("created_at", "finished_at"))


def cleanup() -> None:
    """Delete the benchmark's articles (raw deletes: no per-row history)."""
    from django.db import connection, transaction

    from claims.models import Article, ArticleCounts, ArticleRevision, Claim, ClaimEvent

    alias = connection.alias
    with transaction.atomic():
        articles = Article.objects.filter(url__startswith=URL_PREFIX)
        ArticleCounts.objects.filter(article__in=articles)._raw_delete(alias)
        ClaimEvent.objects.filter(article__in=articles)._raw_delete(alias)
        Claim.history.filter(article_id__in=articles.values("pk"))._raw_delete(alias)
        Claim.objects.filter(article__in=articles)._raw_delete(alias)
        ArticleRevision.objects.filter(article__in=articles)._raw_delete(alias)
        Article.history.filter(url__startswith=URL_PREFIX)._raw_delete(alias)
        articles._raw_delete(alias)


def analyze() -> None:
    """Fresh planner statistics for the tables that hold rows, as autovacuum keeps them
    in production (PostgreSQL's default). A server run with ``autovacuum = off`` (this
    project's shared machines) plans on whatever the tables held when last analysed:
    the speakers' look-up by key scanned 30,000 records (4 ms) instead of using its
    index (0.08 ms). Tables the benchmark empties between runs are left alone: analysed
    empty, PostgreSQL prices every index alike, and the foreign-key checks at COMMIT
    took the claims' score index for a look-up by id (3-5 ms each, 60 ms a job)."""
    from django.apps import apps
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in apps.get_app_config("claims").get_models():
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
            if cursor.fetchone()[0]:
                cursor.execute(f"ANALYZE {table}")


# --- The runs ----------------------------------------------------------------------------


def direct(texts: list[str]) -> tuple[float, list[float], float]:
    """Extraction alone: total seconds, each article's seconds, and CPU seconds."""
    from claims.nlp import extract

    each = []
    cpu0 = time.process_time()
    for text in texts:
        t0 = time.perf_counter()
        extract(text)
        each.append(time.perf_counter() - t0)
    return sum(each), each, time.process_time() - cpu0


def cpu_seconds(processes: list[Any]) -> float:
    """User + system CPU seconds of the worker's processes (on a shared machine, wall
    time also counts the other processes' turns; CPU time does not)."""
    total = 0.0
    for process in processes:
        with contextlib.suppress(Exception):  # a pool child may have been replaced
            times = process.cpu_times()
            total += times.user + times.system
    return total


def direct_with_database(texts: list[str]) -> float:
    """Submit without a broker, then the job's body in this process."""
    from claims.ingest import articles as ingest

    ids = submit(texts, "db", send=False)
    t0 = time.perf_counter()
    for pk in ids:
        ingest.run_extraction(pk, 1)
    elapsed = time.perf_counter() - t0
    cleanup()
    return elapsed


def write_path_only(texts: list[str]) -> dict[str, Any]:
    """The job's database work alone: ``run_extraction`` in this process with each
    article's extraction computed beforehand (and no job sent), timed by statement, so
    the write path's share of the queue's overhead is a number, not a guess."""
    from unittest import mock

    from django.db import connection

    from claims import jobs
    from claims.ingest import articles as ingest

    done = {text: ingest._extract(text, progress=lambda done, total: None) for text in texts}
    ids = submit(texts, "write", send=False)
    by_statement: dict[str, float] = {}

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = " ".join(sql.split()[:3])[:60]
            by_statement[key] = by_statement.get(key, 0.0) + time.perf_counter() - t0

    def extracted(text: str, progress: Any) -> Any:
        return done[text]

    with (
        connection.execute_wrapper(timed),
        mock.patch.object(ingest, "_extract", extracted),
        mock.patch.object(jobs, "send", lambda *args, **kwargs: None),
    ):
        t0, cpu0 = time.perf_counter(), time.process_time()
        for pk in ids:
            ingest.run_extraction(pk, 1)
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    cleanup()
    top = sorted(by_statement.items(), key=lambda kv: -kv[1])[:4]
    return {
        "seconds": round(wall, 3),
        "cpu_seconds": round(cpu, 3),
        "claims": sum(len(e.claims) for e in done.values()),
        "statements_seconds": round(sum(by_statement.values()), 3),
        "top_statements": [(k, round(v, 3)) for k, v in top],
    }


def burst(broker_url: str, texts: list[str], warm: list[str], concurrency: int) -> dict:
    """All articles submitted at once to a warmed-up worker; time to the last done."""
    from django.utils import timezone

    with worker(broker_url, concurrency, name=f"c{concurrency}") as running:
        wait_done(submit(warm, f"warm{concurrency}"), timeout=180)
        processes = running.processes()
        cpu0 = cpu_seconds(processes)
        started = timezone.now()
        ids = submit(texts, f"burst{concurrency}")
        wait_done(ids, timeout=60 + 10 * len(texts))
        cpu = cpu_seconds(processes) - cpu0
    stamps = timestamps(ids)
    cleanup()
    latencies = [(done - sent).total_seconds() for sent, done in stamps]
    return {
        "concurrency": concurrency,
        "seconds": round((max(done for _, done in stamps) - started).total_seconds(), 3),
        "worker_cpu_seconds": round(cpu, 3),
        "latency_median_s": round(statistics.median(latencies), 3),
        "latency_p95_s": round(percentile(latencies, 0.95), 3),
    }


def one_at_a_time(broker_url: str, texts: list[str], warm: list[str]) -> list[float]:
    """Latency of each article submitted to an idle worker, seconds."""
    latencies = []
    with worker(broker_url, 1, name="serial"):
        wait_done(submit(warm[:1], "warm-serial"), timeout=180)
        for i, text in enumerate(texts):
            ids = submit([text], f"serial{i}")
            wait_done(ids, timeout=120, interval=0.005)
            ((sent, done),) = timestamps(ids)
            latencies.append((done - sent).total_seconds())
    cleanup()
    return latencies


def run(articles: int = 200, latency_articles: int = 30, seed: int = 7) -> dict[str, Any]:
    setup_django()
    from bench.pipeline import build_articles
    from claims.nlp import get_nlp

    cleanup()
    analyze()
    texts = build_articles(articles, seed)
    warm = build_articles(4, seed + 1)
    get_nlp()
    direct(warm)
    direct_s, each, direct_cpu = direct(texts)
    serial = texts[:latency_articles]
    serial_direct = each[:latency_articles]
    report: dict[str, Any] = {
        "articles": articles,
        "words": sum(len(t.split()) for t in texts),
        "direct_seconds": round(direct_s, 3),
        "direct_cpu_seconds": round(direct_cpu, 3),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "brokers": {},
    }
    with brokers() as found:
        for label, url in found:
            print(f"[queue] {label}", file=sys.stderr, flush=True)
            point_app_at(url)
            if "direct_db_seconds" not in report:
                report["direct_db_seconds"] = round(direct_with_database(texts), 3)
                report["write_path"] = write_path_only(texts)
            runs = [burst(url, texts, warm, c) for c in (1, 2)]
            serial_latency = one_at_a_time(url, serial, warm)
            ratios = [lat / d for lat, d in zip(serial_latency, serial_direct, strict=True)]
            report["brokers"][label] = {
                "bursts": runs,
                "idle_latency_median_s": round(statistics.median(serial_latency), 3),
                "idle_latency_p95_s": round(percentile(serial_latency, 0.95), 3),
                "idle_direct_median_s": round(statistics.median(serial_direct), 3),
                "idle_latency_ratio_median": round(statistics.median(ratios), 3),
                "idle_articles": len(serial),
            }
    return report


def rows(report: dict[str, Any], row: Any) -> list[dict[str, Any]]:
    direct_s = report["direct_seconds"]
    n = report["articles"]
    out = [
        row(
            "queue",
            f"database only (run_extraction in-process, {n} art.)",
            f"{report['direct_db_seconds']} s",
            report["direct_db_seconds"] / direct_s,
            f"direct extract {direct_s} s",
        )
    ]
    w = report.get("write_path")
    if w:
        top = ", ".join(f"{k} {v} s" for k, v in w["top_statements"][:3])
        out.append(
            row(
                "queue",
                f"write path only (run_extraction, extraction done beforehand, {n} art., "
                f"{w['claims']} claims)",
                f"{w['seconds']} s wall, {w['cpu_seconds']} s CPU here; "
                f"SQL {w['statements_seconds']} s: {top}",
                w["seconds"] / direct_s,
                f"direct extract {direct_s} s",
            )
        )
    for label, b in report["brokers"].items():
        for burst_run in b["bursts"]:
            c = burst_run["concurrency"]
            ceiling = direct_s / c
            ratio = burst_run["seconds"] / ceiling
            out.append(
                row(
                    "queue",
                    f"{label}, worker --concurrency {c}, {n} art. burst: total",
                    f"{burst_run['seconds']} s; latency median {burst_run['latency_median_s']} s,"
                    f" p95 {burst_run['latency_p95_s']} s",
                    ratio,
                    f"direct extract {direct_s} s" + (f" / {c}" if c > 1 else ""),
                    f"<= {OVERHEAD_TARGET}x" if c == 1 else "",
                    ratio <= OVERHEAD_TARGET if c == 1 else None,
                )
            )
        one = b["bursts"][0]
        if "worker_cpu_seconds" in one and report.get("direct_cpu_seconds"):
            direct_cpu = report["direct_cpu_seconds"]
            out.append(
                row(
                    "queue",
                    f"{label}, worker --concurrency 1, {n} art. burst: CPU time",
                    f"worker processes {one['worker_cpu_seconds']} s CPU",
                    one["worker_cpu_seconds"] / direct_cpu,
                    f"direct extract {direct_cpu} s CPU",
                )
            )
        out.append(
            row(
                "queue",
                f"{label}, 1 idle worker, {b['idle_articles']} art. one at a time: latency",
                f"median {b['idle_latency_median_s']} s, p95 {b['idle_latency_p95_s']} s",
                b["idle_latency_ratio_median"],
                f"its direct extract (median {b['idle_direct_median_s']} s)",
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--latency-articles", type=int, default=30)
    parser.add_argument("--json", dest="json_out", default=None)
    args = parser.parse_args()
    exit_on_sigterm()
    report = run(args.articles, args.latency_articles)
    from bench.run import format_table, row

    print(format_table(rows(report, row)))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
