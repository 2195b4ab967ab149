"""Roles, a demo editor account, a few weeks of a demo desk and the demo article: what
``make run`` starts from.

The desk's history (``claims.demo.history``: stories from three outlets, two
fact-checkers, confirmations, contradictions, lapses and matches over the last four
weeks) is written once, into a database without articles, so the dashboard has
something to show in every chart; the demo article is then queued for the worker, as
before. Nothing is fetched and no job is needed for the history."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand

from claims import jobs, roles
from claims.demo import history
from claims.ingest import articles as ingest
from claims.models import Article
from workbench import broker

DEMO_ARTICLE = Path(__file__).resolve().parents[2] / "fixtures" / "demo_article.txt"
FACT_CHECKERS = ("amara", "ben")


def _fact_checker(username: str) -> User:
    """A demo fact-checker: no password (nobody logs in as one; set one with
    ``manage.py changepassword``)."""
    user, created = User.objects.get_or_create(username=username)
    if created:
        user.set_unusable_password()
        user.save()
    user.groups.add(Group.objects.get(name=roles.FACT_CHECKERS))
    return user


class Command(BaseCommand):
    help = (
        "Create the roles, a demo editor (password printed), a few weeks of a demo desk "
        "and the demo article."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--username", default="editor")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        roles.sync_roles(apps)
        password = os.environ.get("WORKBENCH_DEMO_PASSWORD") or secrets.token_urlsafe(12)
        user, created = User.objects.get_or_create(username=username)
        if created or os.environ.get("WORKBENCH_DEMO_PASSWORD"):
            user.set_password(password)
            user.is_staff = True
            user.save()
            shown = password
        else:
            shown = "(unchanged; set WORKBENCH_DEMO_PASSWORD to reset it)"
        user.groups.add(Group.objects.get(name=roles.EDITORS))
        self.stdout.write(f"Demo editor: username {username!r}, password {shown}")
        if Article.objects.exists():
            return
        checkers = [_fact_checker(name) for name in FACT_CHECKERS]
        desk = history.build(editor=user, amara=checkers[0], ben=checkers[1])
        self.stdout.write(
            f"Demo desk: {len(desk.articles)} stories over four weeks, checked by "
            f"{', '.join(FACT_CHECKERS)} (fact-checkers, no password) and {username}."
        )
        # ``make run`` runs this before ``runworkbench`` starts the embedded Redis: then
        # the job waits (held back, not tried), and runworkbench's start sends it.
        waiting = settings.USES_EMBEDDED_REDIS and not broker.ping(
            Path(settings.EMBEDDED_REDIS_SOCKET)
        )
        with jobs.held() if waiting else jobs.unsent() as unsent:
            article = ingest.submit_article(
                title="NATO to discuss Iraq crisis after Kerry pledges support",
                outlet="Demo Wire",
                text=DEMO_ARTICLE.read_text(encoding="utf-8"),
                by=user,
            )
        if waiting:
            self.stdout.write(
                f"Demo article #{article.pk} saved; its extraction starts with the worker "
                "(manage.py runworkbench, which make run starts next)."
            )
        elif unsent:
            self.stdout.write(
                f"Demo article #{article.pk} saved; the job queue did not answer, so it "
                "is extracted when the queue is back (the sweeper sends it again)."
            )
        else:
            self.stdout.write(f"Demo article #{article.pk} queued for extraction.")
