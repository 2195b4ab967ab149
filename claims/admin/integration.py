"""The admin of the newsroom integration: webhook subscribers and their delivery log,
feeds (with their last failure) and the items they brought, and the CMS's stories.
Imported by ``claims/admin/content.py``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from claims import jobs
from claims.integrations import webhooks
from claims.models import ExternalStory, Feed, FeedItem, WebhookDelivery, WebhookSubscriber
from claims.web.fields import HttpURLField


class WebhookSubscriberForm(forms.ModelForm):
    url = HttpURLField()
    events = forms.MultipleChoiceField(
        choices=[(name, name) for name in webhooks.EVENTS], widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookSubscriber
        fields = ["url", "secret", "events", "active"]
        widgets = {"secret": forms.PasswordInput(render_value=True)}


class DeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    fields = ["event", "state", "attempts", "last_status", "last_error", "created_at"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ["-created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[WebhookDelivery]:
        return super().get_queryset(request).defer("body")


@admin.register(WebhookSubscriber)
class WebhookSubscriberAdmin(admin.ModelAdmin):
    form = WebhookSubscriberForm
    list_display = ["url", "events", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["url"]
    inlines = [DeliveryInline]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: read-only; failed deliveries can be sent again."""

    list_display = [
        "event",
        "subscriber",
        "state",
        "attempts",
        "last_status",
        "last_error",
        "created_at",
        "delivered_at",
    ]
    list_filter = ["state", "event"]
    search_fields = ["delivery_id", "subscriber__url", "event"]
    list_select_related = ["subscriber"]
    date_hierarchy = "created_at"
    actions = ["send_again"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Send the selected deliveries again (failed or pending ones)")
    def send_again(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        queued = webhooks.send_again(list(queryset.values_list("pk", flat=True)))
        messages.success(request, f"{len(queued)} delivery(ies) queued again.")


class FeedItemInline(admin.TabularInline):
    model = FeedItem
    fields = ["url", "title", "article", "first_seen_at", "last_seen_at"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    list_display = [
        "url",
        "outlet",
        "every",
        "active",
        "last_polled_at",
        "last_outcome",
        "last_error",
        "failures",
    ]
    list_filter = ["active", "outlet"]
    search_fields = ["url", "outlet"]
    readonly_fields = [
        "etag",
        "last_modified",
        "last_polled_at",
        "last_outcome",
        "last_error",
        "failures",
        "polls",
    ]
    inlines = [FeedItemInline]
    actions = ["poll_now"]

    @admin.action(description="Poll the selected feeds now")
    def poll_now(self, request: HttpRequest, queryset: QuerySet[Feed]) -> None:
        pks = list(queryset.values_list("pk", flat=True))
        for pk in pks:
            jobs.send_on_commit("claims.poll_feed", args=[pk])
        messages.success(request, f"{len(pks)} feed poll(s) queued.")


@admin.register(FeedItem)
class FeedItemAdmin(admin.ModelAdmin):
    list_display = ["url", "title", "feed", "article", "first_seen_at", "last_seen_at"]
    search_fields = ["url", "title"]
    list_select_related = ["feed", "article"]
    readonly_fields = ["url", "feed", "article", "first_seen_at", "last_seen_at"]


@admin.register(ExternalStory)
class ExternalStoryAdmin(admin.ModelAdmin):
    list_display = ["external_id", "owner", "article", "created_at", "updated_at"]
    search_fields = ["external_id", "owner__username", "article__title"]
    list_select_related = ["owner", "article"]
    readonly_fields = ["owner", "external_id", "article"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
