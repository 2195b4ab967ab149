"""Newsroom integration: API tokens, stories from a CMS, feeds and their items, webhooks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from claims.models.articles import Article
from claims.models.validators import validate_http_url


class ApiToken(models.Model):
    """A personal token for the JSON API (``Authorization: Bearer <token>``).

    Only the SHA-256 digest of the token is stored, never the token: it is shown once, at
    creation (``claims.tokens.issue``). ``prefix`` (the token's first characters) tells
    tokens apart in lists. A token acts with its user's permissions; a revoked one, or one
    whose user is inactive, is refused.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


class ExternalStory(models.Model):
    """A CMS's story (its ``external_id``, per token owner) and the article it became.

    The write API (``claims/stories.py``) looks stories up here: the same story sent
    again is a new revision of the same article when its text changed, nothing otherwise.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_stories"
    )
    external_id = models.CharField(max_length=200)
    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="external")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "external stories"
        constraints = [
            models.UniqueConstraint(fields=["owner", "external_id"], name="story_unique_external")
        ]

    def __str__(self) -> str:
        return f"{self.owner}: {self.external_id}"


class Feed(models.Model):
    """An outlet's RSS/Atom feed, JSON Feed or sitemap, polled every ``every`` seconds
    (``feeds.py``)."""

    url = models.URLField(max_length=2000, unique=True, validators=[validate_http_url])
    outlet = models.CharField(max_length=200)
    every = models.PositiveIntegerField(default=900, help_text="Seconds between polls.")
    active = models.BooleanField(default=True)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    next_poll_at = models.DateTimeField(default=timezone.now)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_outcome = models.CharField(max_length=200, blank=True)
    last_error = models.TextField(blank=True)
    failures = models.PositiveIntegerField(default=0, help_text="Failed polls in a row.")
    polls = models.PositiveIntegerField(default=0)
    last_skipped = models.JSONField(
        default=dict, blank=True, help_text="Items the last poll left out, by reason."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["outlet", "url"]
        indexes = [models.Index(fields=["active", "next_poll_at"], name="feed_due")]
        constraints = [models.CheckConstraint(condition=Q(every__gte=60), name="feed_every_min")]

    def __str__(self) -> str:
        return f"{self.outlet}: {self.url}"

    def get_absolute_url(self) -> str:
        return reverse("feed-detail", args=[self.pk])


class FeedItem(models.Model):
    """One story seen in a feed, by canonical URL: ingested once, however often it is seen;
    when the feed shows it changed, its article gets a new revision (``feeds.py``)."""

    url = models.URLField(max_length=2000, unique=True, validators=[validate_http_url])
    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="items")
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=300, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    updated = models.CharField(
        max_length=100, blank=True, help_text="The item's last 'updated' stamp in the feed."
    )
    digest = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the item's title and text in the feed."
    )
    revised_at = models.DateTimeField(
        null=True, blank=True, help_text="When an update of the item last revised its article."
    )

    class Meta:
        ordering = ["-first_seen_at", "-pk"]

    def __str__(self) -> str:
        return self.title or self.url


class WebhookSubscriber(models.Model):
    """A URL that receives signed JSON events (``webhooks.py``)."""

    url = models.URLField(max_length=2000, validators=[validate_http_url])
    secret = models.CharField(max_length=200, help_text="Signs each body (HMAC-SHA256).")
    previous_secret = models.CharField(
        max_length=200, blank=True, help_text="The secret before the last rotation."
    )
    previous_secret_until = models.DateTimeField(
        null=True, blank=True, help_text="Until then the previous secret signs too."
    )
    events = models.JSONField(default=list, help_text="Event names it receives.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["url", "pk"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event sent to one subscriber, with every attempt's outcome."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        RETRYING = "retrying", "Retrying"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Gave up"

    subscriber = models.ForeignKey(
        WebhookSubscriber, on_delete=models.CASCADE, related_name="deliveries"
    )
    delivery_id = models.CharField(max_length=36, unique=True)
    event = models.CharField(max_length=40)
    body = models.TextField(help_text="The JSON body exactly as signed and sent.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_status = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["state", "created_at"], name="delivery_state")]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscriber} ({self.get_state_display()})"
