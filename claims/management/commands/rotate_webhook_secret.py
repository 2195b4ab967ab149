"""``manage.py rotate_webhook_secret ID [--secret S] [--overlap-hours H]``: give a webhook
subscriber a new secret while the old one keeps signing for a while."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from claims.integrations import webhooks
from claims.models import WebhookSubscriber


class Command(BaseCommand):
    help = (
        "Rotate a webhook subscriber's secret: deliveries carry a signature with each of "
        "the new and the old secret until the overlap ends. Prints the new secret."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("subscriber", type=int, help="the subscriber's id")
        parser.add_argument("--secret", default="", help="the new secret (default: generated)")
        parser.add_argument(
            "--overlap-hours",
            type=float,
            default=webhooks.ROTATION_OVERLAP.total_seconds() / 3600,
            help="hours the old secret keeps signing (default 24)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        subscriber = WebhookSubscriber.objects.filter(pk=options["subscriber"]).first()
        if subscriber is None:
            raise CommandError(f"no webhook subscriber {options['subscriber']}", returncode=2)
        if options["overlap_hours"] < 0:
            raise CommandError("--overlap-hours cannot be negative", returncode=2)
        try:
            secret = webhooks.rotate_secret(
                subscriber,
                secret=options["secret"],
                overlap=timedelta(hours=options["overlap_hours"]),
            )
        except webhooks.BadSecret as exc:
            raise CommandError(str(exc), returncode=2) from None
        self.stdout.write(
            f"webhook {subscriber.pk}: new secret {secret} "
            f"(the old one signs too for {options['overlap_hours']:g} hours)"
        )
