from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import urls as auth_urls
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import URLPattern, URLResolver, include, path

from workbench import health

handler400 = "claims.web.views.bad_request"


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page links: send them the SVG icon."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


def needs_email(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """404 unless password reset is on (``WORKBENCH_PASSWORD_RESET``: a mail server is
    configured); otherwise the public form would only log mail errors."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.WORKBENCH_PASSWORD_RESET:
            raise Http404("Password reset is off: no mail server is configured.")
        return view(request, *args, **kwargs)

    return wrapped


# The public "forgot your password" form and its "sent" page need mail. The link's own
# pages (set a new password, done) do not: an editor hands the link over from the team
# page (``claims.web.team``) when there is no mail server.
NEEDS_MAIL = {"password_reset", "password_reset_done"}


def _account(pattern: URLPattern | URLResolver) -> URLPattern | URLResolver:
    if isinstance(pattern, URLResolver) or pattern.name not in NEEDS_MAIL:
        return pattern
    return path(str(pattern.pattern), needs_email(pattern.callback), name=pattern.name)


urlpatterns = [
    path("favicon.ico", favicon),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include([_account(pattern) for pattern in auth_urls.urlpatterns])),
    path("", include("claims.web.urls")),
]
