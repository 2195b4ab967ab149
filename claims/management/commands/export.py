"""``manage.py export --article ID --format claimreview|csv|json``: an article's claims.

Prints the same document as the download ``/articles/ID/export.FORMAT`` to standard
output. Every workbench URL in it is absolute, on ``WORKBENCH_BASE_URL`` unless
``--base-url https://workbench.example.org`` is given.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims.models import Article
from claims.publication import exports
from claims.text.cleaning import is_http_url

FORMATS = ("claimreview", "csv", "json")


class Command(BaseCommand):
    help = "Print an article's claims as ClaimReview JSON-LD, CSV or JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--article", type=int, required=True, help="The article's id.")
        parser.add_argument("--format", choices=FORMATS, default="json", dest="fmt")
        parser.add_argument(
            "--base-url",
            default="",
            help="Scheme and host put before workbench paths (default: WORKBENCH_BASE_URL).",
        )

    def handle(self, *args: Any, article: int, fmt: str, base_url: str, **options: Any) -> None:
        found = Article.objects.filter(pk=article).first()
        if found is None:
            raise CommandError(f"There is no article with id {article}.")
        if base_url and not is_http_url(base_url):
            raise CommandError(f"--base-url must be an http(s) URL, not {base_url!r}.")
        site = base_url.rstrip("/") or None
        writers = {
            "csv": exports.article_csv,
            "json": exports.article_json_chunks,
            "claimreview": exports.article_claimreview_chunks,
        }
        for chunk in writers[fmt](found, base_url=site):
            self.stdout.write(chunk, ending="")
