"""Two extraction jobs at once naming the same new speaker (issue 34): each job writes its
article's claims and links them to speaker records in its own transaction, on its own
PostgreSQL connection; both reach the write at the same moment (threads meeting at a
barrier after their extraction). However they interleave, the speaker ends with one
record, which both articles' claims point at.

SQLite runs write transactions one at a time, so this cannot happen there; the test is
skipped on it."""

from __future__ import annotations

import threading
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections

from claims.ingest import articles as ingest
from claims.models import Article, Claim, Speaker
from claims.tasks import extract_claims

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="races need two PostgreSQL connections"
    ),
]

PEOPLE = [
    ("Amara", "Okafor"),
    ("Hannah", "Müller"),
    ("Chidi", "Obi"),
    ("Priya", "Raman"),
    ("Tomasz", "Nowak"),
    ("Ines", "Carvalho"),
    ("Kwame", "Mensah"),
    ("Sofia", "Lindqvist"),
]


def _texts(first: str, last: str) -> list[str]:
    return [
        f"Dr {first} {last} said 200 operations were cancelled in May at the hospital.",
        f"Dr {first} {last} said the new clinic would open in 2027 with 40 beds.",
    ]


def _extract_both(articles: list[Article]) -> None:
    """Both articles' jobs, each in a thread, writing at the same moment."""
    done = {a.body: ingest._extract(a.body, progress=lambda d, t: None) for a in articles}
    barrier = threading.Barrier(2)
    outcomes: list[Any] = []

    def extracted(text: str, progress: Any) -> Any:
        barrier.wait(timeout=30)
        return done[text]

    def run(article: Article) -> None:
        try:
            outcomes.append(extract_claims.run(article.pk, article.revision))
        except BaseException as exc:
            outcomes.append(exc)
        finally:
            connections.close_all()

    with mock.patch.object(ingest, "_extract", extracted):
        threads = [threading.Thread(target=run, args=(a,)) for a in articles]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert [str(o)[:4] for o in outcomes] == ["done", "done"], outcomes


def test_two_jobs_naming_one_new_speaker_make_one_record() -> None:
    # A user of its own: a transactional test before this one may have flushed the
    # role groups the ``editor`` fixture needs (they come from a data migration).
    editor = User.objects.create_user("racer")
    for first, last in PEOPLE:
        with mock.patch.object(ingest, "enqueue"):
            articles = [
                ingest.submit_article(text=text, by=editor, title=f"{last} {i}")
                for i, text in enumerate(_texts(first, last))
            ]
        _extract_both(articles)
        records = Speaker.objects.filter(name=f"{first} {last}")
        assert records.count() == 1, f"{first} {last}: {list(records.values('pk', 'name'))}"
        linked = Claim.objects.filter(article__in=articles, speaker__contains=last)
        assert linked.count() == 2
        assert set(linked.values_list("speaker_record", flat=True)) == {records.get().pk}
