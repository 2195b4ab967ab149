"""Migration 0018 re-runs the quote check on stored approximate and short results: one that
the stricter check refuses becomes *not found*, with the reason. Run on a database
migrated back to 0017."""

from __future__ import annotations

import hashlib
import zlib
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("claims", "0017_basis_integrity")]
CLAIM = "Health officials said 467,000 cases of measles were reported in the region last year."


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_migration_0018_rechecks_approximate_and_short_quotes() -> None:
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("claims")
    old = _migrate(BEFORE)
    Article, Claim = old.get_model("claims", "Article"), old.get_model("claims", "Claim")
    Source, Evidence = old.get_model("claims", "Source"), old.get_model("claims", "Evidence")
    SourceCapture = old.get_model("claims", "SourceCapture")
    article = Article.objects.create(title="t", body=CLAIM, outlet="Daily Example")
    claim = Claim.objects.create(article=article, revision=1, text=CLAIM, start=0, end=len(CLAIM))
    page = "Officials said 467,000 cases of measles were not reported in the region last year."
    sha = hashlib.sha256(page.encode()).hexdigest()
    for url, excerpt, check in [
        ("https://www.who.int/a", "467,000 cases of measles were reported in the region",
         "approximate"),
        ("https://apnews.com/b", "e", "found"),
        ("https://www.reuters.com/c", "467,000 cases of measles were not reported", "found"),
    ]:  # fmt: skip
        source = Source.objects.create(url=url, publisher=url, domain=url)
        SourceCapture.objects.create(
            source=source, text_sha256=sha, text_compressed=zlib.compress(page.encode())
        )
        Evidence.objects.create(
            claim=claim, source=source, stance="supports", excerpt=excerpt, quote_check=check,
            quote_score=92.3, quote_sha256=sha,
        )  # fmt: skip

    new = _migrate(latest)

    rows = {e.excerpt: e for e in new.get_model("claims", "Evidence").objects.all()}
    opposite = rows["467,000 cases of measles were reported in the region"]
    assert opposite.quote_check == "not_found"
    assert opposite.quote_reason == (
        "the source says 'were not reported' where the excerpt says 'were reported'"
    )
    assert rows["e"].quote_check == "not_found"
    assert rows["e"].quote_reason == "the excerpt is too short to check: at least 4 words"
    kept = rows["467,000 cases of measles were not reported"]
    assert (kept.quote_check, kept.quote_reason) == ("found", "")
