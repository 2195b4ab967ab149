"""The team: add a person with a role, change their role, deactivate or reactivate them,
and make them a one-time password link. The team page (``claims.web.team``) and
``manage.py add_user`` call these; each writes a ``TeamChange`` (who did what to whom,
when) in the same transaction as the change.

A person's role is their one group among ``roles.ROLES``. Superusers are not managed
here (they manage themselves in the admin), and nobody changes their own role or
deactivates themselves: an editor cannot lock the last editor out by mistake.
"""

from __future__ import annotations

import secrets

from django.contrib.auth.models import Group, User
from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from claims import roles
from claims.models import TeamChange


class TeamChangeRefused(ValueError):
    """A change the team page does not make, with the reason for the person."""


def role_of(user: User) -> str:
    """The person's role slug (``roles.ROLES``), "" when they have none."""
    names = {group.name for group in user.groups.all()}
    return next((slug for slug, group in roles.ROLES.items() if group in names), "")


def _record(*, actor: User | None, person: User, action: str, detail: str = "") -> None:
    TeamChange.objects.create(actor=actor, person=person, action=action, detail=detail[:300])


def _set_role(user: User, role: str) -> None:
    if role not in roles.ROLES:
        raise TeamChangeRefused(f"Unknown role {role!r}: choose one of {', '.join(roles.ROLES)}.")
    user.groups.remove(*Group.objects.filter(name__in=roles.ROLES.values()))
    user.groups.add(Group.objects.get(name=roles.ROLES[role]))


def add_person(*, username: str, role: str, email: str = "", by: User | None) -> tuple[User, str]:
    """Create an active person with ``role`` and a random one-time password; returns
    the user and that password (shown once, never stored in clear)."""
    password = secrets.token_urlsafe(12)
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, email=email, password=password)
            _set_role(user, role)
            _record(actor=by, person=user, action=TeamChange.Action.ADDED, detail=f"as {role}")
    except IntegrityError:
        raise TeamChangeRefused(f"There is already a person called {username}.") from None
    return user, password


def _locked(person: User, by: User | None) -> User:
    """The person's row under a lock, or refused: a superuser, or oneself."""
    user = User.objects.select_for_update(no_key=True).get(pk=person.pk)
    if user.is_superuser:
        raise TeamChangeRefused(f"{user.username} is a superuser: change them in the admin.")
    if by is not None and user.pk == by.pk:
        raise TeamChangeRefused("You cannot change your own role or deactivate yourself.")
    return user


@transaction.atomic
def change_role(*, person: User, role: str, by: User | None) -> bool:
    """Give ``person`` the role ``role``; False when they have it already."""
    user = _locked(person, by)
    before = role_of(user)
    if before == role:
        return False
    _set_role(user, role)
    _record(
        actor=by, person=user, action=TeamChange.Action.ROLE,
        detail=f"from {before or 'no role'} to {role}",
    )  # fmt: skip
    return True


@transaction.atomic
def set_active(*, person: User, active: bool, by: User | None) -> bool:
    """Deactivate (cannot log in; kept, with everything they did) or reactivate a
    person; False when they already are."""
    user = _locked(person, by)
    if user.is_active == active:
        return False
    User.objects.filter(pk=user.pk).update(is_active=active)
    action = TeamChange.Action.REACTIVATED if active else TeamChange.Action.DEACTIVATED
    _record(actor=by, person=user, action=action)
    return True


@transaction.atomic
def password_link(*, person: User, by: User | None) -> str:
    """The path of a one-time link where ``person`` sets a new password (Django's
    password reset; it stops working once used or once their password changes)."""
    user = _locked(person, by)
    if not user.is_active:
        raise TeamChangeRefused(f"{user.username} is deactivated: reactivate them first.")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    _record(actor=by, person=user, action=TeamChange.Action.RESET_LINK)
    return reverse("password_reset_confirm", args=[uid, token])
