"""Claim memory: retrieval and calibrated re-ranking, the thresholds and the short-claim
rule, matching after extraction (the task, twice), accepting and dismissing with history,
the "has a match" flag, and the database-free ``match`` command."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.confirmation import service as status
from claims.ingest import articles as ingest
from claims.matching import service as matching
from claims.matching.engine import index as engine
from claims.matching.engine import minilm
from claims.matching.engine.text import clean, terms
from claims.models import Article, Claim, ClaimMatch, ConfirmationRefused, Evidence, FactCheck
from claims.tasks import match_claims
from workbench.celery import app

FIXTURES = Path(__file__).parents[1] / "fixtures" / "matching"
OHIO = "Unemployment in Ohio fell to 4.1 percent in March, according to the state labor department."
OHIO_PARAPHRASE = (
    "Ohio's unemployment rate dropped to 4.1 percent in March, the state labor department said."
)
SHORT = "Taxes rose by 15 percent."


def archive_index() -> engine.Index:
    docs = []
    for line in (FIXTURES / "archive.jsonl").read_text().splitlines():
        if line.strip():
            entry = json.loads(line)
            docs.append((entry["id"], f"{entry['text']} {entry.get('title', '')}"))
    docs += [
        ("x1", OHIO),
        ("x2", "The governor said the new highway will open in 2027."),
        ("x3", "The city council approved a budget of 4.2 million dollars for the new bridge."),
    ]
    return engine.Index(docs)


# --- The engine (no database) ----------------------------------------------------------


def test_a_paraphrase_is_found_first_with_a_score_above_the_suggestion_threshold():
    hits = archive_index().search(OHIO_PARAPHRASE, top=3)
    assert hits[0].key == "x1"
    assert matching.DEFAULT_LOW <= hits[0].score <= 1
    assert all(0 <= hit.score <= hits[0].score for hit in hits)


@pytest.mark.parametrize(
    "text",
    [
        "A viral message claims that drinking hot water every fifteen minutes kills the virus.",
        "TikTok was banned in the United States by an executive order the president signed.",
    ],
)
def test_reworded_archive_claims_are_found(text):
    best = archive_index().search(text, top=1)[0]
    assert best.key in {"a1", "a3"}
    assert best.score >= matching.DEFAULT_LOW


@pytest.mark.parametrize(
    "text",
    [
        "The governor said the unemployment office in Ohio will open a new branch in March.",
        "Unemployment in Texas rose in the spring as oil prices fell.",
        "Kids love the new bridge.",
    ],
)
def test_an_unrelated_claim_sharing_words_is_not_matched_above_the_suggestion_threshold(text):
    hits = archive_index().search(text, top=5)
    assert hits, "shared words should still retrieve candidates in stage 1"
    assert max(hit.score for hit in hits) < matching.DEFAULT_LOW


def test_a_claim_with_no_word_in_common_has_no_candidates():
    assert archive_index().search("Zebras yodel quietly.") == []


def test_an_empty_index_finds_nothing():
    assert engine.Index([]).search(OHIO) == []


def test_a_high_score_links_a_long_claim_but_only_suggests_a_short_one():
    assert matching.state_for(0.95, OHIO) == ClaimMatch.State.LINKED
    assert matching.state_for(0.95, SHORT) == ClaimMatch.State.SUGGESTED
    assert matching.state_for(0.6, OHIO) == ClaimMatch.State.SUGGESTED
    assert matching.state_for(0.1, OHIO) is None


def test_the_thresholds_are_settings(settings):
    settings.WORKBENCH_MATCH_LOW = 0.7
    settings.WORKBENCH_MATCH_HIGH = 0.75
    settings.WORKBENCH_MATCH_MIN_WORDS = 3
    assert matching.state_for(0.6, OHIO) is None
    assert matching.state_for(0.8, SHORT) == ClaimMatch.State.LINKED


def test_the_shipped_weights_are_read_from_json():
    models = engine.calibration()
    for model, features in (
        (models.bm25, engine.BM25_FEATURES),
        (models.hybrid, engine.HYBRID_FEATURES),
    ):
        assert model.meta["fitted_on"].startswith("CheckThat! 2020 task 2 train")
        assert model.features == features and len(model.weights) == len(features)


# --- The match command (no database) ---------------------------------------------------


def test_the_match_command_prints_one_json_line_per_query_best_first():
    out = StringIO()
    call_command(
        "match",
        "--archive", str(FIXTURES / "archive.jsonl"),
        "--queries", str(FIXTURES / "queries.jsonl"),
        "--top", "2",
        "--format", "jsonl",
        stdout=out,
    )  # fmt: skip
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["query_id"] for line in lines] == ["q1", "q2"]
    assert lines[0]["matches"][0]["id"] == "a2"
    assert lines[1]["matches"][0]["id"] == "a1"
    for line in lines:
        scores = [match["score"] for match in line["matches"]]
        assert 1 <= len(scores) <= 2
        assert scores == sorted(scores, reverse=True)


def test_the_match_command_refuses_a_broken_file():
    with pytest.raises(CommandError, match=r"broken\.jsonl line 2"):
        call_command(
            "match",
            "--archive", str(FIXTURES / "broken.jsonl"),
            "--queries", str(FIXTURES / "queries.jsonl"),
            stdout=StringIO(),
        )  # fmt: skip


# --- Matching in the app ---------------------------------------------------------------


@pytest.fixture
def earlier(make_article) -> Article:
    return make_article(
        [OHIO, "The governor said the new highway will open in 2027.", SHORT],
        title="Jobs report",
        outlet="Other Times",
        outlet_domain="othertimes.com",
        url="https://othertimes.com/jobs",
    )


@pytest.fixture
def later(make_article, earlier) -> Article:
    return make_article([OHIO_PARAPHRASE, SHORT, "Kids love the new highway."])


def claim_of(article: Article, text: str) -> Claim:
    return article.claims.get(text=text)


def test_a_new_claim_is_matched_with_the_same_claim_in_another_article(earlier, later):
    match_claims(later.pk)
    match = claim_of(later, OHIO_PARAPHRASE).matches.get()
    assert match.matched_claim == claim_of(earlier, OHIO)
    assert match.state in (ClaimMatch.State.SUGGESTED, ClaimMatch.State.LINKED)
    assert not claim_of(later, "Kids love the new highway.").matches.exists()


def test_a_claim_is_never_matched_with_claims_of_its_own_article(earlier, later):
    match_claims(later.pk)
    own = ClaimMatch.objects.filter(matched_claim__article=later)
    assert not own.exists()


def test_a_short_claim_is_suggested_never_linked_even_when_identical(earlier, later):
    match_claims(later.pk)
    match = claim_of(later, SHORT).matches.get()
    assert match.matched_claim == claim_of(earlier, SHORT)
    assert match.score >= matching.DEFAULT_HIGH
    assert match.state == ClaimMatch.State.SUGGESTED


def test_an_identical_long_claim_is_linked_for_review(earlier, make_article):
    article = make_article([OHIO], url="https://www.dailyexample.com/news/jobs")
    match_claims(article.pk)
    match = article.claims.get().matches.get()
    assert match.state == ClaimMatch.State.LINKED


def test_matching_twice_changes_nothing(earlier, later):
    first = match_claims(later.pk)
    second = match_claims(later.pk)
    assert first == second
    assert ClaimMatch.objects.filter(claim__article=later).count() == 2
    assert ClaimMatch.history.filter(history_type="+").count() == 2


def test_archived_fact_checks_are_matched(make_article):
    for name in ("claimreview.json", "archive.jsonl"):
        call_command("import_factchecks", str(FIXTURES / name), stdout=StringIO())
    article = make_article(
        ["NASA has confirmed the Earth will go through 15 days of total darkness in November."]
    )
    match_claims(article.pk)
    match = article.claims.get().matches.get()
    assert match.factcheck == FactCheck.objects.get(archive_id="efc-2025-0412")


def test_a_fact_check_imported_after_a_first_matching_is_found_the_next_time(make_article):
    article = make_article(
        ["NASA has confirmed the Earth will go through 15 days of total darkness in November."]
    )
    match_claims(article.pk)
    assert not ClaimMatch.objects.exists()
    for name in ("claimreview.json", "archive.jsonl"):
        call_command("import_factchecks", str(FIXTURES / name), stdout=StringIO())
    match_claims(article.pk)
    assert article.claims.get().matches.get().factcheck.archive_id == "efc-2025-0412"


def test_a_dismissed_match_stays_dismissed_when_matching_again(earlier, later, fact_checker):
    match_claims(later.pk)
    match = claim_of(later, OHIO_PARAPHRASE).matches.get()
    match.dismiss(by=fact_checker, note="different survey")
    match_claims(later.pk)
    match.refresh_from_db()
    assert match.state == ClaimMatch.State.DISMISSED
    assert match.history.first().history_change_reason == "different survey"
    assert match.history.first().history_user == fact_checker


def test_the_has_match_flag_ignores_dismissed_matches(earlier, later, fact_checker):
    match_claims(later.pk)
    claim_of(later, SHORT).matches.get().dismiss(by=fact_checker)
    flagged = Claim.objects.filter(article=later).with_match_flag()
    assert {c.text: c.has_match for c in flagged} == {
        OHIO_PARAPHRASE: True,
        SHORT: False,
        "Kids love the new highway.": False,
    }


def test_a_finished_extraction_queues_matching_after_commit(
    editor, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(
        app, "send_task", lambda name, args, kwargs, **options: sent.append((name, args))
    )
    article = ingest.submit_article(title="Jobs", text=OHIO, by=editor)
    attempt = ingest.claim_job(article.pk, article.revision)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = ingest.process(attempt)
    assert outcome.startswith("done")
    assert sent == [("claims.match_claims", [article.pk])]


def test_a_broker_that_is_down_does_not_fail_the_extraction(
    editor, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def refuse(name, args, kwargs, **options):
        raise OSError("connection refused")

    monkeypatch.setattr(app, "send_task", refuse)
    article = ingest.submit_article(title="Jobs", text=OHIO, by=editor)
    attempt = ingest.claim_job(article.pk, article.revision)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = ingest.process(attempt)
    assert outcome.startswith("done")
    assert Article.objects.get(pk=article.pk).state == Article.State.DONE
    assert f"article {article.pk} not matched" in caplog.text


# --- Accepting -------------------------------------------------------------------------


def make_match(claim: Claim, earlier_claim: Claim, **fields) -> ClaimMatch:
    fields.setdefault("score", 0.87)
    fields.setdefault("state", ClaimMatch.State.LINKED)
    return ClaimMatch.objects.create(claim=claim, matched_claim=earlier_claim, **fields)


def test_accepting_carries_the_evidence_over_and_records_it_in_history(
    earlier, later, fact_checker, support
):
    old, new = claim_of(earlier, OHIO), claim_of(later, OHIO_PARAPHRASE)
    support(old, url="https://www.bls.gov/ohio", excerpt="fell to 4.1 percent")
    support(old, url="https://www.reuters.com/ohio", stance=Evidence.Stance.REFUTES)
    support(new, url="https://www.reuters.com/ohio")  # already linked: skipped
    match = make_match(new, old)

    outcome = matching.accept_match(match=match, by=fact_checker)

    assert outcome.carried_over == 1
    copied = new.evidence.get(source__url="https://www.bls.gov/ohio")
    assert (copied.stance, copied.excerpt) == ("supports", "fell to 4.1 percent")
    assert copied.note == f"carried over from claim #{old.pk}"
    assert copied.added_by == fact_checker
    assert copied.history.get().history_user == fact_checker
    assert new.evidence.count() == 2
    match.refresh_from_db()
    assert (match.state, match.decided_by) == (ClaimMatch.State.ACCEPTED, fact_checker)
    record = match.history.first()
    assert record.history_user == fact_checker
    assert record.history_change_reason.startswith(f"accepted (claim #{old.pk})")


def test_accept_and_confirm_confirms_the_claim_when_the_rule_allows(
    earlier, later, fact_checker, support
):
    old, new = claim_of(earlier, OHIO), claim_of(later, OHIO_PARAPHRASE)
    support(old, url="https://www.bls.gov/ohio")
    status.confirm(old, by=fact_checker)
    outcome = matching.accept_match(match=make_match(new, old), by=fact_checker, confirm=True)
    new.refresh_from_db()
    assert outcome.confirmed
    assert new.status == Claim.Status.CONFIRMED
    assert new.history.first().history_user == fact_checker
    assert f"claim #{old.pk}" in new.status_note


def test_accept_and_confirm_reports_a_refused_confirmation_and_keeps_the_acceptance(
    earlier, later, fact_checker, support
):
    old, new = claim_of(earlier, OHIO), claim_of(later, OHIO_PARAPHRASE)
    # The only support is the later article's own outlet: enough for the earlier article,
    # not independent for the later one.
    support(old, url="https://www.dailyexample.com/data")
    status.confirm(old, by=fact_checker)
    match = make_match(new, old)
    with pytest.raises(ConfirmationRefused):
        status.confirm(new, by=fact_checker)

    outcome = matching.accept_match(match=match, by=fact_checker, confirm=True)

    assert not outcome.confirmed
    assert "Cannot confirm" in outcome.refused and "Not confirmed" in outcome.message()
    new.refresh_from_db()
    match.refresh_from_db()
    assert new.status == Claim.Status.UNCONFIRMED
    assert match.state == ClaimMatch.State.ACCEPTED


def test_accepting_a_fact_check_links_its_page_as_context_and_queues_a_capture(
    later, fact_checker, django_capture_on_commit_callbacks
):
    check = FactCheck.objects.create(
        archive_id="efc-1",
        text=OHIO,
        url="https://factcheck.example.org/ohio-jobs",
        rating="Mostly true",
        publisher="Example Fact Check",
    )
    claim = claim_of(later, OHIO_PARAPHRASE)
    match = ClaimMatch.objects.create(claim=claim, factcheck=check, score=0.7)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outcome = matching.accept_match(match=match, by=fact_checker)
    evidence = claim.evidence.get()
    assert outcome.carried_over == 1
    assert evidence.stance == Evidence.Stance.CONTEXT
    assert evidence.source.url == "https://factcheck.example.org/ohio-jobs"
    assert evidence.source.kind == "other"
    assert evidence.note == "fact-check by Example Fact Check: rated “Mostly true”"
    assert len(callbacks) == 1  # the new source's capture
    match.refresh_from_db()
    assert match.state == ClaimMatch.State.ACCEPTED


def test_accepting_a_fact_check_without_url_records_the_decision_only(later, fact_checker):
    check = FactCheck.objects.create(archive_id="efc-2", text=OHIO, rating="True")
    claim = claim_of(later, OHIO_PARAPHRASE)
    match = ClaimMatch.objects.create(claim=claim, factcheck=check, score=0.7)
    outcome = matching.accept_match(match=match, by=fact_checker)
    assert "no URL" in outcome.message()
    assert not claim.evidence.exists()
    match.refresh_from_db()
    assert match.state == ClaimMatch.State.ACCEPTED


# --- Hybrid retrieval: BM25 and sentence embeddings ------------------------------------

MAYOR = "The mayor promised to hire 500 more police officers before the election."
MAYOR_PARAPHRASE = "Before the vote, the mayor pledged 500 extra cops."


def hybrid_index() -> engine.Index:
    index = archive_index()
    docs = [(key, text) for key, text in zip(index.keys, index.texts, strict=True)]
    docs.append(("x4", MAYOR))
    return engine.Index(docs, minilm.encode([clean(text) for _, text in docs]))


def test_embeddings_find_a_paraphrase_that_bm25_alone_scores_as_unrelated():
    index = hybrid_index()
    vector = minilm.encode([MAYOR_PARAPHRASE])[0]
    assert max(hit.score for hit in index.search(MAYOR_PARAPHRASE)) < matching.DEFAULT_LOW
    best = index.search(MAYOR_PARAPHRASE, vector=vector)[0]
    assert best.key == "x4" and best.score >= matching.DEFAULT_LOW
    assert best.features["cosine"] > 0.5


def test_embeddings_lower_a_claim_that_only_shares_words():
    text = "The governor said the unemployment office in Ohio will open a new branch in March."
    index = hybrid_index()
    hybrid = index.search(text, vector=minilm.encode([text])[0])
    assert max(hit.score for hit in hybrid) < matching.DEFAULT_LOW


def test_a_candidate_found_only_by_its_embedding_is_marked_so():
    text = "Swallowing disinfectant heals COVID-19."  # no word in common with anything
    index = hybrid_index()
    assert index.retrieve(terms(text)) == []
    found = index.candidates(terms(text), minilm.encode([text])[0])
    assert len(found) == len(index) and not any(c.bm25_found for c in found)


def test_paraphrases_across_articles_are_seen_before_once_claims_are_embedded(make_article):
    unrelated = [
        "The governor said the new highway will open in 2027.",
        "The city council approved a budget of 4.2 million dollars for the new bridge.",
        "Drinking hot water every 15 minutes kills the coronavirus.",
    ]
    earlier = make_article(
        [MAYOR, OHIO, *unrelated], outlet="Other Times", url="https://othertimes.com/a"
    )
    later = make_article([MAYOR_PARAPHRASE])
    paraphrase = later.claims.get()

    matching.match_article(later.pk)  # before any embedding: BM25 alone
    assert not paraphrase.matches.exists()

    match_claims(earlier.pk)  # embeds the earlier article's claims
    match_claims(later.pk)
    match = paraphrase.matches.get()
    assert match.matched_claim == earlier.claims.get(text=MAYOR)
    assert match.state == ClaimMatch.State.SUGGESTED  # a short claim: suggested only
    assert flagged(later)


def flagged(article: Article) -> bool:
    return article.claims.with_match_flag().get().has_match


def test_the_indexes_are_checked_once_per_article_not_once_per_claim(earlier, make_article):
    def aggregates(texts: list[str]) -> int:
        article = make_article(texts)
        with CaptureQueriesContext(connection) as queries:
            matching.match_article(article.pk)
        return sum("MAX(" in q["sql"] for q in queries)

    one = aggregates([OHIO_PARAPHRASE])
    five = aggregates([OHIO_PARAPHRASE, SHORT, MAYOR, MAYOR_PARAPHRASE, "Kids love the highway."])
    assert one == five


def _match(tmp_path, *options: str) -> list[dict]:
    archive, queries = tmp_path / "archive.jsonl", tmp_path / "queries.jsonl"
    archive.write_text(
        '{"id": "ohio", "text": "Unemployment in Ohio fell to a record low last year."}\n'
        '{"id": "bridge", "text": "The bridge over the river will reopen in 2027."}\n',
        encoding="utf-8",
    )
    queries.write_text(
        '{"id": "q", "text": "The jobless rate in the Buckeye State dropped to its lowest '
        'level ever."}\n',
        encoding="utf-8",
    )
    out = StringIO()
    call_command("match", "--archive", str(archive), "--queries", str(queries),
                 "--cache", str(tmp_path / "cache"), *options, stdout=out)  # fmt: skip
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_the_match_command_ranks_with_the_hybrid_by_default_as_the_product_does(tmp_path):
    """A paraphrase sharing no words with the archive: BM25 alone finds nothing, the
    embeddings find it; the archive is embedded once, then read from the cache."""
    assert _match(tmp_path, "--bm25-only")[0]["matches"] == []
    assert not (tmp_path / "cache").exists()  # no model without the hybrid
    hybrid = _match(tmp_path)[0]["matches"]
    assert hybrid[0]["id"] == "ohio"
    cached = list((tmp_path / "cache").glob("archive-*.npy"))
    assert len(cached) == 1
    stamp = cached[0].stat().st_mtime_ns
    assert _match(tmp_path)[0]["matches"] == hybrid
    assert list((tmp_path / "cache").glob("archive-*.npy")) == cached
    assert cached[0].stat().st_mtime_ns == stamp
