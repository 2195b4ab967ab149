"""Migration 0028 makes ``Article.published_at`` an instant: the dates stored before it
become midnight UTC of that day, on SQLite and PostgreSQL alike. Run on a database
migrated back to 0027."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("claims", "0027_decisive_events")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_migration_0028_keeps_each_date_as_midnight_utc() -> None:
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("claims")
    old = _migrate(BEFORE)
    Article = old.get_model("claims", "Article")
    dated = Article.objects.create(title="dated", published_at=date(2026, 11, 30))
    undated = Article.objects.create(title="undated")

    new = _migrate(latest).get_model("claims", "Article")

    assert new.objects.get(pk=dated.pk).published_at == datetime(2026, 11, 30, tzinfo=UTC)
    assert new.objects.get(pk=undated.pk).published_at is None
