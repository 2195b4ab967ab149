"""The real Django admin: every model, with history, and actions that call the same
domain methods as the workbench views (so the confirmation rule holds here too)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from . import ingest
from .models import (
    Article,
    ArticleRevision,
    Claim,
    ClaimMatch,
    ConfirmationRefused,
    Embedding,
    Evidence,
    FactCheck,
    Source,
    SourceCapture,
)


class ArticleRevisionInline(admin.TabularInline):
    model = ArticleRevision
    fields = ["number", "created_by", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    list_display = [
        "title",
        "outlet",
        "published_at",
        "state",
        "revision",
        "created_by",
        "created_at",
    ]
    list_filter = ["state", "origin", "outlet"]
    search_fields = ["title", "outlet", "url"]
    list_select_related = ["created_by"]
    date_hierarchy = "created_at"
    readonly_fields = [
        *["state", "progress_done", "progress_total", "error", "attempts", "pipeline_version"],
        *["queued_at", "started_at", "finished_at", "revision"],
    ]
    inlines = [ArticleRevisionInline]
    actions = ["rerun_extraction"]

    @admin.action(description="Re-run extraction", permissions=["change"])
    def rerun_extraction(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        count = 0
        for article in queryset.exclude(state=Article.State.PROCESSING):
            article.requeue(by=request.user, reason="re-run requested in the admin")
            ingest.enqueue(article)
            count += 1
        self.message_user(request, f"{count} article(s) queued for extraction.")


class EvidenceInline(admin.TabularInline):
    model = Evidence
    fields = ["source", "stance", "excerpt", "quote_check", "added_by", "added_at"]
    readonly_fields = ["quote_check", "added_by", "added_at"]
    raw_id_fields = ["source"]
    extra = 0


@admin.register(Claim)
class ClaimAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "article", "status", "checkworthiness", "claim_type", "hedged",
                    "speaker", "assignee", "orphaned"]  # fmt: skip
    list_filter = ["status", "claim_type", "hedged", "check_worthy", "orphaned"]
    search_fields = ["text", "speaker", "article__title"]
    list_select_related = ["article", "assignee"]
    raw_id_fields = ["article", "assignee", "status_changed_by"]
    readonly_fields = ["status", "status_changed_by", "status_changed_at", "status_note"]
    inlines = [EvidenceInline]
    actions = ["confirm", "unconfirm"]

    @admin.action(
        description="Confirm (where the confirmation rule allows)", permissions=["change"]
    )
    def confirm(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        confirmed, refused = 0, []
        for claim in queryset.select_related("article"):
            try:
                claim.confirm(by=request.user, note="confirmed in the admin")
                confirmed += 1
            except ConfirmationRefused as exc:
                refused.append(f"#{claim.pk}: {exc}")
        self.message_user(request, f"{confirmed} claim(s) confirmed.")
        if refused:
            self.message_user(request, "Refused: " + "; ".join(refused), messages.WARNING)

    @admin.action(description="Unconfirm", permissions=["change"])
    def unconfirm(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        for claim in queryset:
            claim.unconfirm(by=request.user, note="unconfirmed in the admin")
        self.message_user(request, f"{queryset.count()} claim(s) unconfirmed.")


class SourceCaptureInline(admin.TabularInline):
    model = SourceCapture
    fields = ["fetched_at", "http_status", "final_url", "text_sha256"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "publisher", "kind", "fetch_state", "link_state", "fetched_at"]
    list_filter = ["kind", "fetch_state", "link_state", "publisher"]
    search_fields = ["url", "title", "publisher", "domain"]
    readonly_fields = ["fetch_state", "fetch_error", "http_status", "final_url", "content_type",
                       "text_sha256", "fetched_at", "link_state", "last_checked_at"]  # fmt: skip
    inlines = [SourceCaptureInline]


@admin.register(Evidence)
class EvidenceAdmin(SimpleHistoryAdmin):
    list_display = ["claim", "source", "stance", "quote_check", "added_by", "added_at"]
    list_filter = ["stance", "quote_check"]
    search_fields = ["claim__text", "source__url", "excerpt", "note"]
    list_select_related = ["claim", "source", "added_by"]
    raw_id_fields = ["claim", "source", "added_by"]


@admin.register(ArticleRevision)
class ArticleRevisionAdmin(admin.ModelAdmin):
    list_display = ["article", "number", "created_by", "created_at"]
    search_fields = ["article__title"]
    list_select_related = ["article", "created_by"]
    raw_id_fields = ["article", "created_by"]


@admin.register(SourceCapture)
class SourceCaptureAdmin(admin.ModelAdmin):
    list_display = ["source", "fetched_at", "http_status", "text_sha256"]
    search_fields = ["source__url"]
    list_select_related = ["source"]
    raw_id_fields = ["source"]
    exclude = ["text_compressed"]


@admin.register(FactCheck)
class FactCheckAdmin(admin.ModelAdmin):
    list_display = ["__str__", "publisher", "rating", "date", "archive_id", "imported_at"]
    list_filter = ["publisher", "rating"]
    search_fields = ["archive_id", "text", "title", "url"]
    list_select_related = False  # no foreign keys
    date_hierarchy = "date"
    readonly_fields = ["imported_at", "updated_at"]


@admin.register(ClaimMatch)
class ClaimMatchAdmin(SimpleHistoryAdmin):
    list_display = ["claim", "matched_claim", "factcheck", "score", "state", "decided_by",
                    "decided_at"]  # fmt: skip
    list_filter = ["state"]
    search_fields = ["claim__text", "matched_claim__text", "factcheck__text", "factcheck__title"]
    list_select_related = ["claim", "matched_claim", "factcheck", "decided_by"]
    raw_id_fields = ["claim", "matched_claim", "factcheck", "decided_by"]
    readonly_fields = ["state", "decided_by", "decided_at"]
    actions = ["dismiss"]

    @admin.action(description="Dismiss the selected matches", permissions=["change"])
    def dismiss(self, request: HttpRequest, queryset: QuerySet[ClaimMatch]) -> None:
        count = 0
        for match in queryset.exclude(state=ClaimMatch.State.DISMISSED):
            match.dismiss(by=request.user, note="dismissed in the admin")
            count += 1
        self.message_user(request, f"{count} match(es) dismissed.")


@admin.register(Embedding)
class EmbeddingAdmin(admin.ModelAdmin):
    """Read-only: vectors are written by the ``claims.embed_pending`` task."""

    list_display = ["__str__", "model_version", "updated_at"]
    list_filter = ["model_version"]
    list_select_related = ["claim", "factcheck"]
    raw_id_fields = ["claim", "factcheck"]
    exclude = ["vector"]
    readonly_fields = ["claim", "factcheck", "model_version", "text_sha", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Embedding | None = None) -> bool:
        return False
