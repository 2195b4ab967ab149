"""Articles and their revisions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from claims.models.search import FoldedQuerySet, FoldedSearch
from claims.models.validators import validate_http_url

if TYPE_CHECKING:
    from django.contrib.auth.models import User

_QuerySet = TypeVar("_QuerySet", bound=models.QuerySet[Any])


class ArticleState(models.TextChoices):
    """``Article.State``: where an article is in its extraction job."""

    QUEUED = "queued", "Queued"
    PROCESSING = "processing", "Processing"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Article(FoldedSearch):
    State = ArticleState
    SEARCH_FIELDS = ("title", "outlet")

    class Origin(models.TextChoices):
        PASTE = "paste", "Pasted text"
        UPLOAD = "upload", "Uploaded file"
        URL = "url", "Fetched from a URL"

    TEXT_FIELDS = ("body", "dropped")  # large: lists and exports of claims defer them

    title = models.CharField(max_length=300)
    outlet = models.CharField(max_length=200, blank=True)
    outlet_domain = models.CharField(
        max_length=253,
        blank=True,
        help_text="Registered domain of the outlet; its sources do not count as independent.",
    )
    url = models.URLField(max_length=2000, blank=True, validators=[validate_http_url])
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="When the story was published (an instant, UTC)."
    )
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.PASTE)
    body = models.TextField(blank=True, help_text="The current revision's text, as received.")
    revision = models.PositiveIntegerField(default=1)
    dropped = models.JSONField(
        default=list, blank=True, help_text="Boilerplate and repeated blocks left out."
    )
    headline_mismatches = models.JSONField(
        default=list,
        blank=True,
        help_text="Figures and names of the headline or sub-headings that the body states "
        "otherwise (claims.ingest.headlines); recomputed on every extraction and revision.",
    )

    state = models.CharField(max_length=12, choices=State.choices, default=State.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    pipeline_version = models.CharField(max_length=40, blank=True)
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_articles",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="created_articles",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(
        null=True, blank=True, help_text="Archived: hidden from the lists, kept for the record."
    )
    submission_key = models.CharField(
        max_length=64,
        blank=True,
        help_text="The one-time key of the form that created it (a second send opens it).",
    )

    objects = FoldedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "queued_at"], name="article_state_queued"),
            models.Index(fields=["-created_at"], name="article_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ArticleState.values),
                name="article_state_valid",
            ),
            models.CheckConstraint(condition=Q(revision__gte=1), name="article_revision_positive"),
            models.CheckConstraint(
                condition=Q(progress_done__lte=models.F("progress_total")),
                name="article_progress_bounded",
            ),
            models.UniqueConstraint(
                fields=["submission_key"],
                condition=~Q(submission_key=""),
                name="article_submission_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("article-detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.PROCESSING)

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 0
        return round(100 * self.progress_done / self.progress_total)

    def requeue(self, *, by: User | None = None, reason: str = "") -> None:
        """Put a failed (or stuck) article back in the queue; the caller enqueues the job."""
        self.state = self.State.QUEUED
        self.error = ""
        self.progress_done = self.progress_total = 0
        self.queued_at = timezone.now()
        self.started_at = self.finished_at = None
        self._change_reason = reason or "re-queued for extraction"
        if by is not None:
            self._history_user = by
        self.save()


def with_light_article(queryset: _QuerySet, *paths: str) -> _QuerySet:
    """``queryset.select_related(*paths)`` (``"article"``, ``"claim__article"``...) without
    the articles' text: rows that name their article must not each load its body."""
    text = [f"{path}__{name}" for path in paths for name in Article.TEXT_FIELDS]
    return queryset.select_related(*paths).defer(*text)


class ArticleRevision(models.Model):
    """Every text an article has had; ``Article.body`` is the newest one."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    body = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article", "number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="revision_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.article} (revision {self.number})"
