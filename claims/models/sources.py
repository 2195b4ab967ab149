"""Sources, their captures, and publishers with their domains."""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from claims.models.search import FoldedQuerySet, FoldedSearch
from claims.models.validators import validate_http_url

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class Source(FoldedSearch):
    SEARCH_FIELDS = ("title", "url", "publisher")

    class Kind(models.TextChoices):
        PRIMARY = "primary", "Primary document"
        OFFICIAL = "official", "Official statement"
        WIRE = "wire", "Wire"
        NEWS = "news", "News report"
        SOCIAL = "social", "Social post"
        DATA = "data", "Dataset"
        OTHER = "other", "Other"

    class FetchState(models.TextChoices):
        PENDING = "pending", "Waiting to be fetched"
        OK = "ok", "Captured"
        FAILED = "failed", "Failed"
        REFUSED = "refused", "Refused"

    class LinkState(models.TextChoices):
        UNKNOWN = "unknown", "Not checked yet"
        ALIVE = "alive", "Alive"
        DEAD = "dead", "Dead"
        CHANGED = "changed", "Changed since capture"

    url = models.URLField(
        max_length=2000, unique=True, validators=[validate_http_url], help_text="Canonical URL."
    )
    title = models.CharField(max_length=500, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    domain = models.CharField(max_length=253, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.NEWS)
    published_at = models.DateField(null=True, blank=True)

    fetch_state = models.CharField(
        max_length=10, choices=FetchState.choices, default=FetchState.PENDING
    )
    fetch_error = models.TextField(blank=True)
    http_status = models.PositiveIntegerField(null=True, blank=True)
    final_url = models.URLField(max_length=2000, blank=True, validators=[validate_http_url])
    content_type = models.CharField(max_length=100, blank=True)
    text_sha256 = models.CharField(max_length=64, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    link_state = models.CharField(
        max_length=10, choices=LinkState.choices, default=LinkState.UNKNOWN
    )
    checks_stopped = models.BooleanField(
        default=False,
        help_text="A person stopped the link checks of this source (nothing else does: a "
        "refused re-check is tried again on the normal schedule).",
    )
    last_checked_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FoldedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_text"])
    # Not columns: what django-simple-history records with the next save.
    _history_user: User | None
    _change_reason: str

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["domain"], name="source_domain"),
            models.Index(fields=["fetch_state", "last_checked_at"], name="source_fetch_checked"),
        ]

    def __str__(self) -> str:
        return self.title or self.url

    def get_absolute_url(self) -> str:
        return reverse("source-detail", args=[self.pk])


class SourceCapture(models.Model):
    """The main text of a source as fetched at one time, kept compressed."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="captures")
    fetched_at = models.DateTimeField(default=timezone.now)
    http_status = models.PositiveIntegerField(null=True, blank=True)
    final_url = models.URLField(max_length=2000, blank=True, validators=[validate_http_url])
    title = models.CharField(max_length=500, blank=True)
    text_sha256 = models.CharField(max_length=64)
    text_compressed = models.BinaryField()
    provided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Set when a person provided the content (upload or paste) instead of a fetch.",
    )
    provided_by_name = models.CharField(
        max_length=150,
        blank=True,
        help_text="Who provided it, kept as written: a deleted account leaves the capture "
        "as provided, so no confirmation resting on it changes.",
    )
    provided_as = models.CharField(
        max_length=200, blank=True, help_text="File name or 'pasted text'."
    )
    wire = models.CharField(
        max_length=200, blank=True, help_text="The wire service its text credits, if any."
    )
    wire_credit = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["source", "-fetched_at"]
        get_latest_by = "fetched_at"

    def __str__(self) -> str:
        how = f" (provided by {self.provided_by_name})" if self.provided_by_name else ""
        return f"{self.source} at {self.fetched_at:%Y-%m-%d %H:%M}{how}"

    @property
    def text(self) -> str:
        return zlib.decompress(bytes(self.text_compressed)).decode("utf-8")

    @staticmethod
    def compress(text: str) -> bytes:
        return zlib.compress(text.encode("utf-8"), level=6)


class ProvidedFile(models.Model):
    """A PDF or HTML file uploaded as a source's content, waiting to be read by the job
    ``claims.read_provided_file`` (off the web request, on a budget). Its bytes are kept
    until it is read; then it is ``done`` (a capture was saved) or ``failed`` (``error``
    says why)."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be read"
        READING = "reading", "Reading"
        DONE = "done", "Read"
        FAILED = "failed", "Could not be read"

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="provided_files")
    name = models.CharField(max_length=200, help_text="The uploaded file's name.")
    data = models.BinaryField(help_text="The uploaded bytes; emptied once the file is read.")
    size = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=500, blank=True, help_text="A title given by hand.")
    provided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    error = models.TextField(blank=True)
    note = models.CharField(max_length=200, blank=True, help_text="E.g. the text was cut.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "started_at"], name="provided_state_started")]

    def __str__(self) -> str:
        return f"{self.name} for {self.source}"

    @property
    def is_active(self) -> bool:
        return self.state in (self.State.PENDING, self.State.READING)


class Publisher(models.Model):
    """A publisher and the domains it publishes under (bbc.com, bbc.co.uk, bbci.co.uk).

    Sources and articles on any of its domains are one publisher for the confirmation
    rule. A wire service also lists the credits that mark its copy (``(Reuters)``): a
    page carrying one counts as that wire as well as its own publisher.
    """

    name = models.CharField(max_length=200, unique=True)
    url = models.URLField(max_length=500, blank=True)
    wire_credits = models.JSONField(
        default=list,
        blank=True,
        help_text="Regular expressions that find this wire's datelines or credits "
        "at the top or bottom of a text, e.g. \\(Reuters\\).",
    )
    cite = models.URLField(max_length=500, blank=True, help_text="Where the domains come from.")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PublisherDomain(models.Model):
    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(
        max_length=253,
        unique=True,
        help_text="A registered domain (bbc.co.uk) or a host (abcnews.go.com), lower case.",
    )

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.CheckConstraint(
                condition=Q(domain=Lower("domain")) & ~Q(domain=""), name="publisher_domain_lower"
            )
        ]

    def __str__(self) -> str:
        return self.domain

    def clean(self) -> None:
        self.domain = self.domain.strip().lower().removeprefix("www.").rstrip(".")
