"""Evidence: the link between a claim and a source, with its stance and quoted excerpt."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from simple_history.models import HistoricalRecords

from claims.models import counts as article_counts
from claims.models.sources import Source

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from claims.confirmation.rule import EvidenceVerdict


class EvidenceStance(models.TextChoices):
    """``Evidence.Stance``: what a source says about the claim."""

    SUPPORTS = "supports", "Supports"
    REFUTES = "refutes", "Refutes"
    CONTEXT = "context", "Context"


class EvidenceQuerySet(models.QuerySet["Evidence"]):
    """Bulk writes that keep the articles' stored counts in step (``counts``: a refuting
    source makes a claim contradicted)."""

    def bulk_create(
        self,
        objs: Iterable[Any],
        batch_size: int | None = None,
        ignore_conflicts: bool = False,
        update_conflicts: bool = False,
        update_fields: Collection[str] | None = None,
        unique_fields: Collection[str] | None = None,
    ) -> list[Any]:
        objs = list(objs)
        with transaction.atomic():
            made: list[Any] = super().bulk_create(
                objs,
                batch_size=batch_size,
                ignore_conflicts=ignore_conflicts,
                update_conflicts=update_conflicts,
                update_fields=update_fields,
                unique_fields=unique_fields,
            )
            article_counts.refresh_claims(obj.claim_id for obj in objs)
        return made

    def bulk_update(
        self, objs: Iterable[Any], fields: Iterable[str], batch_size: int | None = None
    ) -> int:
        objs, fields = list(objs), list(fields)
        if not article_counts.touches(fields, article_counts.EVIDENCE_FIELDS):
            return super().bulk_update(objs, fields, batch_size=batch_size)
        with transaction.atomic():
            before = self._claims_of(obj.pk for obj in objs)
            done = super().bulk_update(objs, fields, batch_size=batch_size)
            article_counts.refresh_claims([*before, *(obj.claim_id for obj in objs)])
        return done

    def update(self, **kwargs: Any) -> int:
        if not article_counts.touches(kwargs, article_counts.EVIDENCE_FIELDS):
            return super().update(**kwargs)
        with transaction.atomic():
            keys = list(self.values_list("pk", flat=True))
            before = self._claims_of(keys)
            done = super().update(**kwargs)
            article_counts.refresh_claims([*before, *self._claims_of(keys)])
        return done

    def delete(self) -> tuple[int, dict[str, int]]:
        with transaction.atomic():
            claims = self._claims_of(self.values_list("pk", flat=True))
            deleted = super().delete()
            article_counts.refresh_claims(claims)
        return deleted

    def _claims_of(self, evidence_ids: Iterable[int]) -> list[int]:
        rows: models.QuerySet[Evidence] = models.QuerySet(self.model)
        found = rows.filter(pk__in=list(evidence_ids)).values_list("claim_id", flat=True)
        return list(found.distinct())


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

    objects = EvidenceQuerySet.as_manager()
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

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saved, and the stored counts of its claim's article recounted when its stance
        or claim is written (``counts.refresh``, in the same transaction)."""
        written = kwargs.get("update_fields")
        if not article_counts.touches(written, article_counts.EVIDENCE_FIELDS):
            return super().save(*args, **kwargs)
        with transaction.atomic():
            before = Evidence.objects.filter(pk=self.pk).values_list("claim_id", flat=True)
            moved_from = list(before) if self.pk else []
            super().save(*args, **kwargs)
            article_counts.refresh_claims([self.claim_id, *moved_from])
        return None

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        with transaction.atomic():
            deleted = super().delete(*args, **kwargs)
            article_counts.refresh_claims([self.claim_id])
        return deleted

    @property
    def excerpt_found(self) -> bool | None:
        if self.quote_check in (self.QuoteCheck.FOUND, self.QuoteCheck.APPROXIMATE):
            return True
        if self.quote_check == self.QuoteCheck.NOT_FOUND:
            return False
        return None
