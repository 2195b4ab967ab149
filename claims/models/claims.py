"""Claims: spans of an article revision, with their labels, status and queryset."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from claims.models import counts as article_counts
from claims.models.articles import Article, with_light_article
from claims.models.confirmation import Confirmation
from claims.models.events import EventKind, record
from claims.models.evidence import Evidence
from claims.models.memory import ClaimMatch
from claims.models.publication import VerdictPage
from claims.models.search import (
    FoldedSearch,
    folded_bulk_create,
    folded_bulk_update,
    folded_update,
)
from claims.models.sources import Source
from claims.models.speakers import Speaker

if TYPE_CHECKING:
    from datetime import datetime

    from django.contrib.auth.models import User


class ClaimStatus(models.TextChoices):
    """``Claim.Status``: where a claim is in its verification."""

    UNCONFIRMED = "unconfirmed", "Unconfirmed"
    CONFIRMED = "confirmed", "Confirmed"
    # It was confirmed, and the basis of that confirmation has lapsed since.
    NEEDS_REREVIEW = "needs_rereview", "Needs re-review"


def _refuted() -> Exists:
    """Some evidence refutes the outer claim (the partial index ``evidence_refuting_claim``
    answers it)."""
    return Exists(Evidence.objects.filter(claim=OuterRef("pk"), stance=Evidence.Stance.REFUTES))


class ClaimVerdict(models.TextChoices):
    """A claim's verdict, the one every page, count, export and the readiness box show:
    refuting evidence wins (*contradicted*, whatever the status); else a claim confirmed
    now is *confirmed*; anything else (unconfirmed, needs re-review) is *undecided*."""

    CONFIRMED = "confirmed", "Confirmed"
    CONTRADICTED = "contradicted", "Contradicted"
    UNDECIDED = "undecided", "Undecided"

    @classmethod
    def of(cls, *, status: str, contradicted: bool) -> ClaimVerdict:
        """The rule in Python; ``ClaimQuerySet.with_verdict`` is the same rule in SQL."""
        if contradicted:
            return cls.CONTRADICTED
        return cls.CONFIRMED if status == ClaimStatus.CONFIRMED else cls.UNDECIDED


@dataclass(frozen=True)
class ClaimCounts:
    """What ``ClaimQuerySet.counts()`` returns. By verdict, ``confirmed + contradicted +
    undecided == total``; by status, ``unconfirmed`` and ``rereview`` (needs re-review,
    whatever the verdict); and the desk's: ``worthy`` (check-worthy), ``open``
    (check-worthy, unconfirmed and not contradicted: work left), ``hedged`` and
    ``unverified`` (check-worthy, not confirmed, hedged or an unverified report: left in
    the text as a caution)."""

    total: int
    worthy: int
    confirmed: int
    contradicted: int
    undecided: int
    unconfirmed: int
    rereview: int
    open: int
    hedged: int
    unverified: int

    @classmethod
    def conditions(cls) -> dict[str, Q]:
        """Each count's condition on a claim (``Q()``: every claim), in field order."""
        refuted, confirmed = Q(_refuted()), Q(status=ClaimStatus.CONFIRMED)
        unconfirmed = Q(status=ClaimStatus.UNCONFIRMED)
        worthy = Q(check_worthy=True)
        unverified = Q(factuality=Claim.Factuality.UNVERIFIED_REPORT)
        return {
            "total": Q(),
            "worthy": worthy,
            "confirmed": confirmed & ~refuted,
            "contradicted": refuted,
            "undecided": ~confirmed & ~refuted,
            "unconfirmed": unconfirmed,
            "rereview": Q(status=ClaimStatus.NEEDS_REREVIEW),
            "open": worthy & unconfirmed & ~refuted,
            "hedged": worthy & Q(hedged=True) & ~unverified & ~confirmed,
            "unverified": worthy & unverified & ~confirmed,
        }

    @classmethod
    def of(cls, claims: Iterable[Claim]) -> ClaimCounts:
        """The counts of ``counts()`` taken over claims already loaded with the
        ``contradicted`` annotation (``ClaimQuerySet.with_verdict``), by the same
        conditions as ``conditions()`` (a test compares the two on random claims)."""
        tally: dict[str, int] = dict.fromkeys((f.name for f in fields(cls)), 0)
        for claim in claims:
            refuted = bool(claim.contradicted)
            confirmed = claim.status == ClaimStatus.CONFIRMED
            unconfirmed = claim.status == ClaimStatus.UNCONFIRMED
            worthy = bool(claim.check_worthy)
            unverified = claim.factuality == Claim.Factuality.UNVERIFIED_REPORT
            tally["total"] += 1
            tally["worthy"] += worthy
            tally["confirmed"] += confirmed and not refuted
            tally["contradicted"] += refuted
            tally["undecided"] += not confirmed and not refuted
            tally["unconfirmed"] += unconfirmed
            tally["rereview"] += claim.status == ClaimStatus.NEEDS_REREVIEW
            tally["open"] += worthy and unconfirmed and not refuted
            tally["hedged"] += worthy and bool(claim.hedged) and not unverified and not confirmed
            tally["unverified"] += worthy and unverified and not confirmed
        return cls(**tally)


class ClaimQuerySet(models.QuerySet["Claim"]):
    """The claim annotations and filters the lists, the API, the exports and the desk
    share: ``Claim.objects.with_flags().search("Nairobi")``. Its bulk writes keep
    ``search_text`` in step (``search.FoldedQuerySet``'s, written out here: django-stubs
    reads annotations right only on a direct QuerySet subclass)."""

    def bulk_create(
        self,
        objs: Iterable[Any],
        batch_size: int | None = None,
        ignore_conflicts: bool = False,
        update_conflicts: bool = False,
        update_fields: Collection[str] | None = None,
        unique_fields: Collection[str] | None = None,
    ) -> list[Any]:
        objs, update_fields = folded_bulk_create(self.model, objs, update_fields)
        with transaction.atomic():
            made: list[Any] = super().bulk_create(
                objs,
                batch_size=batch_size,
                ignore_conflicts=ignore_conflicts,
                update_conflicts=update_conflicts,
                update_fields=update_fields,
                unique_fields=unique_fields,
            )
            article_counts.refresh(obj.article_id for obj in objs)
        return made

    def bulk_update(
        self, objs: Iterable[Any], fields: Iterable[str], batch_size: int | None = None
    ) -> int:
        objs, fields = folded_bulk_update(self.model, objs, fields)
        with transaction.atomic():
            done = super().bulk_update(objs, fields, batch_size=batch_size)
            if article_counts.touches(fields, article_counts.COUNTED_FIELDS):
                article_counts.refresh(self._articles_of(obj.pk for obj in objs))
        return done

    def update(self, **kwargs: Any) -> int:
        if not article_counts.touches(kwargs, article_counts.COUNTED_FIELDS):
            return folded_update(self, kwargs, super().update)
        with transaction.atomic():
            keys = list(self.values_list("pk", flat=True))
            before = self._articles_of(keys)
            done = folded_update(self, kwargs, super().update)
            moved = {"article", "article_id"} & set(kwargs)
            article_counts.refresh([*before, *(self._articles_of(keys) if moved else [])])
        return done

    def delete(self) -> tuple[int, dict[str, int]]:
        with transaction.atomic():
            articles = self._articles_of(self.values_list("pk", flat=True))
            deleted = super().delete()
            article_counts.refresh(articles)
        return deleted

    def _articles_of(self, claim_ids: Iterable[int]) -> list[int]:
        """The articles of ``claim_ids`` (the stored counts they count in)."""
        rows: models.QuerySet[Claim] = models.QuerySet(self.model)
        found = rows.filter(pk__in=list(claim_ids)).values_list("article_id", flat=True)
        return list(found.distinct())

    def counts_by_article(self) -> dict[int, dict[str, int]]:
        """``counts()`` per article, of the articles that have claims here (in the text),
        in one grouped query: what ``counts.ArticleCounts`` stores."""
        conditions = ClaimCounts.conditions()
        found: dict[int, dict[str, int]] = {}
        for row in self.counts_by_article_query():
            values: dict[str, Any] = dict(row)
            found[values["article_id"]] = {name: values[f"c_{name}"] for name in conditions}
        return found

    def counts_by_article_query(self) -> models.QuerySet[Claim, Any]:
        """The query of ``counts_by_article``: ``article_id``, then one ``c_<name>`` per
        count in ``ClaimCounts`` field order (``counts.recount`` runs its SQL)."""
        conditions = ClaimCounts.conditions()
        return (
            self.in_text()
            .order_by()
            .values("article_id")
            .annotate(**{f"c_{name}": Count("pk", filter=q) for name, q in conditions.items()})
        )

    def with_light_article(self) -> ClaimQuerySet:
        return with_light_article(self, "article")

    def with_verdict(self) -> ClaimQuerySet:
        """Annotate ``contradicted`` (some evidence refutes the claim) and ``verdict``
        (a ``ClaimVerdict`` value): the one place the verdict is decided in SQL."""
        return self.annotate(contradicted=_refuted()).annotate(
            verdict=models.Case(
                models.When(contradicted=True, then=models.Value(ClaimVerdict.CONTRADICTED)),
                models.When(
                    status=ClaimStatus.CONFIRMED, then=models.Value(ClaimVerdict.CONFIRMED)
                ),
                default=models.Value(ClaimVerdict.UNDECIDED),
                output_field=models.CharField(),
            )
        )

    def in_text(self) -> ClaimQuerySet:
        """The claims still found in their article's text (orphans do not count)."""
        return self.filter(orphaned=False)

    def counts(self) -> ClaimCounts:
        """The claims counted by verdict, by status and for the desk (``ClaimCounts``),
        in one aggregate query."""
        counted = {
            name: Count("pk", filter=condition)
            for name, condition in ClaimCounts.conditions().items()
        }
        return ClaimCounts(**self.order_by().aggregate(**counted))

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
        """``contradicted``, ``verdict``, ``source_problem``, ``needs_review`` and
        ``has_match``: what the lists show and filter on."""
        return self.with_verdict().with_review_flag().with_match_flag()

    def with_public_slug(self) -> ClaimQuerySet:
        """Annotate the published verdict page's slug (``public_slug``, or None)."""
        pages = VerdictPage.objects.filter(claim=OuterRef("pk"), published=True)
        return self.annotate(public_slug=Subquery(pages.values("slug")[:1]))

    def with_published(self) -> ClaimQuerySet:
        """``confirmed_wording``, ``confirmed_standalone`` and ``confirmed_speaker``: what
        the latest confirmation record holds (what a confirmed claim is published as)."""
        latest = Confirmation.objects.filter(claim=OuterRef("pk")).order_by("-confirmed_at", "-pk")
        return self.annotate(
            confirmed_wording=Subquery(latest.values("wording")[:1]),
            confirmed_standalone=Subquery(latest.values("standalone")[:1]),
            confirmed_speaker=Subquery(latest.values("speaker")[:1]),
        )

    def with_confirmation_record(self) -> ClaimQuerySet:
        """``record_confirmed_by`` (a username), ``record_confirmed_at``, ``record_note``
        and ``record_basis``: the latest confirmation record's, as the exports' review
        columns read them (``serialisers.CLAIM_REVIEW``)."""
        latest = Confirmation.objects.filter(claim=OuterRef("pk")).order_by("-confirmed_at", "-pk")
        return self.annotate(
            record_confirmed_by=Subquery(latest.values("confirmed_by__username")[:1]),
            record_confirmed_at=Subquery(latest.values("confirmed_at")[:1]),
            record_note=Subquery(latest.values("note")[:1]),
            record_basis=Subquery(latest.values("basis")[:1], output_field=models.JSONField()),
        )

    def for_export(self) -> ClaimQuerySet:
        """With what every export reads: article, assignee, evidence with sources,
        ``contradicted`` and ``verdict``, ``public_slug``, the confirmation record's
        published text and speaker, and its review columns (``with_confirmation_record``)."""
        evidence = Evidence.objects.select_related("source", "added_by").order_by("added_at", "pk")
        return (
            self.with_light_article()
            .select_related("assignee")
            .with_verdict()
            .with_public_slug()
            .with_published()
            .with_confirmation_record()
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
        """Claims whose text has the words of ``term`` (the last maybe unfinished), accents
        and case folded, and its punctuated token sequence if any, by the full-text index
        and the folded ``search_text``: see ``claims/models/search.py``."""
        return self.filter(search_text__matches=term)


def _problem_evidence() -> models.QuerySet:
    """Supporting evidence of the outer claim on a source that died or changed."""
    return Evidence.objects.filter(
        claim=OuterRef("pk"),
        stance=Evidence.Stance.SUPPORTS,
        source__link_state__in=(Source.LinkState.DEAD, Source.LinkState.CHANGED),
    )


class Claim(FoldedSearch):
    Status = ClaimStatus
    SEARCH_FIELDS = ("text",)

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
    speaker = models.CharField(max_length=200, blank=True)  # as the article states it
    speaker_record = models.ForeignKey(
        Speaker, null=True, blank=True, on_delete=models.SET_NULL, related_name="claims"
    )
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
    history = HistoricalRecords(excluded_fields=["search_text"])
    # Not columns: annotations ClaimQuerySet adds when asked (with_verdict,
    # with_public_slug, with_published).
    contradicted: bool  # with_verdict also annotates ``verdict``: read it by get_verdict()
    public_slug: str | None
    confirmed_wording: str | None
    confirmed_standalone: str | None
    confirmed_speaker: str | None
    record_confirmed_by: str | None  # with_confirmation_record
    record_confirmed_at: datetime | None
    record_note: str | None
    record_basis: list[dict[str, Any]] | None

    class Meta:
        ordering = ["article", "start", "pk"]
        indexes = [
            models.Index(fields=["article", "-checkworthiness"], name="claim_article_score"),
            models.Index(fields=["status", "-checkworthiness"], name="claim_status_score"),
            models.Index(fields=["-checkworthiness", "-id"], name="claim_score"),
            models.Index(fields=["assignee", "status"], name="claim_assignee_status"),
            models.Index(fields=["speaker"], name="claim_speaker"),
            # The desk dashboard's population (check-worthy, not orphaned): its counts by
            # status and its claims created per day, without reading the table.
            models.Index(
                fields=["status", "created_at"],
                condition=Q(check_worthy=True, orphaned=False),
                include=["id"],
                name="claim_desk",
            ),
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

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saved, and its article's stored counts recounted when a field they depend on
        is written (``counts.refresh``, in the same transaction)."""
        with transaction.atomic():
            super().save(*args, **kwargs)
            written = kwargs.get("update_fields")
            if article_counts.touches(written, article_counts.COUNTED_FIELDS):
                article_counts.refresh([self.article_id])

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        with transaction.atomic():
            deleted = super().delete(*args, **kwargs)
            article_counts.refresh([self.article_id])
        return deleted

    @property
    def is_contradicted(self) -> bool:
        annotated = getattr(self, "contradicted", None)
        if annotated is not None:
            return bool(annotated)
        return self.evidence.filter(stance=Evidence.Stance.REFUTES).exists()

    def get_verdict(self) -> ClaimVerdict:
        """The verdict (``ClaimVerdict``): annotated by ``with_verdict``, else asked."""
        annotated = getattr(self, "verdict", None)
        if annotated is not None:
            return ClaimVerdict(annotated)
        return ClaimVerdict.of(status=self.status, contradicted=self.is_contradicted)

    def set_status(self, status: str, *, by: User | None, reason: str, note: str = "") -> None:
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

    def correct(self, field: str, value: Any, *, by: User, reason: str) -> None:
        """Set a machine label by hand (``CORRECTABLE``); from then on it is human-set and
        re-extraction does not overwrite it. The history says from what to what, and why
        (and a ``corrected`` event holds the raw values)."""
        if field not in CORRECTABLE:
            raise ValueError(f"{field} cannot be corrected.")
        before, old = self.label_of(field), getattr(self, field)
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
        with transaction.atomic():
            self.save(update_fields=fields)
            record(self, EventKind.CORRECTED, sentence=self._change_reason, by=by,
                   field=field, old=old, new=value, note=reason, text=self.text)  # fmt: skip

    def label_of(self, field: str) -> str:
        """A field's value as people read it: the choice's label, yes/no, or "nobody"."""
        display = getattr(self, f"get_{field}_display", None)
        if display is not None:
            return str(display())
        value = getattr(self, field)
        if isinstance(value, bool):
            return "yes" if value else "no"
        return str(value) if value else "nobody"

    def assign(self, *, to: User | None, by: User) -> None:
        self.assignee = to
        self._history_user = by
        self._change_reason = f"assigned to {to}" if to else "unassigned"
        with transaction.atomic():
            self.save(update_fields=["assignee", "updated_at"])
            record(self, EventKind.ASSIGNED, sentence=self._change_reason, by=by,
                   to=to.pk if to else None, to_name=str(to) if to else "")  # fmt: skip


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
