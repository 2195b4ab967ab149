from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

handler400 = "claims.views.bad_request"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("claims.urls")),
]
