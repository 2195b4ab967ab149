"""The confirmation rule as a property: whatever sequence of edits, splits, merges,
evidence changes, captures, publisher edits, confirms and unconfirms happens, after
every step

- a confirmed claim satisfies the rule on its current basis (its confirmation holds);
- ClaimReview rates Confirmed exactly the claims that are confirmed now;
- the history explains every status change.

A ``RuleBasedStateMachine`` (hypothesis) drives the real workflows on the real
database, one transaction per run, rolled back at the end. Text is extracted by the real
pipeline."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from claims import roles
from claims.confirmation import audit
from claims.confirmation import service as status
from claims.ingest import articles as ingest
from claims.matching import service as matching
from claims.models import (
    Article,
    Claim,
    ClaimMatch,
    ConfirmationRefused,
    Evidence,
    Publisher,
    PublisherDomain,
)
from claims.publication import exports
from claims.review import edits
from claims.review import evidence as verification
from claims.sources import capture as sources
from claims.sources.fetching import FetchResult
from claims.tasks import extract_claims

SENTENCES = [
    "Health officials reported 467,000 cases of measles in the region last year.",
    "The ministry said 12 clinics would reopen in March.",
    "Vaccination rates fell to 71 percent in the northern provinces.",
]
TEXT = " ".join(SENTENCES)
EDITS = [
    lambda t: t.replace("467,000", "567,000"),
    lambda t: t.replace(SENTENCES[1] + " ", ""),
    lambda t: "Breaking news. " + t,
    lambda t: t.replace("northern", "southern"),
    lambda t: t + " Officials will publish new figures next week.",
]
SOURCES = [
    "https://www.who.int/news/measles",
    "https://apnews.com/article/measles",
    "https://www.bbc.co.uk/news/health",  # the article's own publisher (BBC)
    "https://news.yahoo.com/measles-wire",
    "https://data.example.org/figures",
]
CAPTURES = [
    TEXT,
    "The figures were withdrawn pending review.",
    "GENEVA (Reuters) - " + TEXT,
    " ".join(reversed(SENTENCES)),
]
STANCES = [Evidence.Stance.SUPPORTS, Evidence.Stance.SUPPORTS, Evidence.Stance.REFUTES, "context"]
STATUS_WORDS = {
    Claim.Status.CONFIRMED: "confirmed",
    Claim.Status.UNCONFIRMED: "unconfirmed",
    Claim.Status.NEEDS_REREVIEW: "needs re-review",
}


def _user(name: str, group: str) -> User:
    user = User.objects.create_user(name, f"{name}@example.org", "x")
    user.groups.add(Group.objects.get(name=group))
    return user


class ConfirmationMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        try:
            self._set_up()
        except BaseException:
            self.teardown()
            raise

    def _set_up(self) -> None:
        self.editor = _user("edna", roles.EDITORS)
        self.checker = _user("fred", roles.FACT_CHECKERS)
        article = ingest.submit_article(
            text=TEXT, title="Measles", outlet="BBC News", url="https://www.bbc.com/news/1",
            by=self.editor,
        )  # fmt: skip
        extract_claims.run(article.pk, article.revision)
        self.article_id = article.pk
        self.sources = [
            sources.source_for_url(url, kind="news", by=self.checker) for url in SOURCES
        ]
        for source in self.sources[:-1]:  # the last one is never captured until a rule does
            self.capture_succeeds(self.sources.index(source), 0)
        # Every run starts with one claim confirmed, so the steps can take its ground away.
        self.support_and_confirm(0, 0)
        assert self.claims()[0].status == Claim.Status.CONFIRMED

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    # --- helpers ---------------------------------------------------------------------------

    def article(self) -> Article:
        return Article.objects.get(pk=self.article_id)

    def claims(self) -> list[Claim]:
        return list(Claim.objects.filter(article_id=self.article_id).order_by("pk"))

    def pick(self, items: list[Any], index: int) -> Any | None:
        return items[index % len(items)] if items else None

    # --- operations ------------------------------------------------------------------------

    @rule(index=st.integers(0, 20), note=st.sampled_from(["", "checked"]))
    def confirm(self, index: int, note: str) -> None:
        claim = self.pick(self.claims(), index)
        if claim is not None:
            with contextlib.suppress(ConfirmationRefused):
                status.confirm(claim, by=self.checker, note=note)

    @rule(index=st.integers(0, 20), source=st.integers(0, len(SOURCES) - 1))
    def support_and_confirm(self, index: int, source: int) -> None:
        """The common path: quote the claim from a source, then confirm."""
        self.add_evidence(index, source, Evidence.Stance.SUPPORTS, "claim")
        self.confirm(index, "")

    @rule(index=st.integers(0, 20))
    def unconfirm(self, index: int) -> None:
        claim = self.pick(self.claims(), index)
        if claim is not None:
            status.unconfirm(claim, by=self.checker, note="reopened")

    @rule(
        index=st.integers(0, 20),
        source=st.integers(0, len(SOURCES) - 1),
        stance=st.sampled_from(STANCES),
        excerpt=st.sampled_from(["claim", "words", "nonsense", ""]),
    )
    def add_evidence(self, index: int, source: int, stance: str, excerpt: str) -> None:
        claim = self.pick(self.claims(), index)
        if claim is None:
            return
        quoted = {
            "claim": claim.text,
            "words": " ".join(claim.text.split()[:4]),
            "nonsense": "zebras crossed the bridge at dawn",
            "": "",
        }[excerpt]
        with contextlib.suppress(verification.EvidenceRejected):
            verification.add_evidence(
                claim=claim, by=self.checker, stance=stance, source=self.sources[source],
                excerpt=quoted,
            )  # fmt: skip

    @rule(index=st.integers(0, 40))
    def remove_evidence(self, index: int) -> None:
        evidence = self.pick(
            list(Evidence.objects.filter(claim__article_id=self.article_id)), index
        )
        if evidence is not None:
            verification.remove_evidence(evidence=evidence, by=self.checker)

    def confirming_evidence(self) -> list[Evidence]:
        """Supporting evidence of confirmed claims: where a lapse matters most."""
        return list(
            Evidence.objects.filter(
                claim__article_id=self.article_id,
                claim__status=Claim.Status.CONFIRMED,
                stance=Evidence.Stance.SUPPORTS,
            ).order_by("pk")
        )

    @rule(index=st.integers(0, 10))
    def remove_confirming_evidence(self, index: int) -> None:
        evidence = self.pick(self.confirming_evidence(), index)
        if evidence is not None:
            verification.remove_evidence(evidence=evidence, by=self.checker)

    @rule(index=st.integers(0, 10), stance=st.sampled_from(["refutes", "context"]))
    def recast_confirming_evidence(self, index: int, stance: str) -> None:
        evidence = self.pick(self.confirming_evidence(), index)
        if evidence is not None:
            verification.change_stance(evidence=evidence, stance=stance, by=self.checker)

    @rule(index=st.integers(0, 40), stance=st.sampled_from(STANCES))
    def change_stance(self, index: int, stance: str) -> None:
        evidence = self.pick(
            list(Evidence.objects.filter(claim__article_id=self.article_id)), index
        )
        if evidence is not None:
            verification.change_stance(evidence=evidence, stance=stance, by=self.checker)

    @rule(source=st.integers(0, len(SOURCES) - 1), text=st.integers(0, len(CAPTURES) - 1))
    def capture_succeeds(self, source: int, text: int) -> None:
        url = self.sources[source].url
        result = FetchResult(
            status="ok", reason="", url=url, final_url=url, http_status=200,
            content_type="text/plain", text=CAPTURES[text],
        )  # fmt: skip
        sources._record_capture(self.sources[source].pk, result)

    @rule(source=st.integers(0, len(SOURCES) - 1), code=st.sampled_from([404, 410, 500, 503]))
    def capture_fails(self, source: int, code: int) -> None:
        url = self.sources[source].url
        result = FetchResult(
            status="failed", reason=f"failed: HTTP {code}", url=url, final_url=url,
            http_status=code,
        )  # fmt: skip
        dead = code in sources.GONE_STATUSES
        sources._record_failure(self.sources[source].pk, result, reason=result.reason, dead=dead)

    @rule(source=st.integers(0, len(SOURCES) - 1), text=st.integers(0, len(CAPTURES) - 1))
    def content_provided(self, source: int, text: int) -> None:
        sources.provide_capture(
            self.sources[source], text=CAPTURES[text], by=self.checker, provided_as="pasted text"
        )

    @rule(edit=st.integers(0, len(EDITS) - 1), extract=st.booleans())
    def edit_article(self, edit: int, extract: bool) -> None:
        article = self.article()
        if article.is_active:
            extract_claims.run(article.pk, article.revision)
            article = self.article()
        try:
            ingest.revise_article(article=article, text=EDITS[edit](article.body), by=self.editor)
        except ingest.ArticleRejected:
            return
        if extract:
            article = self.article()
            extract_claims.run(article.pk, article.revision)

    @rule()
    def reextract(self) -> None:
        article = self.article()
        if article.is_active:
            extract_claims.run(article.pk, article.revision)

    @rule(index=st.integers(0, 20), words=st.integers(1, 6))
    def split(self, index: int, words: int) -> None:
        claim = self.pick([c for c in self.claims() if not c.orphaned], index)
        if claim is None:
            return
        parts = claim.text.split()
        if len(parts) <= words:
            return
        with contextlib.suppress(edits.ClaimEditRejected):
            edits.split_claim(claim=claim, before=" ".join(parts[words:]), by=self.editor)

    @rule(index=st.integers(0, 20))
    def merge(self, index: int) -> None:
        claim = self.pick([c for c in self.claims() if not c.orphaned], index)
        if claim is None:
            return
        with contextlib.suppress(edits.ClaimEditRejected):
            edits.merge_with_next(claim=claim, by=self.editor)

    @rule(domain=st.sampled_from(["who.int", "apnews.com", "yahoo.com"]))
    def publisher_domains_edited(self, domain: str) -> None:
        """What the admin's Publisher page does on save: change the domains, re-evaluate."""
        group, _ = Publisher.objects.get_or_create(name="Health Press Group")
        existing = PublisherDomain.objects.filter(domain=domain).first()
        if existing is not None:
            existing.delete()
        else:
            PublisherDomain.objects.create(
                publisher=Publisher.objects.get(name="BBC"), domain=domain
            )
        status.reevaluate(Claim.objects.all(), cause=f"publisher {group} was edited")

    @rule(index=st.integers(0, 20), name=st.sampled_from(["Jane Doe", "the ministry", ""]))
    def speaker_corrected(self, index: int, name: str) -> None:
        """A person corrects the speaker in the panel (part of what is published)."""
        claim = self.pick(self.claims(), index)
        if claim is not None and claim.speaker != name:
            edits.correct_claim(claim=claim, field="speaker", value=name, by=self.checker)

    @rule(index=st.integers(0, 20), field=st.sampled_from(["standalone", "speaker"]))
    def edited_in_the_admin(self, index: int, field: str) -> None:
        claim = self.pick(self.claims(), index)
        if claim is not None:
            edits.edit_claim(claim=claim, changes={field: "Edited by hand"}, by=self.editor)

    @rule(source=st.integers(0, len(SOURCES) - 1), publisher=st.sampled_from(["bbc.co.uk", "x"]))
    def source_publisher_edited(self, source: int, publisher: str) -> None:
        sources.edit_source(
            source=self.sources[source], changes={"publisher": publisher}, by=self.editor
        )

    @rule(index=st.integers(0, 20), other=st.integers(0, 20))
    def match_accepted(self, index: int, other: int) -> None:
        """Accepting a match carries the other claim's evidence (refuting too) over."""
        claim, earlier = self.pick(self.claims(), index), self.pick(self.claims(), other)
        if claim is None or earlier is None or claim.pk == earlier.pk:
            return
        match, _ = ClaimMatch.objects.get_or_create(
            claim=claim, matched_claim=earlier, defaults={"score": 0.9}
        )
        if match.state != ClaimMatch.State.ACCEPTED:
            matching.accept_match(match=match, by=self.checker)

    @rule()
    def provider_deleted(self) -> None:
        """The person who provided a capture leaves: their account is deleted."""
        helper, _ = User.objects.get_or_create(username="paula")
        for source in self.sources[:2]:
            sources.provide_capture(source, text=TEXT, by=helper, provided_as="pasted text")
        helper.delete()

    @rule()
    def audited(self) -> None:
        audit.audit()

    # --- invariants ------------------------------------------------------------------------

    @invariant()
    def confirmed_claims_hold(self) -> None:
        body = self.article().body
        for claim in Claim.objects.filter(article_id=self.article_id, status="confirmed"):
            assert not claim.orphaned, claim
            assert claim.text in body, ("confirmed wording not in the article", claim)
            assert status.lapse_reason(claim) == "", (claim, status.lapse_reason(claim))

    @invariant()
    def claimreview_rates_confirmed_exactly_the_confirmed_claims(self) -> None:
        graph = exports.article_claimreview(self.article())["@graph"]
        rated = {r["url"] for r in graph if r["reviewRating"]["ratingValue"] == 3}
        confirmed = {
            exports.review_url(c) for c in self.claims() if c.status == Claim.Status.CONFIRMED
        }
        assert rated == confirmed

    @invariant()
    def what_is_published_is_the_confirmation_record(self) -> None:
        for claim in Claim.objects.filter(article_id=self.article_id, status="confirmed"):
            record = status.latest_record(claim)
            expected = (record.standalone or record.wording, record.speaker)
            assert exports.published(claim) == expected
            assert (claim.standalone, claim.speaker) == (record.standalone, record.speaker)

    @invariant()
    def history_explains_every_status_change(self) -> None:
        for claim in self.claims():
            previous = None
            for record in claim.history.order_by("history_date", "history_id"):
                if previous is not None and record.status != previous:
                    reason = record.history_change_reason or ""
                    assert reason.startswith(STATUS_WORDS[record.status]), (record.status, reason)
                previous = record.status


@pytest.mark.django_db(transaction=False)
def test_confirmed_always_rests_on_evidence_that_still_holds() -> None:
    run_state_machine_as_test(
        ConfirmationMachine,
        settings=settings(
            max_examples=60,
            stateful_step_count=20,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        ),
    )
