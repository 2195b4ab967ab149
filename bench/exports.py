"""Benchmark: memory of four concurrent JSON exports of a large article.

Usage: python -m bench.exports [--claims N] [--small N] [--concurrent K]

Builds one article of ``--claims`` claims (each with one piece of evidence) in the
benchmark's own database, then, side by side in one process, measures the peak of Python
allocations (``tracemalloc``) while ``--concurrent`` threads each download
``/articles/<id>/export.json`` through Django's test client, reading the streamed response
chunk by chunk as a client would:

- the export as served (streamed claim by claim, ``exports.article_json_chunks``);
- the ceiling: the same document built whole, as the export did before
  (``exports.dumps(exports.article_json(article))``), in as many threads at once;
- the same streamed export of an article of ``--small`` claims. The document carries the
  article's text, which grows with the article; the claims are read 500 at a time, so the
  peak must not grow with claims times article size (shown, with each article's text size,
  not judged).
"""

from __future__ import annotations

import argparse
import json
import threading
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.run import exit_on_sigterm, setup_django

MB = 2**20


def _article(claims: int, title: str) -> int:
    from django.db import transaction

    from claims.models import Article, ArticleRevision, Claim, Evidence, Source

    sentence = "The council approved a budget of {n} million pounds for the new hospital wing."
    with transaction.atomic():
        body = " ".join(sentence.format(n=i) for i in range(claims))
        article = Article.objects.create(
            title=title, outlet="Bench", body=body, state=Article.State.DONE
        )
        ArticleRevision.objects.create(article=article, number=1, body=body)
        rows, offset = [], 0
        for i in range(claims):
            text = sentence.format(n=i)
            rows.append(
                Claim(article=article, revision=1, text=text, start=offset, end=offset + len(text))
            )
            offset += len(text) + 1
        Claim.objects.bulk_create(rows, batch_size=1000)
        source, _ = Source.objects.get_or_create(
            url="https://www.example.org/bench-source", defaults={"publisher": "example.org"}
        )
        Evidence.objects.bulk_create(
            [
                Evidence(claim=c, source=source, stance="supports", excerpt=c.text[:60])
                for c in Claim.objects.filter(article=article).only("pk", "text")
            ],
            batch_size=1000,
        )
    return article.pk


def _peak(work: Callable[[], None], concurrent: int) -> float:
    """Peak MB of Python allocations while ``concurrent`` threads run ``work``."""
    from django.db import connections

    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # reported below: a failed export is no figure
            errors.append(exc)
        finally:
            connections.close_all()

    tracemalloc.start()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    threads = [threading.Thread(target=run) for _ in range(concurrent)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    if errors:
        raise errors[0]
    return (peak - base) / MB


def run(claims: int = 20_000, small: int = 5_000, concurrent: int = 4) -> dict[str, Any]:
    setup_django()
    from django.contrib.auth.models import User
    from django.http import StreamingHttpResponse
    from django.test import Client

    from claims.models import Article
    from claims.publication import exports

    user, _ = User.objects.get_or_create(username="bench-exports", is_superuser=True)
    large, little = _article(claims, "Bench exports large"), _article(small, "Bench exports small")

    def streamed(pk: int) -> Callable[[], None]:
        def download() -> None:
            client = Client(HTTP_HOST="localhost")
            client.force_login(user)
            response = client.get(f"/articles/{pk}/export.json")
            assert response.status_code == 200, response.status_code
            assert isinstance(response, StreamingHttpResponse), type(response)
            size = sum(len(chunk) for chunk in response.streaming_content)
            assert size > 0

        return download

    def whole() -> None:
        document = exports.dumps(exports.article_json(Article.objects.get(pk=large)))
        assert document

    bodies = dict(Article.objects.filter(pk__in=[large, little]).values_list("pk", "body"))
    report = {
        "body_mb": round(len(bodies[large].encode()) / MB, 2),
        "small_body_mb": round(len(bodies[little].encode()) / MB, 2),
        "claims": claims,
        "small_claims": small,
        "concurrent": concurrent,
        "streamed_mb": round(_peak(streamed(large), concurrent), 1),
        "whole_mb": round(_peak(whole, concurrent), 1),
        "streamed_small_mb": round(_peak(streamed(little), concurrent), 1),
    }
    Article.objects.filter(pk__in=[large, little]).delete()
    return report


def rows(report: dict[str, Any], row: Any) -> list[dict[str, Any]]:
    k, n, s = report["concurrent"], report["claims"], report["small_claims"]
    streamed, whole, small = report["streamed_mb"], report["whole_mb"], report["streamed_small_mb"]
    growth = streamed / small if small else None
    texts = f"texts {report['small_body_mb']:.1f} / {report['body_mb']:.1f} MB"
    return [
        row(
            "exports",
            f"{k} concurrent export.json of {n:,} claims: peak Python memory",
            f"{streamed:.1f} MB streamed",
            streamed / whole if whole else None,
            f"{whole:.1f} MB built whole (before)",
            "",
            None,
        ),
        row(
            "exports",
            f"the same, {n:,} against {s:,} claims ({texts})",
            f"{streamed:.1f} MB vs {small:.1f} MB",
            growth,
            f"{small:.1f} MB for {s:,} claims",
            "",
            None,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument("--small", type=int, default=5_000)
    parser.add_argument("--concurrent", type=int, default=4)
    parser.add_argument("--json", dest="json_out", default=None)
    args = parser.parse_args()
    exit_on_sigterm()
    report = run(args.claims, args.small, args.concurrent)
    from bench.run import format_table, row

    print(format_table(rows(report, row)))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
