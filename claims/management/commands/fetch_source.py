"""Fetch one URL the way a source is captured, and say what came back.

It uses no database: ``safe_fetch`` (the same rules, caps and text extraction as a
source capture) and, with ``--excerpt``, the quote check against the fetched text.
Exit status 0 when the page was captured, 1 when it was refused or failed.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims.sources.fetching import FetchResult, safe_fetch
from claims.text.quotes import check_quote


class Command(BaseCommand):
    help = "Capture a URL as a source would be captured and print the result."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url")
        parser.add_argument("--excerpt", default="", help="a quote to look for in the text")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, url: str, excerpt: str, format: str, **options: Any) -> None:
        result = safe_fetch(url)
        report = summarise(result, excerpt)
        if format == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(describe(report))
        if not result.ok:
            raise CommandError("the page was not captured", returncode=1)


def summarise(result: FetchResult, excerpt: str) -> dict[str, Any]:
    quote = check_quote(excerpt, result.text) if result.ok and excerpt.strip() else None
    return {
        "status": result.status,
        "reason": result.reason,
        "http_status": result.http_status,
        "final_url": result.final_url,
        "title": result.title,
        "text_sha256": result.text_sha256 if result.ok else None,
        "excerpt": quote.result if quote else None,
        "excerpt_matched": quote.matched if quote else None,
    }


def describe(report: dict[str, Any]) -> str:
    if report["status"] != "ok":
        return str(report["reason"])  # "failed: HTTP 404", "refused: address ... is loopback"
    lines = [
        f"ok (HTTP {report['http_status']}): {report['title'] or '(no title)'}",
        f"final URL: {report['final_url']}",
        f"text SHA-256: {report['text_sha256']}",
    ]
    if report["excerpt"]:
        matched = f": {report['excerpt_matched']}" if report["excerpt_matched"] else ""
        lines.append(f"excerpt: {report['excerpt'].replace('_', ' ')}{matched}")
    return "\n".join(lines)
