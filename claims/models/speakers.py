"""Speakers: the people and organisations claims are attributed to (issue 32).

A claim keeps its ``speaker`` as the article states it ("Dr Okafor"); its
``speaker_record`` is the ``Speaker`` that name stands for, one record across variants
and articles. ``SpeakerAlias`` holds every variant seen; its ``key`` (the name folded by
``claims.text.names.key``) is set only for a distinctive name (a full name, a named
organisation), the ones that find the same speaker in another article. Editors merge,
split and edit aliases through ``claims.review.speakers``; both models keep their
history (django-simple-history, the change reason saying what happened).
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from claims.text import names


class SpeakerKind(models.TextChoices):
    PERSON = names.PERSON, "Person"
    ORGANISATION = names.ORGANISATION, "Organisation"
    GROUP = names.GROUP, "Group of people"  # "officials": vague, but someone speaking


class SpeakerQuerySet(models.QuerySet["Speaker"]):
    def current(self) -> SpeakerQuerySet:
        """Records not merged into another."""
        return self.filter(merged_into__isnull=True)

    def with_claim_count(self) -> SpeakerQuerySet:
        return self.annotate(claim_count=models.Count("claims", distinct=True))


class Speaker(models.Model):
    Kind = SpeakerKind

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PERSON)
    role = models.CharField(
        max_length=200, blank=True, help_text='The role or title as stated ("medical director").'
    )
    wikidata_id = models.CharField(
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^Q[1-9][0-9]*$", "A Wikidata id looks like Q42.")],
        help_text="Typed by an editor (Q42); never guessed.",
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SpeakerQuerySet.as_manager()
    history = HistoricalRecords()
    claim_count: int  # with_claim_count

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["name"], name="speaker_name")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(merged_into=models.F("pk")), name="speaker_not_merged_into_self"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("speaker-detail", args=[self.pk])

    @property
    def alias_names(self) -> list[str]:
        return sorted({alias.name for alias in self.aliases.all()} - {self.name})


class SpeakerAlias(models.Model):
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    key = models.CharField(
        max_length=200,
        blank=True,
        help_text="Set for a distinctive name: it finds the speaker elsewhere.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["key"], name="speaker_alias_key")]
        constraints = [
            models.UniqueConstraint(fields=["speaker", "name"], name="speaker_alias_unique"),
        ]

    def __str__(self) -> str:
        return self.name
