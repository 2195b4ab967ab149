"""Counts in words: ``counted(1, "claim")`` is "1 claim", ``counted(3, "claim")`` "3
claims", never "claim(s)" or "1 claims". Through ``ngettext``, so a translation can give
a language's own plural forms; templates use Django's ``pluralize`` filter."""

from __future__ import annotations

from django.utils.translation import ngettext


def counted(count: int, singular: str, plural: str = "") -> str:
    """``count`` and the noun phrase that agrees with it (``plural``: ``singular`` + "s"
    unless given)."""
    words = ngettext(singular, plural or singular + "s", count)
    return f"{count} {words}"
