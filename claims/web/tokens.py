"""The "API tokens" page: a user's own personal API tokens (``claims/integrations/tokens.py``).

Included from ``claims/web/urls.py``. Any logged-in user manages their own tokens (a token
can do what its user can, so it needs no permission of its own). Creating one answers
with the page itself, showing the token once: it is not stored, so it cannot survive a
redirect (the one exception to post/redirect/get here; the page is ``never_cache``).
Revoking redirects back. Plain forms, no JavaScript needed.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from claims.integrations import tokens
from claims.models import ApiToken
from claims.web.fields import StorableCharField
from claims.web.types import AuthenticatedHttpRequest


class TokenForm(forms.Form):
    name = StorableCharField(
        max_length=100,
        help_text="What the token is for, e.g. “nightly export script”.",
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = TokenForm(request.POST if request.method == "POST" else None)
    created = ""
    if form.is_valid():
        _, created = tokens.issue(user=request.user, name=form.cleaned_data["name"])
        form = TokenForm()
    context = {"form": form, "tokens": request.user.api_tokens.all(), "created": created}
    return render(request, "claims/api_tokens.html", context)


@login_required
@require_http_methods(["POST"])
def token_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    token.revoke()
    message = f"Token “{token.name}” ({token.prefix}…) revoked: it no longer works."
    messages.success(request, message)
    return redirect("api-tokens")


urlpatterns = [
    path("account/tokens/", token_list, name="api-tokens"),
    path("account/tokens/<int:pk>/revoke/", token_revoke, name="api-token-revoke"),
]
