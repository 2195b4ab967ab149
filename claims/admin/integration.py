"""The admin of the newsroom integration: webhook subscribers and their delivery log,
feeds (with their last failure) and the items they brought, and the CMS's stories.
Imported by ``claims/admin/content.py``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from claims.ingest import feeds
from claims.integrations import webhooks
from claims.models import ExternalStory, Feed, FeedItem, WebhookDelivery, WebhookSubscriber
from claims.text.plural import counted
from claims.web.fields import HttpURLField


class WebhookSubscriberForm(forms.ModelForm):
    """The secret is write-only: never rendered back; left blank it keeps the current
    one (or, for a new subscriber, one is generated). A secret set or generated here is
    shown once, in the message after saving (``WebhookSubscriberAdmin.save_model``)."""

    url = HttpURLField()
    events = forms.MultipleChoiceField(
        choices=[(name, name) for name in webhooks.EVENTS], widget=forms.CheckboxSelectMultiple
    )
    secret = forms.CharField(
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Signs each delivery (HMAC-SHA256; a whsec_<base64> secret is used as "
        "Standard Webhooks says). Never shown again after saving: type a new one to replace "
        "it at once, or leave it blank to keep the current one (a new subscriber then gets a "
        "generated one). To change it without refusals at the receiver, use the action "
        "'Rotate the secret' in the list instead.",
    )

    class Meta:
        model = WebhookSubscriber
        fields = ["url", "secret", "events", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.new_secret = ""
        if self.instance.pk:
            self.fields["secret"].widget.attrs["placeholder"] = "•••••••• (set)"

    def clean_secret(self) -> str:
        typed = self.cleaned_data["secret"]
        if not typed and self.instance.secret:
            return self.instance.secret
        if typed:
            try:
                webhooks.signing_key(typed)
            except webhooks.BadSecret as exc:
                raise forms.ValidationError(str(exc)) from None
        self.new_secret = typed or webhooks.new_secret()
        return self.new_secret


class DeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    fields = readonly_fields = (
        "event",
        "state",
        "attempts",
        "last_status",
        "last_error",
        "created_at",
    )
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
    readonly_fields = ["previous_secret_until"]
    inlines = [DeliveryInline]
    actions = ["rotate_secret"]

    def save_model(
        self, request: HttpRequest, obj: WebhookSubscriber, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if form.new_secret:
            messages.warning(
                request,
                f"The secret of {obj.url} is {form.new_secret}: copy it into the receiving "
                "system now, it will not be shown again.",
            )

    @admin.action(description="Rotate the secret (the old one keeps signing for 24 hours)")
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[WebhookSubscriber]) -> None:
        for subscriber in queryset:
            secret = webhooks.rotate_secret(subscriber)
            messages.warning(
                request,
                f"The new secret of {subscriber.url} is {secret}: copy it into the receiving "
                "system within 24 hours (both secrets sign until then); it will not be "
                "shown again.",
            )


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
    fields = readonly_fields = (
        "url",
        "title",
        "article",
        "first_seen_at",
        "last_seen_at",
        "revised_at",
    )
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
        "last_skipped",
    ]
    inlines = [FeedItemInline]
    actions = ["poll_now"]

    @admin.action(description="Poll the selected feeds now")
    def poll_now(self, request: HttpRequest, queryset: QuerySet[Feed]) -> None:
        pks = list(queryset.values_list("pk", flat=True))
        for pk in pks:
            feeds.enqueue_poll(pk)
        messages.success(request, counted(len(pks), "feed poll") + " queued.")


@admin.register(FeedItem)
class FeedItemAdmin(admin.ModelAdmin):
    list_display = ["url", "title", "feed", "article", "first_seen_at", "revised_at"]
    search_fields = ["url", "title"]
    list_select_related = ["feed", "article"]
    readonly_fields = [
        "url",
        "feed",
        "article",
        "first_seen_at",
        "last_seen_at",
        "updated",
        "digest",
        "revised_at",
    ]


@admin.register(ExternalStory)
class ExternalStoryAdmin(admin.ModelAdmin):
    list_display = ["external_id", "owner", "article", "created_at", "updated_at"]
    search_fields = ["external_id", "owner__username", "article__title"]
    list_select_related = ["owner", "article"]
    readonly_fields = ["owner", "external_id", "article"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
