"""The validator of every stored URL: http(s) with a host."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from claims.text.cleaning import URL_SCHEMES, is_http_url

_url_syntax = URLValidator(schemes=list(URL_SCHEMES))


def validate_http_url(value: str) -> None:
    """The validator of every stored URL: ``http://`` or ``https://`` and a host."""
    if not value:
        return
    if not is_http_url(value):
        scheme = value.split(":", 1)[0] if ":" in value else ""
        known = scheme.isascii() and scheme.isalpha() and len(scheme) < 20
        what = f"{scheme.lower()}: URLs" if known else "this"
        raise ValidationError(
            f"Only http:// and https:// URLs are accepted, not {what}.", code="url_scheme"
        )
    _url_syntax(value)


def http_url_or_blank(value: str) -> str:
    """``value`` if it is a valid http(s) URL, else ``""`` (for data read from files)."""
    try:
        validate_http_url(value)
    except ValidationError:
        return ""
    return value
