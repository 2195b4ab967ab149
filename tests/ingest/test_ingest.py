"""Submission and the extraction job, called directly (no broker): idempotency, the
conditional claim, failure marking, the sweeper, and re-anchoring across revisions."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from claims.confirmation import service as status
from claims.ingest import articles as ingest
from claims.models import Article, Claim
from claims.nlp import records
from claims.tasks import extract_claims

FIXTURES = Path(__file__).parents[1] / "fixtures"
SAMPLE = (FIXTURES / "seed_article.txt").read_text(encoding="utf-8")
SHORT = (
    "The council approved a budget of 4.2 million dollars on Monday. "
    "The mayor said the new bridge will open in 2027.\n"
    "Officials reportedly plan to raise parking fees by 15 percent next year."
)


def submit(editor, text: str = SHORT, **fields) -> Article:
    fields.setdefault("title", "Budget")
    article = ingest.submit_article(text=text, by=editor, **fields)
    return article


def test_submitting_saves_the_article_and_its_first_revision_before_any_job(editor):
    article = submit(editor, outlet="Daily Example", url="https://news.dailyexample.co.uk/a")
    assert article.state == Article.State.QUEUED
    assert article.body == SHORT
    assert article.revisions.get().number == 1
    assert article.outlet_domain == "dailyexample.co.uk"


def test_the_job_is_sent_only_after_commit(editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit(editor)
    assert len(callbacks) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "empty"), ("   \n\t ", "empty"), ("abc\x00def", "NUL"), ("x" * 6_000_000, "limit")],
)
def test_unusable_text_is_refused_with_a_clear_message(editor, text, message):
    with pytest.raises(ingest.ArticleRejected, match=message):
        submit(editor, text=text)
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("photo.png", b"\x89PNG....", "Cannot read .png"),
        ("story.txt", b"abc\x00\x01\x02", "binary"),
        ("story.txt", "café".encode("latin-1"), "not UTF-8"),
        ("page.html", b"<html><head><title>x</title></head><body></body></html>", "No article"),
    ],
)
def test_unreadable_uploads_are_refused(name, data, message):
    with pytest.raises(ingest.ArticleRejected, match=message):
        ingest.decode_upload(name, data)


def test_the_task_extracts_claims_and_marks_the_article_done(editor):
    article = submit(editor)
    result = extract_claims.run(article.pk, article.revision)
    article.refresh_from_db()
    assert result.startswith("done: 3 new claims")
    assert article.state == Article.State.DONE
    assert article.progress_done == article.progress_total > 0
    assert article.pipeline_version
    for claim in article.claims.all():
        assert article.body[claim.start : claim.end] == claim.text
        assert claim.history.get().history_change_reason == "extracted from revision 1"


def test_running_the_task_twice_never_duplicates_claims(editor):
    article = submit(editor)
    extract_claims.run(article.pk, article.revision)
    second = extract_claims.run(article.pk, article.revision)
    assert second == ingest.SKIPPED
    assert article.claims.count() == 3


def test_only_a_queued_article_can_be_claimed(editor):
    article = submit(editor)
    assert ingest.claim_job(article.pk, 1) is not None
    assert ingest.claim_job(article.pk, 1) is None  # already processing
    assert ingest.claim_job(article.pk, 2) is None  # no such revision


def test_claiming_a_job_records_the_attempt_and_its_start(editor):
    article = submit(editor)
    before = timezone.now()
    attempt = ingest.claim_job(article.pk, 1)
    assert attempt is not None and attempt.number == 1
    article.refresh_from_db()
    assert article.state == Article.State.PROCESSING and article.attempts == 1
    assert article.started_at is not None and before <= article.started_at <= timezone.now()
    assert (article.progress_done, article.progress_total, article.error) == (0, 0, "")
    ingest.requeue_stuck(older_than=timedelta(0))
    again = ingest.claim_job(article.pk, 1)
    assert again is not None and again.number == 2 and again.owns().exists()
    assert not attempt.owns().exists()


def test_a_stale_attempt_writes_nothing(editor):
    article = submit(editor)
    stale = ingest.claim_job(article.pk, 1)
    ingest.requeue_stuck(older_than=timedelta(0))  # the sweeper hands it on
    fresh = ingest.claim_job(article.pk, 1)
    assert ingest.process(stale).startswith("discarded")
    assert article.claims.count() == 0
    assert ingest.process(fresh).startswith("done")
    assert article.claims.count() == 3


def test_the_sample_article_gives_its_eleven_claims(editor):
    article = submit(editor, text=SAMPLE)
    extract_claims.run(article.pk, 1)
    article.refresh_from_db()
    assert article.claims.count() == 11
    assert any(d["reason"] == "boilerplate" for d in article.dropped)
    hedged = article.claims.get(text__startswith="There were also unconfirmed reports")
    assert hedged.hedged
    assert hedged.factuality == Claim.Factuality.UNVERIFIED_REPORT
    assert [c["text"] for c in hedged.factuality_cues] == ["unconfirmed reports"]
    convene = article.claims.get(text__startswith="NATO foreign ministers will convene")
    assert (convene.factuality, convene.hedged) == (Claim.Factuality.PREDICTED, False)
    he_said = article.claims.get(text__startswith="He said")
    assert he_said.speaker.endswith("Kerry")
    assert he_said.attribution["mention"] == "He"
    assert he_said.attributions == [he_said.attribution]
    assert he_said.standalone.startswith("John Kerry said the Iraqi leaders")


def test_an_unexpected_error_marks_the_article_failed_with_a_readable_message(editor, monkeypatch):
    article = submit(editor)

    def broken(*args, **kwargs):
        raise RuntimeError("model file is corrupt")

    monkeypatch.setattr(ingest, "_extract", broken)
    with pytest.raises(RuntimeError):
        extract_claims.run(article.pk, 1)
    article.refresh_from_db()
    assert article.state == Article.State.FAILED
    assert "model file is corrupt" in article.error
    assert "Retry" in article.error


def test_a_failed_article_can_be_retried(editor, monkeypatch):
    article = submit(editor)
    monkeypatch.setattr(ingest, "_extract", lambda *a, **k: (_ for _ in ()).throw(OSError("x")))
    with pytest.raises(OSError):
        extract_claims.run(article.pk, 1)
    monkeypatch.undo()
    article.refresh_from_db()
    article.requeue(by=editor, reason="retry")
    assert extract_claims.run(article.pk, 1).startswith("done")


def test_the_sweeper_requeues_only_articles_stuck_past_the_timeout(
    editor, django_capture_on_commit_callbacks
):
    old, recent, done = submit(editor), submit(editor), submit(editor)
    extract_claims.run(done.pk, 1)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Article.objects.filter(pk=old.pk).update(queued_at=an_hour_ago)
    with django_capture_on_commit_callbacks(execute=False):
        requeued = ingest.requeue_stuck(older_than=timedelta(minutes=5))
    assert requeued == [old.pk]
    assert recent.pk not in requeued


def test_the_sweeper_takes_back_an_article_stuck_in_processing(editor):
    article = submit(editor)
    ingest.claim_job(article.pk, 1)
    Article.objects.filter(pk=article.pk).update(started_at=timezone.now() - timedelta(hours=1))
    assert ingest.requeue_stuck(older_than=timedelta(minutes=5)) == [article.pk]
    assert extract_claims.run(article.pk, 1).startswith("done")


# --- Revisions and re-anchoring --------------------------------------------------------


def extracted(editor, text: str = SHORT) -> Article:
    article = submit(editor, text=text)
    extract_claims.run(article.pk, 1)
    article.refresh_from_db()
    return article


def revise(article: Article, text: str, editor) -> Article:
    ingest.revise_article(article=article, text=text, by=editor)
    article.refresh_from_db()
    extract_claims.run(article.pk, article.revision)
    article.refresh_from_db()
    return article


def test_an_edit_before_a_claim_keeps_it_with_its_status_and_moves_its_anchor(
    editor, fact_checker, support
):
    article = extracted(editor)
    bridge = article.claims.get(text__contains="bridge")
    support(bridge, "https://www.reuters.com/bridge")
    status.confirm(bridge, by=fact_checker, note="Reuters")
    article = revise(article, "UPDATED at noon. " + SHORT, editor)
    bridge.refresh_from_db()
    assert bridge.revision == 2
    assert bridge.status == Claim.Status.CONFIRMED
    assert bridge.evidence.count() == 1
    assert article.body[bridge.start : bridge.end] == bridge.text
    assert not bridge.orphaned
    assert article.claims.filter(orphaned=False).count() == 4  # plus "UPDATED at noon."
    assert "re-anchored" in bridge.history.first().history_change_reason


def test_an_edit_inside_a_claim_keeps_it_anchored_to_the_edited_sentence(editor):
    article = extracted(editor)
    budget = article.claims.get(text__contains="budget")
    text = SHORT.replace("4.2 million dollars", "4.3 million dollars")
    article = revise(article, text, editor)
    budget.refresh_from_db()
    assert not budget.orphaned
    assert "4.3 million" in budget.text
    assert article.body[budget.start : budget.end] == budget.text
    assert article.claims.count() == 3


def test_an_edit_after_a_claim_leaves_its_offsets_alone(editor):
    article = extracted(editor)
    budget = article.claims.get(text__contains="budget")
    before = (budget.start, budget.end)
    revise(article, SHORT + "\nA new closing sentence was added to the story today.", editor)
    budget.refresh_from_db()
    assert (budget.start, budget.end) == before
    assert budget.revision == 2


def test_a_claim_whose_text_is_gone_is_kept_as_an_orphan(editor):
    article = extracted(editor)
    fees = article.claims.get(text__contains="parking")
    text = SHORT.split("\n")[0] + "\nThe weather was pleasant for the whole weekend in town."
    revise(article, text, editor)
    fees.refresh_from_db()
    assert fees.orphaned
    assert Claim.objects.filter(pk=fees.pk).exists()
    assert "orphaned" in fees.history.first().history_change_reason


def test_an_unchanged_text_is_not_a_new_revision(editor):
    article = extracted(editor)
    with pytest.raises(ingest.ArticleRejected, match="unchanged"):
        ingest.revise_article(article=article, text=SHORT, by=editor)


# --- The job's database path: what it writes, in few statements ---------------------------

RECORDS = st.one_of(
    st.builds(records.Span),
    st.builds(records.Entity),
    st.builds(records.Attribution),
    st.builds(records.Dropped),
)


@given(RECORDS)
def test_a_record_is_stored_as_asdict_would_store_it(record):
    plain = ingest._plain(record)
    assert plain == asdict(record)
    assert list(plain) == list(asdict(record))  # the JSON keeps the fields' order
    assert plain is not vars(record)  # a copy: the frozen record is never aliased


def test_a_short_article_costs_one_progress_write_and_ends_at_its_last_block(editor):
    article = submit(editor)
    attempt = ingest.claim_job(article.pk, article.revision)
    with CaptureQueriesContext(connection) as captured:
        ingest.process(attempt)
    writes = [q["sql"] for q in captured if 'SET "progress_done" = ' in q["sql"]]
    article.refresh_from_db()
    assert len(writes) == 1  # (0, total) at the start; the end is written with "done"
    assert article.state == Article.State.DONE
    assert article.progress_done == article.progress_total > 0
