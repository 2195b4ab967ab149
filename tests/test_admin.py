"""The Django admin's actions call the same domain methods as the workbench."""

from __future__ import annotations

import pytest

from claims.confirmation import service as status
from claims.models import Article, Claim


@pytest.fixture
def staff_editor(editor):
    editor.is_staff = True
    editor.save()
    return editor


@pytest.fixture
def admin_client(client, staff_editor):
    client.force_login(staff_editor)
    return client


@pytest.mark.parametrize(
    "model", ["article", "claim", "source", "evidence", "articlerevision", "providedfile"]
)
def test_every_model_has_a_working_changelist(admin_client, model, make_article, support):
    support(make_article().claims.first())
    assert admin_client.get(f"/admin/claims/{model}/").status_code == 200


def test_the_confirm_action_respects_the_confirmation_rule(admin_client, make_article, support):
    supported, unsupported = make_article().claims.order_by("start")
    support(supported, "https://www.reuters.com/a")
    response = admin_client.post(
        "/admin/claims/claim/",
        {"action": "confirm", "_selected_action": [supported.pk, unsupported.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "1 claim(s) confirmed." in html
    assert "needs 1 more supporting source" in html
    assert Claim.objects.get(pk=supported.pk).status == Claim.Status.CONFIRMED
    assert Claim.objects.get(pk=unsupported.pk).status == Claim.Status.UNCONFIRMED
    assert (
        Claim.objects.get(pk=supported.pk)
        .history.first()
        .history_change_reason.startswith("confirmed")
    )


def test_the_unconfirm_action(admin_client, make_article, support, fact_checker):
    claim = make_article().claims.first()
    support(claim, "https://www.reuters.com/a")
    status.confirm(claim, by=fact_checker)
    admin_client.post(
        "/admin/claims/claim/", {"action": "unconfirm", "_selected_action": [claim.pk]}
    )
    claim.refresh_from_db()
    assert claim.status == Claim.Status.UNCONFIRMED


def test_the_rerun_action_queues_extraction_again(
    admin_client, make_article, django_capture_on_commit_callbacks
):
    article = make_article(state=Article.State.FAILED, error="boom")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        admin_client.post(
            "/admin/claims/article/",
            {"action": "rerun_extraction", "_selected_action": [article.pk]},
        )
    article.refresh_from_db()
    assert article.state == Article.State.QUEUED
    assert len(callbacks) == 1


def test_a_fact_checker_without_staff_status_cannot_use_the_admin(client, fact_checker):
    client.force_login(fact_checker)
    response = client.get("/admin/claims/claim/")
    assert response.status_code == 302


def test_an_editor_unpublishes_verdict_pages_in_the_admin_with_a_history_entry(
    admin_client, staff_editor, make_article, support, settings
):
    from claims.models import VerdictPage
    from claims.publication import verdicts

    settings.WORKBENCH_CONFIRMATIONS_REQUIRED = 1
    claim = make_article().claims.first()
    support(claim, "https://www.reuters.com/a")
    status.confirm(claim, by=staff_editor)
    page = verdicts.publish(claim, by=staff_editor)
    assert admin_client.get("/admin/claims/verdictpage/").status_code == 200

    admin_client.post(
        "/admin/claims/verdictpage/",
        {"action": "unpublish", "_selected_action": [page.pk]},
        follow=True,
    )

    page = VerdictPage.objects.get(pk=page.pk)
    assert not page.published
    assert page.history.first().history_change_reason == "unpublished in the admin"
