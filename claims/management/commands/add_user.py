"""``manage.py add_user USERNAME --role editor|fact-checker|viewer [--email E]``: add a
person to the team (``claims.team.add_person``, recorded as a team change by
"manage.py").

A random one-time password is printed alone on the last line (``| tail -n 1`` in a
script); the person changes it after logging in, or an editor makes them a password
link on the team page (``/team/``).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from claims import roles, team
from claims.web.team import PersonForm


class Command(BaseCommand):
    help = "Add a person with a role and print a one-time password (alone on the last line)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=list(roles.ROLES))
        parser.add_argument("--email", default="", help="Where password links can be mailed.")

    def handle(self, *args: Any, username: str, role: str, email: str, **options: Any) -> None:
        form = PersonForm({"username": username, "email": email, "role": role})
        if not form.is_valid():
            errors = [f"{name}: {' '.join(map(str, e))}" for name, e in form.errors.items()]
            raise CommandError("; ".join(errors))
        try:
            user, password = team.add_person(
                username=form.cleaned_data["username"], email=email, role=role, by=None
            )
        except team.TeamChangeRefused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Added {user.get_username()} as {role}. One-time password:")
        self.stdout.write(password)
