"""``manage.py ingest PATH_OR_URL... [--wait]``: create articles from files or URLs."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from claims import roles
from claims.ingest import articles as ingest
from claims.models import Article
from claims.text.plural import counted


class Command(BaseCommand):
    help = "Create articles from files (.txt, .md, .html; - for stdin) or http(s) URLs."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("inputs", nargs="+", metavar="PATH_OR_URL")
        parser.add_argument("--title", default="")
        parser.add_argument("--outlet", default="")
        parser.add_argument("--url", default="", help="the article's own URL (for files)")
        parser.add_argument("--user", default="", help="username (default: the first editor)")
        parser.add_argument("--wait", action="store_true", help="wait until each is done")
        parser.add_argument("--timeout", type=float, default=600.0, help="seconds, with --wait")

    def handle(self, *args: Any, **options: Any) -> None:
        user = self._user(options["user"])
        articles = [self._submit(item, user, options) for item in options["inputs"]]
        if options["wait"]:
            articles = self._wait(articles, options["timeout"])
        for article in articles:
            self.stdout.write(f"{article.pk} {article.state}")
        failed = [a for a in articles if a.state != Article.State.DONE and options["wait"]]
        for article in failed:
            self.stderr.write(f"{article.pk}: {article.error or article.state}")
        if failed:
            raise CommandError(f"{counted(len(failed), 'article')} did not finish", returncode=1)

    def _user(self, username: str) -> User:
        users = (
            User.objects.filter(username=username)
            if username
            else User.objects.filter(groups__name=roles.EDITORS).order_by("pk")
        )
        user = users.first()
        if user is None:
            raise CommandError(f"No such editor: {username or '(none exists yet)'}", returncode=2)
        return user

    def _submit(self, item: str, user: User, options: dict[str, Any]) -> Article:
        fields = {"title": options["title"], "outlet": options["outlet"], "by": user}
        try:
            if item.startswith(("http://", "https://")):
                article = ingest.submit_article(fetch_url=item, **fields)
            else:
                data = sys.stdin.buffer.read() if item == "-" else Path(item).read_bytes()
                name = "stdin.txt" if item == "-" else Path(item).name
                text = ingest.decode_upload(name, data)
                title = options["title"] or Path(item).stem
                article = ingest.submit_article(
                    text=text, url=options["url"], **(fields | {"title": title})
                )
        except (ingest.ArticleRejected, OSError) as exc:
            raise CommandError(f"{item}: {exc}", returncode=2) from None
        return article

    def _wait(self, articles: list[Article], timeout: float) -> list[Article]:
        deadline = time.monotonic() + timeout
        pks = [a.pk for a in articles]
        while time.monotonic() < deadline:
            current = Article.objects.in_bulk(pks)
            if all(not a.is_active for a in current.values()):
                break
            time.sleep(0.5)
        current = Article.objects.in_bulk(pks)
        return [current[pk] for pk in pks]
