"""The real Django admin: every model, with history, and actions that call the same
domain functions as the workbench views (so the confirmation rule holds here too).

No back doors: a claim's text and anchor, an article's body, evidence's claim, source,
stance and excerpt, and captures are read-only here (text changes go through the
revision workflow, evidence through the claim panel or the actions below). Reverting to
a historical version is disabled (``SIMPLE_HISTORY_REVERT_DISABLED``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from claims.confirmation import service as status
from claims.ingest import articles as ingest
from claims.models import (
    ApiToken,
    Article,
    ArticleRevision,
    AuditRun,
    Claim,
    ClaimEvent,
    ClaimMatch,
    Confirmation,
    ConfirmationRefused,
    Embedding,
    Evidence,
    FactCheck,
    ProvidedFile,
    Publisher,
    PublisherDomain,
    Source,
    SourceCapture,
    VerdictPage,
)
from claims.review import edits
from claims.review import evidence as verification
from claims.sources import capture as sources
from claims.sources import families
from claims.text.plural import counted
from claims.web.types import signed_in_user


class HistoryAdmin(SimpleHistoryAdmin):
    """History to read, never to restore: django-simple-history's version page saves
    the old version on POST (whatever ``SIMPLE_HISTORY_REVERT_DISABLED`` hides), which
    would bring back an old status or text past the confirmation rule."""

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> Any:
        if request.method != "GET":
            raise PermissionDenied("Old versions can be read, not restored.")
        return super().history_form_view(request, object_id, version_id, extra_context)


class ArticleRevisionInline(admin.TabularInline):
    model = ArticleRevision
    fields = readonly_fields = ("number", "created_by", "created_at")
    extra = 0
    can_delete = False


@admin.register(Article)
class ArticleAdmin(HistoryAdmin):
    list_display = [
        "title",
        "outlet",
        "published_at",
        "state",
        "revision",
        "created_by",
        "created_at",
    ]
    list_filter = ["state", "origin", ("archived_at", admin.EmptyFieldListFilter), "outlet"]
    search_fields = ["title", "outlet", "url"]
    list_select_related = ["created_by"]
    date_hierarchy = "created_at"
    readonly_fields = [
        *["body", "outlet_domain", "dropped"],
        *["state", "progress_done", "progress_total", "error", "attempts", "pipeline_version"],
        *["queued_at", "started_at", "finished_at", "revision", "archived_at", "submission_key"],
    ]
    inlines = [ArticleRevisionInline]
    actions = ["rerun_extraction", "archive", "unarchive"]

    def has_delete_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        """An article whose claims have confirmation records is archived, never deleted
        (the records are the newsroom's proof). Bulk deletion is off: it would not ask."""
        if obj is not None and Confirmation.objects.filter(claim__article=obj).exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(
        description="Archive (hide from the lists, keep everything)", permissions=["delete"]
    )
    def archive(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        by = signed_in_user(request)
        done = sum(ingest.archive_article(article=a, by=by) for a in queryset)
        self.message_user(request, counted(done, "article") + " archived.")

    @admin.action(description="Bring back from the archive", permissions=["delete"])
    def unarchive(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        done = sum(
            ingest.archive_article(article=a, by=signed_in_user(request), archived=False)
            for a in queryset
        )
        self.message_user(request, counted(done, "article") + " brought back.")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # articles come in through the workbench (ingestion, revisions)

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        """Through ``ingest.edit_details``: only the changed fields, claims re-judged."""
        changes = {name: getattr(obj, name) for name in form.changed_data}
        ingest.edit_details(article=obj, changes=changes, by=signed_in_user(request))

    @admin.action(description="Re-run extraction", permissions=["change"])
    def rerun_extraction(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        count = 0
        for article in queryset.exclude(state=Article.State.PROCESSING):
            article.requeue(by=signed_in_user(request), reason="re-run requested in the admin")
            ingest.enqueue(article)
            count += 1
        self.message_user(request, counted(count, "article") + " queued for extraction.")


class EvidenceInline(admin.TabularInline):
    model = Evidence
    fields = readonly_fields = (
        "source",
        "stance",
        "excerpt",
        "quote_check",
        "added_by",
        "added_at",
    )
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ConfirmationInline(admin.TabularInline):
    model = Confirmation
    fields = readonly_fields = ("confirmed_at", "confirmed_by", "note", "wording", "basis")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Claim)
class ClaimAdmin(HistoryAdmin):
    list_display = ["__str__", "article", "status", "checkworthiness", "claim_type", "hedged",
                    "speaker", "assignee", "orphaned"]  # fmt: skip
    list_filter = ["status", "claim_type", "hedged", "check_worthy", "orphaned"]
    search_fields = ["text", "speaker", "article__title"]
    list_select_related = ["article", "assignee"]
    raw_id_fields = ["assignee"]
    readonly_fields = [
        *["article", "revision", "text", "start", "end", "prefix", "suffix", "occurrences"],
        *["orphaned", "origin", "pipeline_version"],
        *["status", "status_changed_by", "status_changed_at", "status_note"],
    ]
    inlines = [EvidenceInline, ConfirmationInline]
    actions = ["confirm", "unconfirm"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # claims come from extraction, or from a selection in the workbench

    def save_model(self, request: HttpRequest, obj: Claim, form: Any, change: bool) -> None:
        """Through ``review.edits.edit_claim``: only the changed fields, under the claim's
        lock; a confirmation whose published text or speaker changed lapses."""
        changes = {name: getattr(obj, name) for name in form.changed_data}
        edits.edit_claim(claim=obj, changes=changes, by=signed_in_user(request))

    @admin.action(
        description="Confirm (where the confirmation rule allows)", permissions=["change"]
    )
    def confirm(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        confirmed, refused = 0, []
        for claim in queryset.select_related("article"):
            try:
                status.confirm(claim, by=signed_in_user(request), note="confirmed in the admin")
                confirmed += 1
            except ConfirmationRefused as exc:
                refused.append(f"#{claim.pk}: {exc}")
        self.message_user(request, counted(confirmed, "claim") + " confirmed.")
        if refused:
            self.message_user(request, "Refused: " + "; ".join(refused), messages.WARNING)

    @admin.action(description="Unconfirm", permissions=["change"])
    def unconfirm(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        for claim in queryset:
            status.unconfirm(claim, by=signed_in_user(request), note="unconfirmed in the admin")
        self.message_user(request, counted(queryset.count(), "claim") + " unconfirmed.")


class SourceCaptureInline(admin.TabularInline):
    model = SourceCapture
    fields = readonly_fields = (
        "fetched_at",
        "provided_by_name",
        "http_status",
        "final_url",
        "wire",
        "text_sha256",
    )
    extra = 0
    can_delete = False


@admin.register(ProvidedFile)
class ProvidedFileAdmin(admin.ModelAdmin):
    """Files uploaded as a source's content and read by the job: read-only (the job
    writes them)."""

    list_display = ["name", "source", "state", "size", "provided_by", "created_at", "error"]
    list_filter = ["state"]
    search_fields = ["name", "source__url", "error"]
    list_select_related = ["source", "provided_by"]
    fields = readonly_fields = (
        "source", "name", "size", "title", "provided_by", "state", "error", "note",
        "created_at", "started_at", "finished_at",
    )  # fmt: skip

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProvidedFile]:
        return super().get_queryset(request).defer("data")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # uploads come in through the source page, and are read by the job

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Source)
class SourceAdmin(HistoryAdmin):
    list_display = ["__str__", "publisher", "kind", "fetch_state", "link_state", "fetched_at"]
    list_filter = ["kind", "fetch_state", "link_state", "publisher"]
    search_fields = ["url", "title", "publisher", "domain"]
    readonly_fields = ["url", "domain", "fetch_state", "fetch_error", "http_status", "final_url",
                       "content_type", "text_sha256", "fetched_at", "link_state",
                       "last_checked_at"]  # fmt: skip
    inlines = [SourceCaptureInline]

    actions = ["stop_link_checks", "resume_link_checks"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # sources come in as evidence is added, and are captured then

    def save_model(self, request: HttpRequest, obj: Source, form: Any, change: bool) -> None:
        """Through ``sources.edit_source``: only the changed fields; the claims citing it
        are re-judged (its publisher decides whether it is independent)."""
        changes = {name: getattr(obj, name) for name in form.changed_data}
        sources.edit_source(source=obj, changes=changes, by=signed_in_user(request))

    @admin.action(description="Stop link checks", permissions=["change"])
    def stop_link_checks(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        for source in queryset:
            sources.stop_checks(source, by=signed_in_user(request))
        self.message_user(
            request, f"Link checks stopped for {counted(queryset.count(), 'source')}."
        )

    @admin.action(description="Resume link checks", permissions=["change"])
    def resume_link_checks(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        for source in queryset:
            sources.stop_checks(source, by=signed_in_user(request), stop=False)
        self.message_user(
            request, f"Link checks resumed for {counted(queryset.count(), 'source')}."
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # evidence protects them; a source with no evidence is harmless


@admin.register(Evidence)
class EvidenceAdmin(HistoryAdmin):
    list_display = ["claim", "source", "stance", "quote_check", "added_by", "added_at"]
    list_filter = ["stance", "quote_check"]
    search_fields = ["claim__text", "source__url", "excerpt", "note"]
    list_select_related = ["claim", "source", "added_by"]
    readonly_fields = ["claim", "source", "stance", "excerpt", "quote_check", "quote_score",
                       "quote_matched", "quote_reason", "quote_sha256", "added_by",
                       "added_at"]  # fmt: skip
    actions = ["mark_supports", "mark_refutes", "mark_context"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # evidence is added in the claim panel, where it is quote-checked

    def delete_model(self, request: HttpRequest, obj: Evidence) -> None:
        verification.remove_evidence(evidence=obj, by=signed_in_user(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Evidence]) -> None:
        for evidence in queryset.select_related("claim", "source"):
            verification.remove_evidence(evidence=evidence, by=signed_in_user(request))

    def _set_stance(self, request: HttpRequest, queryset: QuerySet[Evidence], stance: str) -> None:
        for evidence in queryset.select_related("claim", "source"):
            verification.change_stance(evidence=evidence, stance=stance, by=signed_in_user(request))
        self.message_user(request, counted(queryset.count(), "evidence link") + " updated.")

    @admin.action(description="Mark as supporting", permissions=["change"])
    def mark_supports(self, request: HttpRequest, queryset: QuerySet[Evidence]) -> None:
        self._set_stance(request, queryset, Evidence.Stance.SUPPORTS)

    @admin.action(description="Mark as refuting", permissions=["change"])
    def mark_refutes(self, request: HttpRequest, queryset: QuerySet[Evidence]) -> None:
        self._set_stance(request, queryset, Evidence.Stance.REFUTES)

    @admin.action(description="Mark as context", permissions=["change"])
    def mark_context(self, request: HttpRequest, queryset: QuerySet[Evidence]) -> None:
        self._set_stance(request, queryset, Evidence.Stance.CONTEXT)


@admin.register(ArticleRevision)
class ArticleRevisionAdmin(admin.ModelAdmin):
    list_display = ["article", "number", "created_by", "created_at"]
    search_fields = ["article__title"]
    list_select_related = ["article", "created_by"]
    raw_id_fields = ["article", "created_by"]


@admin.register(SourceCapture)
class SourceCaptureAdmin(admin.ModelAdmin):
    """Captures are the record of what a source said: read-only (new ones come from a
    fetch, or from "Provide content" on the source's page)."""

    list_display = [
        "source",
        "fetched_at",
        "provided_by_name",
        "http_status",
        "wire",
        "text_sha256",
    ]
    search_fields = ["source__url"]
    list_select_related = ["source"]
    exclude = ["text_compressed"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PublisherDomainInline(admin.TabularInline):
    model = PublisherDomain
    extra = 1


@admin.register(Publisher)
class PublisherAdmin(HistoryAdmin):
    """Publisher families: editing their domains or wire credits re-evaluates every
    confirmed claim, since independence may have changed."""

    list_display = ["name", "domain_list", "url", "updated_at"]
    search_fields = ["name", "domains__domain"]
    inlines = [PublisherDomainInline]

    @admin.display(description="Domains")
    def domain_list(self, obj: Publisher) -> str:
        return ", ".join(d.domain for d in obj.domains.all())

    def get_queryset(self, request: HttpRequest) -> QuerySet[Publisher]:
        return super().get_queryset(request).prefetch_related("domains")

    def save_model(self, request: HttpRequest, obj: Publisher, form: Any, change: bool) -> None:
        """Saved with its domains in ``save_related``: one basis change for both."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        def save() -> None:
            super(PublisherAdmin, self).save_model(request, form.instance, form, change)
            super(PublisherAdmin, self).save_related(request, form, formsets, change)

        families.change_publishers(
            save,
            cause=f"publisher {form.instance} was edited",
            by=signed_in_user(request),
            wires="wire_credits" in form.changed_data,
        )

    def delete_model(self, request: HttpRequest, obj: Publisher) -> None:
        families.change_publishers(
            lambda: super(PublisherAdmin, self).delete_model(request, obj),
            cause=f"publisher {obj} was deleted",
            by=signed_in_user(request),
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Publisher]) -> None:
        families.change_publishers(
            lambda: super(PublisherAdmin, self).delete_queryset(request, queryset),
            cause="publishers were deleted",
            by=signed_in_user(request),
        )


@admin.register(Confirmation)
class ConfirmationAdmin(admin.ModelAdmin):
    list_display = ["claim", "confirmed_by", "confirmed_at", "wording_sha256"]
    list_select_related = ["claim", "confirmed_by"]
    search_fields = ["claim__text", "wording"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FactCheck)
class FactCheckAdmin(admin.ModelAdmin):
    list_display = ["__str__", "publisher", "rating", "date", "archive_id", "imported_at"]
    list_filter = ["publisher", "rating"]
    search_fields = ["archive_id", "text", "title", "url"]
    list_select_related = False  # no foreign keys
    date_hierarchy = "date"
    readonly_fields = ["imported_at", "updated_at"]


@admin.register(ClaimMatch)
class ClaimMatchAdmin(HistoryAdmin):
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
            match.dismiss(by=signed_in_user(request), note="dismissed in the admin")
            count += 1
        self.message_user(request, f"{count} match(es) dismissed.")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are listed and revoked here, never created (the token would have to be shown)
    or read: only the digest is stored, and the admin does not show even that."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["name", "prefix", "user__username"]
    list_select_related = ["user"]
    fields = readonly_fields = (
        "user",
        "name",
        "prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens", permissions=["delete"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            token.revoke()
        self.message_user(request, f"Revoked {counted(len(tokens), 'token')}.", messages.SUCCESS)


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


@admin.register(VerdictPage)
class VerdictPageAdmin(HistoryAdmin):
    """Public verdict pages: listed, and unpublished; publishing is done from the claim
    panel, which checks that the claim has a verdict."""

    list_display = ["slug", "claim", "published", "published_by", "published_at"]
    list_filter = ["published", "published_at"]
    search_fields = ["slug", "claim__text"]
    list_select_related = ["claim", "published_by"]
    fields = readonly_fields = ("claim", "slug", "published", "published_by", "published_at")
    actions = ["unpublish"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Unpublish the selected pages", permissions=["publish"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[VerdictPage]) -> None:
        pages = list(queryset.filter(published=True))
        for page in pages:
            page.unpublish(by=signed_in_user(request), reason="unpublished in the admin")
        self.message_user(request, f"Unpublished {counted(len(pages), 'page')}.", messages.SUCCESS)

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("claims.publish_verdict")


@admin.register(AuditRun)
class AuditRunAdmin(admin.ModelAdmin):
    """When the confirmation audit last ran and what it lapsed (read-only)."""

    list_display = ["started_at", "finished_at", "checked", "lapsed"]
    fields = readonly_fields = ("started_at", "finished_at", "checked", "lapsed", "findings")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ClaimEvent)
class ClaimEventAdmin(admin.ModelAdmin):
    """What happened to claims, as data (read-only: only the write paths record events)."""

    list_display = ["at", "kind", "cause", "claim_ref", "article", "by", "sentence"]
    list_filter = ["kind", "cause"]
    list_select_related = ["article", "by"]
    search_fields = ["sentence", "=claim_ref"]
    date_hierarchy = "at"
    readonly_fields = [field.name for field in ClaimEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
