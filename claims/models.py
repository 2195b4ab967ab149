"""The domain: articles and their revisions, claims, sources, captures and evidence.

Changes to one row are model methods with verb names (``claim.assign(to=..., by=...)``);
workflows over several models live in the topic modules (``ingest.py``, ``status.py``
for confirm, unconfirm and re-evaluate, ``verification.py``, ``sources.py``...). Every model keeps
its history (django-simple-history), and the reason for a change travels as the
history's ``history_change_reason``.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .cleaning import validate_http_url

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


class ConfirmationRefused(Exception):
    """The confirmation rule does not allow this claim to be confirmed yet."""


class ArticleState(models.TextChoices):
    """``Article.State``: where an article is in its extraction job."""

    QUEUED = "queued", "Queued"
    PROCESSING = "processing", "Processing"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Article(models.Model):
    State = ArticleState

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
    published_at = models.DateField(null=True, blank=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.PASTE)
    body = models.TextField(blank=True, help_text="The current revision's text, as received.")
    revision = models.PositiveIntegerField(default=1)
    dropped = models.JSONField(
        default=list, blank=True, help_text="Boilerplate and repeated blocks left out."
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

    history = HistoricalRecords()

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

    def requeue(self, *, by: AbstractBaseUser | None = None, reason: str = "") -> None:
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


def with_light_article(queryset: models.QuerySet, *paths: str) -> models.QuerySet:
    """``queryset.select_related(*paths)`` (``"article"``, ``"claim__article"``...) without
    the articles' text: rows that name their article must not each load its body."""
    text = [f"{path}__{name}" for path in paths for name in Article.TEXT_FIELDS]
    return queryset.select_related(*paths).defer(*text)


class ClaimQuerySet(models.QuerySet):
    """The claim annotations and filters the lists, the API, the exports and the desk
    share: ``Claim.objects.with_flags().search("Nairobi")``."""

    def with_light_article(self) -> ClaimQuerySet:
        return with_light_article(self, "article")

    def with_contradicted(self) -> ClaimQuerySet:
        """Annotate ``contradicted``: some evidence refutes the claim."""
        refuting = Evidence.objects.filter(claim=OuterRef("pk"), stance=Evidence.Stance.REFUTES)
        return self.annotate(contradicted=Exists(refuting))

    def with_review_flag(self) -> ClaimQuerySet:
        """Annotate ``source_problem`` (a supporting source died or changed) and
        ``needs_review``: the claim needs re-review (its confirmation lapsed), or it is
        confirmed and a supporting source changed since (the excerpt is still found)."""
        problem = Exists(_problem_evidence())
        return self.annotate(
            source_problem=problem,
            needs_review=models.Case(
                models.When(status=Claim.Status.NEEDS_REREVIEW, then=models.Value(True)),
                models.When(problem, status=Claim.Status.CONFIRMED, then=models.Value(True)),
                default=models.Value(False),
                output_field=models.BooleanField(),
            ),
        )

    def with_match_flag(self) -> ClaimQuerySet:
        """Annotate ``has_match``: the claim has a match that was not dismissed."""
        live = ClaimMatch.objects.filter(claim=OuterRef("pk")).exclude(
            state=ClaimMatch.State.DISMISSED
        )
        return self.annotate(has_match=Exists(live))

    def with_flags(self) -> ClaimQuerySet:
        """``contradicted``, ``source_problem``, ``needs_review`` and ``has_match``: what
        the lists show and filter on."""
        return self.with_contradicted().with_review_flag().with_match_flag()

    def with_public_slug(self) -> ClaimQuerySet:
        """Annotate the published verdict page's slug (``public_slug``, or None)."""
        pages = VerdictPage.objects.filter(claim=OuterRef("pk"), published=True)
        return self.annotate(public_slug=Subquery(pages.values("slug")[:1]))

    def for_export(self) -> ClaimQuerySet:
        """With what every export reads: article, evidence with sources, ``contradicted``
        and ``public_slug``."""
        evidence = Evidence.objects.select_related("source", "added_by").order_by("added_at", "pk")
        return (
            self.with_light_article()
            .with_contradicted()
            .with_public_slug()
            .prefetch_related(models.Prefetch("evidence", queryset=evidence))
        )

    def needing_review(self) -> ClaimQuerySet:
        """Claims whose confirmation lapsed, and confirmed claims on a dead or changed
        source."""
        lapsed = Q(status=Claim.Status.NEEDS_REREVIEW)
        return self.filter(
            lapsed | (Q(status=Claim.Status.CONFIRMED) & Q(Exists(_problem_evidence())))
        )

    def search(self, term: str) -> ClaimQuerySet:
        """Claims whose text has the words of ``term`` (the last maybe unfinished), by the
        full-text index: see ``claims/search.py``."""
        return self.filter(text__matches=term)


def _problem_evidence() -> models.QuerySet:
    """Supporting evidence of the outer claim on a source that died or changed."""
    return Evidence.objects.filter(
        claim=OuterRef("pk"),
        stance=Evidence.Stance.SUPPORTS,
        source__link_state__in=(Source.LinkState.DEAD, Source.LinkState.CHANGED),
    )


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


class ClaimStatus(models.TextChoices):
    """``Claim.Status``: where a claim is in its verification."""

    UNCONFIRMED = "unconfirmed", "Unconfirmed"
    CONFIRMED = "confirmed", "Confirmed"
    # It was confirmed, and the basis of that confirmation has lapsed since.
    NEEDS_REREVIEW = "needs_rereview", "Needs re-review"


class Claim(models.Model):
    Status = ClaimStatus

    class Type(models.TextChoices):
        QUANTITY = "quantity", "Quantity / statistic"
        STATEMENT = "statement", "Quote / statement"
        EVENT = "event", "Event"
        PREDICTION = "prediction", "Prediction / promise"
        OPINION = "opinion", "Opinion"
        OTHER = "other", "Other"

    class Factuality(models.TextChoices):
        ASSERTED = "asserted", "Asserted"
        HEDGED = "hedged", "Hedged"
        UNVERIFIED_REPORT = "unverified_report", "Unverified report"
        CONDITIONAL = "conditional", "Conditional"
        QUESTION = "question", "Question"
        PREDICTED = "predicted", "Predicted"

    class Origin(models.TextChoices):
        EXTRACTED = "extracted", "Extracted"
        MANUAL = "manual", "Created by hand"
        SPLIT = "split", "Split"
        MERGED = "merged", "Merged"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="claims")
    revision = models.PositiveIntegerField(help_text="The article revision the offsets index.")
    sentence_index = models.PositiveIntegerField(default=0)
    text = models.TextField()
    # W3C Web Annotation anchors: TextPositionSelector (start, end) and
    # TextQuoteSelector (exact = text, prefix, suffix).
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    occurrences = models.JSONField(default=list, blank=True)

    checkworthiness = models.FloatField(default=0.0)
    check_worthy = models.BooleanField(default=False)
    checkworthiness_model = models.CharField(
        max_length=40,
        blank=True,
        help_text="The model that refined the score in the background (empty: the "
        "extraction's linear score).",
    )
    claim_type = models.CharField(max_length=12, choices=Type.choices, default=Type.OTHER)
    hedged = models.BooleanField(default=False)
    hedge_cues = models.JSONField(default=list, blank=True)
    factuality = models.CharField(
        max_length=20, choices=Factuality.choices, default=Factuality.ASSERTED
    )
    factuality_cues = models.JSONField(default=list, blank=True)
    speaker = models.CharField(max_length=200, blank=True)
    attribution = models.JSONField(null=True, blank=True)
    attributions = models.JSONField(default=list, blank=True)
    standalone = models.TextField(blank=True, help_text="The claim rewritten to read alone.")
    entities = models.JSONField(default=list, blank=True)
    corrected_fields = models.JSONField(
        default=list,
        blank=True,
        help_text="Machine labels a person corrected: re-extraction leaves them alone.",
    )
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.EXTRACTED)
    pipeline_version = models.CharField(max_length=40, blank=True)

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UNCONFIRMED)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_note = models.TextField(blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_claims",
    )
    orphaned = models.BooleanField(
        default=False, help_text="Its text could not be found again after an edit."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClaimQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["article", "start", "pk"]
        indexes = [
            models.Index(fields=["article", "-checkworthiness"], name="claim_article_score"),
            models.Index(fields=["status", "-checkworthiness"], name="claim_status_score"),
            models.Index(fields=["-checkworthiness", "-id"], name="claim_score"),
            models.Index(fields=["assignee", "status"], name="claim_assignee_status"),
            models.Index(fields=["speaker"], name="claim_speaker"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="claim_offsets_ordered"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ClaimStatus.values),
                name="claim_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(checkworthiness__gte=0) & Q(checkworthiness__lte=1),
                name="claim_checkworthiness_range",
            ),
            models.UniqueConstraint(
                fields=["article", "revision", "start", "end"], name="claim_unique_anchor"
            ),
        ]

    def __str__(self) -> str:
        return self.text if len(self.text) <= 80 else self.text[:77] + "..."

    def get_absolute_url(self) -> str:
        return reverse("article-detail", args=[self.article_id]) + f"?claim={self.pk}"

    @property
    def is_contradicted(self) -> bool:
        annotated = getattr(self, "contradicted", None)
        if annotated is not None:
            return bool(annotated)
        return self.evidence.filter(stance=Evidence.Stance.REFUTES).exists()

    def set_status(
        self, status: str, *, by: AbstractBaseUser | None, reason: str, note: str = ""
    ) -> None:
        """Record a status change with who and why. Only ``verification`` calls this: it
        decides whether the confirmation rule allows the change."""
        self.status = status
        self.status_changed_by = by
        self.status_changed_at = timezone.now()
        self.status_note = note
        self._history_user = by
        self._change_reason = reason
        self.save(
            update_fields=[
                "status",
                "status_changed_by",
                "status_changed_at",
                "status_note",
                "updated_at",
            ]
        )

    def correct(self, field: str, value: Any, *, by: AbstractBaseUser, reason: str) -> None:
        """Set a machine label by hand (``CORRECTABLE``); from then on it is human-set and
        re-extraction does not overwrite it. The history says from what to what, and why."""
        if field not in CORRECTABLE:
            raise ValueError(f"{field} cannot be corrected.")
        before = self.label_of(field)
        setattr(self, field, value)
        fields = [field, "corrected_fields", "updated_at"]
        if field == "factuality":
            self.hedged = value in HEDGING_FACTUALITY
            fields.append("hedged")
        self.corrected_fields = sorted({*self.corrected_fields, field})
        self._history_user = by
        self._change_reason = (
            f"{CORRECTABLE[field]} corrected from {before} to {self.label_of(field)} by {by}"
            + (f": {reason}" if reason else "")
        )
        self.save(update_fields=fields)

    def label_of(self, field: str) -> str:
        """A field's value as people read it: the choice's label, yes/no, or "nobody"."""
        display = getattr(self, f"get_{field}_display", None)
        if display is not None:
            return str(display())
        value = getattr(self, field)
        if isinstance(value, bool):
            return "yes" if value else "no"
        return str(value) if value else "nobody"

    def assign(self, *, to: AbstractBaseUser | None, by: AbstractBaseUser) -> None:
        self.assignee = to
        self._history_user = by
        self._change_reason = f"assigned to {to}" if to else "unassigned"
        self.save(update_fields=["assignee", "updated_at"])


# Machine labels a reviewer may correct in the panel, with the name the history uses.
# A field added here needs a widget in ``forms.CorrectionForm.VALUES`` too.
CORRECTABLE = {
    "speaker": "speaker",
    "claim_type": "claim type",
    "check_worthy": "check-worthy",
    "factuality": "factuality",
}
# Not asserted as established fact: what ``hedged`` means (``claims/nlp/factuality.py``).
HEDGING_FACTUALITY = {"hedged", "unverified_report", "conditional", "question"}


class Source(models.Model):
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
    last_checked_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

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
        how = f" (provided by {self.provided_by})" if self.provided_by_id else ""
        return f"{self.source} at {self.fetched_at:%Y-%m-%d %H:%M}{how}"

    @property
    def text(self) -> str:
        return zlib.decompress(bytes(self.text_compressed)).decode("utf-8")

    @staticmethod
    def compress(text: str) -> bytes:
        return zlib.compress(text.encode("utf-8"), level=6)


class EvidenceStance(models.TextChoices):
    """``Evidence.Stance``: what a source says about the claim."""

    SUPPORTS = "supports", "Supports"
    REFUTES = "refutes", "Refutes"
    CONTEXT = "context", "Context"


class Evidence(models.Model):
    Stance = EvidenceStance

    class QuoteCheck(models.TextChoices):
        UNCHECKED = "unchecked", "Not checked yet"
        FOUND = "found", "Found in source"
        APPROXIMATE = "approximate", "Found approximately"
        NOT_FOUND = "not_found", "Not found in source"
        NO_EXCERPT = "no_excerpt", "No excerpt"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="evidence")
    stance = models.CharField(max_length=10, choices=Stance.choices)
    excerpt = models.TextField(blank=True)
    quote_check = models.CharField(
        max_length=12, choices=QuoteCheck.choices, default=QuoteCheck.UNCHECKED
    )
    quote_score = models.FloatField(null=True, blank=True)
    quote_matched = models.TextField(blank=True)
    quote_sha256 = models.CharField(
        max_length=64, blank=True, help_text="The capture text the quote check ran against."
    )
    note = models.TextField(blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    added_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["claim", "added_at", "pk"]
        verbose_name_plural = "evidence"
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "source"], name="evidence_unique_claim_source"
            ),
            models.CheckConstraint(
                condition=Q(stance__in=EvidenceStance.values),
                name="evidence_stance_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["source", "stance"], name="evidence_source_stance"),
            # "Contradicted" is asked of every claim in every list.
            models.Index(
                fields=["claim"], condition=Q(stance="refutes"), name="evidence_refuting_claim"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stance_display()}: {self.source}"

    @property
    def excerpt_found(self) -> bool | None:
        if self.quote_check in (self.QuoteCheck.FOUND, self.QuoteCheck.APPROXIMATE):
            return True
        if self.quote_check == self.QuoteCheck.NOT_FOUND:
            return False
        return None


# --- Publishers and confirmations (``verification.py``, ``confirmation.py``) --------------


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


class Confirmation(models.Model):
    """One confirm act, kept as it was: who, when, why, the wording confirmed and the
    evidence that satisfied the rule (with each source's capture hash and quote result).
    Rows are never changed; a later confirmation is a new row."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="confirmations")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    wording = models.TextField(help_text="The claim's text as confirmed, normalised.")
    wording_sha256 = models.CharField(max_length=64)
    basis = models.JSONField(
        default=list, help_text="The counting evidence: source, publisher, capture, quote check."
    )
    required = models.PositiveIntegerField(help_text="Publishers the rule required then.")

    class Meta:
        ordering = ["claim", "-confirmed_at", "-pk"]
        get_latest_by = "confirmed_at"

    def __str__(self) -> str:
        when = f"{self.confirmed_at:%Y-%m-%d %H:%M}"
        return f"#{self.claim_id} confirmed by {self.confirmed_by} at {when}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("A confirmation is a record of what happened; it is never changed.")
        super().save(*args, **kwargs)


# --- Claim memory: fact-check archives and matches (``matching.py``) ----------------------


class FactCheck(models.Model):
    """A previously checked claim from a fact-check archive (ClaimReview, JSON Lines, CSV)."""

    archive_id = models.CharField(
        max_length=500, unique=True, help_text="The archive's id for the entry, or its URL."
    )
    text = models.TextField(help_text="The claim that was reviewed.")
    title = models.CharField(max_length=500, blank=True)
    url = models.URLField(max_length=2000, blank=True, validators=[validate_http_url])
    rating = models.CharField(max_length=200, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    date = models.DateField(null=True, blank=True, help_text="When the fact-check appeared.")
    imported_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = "fact-check"

    def __str__(self) -> str:
        text = self.title or self.text
        return text if len(text) <= 80 else text[:77] + "..."


class MatchState(models.TextChoices):
    """``ClaimMatch.State``: where a suggested match is in its review."""

    SUGGESTED = "suggested", "Suggested"
    LINKED = "linked", "Linked for review"
    ACCEPTED = "accepted", "Accepted"
    DISMISSED = "dismissed", "Dismissed"


class ClaimMatch(models.Model):
    """A claim that says what an earlier claim, or an archived fact-check, said."""

    State = MatchState

    UNDECIDED = (State.SUGGESTED, State.LINKED)

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="matches")
    matched_claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="matched_by"
    )
    factcheck = models.ForeignKey(
        FactCheck, null=True, blank=True, on_delete=models.CASCADE, related_name="matches"
    )
    score = models.FloatField(help_text="Calibrated probability that the two say the same.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.SUGGESTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["claim", "-score", "pk"]
        verbose_name_plural = "claim matches"
        indexes = [models.Index(fields=["claim", "state"], name="match_claim_state")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(matched_claim__isnull=False) & Q(factcheck__isnull=True))
                | (Q(matched_claim__isnull=True) & Q(factcheck__isnull=False)),
                name="match_one_target",
            ),
            models.CheckConstraint(
                condition=~Q(matched_claim=models.F("claim")), name="match_not_itself"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=1), name="match_score_range"
            ),
            models.CheckConstraint(
                condition=Q(state__in=MatchState.values),
                name="match_state_valid",
            ),
            models.UniqueConstraint(
                fields=["claim", "matched_claim"],
                condition=Q(matched_claim__isnull=False),
                name="match_unique_claim",
            ),
            models.UniqueConstraint(
                fields=["claim", "factcheck"],
                condition=Q(factcheck__isnull=False),
                name="match_unique_factcheck",
            ),
        ]

    def __str__(self) -> str:
        target = f"claim #{self.matched_claim_id}" if self.matched_claim_id else self.factcheck
        return f"#{self.claim_id} ~ {target} ({self.score:.2f})"

    @property
    def is_undecided(self) -> bool:
        return self.state in self.UNDECIDED

    def dismiss(self, *, by: AbstractBaseUser, note: str = "") -> None:
        """Hide the match for this claim (kept, so matching does not suggest it again)."""
        self.decide(self.State.DISMISSED, by=by, reason=note or "dismissed")

    def decide(self, state: str, *, by: AbstractBaseUser, reason: str) -> None:
        self.state = state
        self.decided_by = by
        self.decided_at = timezone.now()
        self._history_user = by
        self._change_reason = reason
        self.save(update_fields=["state", "decided_by", "decided_at", "updated_at"])


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


class Embedding(models.Model):
    """The sentence embedding of a claim or a fact-check, computed once in the background
    (``claims.embed_pending``) and used by matching. ``model_version`` and ``text_sha``
    say what it was computed from: a new model or a changed text makes it pending again."""

    claim = models.OneToOneField(
        Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="embedding"
    )
    factcheck = models.OneToOneField(
        FactCheck, null=True, blank=True, on_delete=models.CASCADE, related_name="embedding"
    )
    model_version = models.CharField(max_length=100)
    text_sha = models.CharField(max_length=64, help_text="SHA-256 of the text embedded.")
    vector = models.BinaryField(help_text="float32 little-endian, L2-normalised.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(claim__isnull=False) & Q(factcheck__isnull=True))
                | (Q(claim__isnull=True) & Q(factcheck__isnull=False)),
                name="embedding_one_target",
            ),
        ]
        indexes = [models.Index(fields=["model_version"], name="embedding_version")]

    def __str__(self) -> str:
        target = f"claim #{self.claim_id}" if self.claim_id else f"fact-check #{self.factcheck_id}"
        return f"{target} ({self.model_version})"


# --- Public verdict pages (``verdicts.py``) --------------------------------------------------


class VerdictPage(models.Model):
    """A claim's verdict published at ``/verdicts/<slug>/``, readable without a login.

    An editor publishes and unpublishes it; the page always shows the claim's verdict as
    it is now, so a published claim that lapses (needs re-review) or is unconfirmed stops
    showing its old verdict and its ClaimReview at once."""

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, related_name="verdict_page")
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

    class Meta:
        ordering = ["-published_at", "-pk"]
        permissions = [("publish_verdict", "Can publish and unpublish verdict pages")]

    def __str__(self) -> str:
        state = "published" if self.published else "unpublished"
        return f"/verdicts/{self.slug}/ ({state})"

    def get_absolute_url(self) -> str:
        return reverse("verdict-public", args=[self.slug])

    def publish(self, *, by: AbstractBaseUser) -> None:
        self.published = True
        self.published_by = by
        self.published_at = timezone.now()
        self._history_user = by
        self._change_reason = "published"
        self.save()

    def unpublish(self, *, by: AbstractBaseUser | None, reason: str = "unpublished") -> None:
        self.published = False
        self._history_user = by
        self._change_reason = reason
        self.save(update_fields=["published", "updated_at"])


# --- Newsroom integration: stories from a CMS, feeds, webhooks ------------------------------


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
    """An outlet's RSS/Atom feed or sitemap, polled every ``every`` seconds (``feeds.py``)."""

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
    """One story seen in a feed, by canonical URL: ingested once, however often it is seen."""

    url = models.URLField(max_length=2000, unique=True, validators=[validate_http_url])
    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="items")
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=300, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-first_seen_at", "-pk"]

    def __str__(self) -> str:
        return self.title or self.url


class WebhookSubscriber(models.Model):
    """A URL that receives signed JSON events (``webhooks.py``)."""

    url = models.URLField(max_length=2000, validators=[validate_http_url])
    secret = models.CharField(max_length=200, help_text="Signs each body (HMAC-SHA256).")
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
