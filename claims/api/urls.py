"""Every API URL and download, then the JSON 404 for any other ``/api/`` URL (last, so it
shadows none of them)."""

from __future__ import annotations

from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt

from claims.api import speakers, views

urlpatterns = [
    *views.urlpatterns,
    *speakers.urlpatterns,
    re_path(r"^api/", csrf_exempt(views.not_found), name="api-not-found"),
]
