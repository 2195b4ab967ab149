"""The request types the views annotate with, declared once.

django-htmx's middleware sets ``request.htmx`` on every request; the stubs cannot know,
so views that read it take an ``HtmxHttpRequest`` (the pattern django-htmx documents).
Views behind ``login_required`` take an ``AuthenticatedHttpRequest``: the decorator lets
no anonymous user through, so their ``request.user`` is a real ``User`` (the pattern
django-stubs documents). Code that cannot declare that, such as a ``ModelAdmin``
override, narrows with ``signed_in_user``.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


class AuthenticatedHttpRequest(HtmxHttpRequest):
    user: User


def signed_in_user(request: HttpRequest) -> User:
    """The request's user, for code only a signed-in user reaches (the admin site)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Sign in first.")
    return user
