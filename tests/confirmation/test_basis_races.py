"""Two people at once (issue 28, cases 14 and 15): a confirm racing each change to its
basis, on PostgreSQL, two connections, threads meeting at a barrier right before their
lock points. After both, a confirmed claim satisfies the rule on its current basis and
is published as its confirmation record holds it; an unconfirm is never undone by a
re-extraction that loaded the claim earlier. Each race runs ``TRIES`` times and must end
consistent every time.

SQLite runs write transactions one at a time (``BEGIN IMMEDIATE``), so these interleavings
cannot happen there; the tests are skipped on it."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections

from claims.confirmation import service as status
from claims.ingest import articles as ingest
from claims.models import (
    Article,
    Claim,
    ConfirmationRefused,
    Evidence,
    Publisher,
    PublisherDomain,
    Source,
)
from claims.publication import exports
from claims.review import evidence as verification
from claims.sources import capture as sources
from claims.sources import families
from claims.sources.fetching import FetchResult
from claims.tasks import extract_claims
from tests.conftest import capture

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="races need two PostgreSQL connections"
    ),
]

TRIES = 100
FIGURE = "Health officials reported 467,000 cases of measles in the region last year."
TEXT = f"The outbreak spread quickly. {FIGURE} Clinics reopened in March."
EXCERPT = "reported 467,000 cases of measles in the region"


def _race(first: Callable[[], Any], second: Callable[[], Any]) -> None:
    """Run both at once: each thread waits at the barrier, then goes."""
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(step: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            with contextlib.suppress(ConfirmationRefused):  # a refusal is consistent
                step()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(step,)) for step in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors


def _inconsistent(claim_pk: int) -> str:
    """Why the claim's state breaks the invariant ("" when it holds)."""
    claim = Claim.objects.get(pk=claim_pk)
    if claim.status != Claim.Status.CONFIRMED:
        return ""
    reason = status.lapse_reason(claim)
    if reason:
        return f"confirmed without a basis: {reason}"
    record = status.latest_record(claim)
    text, speaker = exports.published(claim)
    if (text, speaker) != (record.standalone or record.wording, record.speaker):
        return "published differently from its confirmation record"
    return ""


@pytest.fixture
def people(db: Any) -> tuple[User, User]:
    from django.apps import apps

    from claims import roles
    from tests.conftest import _user

    roles.sync_roles(apps)  # a transactional test flushes the groups the migration made
    return _user("edna", roles.EDITORS), _user("fred", roles.FACT_CHECKERS)


def _confirmable(editor: User, *, extract: bool = False) -> tuple[Claim, Evidence]:
    """A claim whose one supporting evidence (captured, quote found, independent) makes
    it confirmable."""
    article = ingest.submit_article(
        text=TEXT, title="Measles", outlet="Daily Example", url="https://www.dailyexample.com/a",
        by=editor,
    )  # fmt: skip
    extract_claims.run(article.pk, article.revision)
    claim = Claim.objects.get(article=article, text=FIGURE)
    source = Source.objects.create(
        url=f"https://www.who.int/news/{article.pk}", publisher="who.int", domain="who.int"
    )
    capture(source, f"Figures. {FIGURE} More.")
    evidence = Evidence.objects.create(
        claim=claim, source=source, stance=Evidence.Stance.SUPPORTS, excerpt=EXCERPT
    )
    sources.check_quote(evidence)
    assert status.assess(claim).satisfied
    return claim, evidence


def _count_inconsistent(
    people: tuple[User, User], racing: Callable[[Claim, Evidence, User], Any]
) -> list[str]:
    editor, checker = people
    found = []
    for _ in range(TRIES):
        claim, evidence = _confirmable(editor)
        _race(
            lambda claim=claim: status.confirm(Claim.objects.get(pk=claim.pk), by=checker),
            lambda claim=claim, evidence=evidence: racing(claim, evidence, checker),
        )
        problem = _inconsistent(claim.pk)
        if problem:
            found.append(problem)
    return found


def test_confirm_racing_evidence_deletion(people: tuple[User, User]) -> None:
    def delete(claim: Claim, evidence: Evidence, by: User) -> None:
        verification.remove_evidence(evidence=Evidence.objects.get(pk=evidence.pk), by=by)

    assert _count_inconsistent(people, delete) == []


def test_confirm_racing_a_stance_change(people: tuple[User, User]) -> None:
    def recast(claim: Claim, evidence: Evidence, by: User) -> None:
        found = Evidence.objects.get(pk=evidence.pk)
        verification.change_stance(evidence=found, stance=Evidence.Stance.REFUTES, by=by)

    assert _count_inconsistent(people, recast) == []


def test_confirm_racing_added_refuting_evidence(people: tuple[User, User]) -> None:
    def refute(claim: Claim, evidence: Evidence, by: User) -> None:
        source = Source.objects.create(
            url=f"https://www.reuters.com/denial/{claim.pk}", publisher="reuters.com"
        )
        verification.add_evidence(
            claim=Claim.objects.get(pk=claim.pk), by=by, stance="refutes", source=source
        )

    assert _count_inconsistent(people, refute) == []


def test_confirm_racing_a_recapture_that_lost_the_excerpt(people: tuple[User, User]) -> None:
    def recapture(claim: Claim, evidence: Evidence, by: User) -> None:
        source = Source.objects.get(pk=evidence.source_id)
        result = FetchResult(
            status="ok", reason="", url=source.url, final_url=source.url, http_status=200,
            content_type="text/plain", text="The figures were withdrawn pending review.",
        )  # fmt: skip
        sources._record_capture(source.pk, result)

    assert _count_inconsistent(people, recapture) == []


def test_confirm_racing_an_edit_that_removes_the_wording(people: tuple[User, User]) -> None:
    def edit(claim: Claim, evidence: Evidence, by: User) -> None:
        article = Article.objects.get(pk=claim.article_id)
        ingest.revise_article(article=article, text=TEXT.replace("467,000", "567,000"), by=by)

    assert _count_inconsistent(people, edit) == []


def test_confirm_racing_a_publisher_edit_that_joins_source_and_article(
    people: tuple[User, User],
) -> None:
    """The admin's publisher edit (``families.change_publishers``) puts the source's and
    the article's domains in one family: the confirm is refused, or lapses."""
    editor, checker = people
    for _ in range(TRIES // 4):
        Publisher.objects.filter(name="Example Health Group").delete()  # the last try's
        claim, _evidence = _confirmable(editor)

        def change() -> None:
            group = Publisher.objects.create(name="Example Health Group")
            for domain in ("dailyexample.com", "who.int"):
                PublisherDomain.objects.create(publisher=group, domain=domain)

        _race(
            lambda claim=claim: status.confirm(Claim.objects.get(pk=claim.pk), by=checker),
            lambda: families.change_publishers(change, cause="publisher edited", by=editor),
        )
        assert Claim.objects.get(pk=claim.pk).status != Claim.Status.CONFIRMED


def test_an_unconfirm_racing_reextraction_is_never_undone(people: tuple[User, User]) -> None:
    editor, checker = people
    undone = 0
    for _ in range(TRIES):
        claim, _evidence = _confirmable(editor)
        status.confirm(claim, by=checker)
        article = Article.objects.get(pk=claim.article_id)
        ingest.revise_article(article=article, text="Breaking. " + TEXT, by=editor)
        _race(
            lambda claim=claim: status.unconfirm(
                Claim.objects.get(pk=claim.pk), by=checker, note="not sure"
            ),
            lambda article=article: extract_claims.run(article.pk, 2),
        )
        final = Claim.objects.get(pk=claim.pk)
        undone += final.status != Claim.Status.UNCONFIRMED
        assert final.revision == 2  # the extraction did run
    assert undone == 0
