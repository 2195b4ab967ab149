"""Confirmation records: the basis (wording and evidence) a claim was confirmed on."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class ConfirmationRefused(Exception):
    """The confirmation rule does not allow this claim to be confirmed yet: ``reason``
    is why, alone (for lists); the message is the sentence people read."""

    def __init__(self, reason: str, *, message: str = "") -> None:
        super().__init__(message or reason)
        self.reason = reason


class Confirmation(models.Model):
    """One confirm act, kept as it was: who, when, why, the wording confirmed and the
    evidence that satisfied the rule (with each source's capture hash and quote result).
    Rows are never changed; a later confirmation is a new row."""

    # PROTECT: no path deletes a claim that has records (merges refuse, see review.edits).
    claim = models.ForeignKey("Claim", on_delete=models.PROTECT, related_name="confirmations")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    wording = models.TextField(help_text="The claim's text as confirmed, normalised.")
    wording_sha256 = models.CharField(max_length=64)
    standalone = models.TextField(
        blank=True, help_text="The claim as published (ClaimReview's claimReviewed), as confirmed."
    )
    speaker = models.CharField(
        max_length=200, blank=True, help_text="The speaker as published (the claim's author)."
    )
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

    @classmethod
    def latest_for(cls, claim_id: int) -> Confirmation | None:
        """The claim's latest record: what it stands confirmed on (and is published as)."""
        return cls.objects.filter(claim_id=claim_id).order_by("-confirmed_at", "-pk").first()


class AuditRun(models.Model):
    """One run of the confirmation audit (``audit_confirmations``): every confirmed claim
    re-judged on its current basis; the safety net behind ``basis_change``."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    checked = models.PositiveIntegerField(default=0)
    lapsed = models.PositiveIntegerField(default=0)
    findings = models.JSONField(
        default=list, help_text="Each claim lapsed: its id and the cause named in its history."
    )
    counts_repaired = models.PositiveIntegerField(
        default=0,
        help_text="Articles whose stored claim counts differed from a recount (rewritten).",
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        get_latest_by = "started_at"

    def __str__(self) -> str:
        when = f"{self.started_at:%Y-%m-%d %H:%M}"
        return f"audit of {when}: {self.checked} checked, {self.lapsed} lapsed"
