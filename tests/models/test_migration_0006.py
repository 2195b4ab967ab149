"""Migration 0006 judges the claims confirmed before the rule tightened, once: those that
still hold get a record of their basis, the others move to needs re-review with the
reason in their history. Run on a database migrated back to 0005."""

from __future__ import annotations

import hashlib
import zlib
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("claims", "0005_claim_text_trigram")]
HOLDS = "The council approved a budget of 4.2 million dollars on Monday."
LAPSES = "The mayor said the new bridge will open in 2027."


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_migration_0006_reevaluates_existing_confirmations() -> None:
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("claims")
    old = _migrate(BEFORE)
    Article = old.get_model("claims", "Article")
    Claim = old.get_model("claims", "Claim")
    Source = old.get_model("claims", "Source")
    SourceCapture = old.get_model("claims", "SourceCapture")
    Evidence = old.get_model("claims", "Evidence")
    User = old.get_model("auth", "User")
    fred = User.objects.create(username="fred")
    body = f"{HOLDS} {LAPSES}"
    article = Article.objects.create(
        title="t", body=body, outlet="Daily Example", outlet_domain="dailyexample.com"
    )
    now = timezone.now()
    claims = {}
    for text in (HOLDS, LAPSES):
        start = body.index(text)
        claims[text] = Claim.objects.create(
            article=article, revision=1, text=text, start=start, end=start + len(text),
            status="confirmed", status_changed_by=fred, status_changed_at=now,
        )  # fmt: skip
    captured = Source.objects.create(
        url="https://www.reuters.com/a", publisher="reuters.com", domain="reuters.com"
    )
    page = f"Reuters reported: {HOLDS}"
    SourceCapture.objects.create(
        source=captured, text_sha256=hashlib.sha256(page.encode()).hexdigest(),
        text_compressed=zlib.compress(page.encode()),
    )  # fmt: skip
    never = Source.objects.create(
        url="https://apnews.com/b", publisher="apnews.com", domain="apnews.com"
    )
    Evidence.objects.create(claim=claims[HOLDS], source=captured, stance="supports",
                            excerpt=HOLDS, quote_check="found")  # fmt: skip
    Evidence.objects.create(claim=claims[LAPSES], source=never, stance="supports",
                            excerpt=LAPSES, quote_check="unchecked")  # fmt: skip

    new = _migrate(latest)

    NewClaim = new.get_model("claims", "Claim")
    Confirmation = new.get_model("claims", "Confirmation")
    held = NewClaim.objects.get(pk=claims[HOLDS].pk)
    lapsed = NewClaim.objects.get(pk=claims[LAPSES].pk)
    assert held.status == "confirmed"
    record = Confirmation.objects.get(claim_id=held.pk)
    assert record.confirmed_by_id == fred.pk and record.basis[0]["publisher"] == "Reuters"
    assert lapsed.status == "needs_rereview"
    assert "never captured" in lapsed.status_note
    history = new.get_model("claims", "HistoricalClaim").objects.filter(id=lapsed.pk)
    assert history.latest("history_date").history_change_reason.startswith(
        "needs re-review: the confirmation rule was tightened"
    )
    assert new.get_model("claims", "Publisher").objects.filter(name="BBC").exists()
