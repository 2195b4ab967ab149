"""Evidence: the link between a claim and a source, with its stance and quoted excerpt."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from claims.models.sources import Source

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from claims.confirmation.rule import EvidenceVerdict


class EvidenceStance(models.TextChoices):
    """``Evidence.Stance``: what a source says about the claim."""

    SUPPORTS = "supports", "Supports"
    REFUTES = "refutes", "Refutes"
    CONTEXT = "context", "Context"


class Evidence(models.Model):
    Stance = EvidenceStance

    # Not columns: what django-simple-history records with the next save, and the
    # confirmation rule's verdict the review panel shows beside each link.
    _history_user: User | None
    _change_reason: str
    verdict: EvidenceVerdict | None

    class QuoteCheck(models.TextChoices):
        UNCHECKED = "unchecked", "Not checked yet"
        FOUND = "found", "Found in source"
        APPROXIMATE = "approximate", "Found approximately"
        NOT_FOUND = "not_found", "Not found in source"
        NO_EXCERPT = "no_excerpt", "No excerpt"

    claim = models.ForeignKey("Claim", on_delete=models.CASCADE, related_name="evidence")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="evidence")
    stance = models.CharField(max_length=10, choices=Stance.choices)
    excerpt = models.TextField(blank=True)
    quote_check = models.CharField(
        max_length=12, choices=QuoteCheck.choices, default=QuoteCheck.UNCHECKED
    )
    quote_score = models.FloatField(null=True, blank=True)
    quote_matched = models.TextField(blank=True)
    quote_reason = models.TextField(
        blank=True,
        help_text="Why the excerpt was not found although a passage came close (a negation, "
        "a contrasting word, a figure), or why it was not looked for (too short).",
    )
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
            # "Source problem" (supporting evidence on a dead or changed source) is asked
            # of every claim in every list too: from the few such sources to their claims,
            # index only (without it PostgreSQL reads every supporting row: 33 ms at
            # 1,000,000 claims, twice per list query; with it 1 ms).
            models.Index(
                fields=["source", "claim"],
                condition=Q(stance="supports"),
                name="evidence_supporting_source",
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
