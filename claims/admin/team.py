"""The team's record in the admin: read-only (changes are made on the team page,
``claims.web.team``, or with ``manage.py add_user``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from claims.models import TeamChange


@admin.register(TeamChange)
class TeamChangeAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "person", "detail"]
    list_filter = ["action"]
    search_fields = ["actor__username", "person__username", "detail"]
    list_select_related = ["actor", "person"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
