"""Issue 31, item 1: no lost update. Every edit form carries what it was based on (the
article's revision; the value a correction, an assignment or a stance form showed), and
a save over a newer version is refused with a message, never silently. Races on
PostgreSQL: ``tests/review/test_lost_update_races.py``; two browsers:
``tests/browser/test_lost_update.py``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.ingest import articles as ingest
from claims.models import Article, ArticleRevision, Claim, Evidence
from claims.review import edits
from claims.review import evidence as verification

HTMX = {"HTTP_HX_REQUEST": "true"}
SCORE = "The home side won the final 32 to 6 on Saturday."
MONEY = "The new stand cost £12 million, the club said."


@pytest.fixture
def article(make_article: Callable[..., Article]) -> Article:
    return make_article([SCORE, MONEY])


def edit(client: Client, article: Article, text: str, basis: int) -> Any:
    return client.post(f"/articles/{article.pk}/edit/", {"text": text, "basis": basis})


def test_the_edit_form_carries_the_revision_it_was_opened_on(
    client: Client, editor: User, article: Article
) -> None:
    client.force_login(editor)
    page = client.get(f"/articles/{article.pk}/edit/").text

    assert '<input type="hidden" name="basis" value="1"' in page


def test_a_second_tab_saving_over_a_newer_revision_is_refused_and_offered_both_changes(
    client: Client, editor: User, article: Article
) -> None:
    """The issue's scenario: tab A saves "32 to 8"; tab B, opened before, saves "£15
    million". B is refused; A's change is kept; the two edits touch different words, so
    B's editor holds both, now based on A's revision, the differences marked."""
    client.force_login(editor)
    tab_a = article.body.replace("32 to 6", "32 to 8")
    tab_b = article.body.replace("£12 million", "£15 million")

    assert edit(client, article, tab_a, basis=1).status_code == 302
    refused = edit(client, article, tab_b, basis=1)

    assert refused.status_code == 200
    page = refused.text
    assert "Not saved: this edit was based on revision 1, but someone saved revision 2" in page
    newer = page.split('id="newer-text">')[1].split("</div>")[0]
    yours = page.split('id="your-text">')[1].split("</div>")[0]
    assert "<del>£12</del>" in newer and "<ins>£15</ins>" in yours
    assert "<del>8</del>" not in newer  # A's change is in the merged text too
    assert '<input type="hidden" name="basis" value="2"' in page  # now based on A's revision
    editor_text = page.split('<textarea name="text"')[1].split("</textarea>")[0]
    assert "32 to 8" in editor_text and "£15 million" in editor_text
    assert "touch different words, so the editor below holds both" in page
    article.refresh_from_db()
    assert article.revision == 2 and "32 to 8" in article.body and "£12 million" in article.body


def test_two_edits_of_the_same_words_are_left_to_the_person_with_both_shown(
    client: Client, editor: User, article: Article
) -> None:
    client.force_login(editor)
    edit(client, article, article.body.replace("32 to 6", "32 to 8"), basis=1)

    refused = edit(client, article, article.body.replace("32 to 6", "32 to 7"), basis=1).text

    newer = refused.split('id="newer-text">')[1].split("</div>")[0]
    yours = refused.split('id="your-text">')[1].split("</div>")[0]
    assert "<del>8</del>" in newer and "<ins>7</ins>" in yours
    editor_text = refused.split('<textarea name="text"')[1].split("</textarea>")[0]
    assert "32 to 7" in editor_text  # the person's own text, to merge by hand
    assert "touch the same words" in refused
    assert Article.objects.get(pk=article.pk).body.count("32 to 8") == 1


def test_after_merging_the_editor_saves_on_the_newer_revision_and_keeps_both_changes(
    client: Client, editor: User, fact_checker: User, article: Article
) -> None:
    client.force_login(editor)
    edit(client, article, article.body.replace("32 to 6", "32 to 8"), basis=1)
    merged = article.body.replace("32 to 6", "32 to 8").replace("£12 million", "£15 million")

    assert edit(client, article, merged, basis=2).status_code == 302

    article.refresh_from_db()
    assert article.revision == 3
    assert "32 to 8" in article.body and "£15 million" in article.body
    assert list(article.revisions.values_list("number", flat=True)) == [1, 2, 3]


def test_an_edit_without_its_basis_is_refused(
    client: Client, editor: User, article: Article
) -> None:
    client.force_login(editor)
    response = client.post(f"/articles/{article.pk}/edit/", {"text": article.body + " More."})

    assert response.status_code == 200
    assert "This form is out of date: reload the page." in response.text
    assert Article.objects.get(pk=article.pk).revision == 1


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(bases=st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=6))
def test_only_an_edit_based_on_the_current_revision_is_ever_saved(
    editor: User, make_article: Callable[..., Article], bases: list[int]
) -> None:
    """Whatever revisions a series of edits was based on, each saved edit was based on
    the revision current at that moment, and every other one was refused."""
    article = make_article([SCORE])
    for step, basis in enumerate(bases):
        current = Article.objects.get(pk=article.pk).revision
        try:
            ingest.revise_article(
                article=article, text=f"{SCORE} Edit {step}.", by=editor, basis=basis
            )
        except ingest.StaleRevision as exc:
            assert basis != current and (exc.basis, exc.current) == (basis, current)
        else:
            assert basis == current
        article.refresh_from_db()
    saved = ArticleRevision.objects.filter(article=article).count() - 1
    assert saved == Article.objects.get(pk=article.pk).revision - 1


# --- Claim corrections, assignment, stance ---------------------------------------------


def test_a_correction_over_a_speaker_changed_since_is_refused_and_says_so(
    client: Client, editor: User, fact_checker: User, article: Article
) -> None:
    claim = article.claims.get(text=MONEY)
    shown = edits.basis_of(claim, "speaker")  # what both panels showed: nobody
    edits.correct_claim(claim=claim, field="speaker", value="Club chairman", by=editor)
    client.force_login(fact_checker)

    data = {"field": "speaker", "value": "Club spokesman", "reason": "video", "basis": shown}
    response = client.post(f"/claims/{claim.pk}/correct/", data, **HTMX)

    assert "Not saved: someone changed the speaker to Club chairman since you opened" in (
        response.text
    )
    assert Claim.objects.get(pk=claim.pk).speaker == "Club chairman"


def test_a_correction_based_on_the_current_value_is_saved(
    client: Client, fact_checker: User, article: Article
) -> None:
    claim = article.claims.get(text=MONEY)
    client.force_login(fact_checker)
    panel = client.get(f"/articles/{article.pk}/?claim={claim.pk}").text
    assert 'name="basis" value="True"' in panel  # the check-worthy form's basis

    data = {"field": "check_worthy", "value": "False", "reason": "opinion", "basis": "True"}
    client.post(f"/claims/{claim.pk}/correct/", data, **HTMX)

    assert Claim.objects.get(pk=claim.pk).check_worthy is False


def test_an_assignment_over_one_made_since_is_refused(
    client: Client, editor: User, fact_checker: User, article: Article
) -> None:
    claim = article.claims.get(text=SCORE)
    edits.assign_claim(claim=claim, to=editor, by=editor, basis="")
    client.force_login(fact_checker)

    data = {"assignee": fact_checker.pk, "basis": ""}  # the panel showed nobody
    response = client.post(f"/claims/{claim.pk}/assign/", data, **HTMX)

    assert "Not assigned: someone assigned this claim to edna since you opened it." in (
        response.text
    )
    assert Claim.objects.get(pk=claim.pk).assignee == editor
    again = {"assignee": fact_checker.pk, "basis": str(editor.pk)}
    client.post(f"/claims/{claim.pk}/assign/", again, **HTMX)
    assert Claim.objects.get(pk=claim.pk).assignee == fact_checker


def test_a_stance_change_over_one_made_since_is_refused(
    client: Client, editor: User, fact_checker: User, article: Article, support: Any
) -> None:
    evidence = support(article.claims.get(text=SCORE))
    verification.change_stance(evidence=evidence, stance="refutes", by=editor, basis="supports")
    client.force_login(fact_checker)

    data = {"stance": "context", "basis": "supports"}
    response = client.post(f"/evidence/{evidence.pk}/stance/", data, **HTMX)

    assert "Not changed: someone marked this evidence “Refutes” since you opened" in (response.text)
    assert Evidence.objects.get(pk=evidence.pk).stance == "refutes"


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/claims/{claim}/assign/", {"assignee": ""}),
        ("/claims/{claim}/correct/", {"field": "speaker", "value": "X", "reason": "r"}),
        ("/evidence/{evidence}/stance/", {"stance": "context"}),
    ],
)
def test_a_panel_form_without_its_basis_changes_nothing(
    client: Client,
    fact_checker: User,
    article: Article,
    support: Any,
    url: str,
    data: dict[str, str],
) -> None:
    claim = article.claims.get(text=SCORE)
    evidence = support(claim)
    before = Claim.objects.filter(pk=claim.pk).values().get()
    client.force_login(fact_checker)

    response = client.post(url.format(claim=claim.pk, evidence=evidence.pk), data, **HTMX)

    assert "This form is out of date: reload the page." in response.text
    after = Claim.objects.filter(pk=claim.pk).values().get()
    assert after == before
    assert Evidence.objects.get(pk=evidence.pk).stance == "supports"
