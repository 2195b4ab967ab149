"""Issue 31, item 5: the team page (``/team/``) and ``manage.py add_user``. Editors add
a person with a role, change roles, deactivate and reactivate people and make one-time
password links that work without a mail server; every change is recorded (who, what,
when); other roles are refused; the admin's 403 page sends an editor to the team page."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client

from claims import roles, team
from claims.models import TeamChange

LINK = re.compile(r"http://testserver(/accounts/reset/[^/]+/[^/<\s]+/)")


def can_log_in(username: str, password: str) -> bool:
    """Through the login form (django-axes needs the request ``Client.login`` lacks)."""
    data = {"username": username, "password": password}
    return Client().post("/accounts/login/", data).status_code == 302


def add(client: Client, username: str = "nina", role: str = "fact-checker", **more: str) -> Any:
    return client.post("/team/add/", {"username": username, "role": role, **more})


@pytest.fixture
def editor_client(client: Client, editor: User) -> Client:
    client.force_login(editor)
    return client


def test_an_editor_sees_everyone_with_their_role(
    editor_client: Client, fact_checker: User, viewer: User
) -> None:
    page = editor_client.get("/team/").text

    assert f'id="person-{fact_checker.pk}"' in page
    assert re.search(r"fred</strong>.*?<span class=\"badge\">fact-checker</span>", page, re.S)
    assert re.search(r"vera</strong>.*?<span class=\"badge\">viewer</span>", page, re.S)
    assert 'href="/team/"' in page  # in the main navigation


@pytest.mark.parametrize("persona", ["fact_checker", "viewer", "outsider"])
def test_other_roles_are_refused_every_team_action(
    client: Client, persona: str, request: pytest.FixtureRequest, editor: User
) -> None:
    client.force_login(request.getfixturevalue(persona))

    assert client.get("/team/").status_code == 403
    assert add(client).status_code == 403
    assert client.post(f"/team/{editor.pk}/role/", {"role": "viewer"}).status_code == 403
    assert client.post(f"/team/{editor.pk}/active/", {"active": "0"}).status_code == 403
    assert client.post(f"/team/{editor.pk}/password-link/").status_code == 403
    assert not User.objects.filter(username="nina").exists()
    assert team.role_of(editor) == "editor" and User.objects.get(pk=editor.pk).is_active
    assert "Team" not in client.get("/articles/").text.split("<main>")[0]


def test_the_team_page_is_for_logged_in_editors_only(client: Client, db: Any) -> None:
    response = client.get("/team/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_adding_a_person_gives_a_one_time_link_that_sets_their_password(
    editor_client: Client, editor: User, settings: Any
) -> None:
    settings.WORKBENCH_PASSWORD_RESET = False  # no mail server: the link is shown
    response = add(editor_client, "nina", "fact-checker", email="nina@example.org")

    assert response.status_code == 200
    nina = User.objects.get(username="nina")
    assert team.role_of(nina) == "fact-checker" and nina.is_active
    path = LINK.search(response.text).group(1)  # type: ignore[union-attr]
    assert mail.outbox == []

    visitor = Client()
    form_page = visitor.get(path, follow=True)
    assert "New password" in form_page.text or "new_password1" in form_page.text
    done = visitor.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-long-new-passphrase-9", "new_password2": "a-long-new-passphrase-9"},
    )
    assert done.status_code == 302
    assert can_log_in("nina", "a-long-new-passphrase-9")
    assert Client().get(path, follow=True).context["validlink"] is False  # used once
    actions = list(TeamChange.objects.filter(person=nina).values_list("actor", "action"))
    assert sorted(actions) == [(editor.pk, "added"), (editor.pk, "reset_link")]


def test_with_mail_the_link_is_also_mailed(editor_client: Client, settings: Any) -> None:
    settings.WORKBENCH_PASSWORD_RESET = True

    response = add(editor_client, "nina", "viewer", email="nina@example.org")

    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nina@example.org"]
    assert LINK.search(mail.outbox[0].body).group(1) in response.text  # type: ignore[union-attr]
    assert "also mailed to nina@example.org" in response.text


def test_a_taken_or_invalid_username_is_refused_with_the_input_kept(
    editor_client: Client, fact_checker: User
) -> None:
    taken = add(editor_client, "fred", "viewer")
    assert "There is already a person called fred." in taken.text
    invalid = add(editor_client, "no spaces allowed", "viewer")
    assert invalid.status_code == 200 and 'value="no spaces allowed"' in invalid.text
    assert User.objects.count() == 2


def test_an_editor_changes_a_role_and_it_is_recorded(
    editor_client: Client, editor: User, fact_checker: User
) -> None:
    response = editor_client.post(f"/team/{fact_checker.pk}/role/", {"role": "editor"})

    assert response.status_code == 302
    assert team.role_of(User.objects.get(pk=fact_checker.pk)) == "editor"
    assert fact_checker.groups.filter(name__in=roles.ROLES.values()).count() == 1
    change = TeamChange.objects.get(person=fact_checker)
    assert (change.actor, change.action, change.detail) == (
        editor,
        "role",
        "from fact-checker to editor",
    )
    assert "edna changed the role of fred (from fact-checker to editor)" in (
        editor_client.get("/team/").text
    )


def test_a_deactivated_person_cannot_log_in_until_reactivated(
    editor_client: Client, viewer: User
) -> None:
    from tests.conftest import PASSWORD

    editor_client.post(f"/team/{viewer.pk}/active/", {"active": "0"})
    assert not can_log_in("vera", PASSWORD)
    assert 'class="person inactive"' in editor_client.get("/team/").text

    editor_client.post(f"/team/{viewer.pk}/active/", {"active": "1"})
    assert can_log_in("vera", PASSWORD)
    actions = TeamChange.objects.filter(person=viewer).order_by("at", "pk")
    assert [c.action for c in actions] == ["deactivated", "reactivated"]


def test_a_deactivated_person_loses_their_open_session(
    client: Client, editor: User, viewer: User
) -> None:
    client.force_login(viewer)
    assert client.get("/articles/").status_code == 200
    team.set_active(person=viewer, active=False, by=editor)

    assert client.get("/articles/").status_code == 302  # to the login page


def test_an_editor_cannot_change_themselves_or_a_superuser(
    editor_client: Client, editor: User
) -> None:
    boss = User.objects.create_superuser("boss", "boss@example.org", "x")

    editor_client.post(f"/team/{editor.pk}/role/", {"role": "viewer"})
    editor_client.post(f"/team/{editor.pk}/active/", {"active": "0"})
    refused = editor_client.post(f"/team/{boss.pk}/active/", {"active": "0"}, follow=True)

    assert "boss is a superuser: change them in the admin." in refused.text
    assert team.role_of(User.objects.get(pk=editor.pk)) == "editor"
    assert User.objects.get(pk=editor.pk).is_active and User.objects.get(pk=boss.pk).is_active
    assert not TeamChange.objects.exists()


def test_the_admins_403_sends_an_editor_to_the_team_page(client: Client, editor: User) -> None:
    User.objects.filter(pk=editor.pk).update(is_staff=True)
    client.force_login(editor)

    response = client.get("/admin/auth/user/add/")

    assert response.status_code == 403
    assert 'managed on the <a href="/team/">team page</a>' in response.text
    assert "Ask an editor" not in response.text


def test_the_403_page_still_tells_others_to_ask_an_editor(client: Client, viewer: User) -> None:
    client.force_login(viewer)
    response = client.get("/team/")
    assert "Ask an editor" in response.text and 'href="/team/"' not in response.text


# --- manage.py add_user -------------------------------------------------------------


def test_add_user_prints_a_one_time_password_alone_on_the_last_line(db: Any) -> None:
    out = StringIO()
    call_command("add_user", "nina", "--role", "editor", "--email", "nina@example.org", stdout=out)

    password = out.getvalue().splitlines()[-1]
    assert len(password) >= 16 and " " not in password
    assert can_log_in("nina", password)
    nina = User.objects.get(username="nina")
    assert team.role_of(nina) == "editor" and nina.email == "nina@example.org"
    change = TeamChange.objects.get(person=nina)
    assert (change.actor, change.action, str(change)) == (None, "added", "manage.py added nina")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["fred", "--role", "viewer"], "There is already a person called fred."),
        (["bad name", "--role", "viewer"], "username:"),
        (["nina", "--role", "viewer", "--email", "not-an-address"], "email:"),
    ],
)
def test_add_user_refuses_bad_input(fact_checker: User, argv: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("add_user", *argv, stdout=StringIO())
    assert User.objects.count() == 1


def test_add_user_refuses_an_unknown_role(db: Any) -> None:
    with pytest.raises(CommandError, match="invalid choice: 'admin'"):
        call_command("add_user", "nina", "--role", "admin", stdout=StringIO())
