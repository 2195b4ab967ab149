"""Issue 31, items 1 and 7, on PostgreSQL with two connections: two saves based on the
same version, released together at a barrier, never both pass. Of two text edits of
revision 1 exactly one becomes revision 2 and the other is refused; the same for two
corrections, speaker picks (issue 32), assignments and stance changes based on the same
value; and two sends of one new-article form make one article. Each race runs ``TRIES`` times.

SQLite runs write transactions one at a time, so these interleavings cannot happen
there; the tests are skipped on it (``tests/web/test_lost_update.py`` covers the logic)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections

from claims.ingest import articles as ingest
from claims.models import Article, Claim, Evidence, Speaker
from claims.review import edits, speakers
from claims.review import evidence as verification

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="races need two PostgreSQL connections"
    ),
]

TRIES = 30
REFUSED = (ingest.StaleRevision, edits.StaleEdit, verification.StaleEvidence)


def _race(first: Callable[[], Any], second: Callable[[], Any]) -> list[str]:
    """Run both at once; "saved" or "refused" for each, in any order."""
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def run(step: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            step()
            outcomes.append("saved")
        except REFUSED:
            outcomes.append("refused")
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
    return sorted(outcomes)


@pytest.fixture
def people(db: Any) -> tuple[User, User]:
    from django.apps import apps

    from claims import roles
    from tests.conftest import _user

    roles.sync_roles(apps)  # a transactional test flushes the groups the migration made
    return _user("edna", roles.EDITORS), _user("fred", roles.FACT_CHECKERS)


def _revise(pk: int, text: str, by: User) -> None:
    article = Article.objects.get(pk=pk)
    ingest.revise_article(article=article, text=text, by=by, basis=1)


def _correct(pk: int, name: str, by: User) -> None:
    claim = Claim.objects.get(pk=pk)
    edits.correct_claim(claim=claim, field="speaker", value=name, by=by, basis="")


def _assign(pk: int, to: User, by: User) -> None:
    edits.assign_claim(claim=Claim.objects.get(pk=pk), to=to, by=by, basis="")


def _recast(pk: int, stance: str, by: User) -> None:
    evidence = Evidence.objects.get(pk=pk)
    verification.change_stance(evidence=evidence, stance=stance, by=by, basis="supports")


def test_two_edits_of_the_same_revision_save_exactly_one(
    people: tuple[User, User], make_article: Callable[..., Article]
) -> None:
    editor, _ = people
    for _ in range(TRIES):
        article = make_article(["The home side won 32 to 6.", "The stand cost £12 million."])
        texts = [article.body.replace("6.", "8."), article.body.replace("£12", "£15")]

        outcomes = _race(*(partial(_revise, article.pk, text, editor) for text in texts))

        assert outcomes == ["refused", "saved"]
        article.refresh_from_db()
        assert article.revision == 2 and article.revisions.count() == 2
        assert article.body in texts


def test_two_corrections_from_the_same_value_save_exactly_one(
    people: tuple[User, User], make_article: Callable[..., Article]
) -> None:
    editor, checker = people
    for _ in range(TRIES):
        claim = make_article(["The stand cost £12 million, the club said."]).claims.get()

        outcomes = _race(
            partial(_correct, claim.pk, "Club chairman", editor),
            partial(_correct, claim.pk, "Club spokesman", checker),
        )

        assert outcomes == ["refused", "saved"]
        assert Claim.objects.get(pk=claim.pk).speaker in ("Club chairman", "Club spokesman")


def test_two_assignments_from_the_same_assignee_save_exactly_one(
    people: tuple[User, User], make_article: Callable[..., Article]
) -> None:
    editor, checker = people
    for _ in range(TRIES):
        claim = make_article(["The stand cost £12 million, the club said."]).claims.get()

        outcomes = _race(
            partial(_assign, claim.pk, editor, editor), partial(_assign, claim.pk, checker, editor)
        )

        assert outcomes == ["refused", "saved"]


def test_two_stance_changes_from_the_same_stance_save_exactly_one(
    people: tuple[User, User], make_article: Callable[..., Article], support: Any
) -> None:
    _, checker = people
    for _ in range(TRIES):
        claim = make_article(["The stand cost £12 million, the club said."]).claims.get()
        evidence = support(claim)

        outcomes = _race(
            partial(_recast, evidence.pk, "refutes", checker),
            partial(_recast, evidence.pk, "context", checker),
        )

        assert outcomes == ["refused", "saved"]
        assert Evidence.objects.get(pk=evidence.pk).stance in ("refutes", "context")


def _pick(pk: int, record: Speaker, by: User) -> None:
    claim = Claim.objects.get(pk=pk)
    speakers.pick_speaker(claim=claim, speaker=record, by=by, basis="", record_basis="")


def test_two_speaker_picks_from_the_same_record_save_exactly_one(
    people: tuple[User, User], make_article: Callable[..., Article]
) -> None:
    editor, checker = people
    chairman = Speaker.objects.create(name="Club chairman", kind=Speaker.Kind.PERSON)
    spokesman = Speaker.objects.create(name="Club spokesman", kind=Speaker.Kind.PERSON)
    for _ in range(TRIES):
        claim = make_article(["The stand cost £12 million, the club said."]).claims.get()

        outcomes = _race(
            partial(_pick, claim.pk, chairman, editor), partial(_pick, claim.pk, spokesman, checker)
        )

        assert outcomes == ["refused", "saved"]
        saved = Claim.objects.select_related("speaker_record").get(pk=claim.pk)
        assert saved.speaker_record in (chairman, spokesman)
        assert saved.speaker == saved.speaker_record.name  # the winner's pick, whole


def test_a_speaker_pick_and_a_typed_correction_from_the_same_value_save_exactly_one(
    people: tuple[User, User], make_article: Callable[..., Article]
) -> None:
    editor, checker = people
    chairman = Speaker.objects.create(name="Club chairman", kind=Speaker.Kind.PERSON)
    for _ in range(TRIES):
        claim = make_article(["The stand cost £12 million, the club said."]).claims.get()

        outcomes = _race(
            partial(_pick, claim.pk, chairman, editor),
            partial(_correct, claim.pk, "Club spokesman", checker),
        )

        assert outcomes == ["refused", "saved"]
        assert Claim.objects.get(pk=claim.pk).speaker in ("Club chairman", "Club spokesman")


def _send(key: str, by: User, made: list[bool]) -> None:
    _, created = ingest.submit_once(key=key, title="T", text="Some text.", by=by)
    made.append(created)


def test_two_sends_of_one_new_article_form_make_one_article(people: tuple[User, User]) -> None:
    editor, _ = people
    for attempt in range(TRIES):
        key, made = f"race-{attempt}", []

        assert _race(partial(_send, key, editor, made), partial(_send, key, editor, made)) == [
            "saved",
            "saved",
        ]
        assert sorted(made) == [False, True]
        assert Article.objects.filter(submission_key=key).count() == 1
