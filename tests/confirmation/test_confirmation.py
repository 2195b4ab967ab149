"""The confirmation rule: independent supporting sources, counted by publisher."""

from __future__ import annotations

import pytest

from claims.confirmation import service as status
from claims.models import Claim, ConfirmationRefused, Evidence


@pytest.fixture
def claim(make_article) -> Claim:
    return make_article().claims.first()


def test_a_new_claim_is_unconfirmed(claim):
    assert claim.status == Claim.Status.UNCONFIRMED


def test_it_refuses_to_confirm_without_a_supporting_source(claim, fact_checker):
    with pytest.raises(ConfirmationRefused, match="needs 1 more supporting source"):
        status.confirm(claim, by=fact_checker, note="looks right")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.UNCONFIRMED


def test_it_confirms_with_one_supporting_source_from_another_publisher(
    claim, fact_checker, support
):
    support(claim, "https://www.reuters.com/a")
    status.confirm(claim, by=fact_checker, note="Reuters has it")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.CONFIRMED
    assert claim.status_changed_by == fact_checker
    assert claim.status_note == "Reuters has it"
    assert claim.status_changed_at is not None


def test_the_articles_own_outlet_does_not_count(claim, fact_checker, support):
    support(claim, "https://www.dailyexample.com/other-story")
    with pytest.raises(ConfirmationRefused, match="own publisher does not count"):
        status.confirm(claim, by=fact_checker)


def test_refuting_and_context_evidence_do_not_count(claim, fact_checker, support):
    support(claim, "https://www.reuters.com/a", stance=Evidence.Stance.REFUTES)
    support(claim, "https://apnews.com/b", stance=Evidence.Stance.CONTEXT)
    with pytest.raises(ConfirmationRefused):
        status.confirm(claim, by=fact_checker)
    assert claim.is_contradicted


def test_two_pages_of_one_publisher_count_once(claim, fact_checker, support, settings):
    settings.WORKBENCH_CONFIRMATIONS_REQUIRED = 2
    support(claim, "https://www.reuters.com/a")
    support(claim, "https://www.reuters.com/b")
    with pytest.raises(ConfirmationRefused, match="needs 1 more supporting source"):
        status.confirm(claim, by=fact_checker)
    support(claim, "https://apnews.com/c")
    status.confirm(claim, by=fact_checker)
    assert claim.status == Claim.Status.CONFIRMED


def test_the_required_number_is_a_setting(claim, fact_checker, support, settings):
    settings.WORKBENCH_CONFIRMATIONS_REQUIRED = 3
    support(claim, "https://www.reuters.com/a")
    assert status.assess(claim).blocker.startswith("needs 2 more supporting sources")


def test_unconfirm_always_works_and_history_records_who_and_why(
    claim, fact_checker, editor, support
):
    support(claim, "https://www.reuters.com/a")
    status.confirm(claim, by=fact_checker, note="Reuters has it")
    status.unconfirm(claim, by=editor, note="Reuters corrected its story")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.UNCONFIRMED
    latest, previous = claim.history.all()[:2]
    assert latest.history_user == editor
    assert latest.history_change_reason == "unconfirmed: Reuters corrected its story"
    assert previous.history_user == fact_checker
    assert previous.status == Claim.Status.CONFIRMED


def test_the_database_refuses_an_unknown_status(claim):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(status="probably")


def test_the_database_refuses_reversed_offsets(claim):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(end=claim.start)


def test_one_evidence_row_per_claim_and_source(claim, support):
    from django.db import IntegrityError, transaction

    evidence = support(claim, "https://www.reuters.com/a")
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.create(claim=claim, source=evidence.source, stance="refutes")
