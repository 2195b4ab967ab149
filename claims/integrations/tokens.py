"""Personal API tokens: issuing one, and finding the user a presented token acts for.

A token is ``wbt_`` plus 43 URL-safe characters (32 random bytes). The database keeps
its SHA-256 digest and its first characters (``prefix``, for lists), never the token:
a token is found by the digest of what the client sends, so no stored secret is ever
compared character by character, and a leaked database holds no usable token. SHA-256
without salt or stretching is right here (unlike for passwords): the input is random,
not guessable, so a fast hash keeps each API request cheap.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from claims.models import ApiToken

SCHEME = "wbt_"
PREFIX_LENGTH = len(SCHEME) + 8
MAX_TOKEN_LENGTH = 200
# ``last_used_at`` is written at most this often per token (not on every request).
LAST_USED_RESOLUTION = timedelta(minutes=1)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``: the row, and the token itself (shown once, never stored)."""
    token = SCHEME + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(
        user=user, name=name, prefix=token[:PREFIX_LENGTH], digest=digest(token)
    )
    return row, token


def user_for(token: str) -> User | None:
    """The active user an active ``token`` belongs to, or None; notes when it was used."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    row = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if row is None:
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user
