"""``manage.py add_webhook URL --secret S --events e1,e2``: subscribe a URL to events."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from claims.integrations.webhooks import EVENTS, BadSecret, signing_key
from claims.models import WebhookSubscriber
from claims.models.validators import validate_http_url


class Command(BaseCommand):
    help = f"Send signed webhook events to URL. Events: {', '.join(EVENTS)} (or all)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("url")
        parser.add_argument(
            "--secret",
            required=True,
            help="signs each delivery (HMAC-SHA256); whsec_<base64> as Standard Webhooks says",
        )
        parser.add_argument("--events", required=True, help="comma-separated, or all")

    def handle(self, *args: Any, **options: Any) -> None:
        names = [name.strip() for name in options["events"].split(",") if name.strip()]
        events = list(EVENTS) if names == ["all"] else names
        unknown = sorted(set(events) - set(EVENTS))
        if unknown or not events:
            raise CommandError(
                f"unknown event(s) {', '.join(unknown) or '(none given)'}; "
                f"choose from {', '.join(EVENTS)}, or all",
                returncode=2,
            )
        if not options["secret"].strip():
            raise CommandError("give a secret: receivers check the signature with it", returncode=2)
        try:
            signing_key(options["secret"])
        except BadSecret as exc:
            raise CommandError(str(exc), returncode=2) from None
        hook = WebhookSubscriber(
            url=options["url"].strip(), secret=options["secret"], events=events
        )
        try:
            validate_http_url(hook.url)
            hook.full_clean()
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages), returncode=2) from None
        hook.save()
        self.stdout.write(f"webhook {hook.pk}: {hook.url} <- {', '.join(events)}")
