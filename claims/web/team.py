"""The team page, ``/team/``: editors add people with a role, change roles, deactivate
and reactivate people, and make one-time password links (``claims.team``; every change
is recorded as a ``TeamChange`` and listed at the foot of the page).

Included from ``claims/web/urls.py``. Only editors (the ``manage_team`` permission) see
it; others get the 403 page. A password link is secret and not stored, so it is shown
on the page that answers the POST, once (as ``tokens.py`` shows a new API token): the
editor hands it over, and it is also mailed when the person has an address and mail is
configured (``WORKBENCH_PASSWORD_RESET``). Other changes redirect back (PRG).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from claims import roles, team
from claims.models import TeamChange
from claims.web.access import require
from claims.web.fields import LineField
from claims.web.types import AuthenticatedHttpRequest

ROLE_CHOICES = [(slug, slug.capitalize()) for slug in roles.ROLES]


class PersonForm(forms.Form):
    username = LineField(
        max_length=150,
        help_text="Letters, digits and @ . + - _ only.",
        validators=[User.username_validator],
    )
    email = forms.EmailField(required=False, help_text="Optional: where the password link goes.")
    role = forms.ChoiceField(choices=ROLE_CHOICES, initial="fact-checker")


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES)


class ActiveForm(forms.Form):
    active = forms.TypedChoiceField(choices=[("1", "Reactivate"), ("0", "Deactivate")],
                                    coerce=lambda value: value == "1")  # fmt: skip


def people() -> QuerySet[User]:
    return User.objects.prefetch_related("groups").order_by("-is_active", "username")


def team_context(request: AuthenticatedHttpRequest, **extra: Any) -> dict[str, Any]:
    rows = [
        {"user": user, "role": team.role_of(user), "role_form": RoleForm(
            initial={"role": team.role_of(user)}, auto_id=f"role-{user.pk}-%s")}
        for user in people()
    ]  # fmt: skip
    changes = TeamChange.objects.select_related("actor", "person")[:30]
    return {"rows": rows, "form": PersonForm(), "changes": changes} | extra


def _manage(request: AuthenticatedHttpRequest) -> None:
    require(request, "manage_team")


@never_cache
@login_required
@require_GET
def team_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    _manage(request)
    return render(request, "claims/team.html", team_context(request))


@never_cache
@login_required
@require_POST
def person_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Add a person; the page answers with their one-time link to set a password."""
    _manage(request)
    form = PersonForm(request.POST)
    if not form.is_valid():
        return render(request, "claims/team.html", team_context(request, form=form))
    data = form.cleaned_data
    try:
        person, _ = team.add_person(
            username=data["username"], email=data["email"], role=data["role"], by=request.user
        )
    except team.TeamChangeRefused as exc:
        form.add_error("username", str(exc))
        return render(request, "claims/team.html", team_context(request, form=form))
    messages.success(request, f"{person.username} added as {data['role']}.")
    return _with_link(request, person)


@never_cache
@login_required
@require_POST
def person_link(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _manage(request)
    person = get_object_or_404(User, pk=pk)
    try:
        return _with_link(request, person)
    except team.TeamChangeRefused as exc:
        messages.error(request, str(exc))
        return redirect("team")


def _with_link(request: AuthenticatedHttpRequest, person: User) -> HttpResponse:
    """The team page showing ``person``'s new password link (mailed too when possible)."""
    link = request.build_absolute_uri(team.password_link(person=person, by=request.user))
    mailed = bool(settings.WORKBENCH_PASSWORD_RESET and person.email)
    if mailed:
        send_mail(
            "Set your password for the claim workbench",
            f"Hello {person.username},\n\nSet your password here (the link works once):\n{link}\n",
            None,
            [person.email],
        )
    context = team_context(request, link={"person": person, "url": link, "mailed": mailed})
    return render(request, "claims/team.html", context)


@login_required
@require_POST
def person_role(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _manage(request)
    person = get_object_or_404(User, pk=pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Pick a role: editor, fact-checker or viewer.")
        return redirect("team")
    try:
        changed = team.change_role(person=person, role=form.cleaned_data["role"], by=request.user)
    except team.TeamChangeRefused as exc:
        messages.error(request, str(exc))
    else:
        role = form.cleaned_data["role"]
        done = (
            f"{person.username} is now {role}."
            if changed
            else f"{person.username} already is {role}."
        )
        messages.success(request, done)
    return redirect("team")


@login_required
@require_POST
def person_active(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _manage(request)
    person = get_object_or_404(User, pk=pk)
    form = ActiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose to deactivate or reactivate.")
        return redirect("team")
    active = form.cleaned_data["active"]
    try:
        team.set_active(person=person, active=active, by=request.user)
    except team.TeamChangeRefused as exc:
        messages.error(request, str(exc))
    else:
        state = "active again" if active else "deactivated: they can no longer log in"
        messages.success(request, f"{person.username} is {state}.")
    return redirect("team")


urlpatterns = [
    path("team/", team_page, name="team"),
    path("team/add/", person_add, name="team-add"),
    path("team/<int:pk>/role/", person_role, name="team-role"),
    path("team/<int:pk>/active/", person_active, name="team-active"),
    path("team/<int:pk>/password-link/", person_link, name="team-link"),
]
