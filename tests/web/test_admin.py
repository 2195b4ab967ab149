"""The Django admin's actions call the same domain methods as the workbench."""

from __future__ import annotations

import pytest
from django.utils import timezone

from claims.confirmation import service as status
from claims.models import Article, Claim, WebhookDelivery, WebhookSubscriber


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
    assert "1 claim confirmed." in html
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


@pytest.fixture
def superuser_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_send_again_in_the_admin_queues_pending_deliveries_too(
    superuser_client, django_capture_on_commit_callbacks
):
    subscriber = WebhookSubscriber.objects.create(
        url="https://cms.example.org/hooks", secret="s", events=["claim.status_changed"]
    )
    pending, failed = (
        WebhookDelivery.objects.create(
            subscriber=subscriber, delivery_id=state, event="x", body="{}", state=state
        )
        for state in ("pending", "failed")
    )

    with django_capture_on_commit_callbacks(execute=False) as sent:
        response = superuser_client.post(
            "/admin/claims/webhookdelivery/",
            {"action": "send_again", "_selected_action": [pending.pk, failed.pk]},
            follow=True,
        )

    assert "2 delivery(ies) queued again." in response.text
    assert len(sent) == 2
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"pending"}


def subscriber_form(**fields):
    inline = {f"deliveries-{name}": "0" for name in ("TOTAL_FORMS", "INITIAL_FORMS")}
    data = {"url": "https://cms.example.org/hooks", "events": ["claim.status_changed"]}
    return {**data, **inline, "active": "on", **fields}


def test_the_webhook_secret_is_shown_once_then_masked_and_kept_when_left_blank(
    superuser_client,
):
    subscriber = WebhookSubscriber.objects.create(
        url="https://cms.example.org/hooks", secret="old-secret", events=["source.changed"]
    )
    page = f"/admin/claims/webhooksubscriber/{subscriber.pk}/change/"

    assert "old-secret" not in superuser_client.get(page).text
    response = superuser_client.post(page, subscriber_form(secret=""), follow=True)

    subscriber.refresh_from_db()
    assert subscriber.secret == "old-secret"  # kept
    assert subscriber.events == ["claim.status_changed"]  # the rest was saved
    assert "old-secret" not in response.text

    response = superuser_client.post(page, subscriber_form(secret="new-secret"), follow=True)

    subscriber.refresh_from_db()
    assert subscriber.secret == "new-secret"
    assert response.text.count("new-secret") == 1  # in the message, once
    assert "new-secret" not in superuser_client.get(page).text


def test_a_webhook_subscriber_added_without_a_secret_gets_one_shown_once(superuser_client):
    response = superuser_client.post(
        "/admin/claims/webhooksubscriber/add/", subscriber_form(secret=""), follow=True
    )

    subscriber = WebhookSubscriber.objects.get()
    assert len(subscriber.secret) >= 40
    assert response.text.count(subscriber.secret) == 1
    change = f"/admin/claims/webhooksubscriber/{subscriber.pk}/change/"
    assert subscriber.secret not in superuser_client.get(change).text


def test_rotating_a_secret_in_the_admin_keeps_the_old_one_signing_for_a_day(superuser_client):
    subscriber = WebhookSubscriber.objects.create(
        url="https://cms.example.org/hooks", secret="old-secret", events=["source.changed"]
    )

    response = superuser_client.post(
        "/admin/claims/webhooksubscriber/",
        {"action": "rotate_secret", "_selected_action": [subscriber.pk]},
        follow=True,
    )

    subscriber.refresh_from_db()
    assert subscriber.secret.startswith("whsec_") and subscriber.previous_secret == "old-secret"
    hours = (subscriber.previous_secret_until - timezone.now()).total_seconds() / 3600
    assert 23.9 < hours <= 24
    assert response.text.count(subscriber.secret) == 1  # in the message, once
    change = f"/admin/claims/webhooksubscriber/{subscriber.pk}/change/"
    assert subscriber.secret not in superuser_client.get(change).text


def test_a_whsec_secret_that_is_not_base64_is_refused_in_the_admin(superuser_client):
    response = superuser_client.post(
        "/admin/claims/webhooksubscriber/add/", subscriber_form(secret="whsec_not*base64")
    )

    assert response.status_code == 200 and "must be base64" in response.text
    assert not WebhookSubscriber.objects.exists()
