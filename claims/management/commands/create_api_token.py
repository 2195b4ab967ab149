"""``manage.py create_api_token USERNAME [--name N]``: a personal API token for a user.

The token is printed once, alone on the last line (``| tail -n 1`` in a script); only
its digest is stored. It acts with the user's permissions.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from claims.integrations import tokens
from claims.models import ApiToken


class Command(BaseCommand):
    help = "Create a personal API token for USERNAME and print it (alone on the last line)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--name", default="command line", help="What the token is for (shown in lists)."
        )

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        name = name.strip()
        limit = ApiToken._meta.get_field("name").max_length or 0
        if not name or len(name) > limit:
            raise CommandError(f"--name must be 1 to {limit} characters.")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive: a token would not work.")
        row, token = tokens.issue(user=user, name=name)
        self.stdout.write(
            f"Token {row.name!r} ({row.prefix}…) for {user.get_username()}, "
            "shown only this once; send it as 'Authorization: Bearer <token>':"
        )
        self.stdout.write(token)
