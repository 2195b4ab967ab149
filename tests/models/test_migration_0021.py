"""Migration 0021 turns the history written before ``ClaimEvent`` into events, once: the
real write paths make history (and their events), the events are dropped as if they had
never been written, and the migration must give back the same kinds, statuses, causes
and corrected values from the history rows alone."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from claims.confirmation import service as status
from claims.ingest import articles as ingest
from claims.models import Claim, ClaimEvent, ClaimMatch
from claims.review import edits
from claims.review import evidence as verification
from claims.tasks import extract_claims

BEFORE = [("claims", "0020_claim_events")]
TEXT = (
    "Health officials reported 467,000 cases of measles in the region last year. "
    "The council approved a budget of 4.2 million dollars on Monday. "
    "The river flooded three villages in the north of the county last week."
)


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _summary(events: Any) -> list[tuple[Any, ...]]:
    return sorted(
        (e.claim_ref, e.kind, e.cause, e.from_status, e.to_status, e.by_id)
        for e in events
        # The test adds evidence and a match straight to the database (no service, no
        # event); the migration gives them their events, checked on their own.
        if e.kind not in {"evidence_added", "match_found"}
    )


@pytest.fixture
def people(transactional_db: Any) -> tuple[Any, Any]:
    from django.apps import apps

    from claims import roles
    from tests.conftest import _user

    roles.sync_roles(apps)  # a transactional test flushes the groups the migration made
    return _user("edna", roles.EDITORS), _user("fred", roles.FACT_CHECKERS)


def _history(editor: Any, fact_checker: Any, support: Any) -> list[Claim]:
    article = ingest.submit_article(text=TEXT, title="Measles", by=editor)
    extract_claims.run(article.pk, article.revision)
    measles, budget, river = article.claims.order_by("start")
    for claim in (measles, budget, river):
        support(claim, f"https://www.who.int/{claim.pk}")
        status.confirm(claim, by=fact_checker, note="WHO")
    verification.remove_evidence(evidence=measles.evidence.get(), by=fact_checker)
    edits.correct_claim(claim=budget, field="speaker", value="Jane Doe", by=fact_checker,
                        reason="named in the report")  # fmt: skip
    verification.change_stance(evidence=river.evidence.get(), stance="refutes", by=fact_checker)
    status.unconfirm(river, by=fact_checker, note="refuted")
    river.assign(to=editor, by=fact_checker)
    match = ClaimMatch.objects.create(claim=river, matched_claim=measles, score=0.5)
    match.dismiss(by=fact_checker, note="another outbreak")
    return [measles, budget, river]


@pytest.mark.django_db(transaction=True)
def test_migration_0021_gives_the_events_the_write_paths_gave(
    people: tuple[Any, Any], support: Any
) -> None:
    editor, fact_checker = people
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("claims")
    measles, budget, river = _history(editor, fact_checker, support)
    live = _summary(ClaimEvent.objects.all())
    live_data = {kind: ClaimEvent.objects.get(kind=kind).data for kind in ("corrected", "assigned")}
    assert {kind for _, kind, *_ in live} >= {
        "extracted", "status_changed", "lapsed", "corrected", "evidence_removed",
        "stance_changed", "assigned", "match_dismissed",
    }  # fmt: skip

    old = _migrate(BEFORE)
    old.get_model("claims", "ClaimEvent").objects.all().delete()
    new = _migrate(latest)

    Event = new.get_model("claims", "ClaimEvent")
    assert _summary(Event.objects.all()) == live
    causes = dict(Event.objects.filter(kind="lapsed").values_list("claim_ref", "cause"))
    assert causes == {
        measles.pk: "evidence_removed",
        budget.pk: "meaning_changed",
        river.pk: "stance_changed",
    }
    for kind, data in live_data.items():
        assert Event.objects.get(kind=kind).data == data
    assert Event.objects.filter(kind="evidence_added").count() == 3
    assert Event.objects.get(kind="match_found").data["matched_claim_id"] == measles.pk
    lapse = Event.objects.get(kind="lapsed", claim_ref=measles.pk)
    assert lapse.sentence == Claim.history.filter(id=measles.pk, status="needs_rereview").get(
    ).history_change_reason  # fmt: skip
    assert lapse.data["trigger"].startswith("evidence removed")


@pytest.mark.django_db(transaction=True)
def test_migration_0021_leaves_changes_that_already_have_their_event_alone(
    people: tuple[Any, Any], support: Any
) -> None:
    editor, fact_checker = people
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("claims")
    _history(editor, fact_checker, support)
    written = set(ClaimEvent.objects.values_list("pk", flat=True))

    _migrate(BEFORE)
    new = _migrate(latest)

    added = new.get_model("claims", "ClaimEvent").objects.exclude(pk__in=written)
    # Only the changes the test made without a service (so without an event) are added.
    assert sorted(added.values_list("kind", flat=True)) == [
        "evidence_added", "evidence_added", "evidence_added", "match_found",
    ]  # fmt: skip
