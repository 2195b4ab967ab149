"""Migration 0025 makes speaker records for the claims extracted before records existed:
within an article the name variants resolve to one record, across articles a full name
finds the same record, a surname alone does not, and figures and reports get none. Run
on a database migrated back to 0024."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("claims", "0024_team")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_migration_0025_links_existing_claims_to_speaker_records() -> None:
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("claims")
    old = _migrate(BEFORE)
    Article, Claim = old.get_model("claims", "Article"), old.get_model("claims", "Claim")
    stories = {
        "health": ["Dr Amara Okafor", "Dr Okafor", "Okafor", "Hannah Müller", "Ms Müller",
                   "the Royal College", "the college", "the board's own figures",
                   "unconfirmed reports"],
        "later": ["Amara Okafor"],
        "bridge": ["Okafor"],
    }  # fmt: skip
    for title, speakers in stories.items():
        article = Article.objects.create(title=title, body="x" * 100, outlet="Daily Example")
        for n, name in enumerate(speakers):
            label = "ORG" if "Royal" in name else "PERSON" if name[0].isupper() else ""
            entities = [{"text": name, "label": label, "start": 0, "end": 1}] if label else []
            Claim.objects.create(article=article, revision=1, text=f"{name} said {n}.",
                                 start=n, end=n + 1, speaker=name, entities=entities)  # fmt: skip

    new = _migrate(latest)

    Claim = new.get_model("claims", "Claim")
    found = {
        (c.article.title, c.speaker): c.speaker_record.name if c.speaker_record else None
        for c in Claim.objects.select_related("article", "speaker_record")
    }
    record = {
        (c.article.title, c.speaker): c.speaker_record_id
        for c in Claim.objects.select_related("article")
    }
    health = {name: found["health", name] for _, name in [k for k in found if k[0] == "health"]}
    assert health == {
        "Dr Amara Okafor": "Amara Okafor", "Dr Okafor": "Amara Okafor", "Okafor": "Amara Okafor",
        "Hannah Müller": "Hannah Müller", "Ms Müller": "Hannah Müller",
        "the Royal College": "Royal College", "the college": "Royal College",
        "the board's own figures": None, "unconfirmed reports": None,
    }  # fmt: skip
    assert record["later", "Amara Okafor"] == record["health", "Okafor"]
    assert record["bridge", "Okafor"] not in (None, record["health", "Okafor"])
    assert new.get_model("claims", "Speaker").objects.count() == 4
