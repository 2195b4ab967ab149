"""Claim memory: archived fact-checks, matches between claims, and embeddings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from claims.models.events import EventKind, record
from claims.models.validators import validate_http_url

if TYPE_CHECKING:
    from django.contrib.auth.models import User


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

    claim = models.ForeignKey("Claim", on_delete=models.CASCADE, related_name="matches")
    matched_claim = models.ForeignKey(
        "Claim", null=True, blank=True, on_delete=models.CASCADE, related_name="matched_by"
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

    def dismiss(self, *, by: User, note: str = "") -> None:
        """Hide the match for this claim (kept, so matching does not suggest it again)."""
        self.decide(self.State.DISMISSED, by=by, reason=note or "dismissed")

    def decide(self, state: str, *, by: User, reason: str) -> None:
        """Accept or dismiss the match (with its ``match_accepted``/``match_dismissed``
        event)."""
        self.state = state
        self.decided_by = by
        self.decided_at = timezone.now()
        self._history_user = by
        self._change_reason = reason
        kind = {
            MatchState.ACCEPTED: EventKind.MATCH_ACCEPTED,
            MatchState.DISMISSED: EventKind.MATCH_DISMISSED,
        }[MatchState(state)]
        with transaction.atomic():
            self.save(update_fields=["state", "decided_by", "decided_at", "updated_at"])
            record(self.claim, kind, sentence=reason, by=by, match=self.pk,
                   matched_claim=self.matched_claim_id, factcheck=self.factcheck_id)  # fmt: skip


class Embedding(models.Model):
    """The sentence embedding of a claim or a fact-check, computed once in the background
    (``claims.embed_pending``) and used by matching. ``model_version`` and ``text_sha``
    say what it was computed from: a new model or a changed text makes it pending again."""

    claim = models.OneToOneField(
        "Claim", null=True, blank=True, on_delete=models.CASCADE, related_name="embedding"
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
