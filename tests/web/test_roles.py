"""The three roles and what each may do."""

from __future__ import annotations

import pytest

CAN = {
    "editor": {"add_article", "delete_article", "change_claim", "add_evidence", "add_source"},
    "fact_checker": {"change_claim", "add_evidence", "delete_evidence", "add_source"},
    "viewer": {"view_article", "view_claim", "view_source", "view_evidence"},
}
CANNOT = {
    "editor": set(),
    "fact_checker": {"add_article", "delete_article"},
    "viewer": {"add_article", "change_claim", "add_evidence", "add_source", "delete_evidence"},
    "outsider": {"view_article", "view_claim"},
}


@pytest.mark.parametrize("persona", ["editor", "fact_checker", "viewer"])
def test_each_role_has_its_permissions(db, persona, request):
    user = request.getfixturevalue(persona)
    for codename in CAN[persona]:
        assert user.has_perm(f"claims.{codename}"), codename


@pytest.mark.parametrize("persona", ["editor", "fact_checker", "viewer", "outsider"])
def test_each_role_lacks_what_it_should_not_do(db, persona, request):
    user = request.getfixturevalue(persona)
    for codename in CANNOT[persona]:
        assert not user.has_perm(f"claims.{codename}"), codename


def test_setup_roles_restores_a_tampered_group(db):
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    group = Group.objects.get(name="Viewers")
    group.permissions.clear()
    call_command("setup_roles", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert group.permissions.filter(codename="view_claim").exists()


@pytest.mark.parametrize("path", ["/articles/", "/claims/", "/sources/", "/"])
def test_every_page_requires_login(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
