"""Speaker records in the Django admin (issue 32): search by name and alias, and a merge
action that calls the same service as the speaker page."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from claims.admin.content import HistoryAdmin
from claims.models import Speaker, SpeakerAlias
from claims.review import speakers as editing
from claims.text.plural import counted
from claims.web.types import signed_in_user


class SpeakerAliasInline(admin.TabularInline):
    model = SpeakerAlias
    fields = ("name", "key")
    readonly_fields = ("key",)
    extra = 0


@admin.register(Speaker)
class SpeakerAdmin(HistoryAdmin):
    list_display = ("name", "kind", "role", "wikidata_id", "merged_into", "created_at")
    list_filter = ("kind",)
    search_fields = ("name", "aliases__name", "wikidata_id")
    list_select_related = ("merged_into",)
    readonly_fields = ("merged_into", "created_at", "updated_at")
    inlines = [SpeakerAliasInline]
    actions = ["merge_into_first"]

    @admin.action(description="Merge the selected records into the oldest", permissions=["change"])
    def merge_into_first(self, request: HttpRequest, queryset: QuerySet[Speaker]) -> None:
        chosen = list(queryset.order_by("pk"))
        if len(chosen) < 2:
            self.message_user(request, "Select two records or more.", messages.WARNING)
            return
        try:
            moved = editing.merge_speakers(
                keep=chosen[0], others=chosen[1:], by=signed_in_user(request)
            )
        except editing.SpeakerEditRefused as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(
            request, f"Merged into {chosen[0].name}: {counted(moved, 'claim')} moved."
        )


@admin.register(SpeakerAlias)
class SpeakerAliasAdmin(HistoryAdmin):
    list_display = ("name", "speaker", "key")
    search_fields = ("name", "speaker__name")
    list_select_related = ("speaker",)
