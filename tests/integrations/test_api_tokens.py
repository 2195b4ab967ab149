"""Personal API tokens: stored only as a digest, shown once, accepted as ``Bearer`` by the
API with their user's permissions, revocable on the "API tokens" page, in the admin, and
created from the shell with ``manage.py create_api_token``."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from claims.integrations import tokens
from claims.models import ApiToken, Article, Claim

TOKENS = reverse("api-tokens")
CLAIMS_API = reverse("api-claim-list")


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def created_token(response: Any) -> str:
    return response.context["created"]


# --- The token itself ----------------------------------------------------------------------


def test_only_the_digest_and_a_prefix_are_stored(viewer: User) -> None:
    row, token = tokens.issue(user=viewer, name="nightly export")

    row.refresh_from_db()
    assert token.startswith("wbt_") and len(token) >= 40
    assert row.digest == hashlib.sha256(token.encode()).hexdigest()
    assert token.startswith(row.prefix) and len(row.prefix) == 12
    stored = [str(value) for value in ApiToken.objects.values_list().get(pk=row.pk)]
    assert token not in stored
    assert token[len(row.prefix) :] not in " ".join(stored)


def test_a_token_reads_the_api_and_notes_when_it_was_used(
    client: Client, viewer: User, make_article: Callable[..., Article]
) -> None:
    make_article()
    row, token = tokens.issue(user=viewer, name="script")
    assert row.last_used_at is None

    response = client.get(CLAIMS_API, **bearer(token))

    assert response.status_code == 200
    assert response.json()["count"] == 2
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_a_revoked_token_gets_401_json(client: Client, viewer: User) -> None:
    row, token = tokens.issue(user=viewer, name="script")
    assert client.get(CLAIMS_API, **bearer(token)).status_code == 200

    row.revoke()

    response = client.get(CLAIMS_API, **bearer(token))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert "revoked" in response.json()["detail"]


def test_the_token_of_an_inactive_user_gets_401(client: Client, viewer: User) -> None:
    _, token = tokens.issue(user=viewer, name="script")
    viewer.is_active = False
    viewer.save()

    assert client.get(CLAIMS_API, **bearer(token)).status_code == 401


def test_a_viewers_token_reads_but_changes_nothing(
    client: Client, viewer: User, make_article: Callable[..., Article]
) -> None:
    claim = make_article().claims.first()
    assert claim is not None
    _, token = tokens.issue(user=viewer, name="script")

    assert (
        client.get(reverse("api-claim-detail", args=[claim.pk]), **bearer(token)).status_code == 200
    )
    # The review views take a session only: a token is no login there.
    response = client.post(
        reverse("claim-status", args=[claim.pk]), {"action": "confirm"}, **bearer(token)
    )
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert client.get(reverse("article-list"), **bearer(token)).status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.UNCONFIRMED


def test_an_outsiders_token_gets_403(client: Client, outsider: User) -> None:
    _, token = tokens.issue(user=outsider, name="script")

    assert client.get(CLAIMS_API, **bearer(token)).status_code == 403


# --- The "API tokens" page ---------------------------------------------------------------


def test_the_page_shows_a_new_token_once(client: Client, viewer: User) -> None:
    client.force_login(viewer)

    response = client.post(TOKENS, {"name": "nightly export"})

    assert response.status_code == 200
    token = created_token(response)
    assert token in response.content.decode()
    assert "shown only this once" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert client.get(CLAIMS_API, **bearer(token)).status_code == 200
    page = client.get(TOKENS).content.decode()
    assert token not in page
    assert "nightly export" in page
    assert f"{token[:12]}…" in page


def test_the_page_lists_only_the_users_own_tokens(
    client: Client, viewer: User, editor: User
) -> None:
    tokens.issue(user=editor, name="editor's script")
    tokens.issue(user=viewer, name="viewer's script")
    client.force_login(viewer)

    page = client.get(TOKENS).content.decode()

    assert "viewer&#x27;s script" in page
    assert "editor&#x27;s script" not in page


def test_a_token_needs_a_name(client: Client, viewer: User) -> None:
    client.force_login(viewer)

    response = client.post(TOKENS, {"name": ""})

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["This field is required."]
    assert response.context["created"] == ""
    assert not ApiToken.objects.exists()


def test_revoking_from_the_page(client: Client, viewer: User) -> None:
    row, token = tokens.issue(user=viewer, name="script")
    client.force_login(viewer)

    response = client.post(reverse("api-token-revoke", args=[row.pk]), follow=True)

    assert response.redirect_chain == [(TOKENS, 302)]
    assert "revoked: it no longer works" in response.content.decode()
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert client.get(CLAIMS_API, **bearer(token)).status_code == 200  # the session still reads
    assert Client().get(CLAIMS_API, **bearer(token)).status_code == 401


def test_nobody_revokes_someone_elses_token(client: Client, viewer: User, editor: User) -> None:
    row, _ = tokens.issue(user=editor, name="editor's script")
    client.force_login(viewer)

    assert client.post(reverse("api-token-revoke", args=[row.pk])).status_code == 404
    row.refresh_from_db()
    assert row.revoked_at is None


def test_the_page_needs_a_login_and_revoking_a_post(client: Client, viewer: User) -> None:
    row, _ = tokens.issue(user=viewer, name="script")
    assert client.get(TOKENS).status_code == 302
    assert client.post(reverse("api-token-revoke", args=[row.pk])).status_code == 302
    client.force_login(viewer)
    assert client.get(reverse("api-token-revoke", args=[row.pk])).status_code == 405
    row.refresh_from_db()
    assert row.revoked_at is None


def test_the_navigation_links_the_page(client: Client, viewer: User) -> None:
    client.force_login(viewer)
    assert f'href="{TOKENS}"' in client.get(reverse("article-list")).content.decode()


# --- The admin ------------------------------------------------------------------------------


@pytest.fixture
def admin_client_(client: Client, editor: User) -> Client:
    editor.is_staff = editor.is_superuser = True
    editor.save()
    client.force_login(editor)
    return client


def test_the_admin_lists_and_revokes_tokens_but_never_shows_or_adds_one(
    admin_client_: Client, viewer: User
) -> None:
    row, token = tokens.issue(user=viewer, name="viewer's script")
    changelist = reverse("admin:claims_apitoken_changelist")

    page = admin_client_.get(changelist).content.decode()
    assert row.prefix in page
    assert token not in page
    detail = admin_client_.get(reverse("admin:claims_apitoken_change", args=[row.pk]))
    assert detail.status_code == 200
    assert token not in detail.content.decode()
    assert row.digest not in detail.content.decode()
    assert admin_client_.get(reverse("admin:claims_apitoken_add")).status_code == 403

    admin_client_.post(changelist, {"action": "revoke", "_selected_action": [row.pk]})

    row.refresh_from_db()
    assert row.revoked_at is not None


# --- The command --------------------------------------------------------------------------


def test_the_command_prints_the_token_alone_on_its_last_line(client: Client, viewer: User) -> None:
    out = StringIO()
    call_command("create_api_token", viewer.username, "--name", "cron", stdout=out)

    token = out.getvalue().splitlines()[-1]
    assert token.startswith("wbt_") and " " not in token
    assert ApiToken.objects.get(user=viewer).name == "cron"
    assert client.get(CLAIMS_API, **bearer(token)).status_code == 200


def test_the_command_refuses_an_unknown_or_inactive_user(viewer: User) -> None:
    with pytest.raises(CommandError, match="No user 'nobody'"):
        call_command("create_api_token", "nobody", stdout=StringIO())
    viewer.is_active = False
    viewer.save()
    with pytest.raises(CommandError, match="inactive"):
        call_command("create_api_token", viewer.username, stdout=StringIO())
    assert not ApiToken.objects.exists()
