"""Public verdict pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class VerdictPage(models.Model):
    """A claim's verdict published at ``/verdicts/<slug>/``, readable without a login.

    An editor publishes and unpublishes it; the page always shows the claim's verdict as
    it is now, so a published claim that lapses (needs re-review) or is unconfirmed stops
    showing its old verdict and its ClaimReview at once."""

    claim = models.OneToOneField("Claim", on_delete=models.PROTECT, related_name="verdict_page")
    slug = models.SlugField(max_length=80, unique=True)
    published = models.BooleanField(default=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    # Not columns: what django-simple-history records with the next save.
    _history_user: User | None
    _change_reason: str

    class Meta:
        ordering = ["-published_at", "-pk"]
        permissions = [("publish_verdict", "Can publish and unpublish verdict pages")]

    def __str__(self) -> str:
        state = "published" if self.published else "unpublished"
        return f"/verdicts/{self.slug}/ ({state})"

    def get_absolute_url(self) -> str:
        return reverse("verdict-public", args=[self.slug])

    def publish(self, *, by: User) -> None:
        self.published = True
        self.published_by = by
        self.published_at = timezone.now()
        self._history_user = by
        self._change_reason = "published"
        self.save()

    def unpublish(self, *, by: User | None, reason: str = "unpublished") -> None:
        self.published = False
        self._history_user = by
        self._change_reason = reason
        self.save(update_fields=["published", "updated_at"])
