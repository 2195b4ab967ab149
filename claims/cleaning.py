"""What text and URLs may enter the workbench: one cleaning step, used at every boundary.

Forms (through ``TextField`` and ``LineField``), uploads, management commands, fetched
pages and PDFs, and imported fact-check archives all pass text through here:

- ``clean_text`` removes NUL characters (PostgreSQL refuses them in text columns);
  everything else in multi-line text (notes, excerpts) is kept.
- ``clean_line`` is for single-line fields (titles, outlets, names, speakers, ratings):
  it also removes the bidirectional overrides and isolates (U+202A-U+202E,
  U+2066-U+2069), which can make a title read differently from what it is, and the C0
  and C1 control characters; tabs and line breaks become one space.

URLs that are stored or rendered are ``http`` or ``https`` only: ``validate_http_url``
is the validator of every URL model and form field, ``http_url_or_blank`` drops
anything else from imported data, and the ``safe_url`` template filter refuses to link
a stored value that is not one (rows saved before the check existed).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_LINE_BREAKS = re.compile(r"[\t\n\r\x0b\x0c\x85\u2028\u2029]+")
_UNWANTED_IN_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}]")
URL_SCHEMES = ("http", "https")


def clean_text(value: str) -> str:
    """Multi-line text as it may be stored: without NUL characters."""
    return value.replace("\x00", "")


def clean_line(value: str) -> str:
    """A single-line value without controls or bidi overrides, line breaks as spaces."""
    return _UNWANTED_IN_LINE.sub("", _LINE_BREAKS.sub(" ", value))


# --- URLs -------------------------------------------------------------------------------

_url_syntax = URLValidator(schemes=list(URL_SCHEMES))


def is_http_url(value: Any) -> bool:
    """True for an absolute ``http``/``https`` URL with a host (the only links we render)."""
    if not isinstance(value, str) or not value or value != value.strip():
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in URL_SCHEMES and bool(parts.netloc)


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


# --- Form fields ------------------------------------------------------------------------


class TextField(forms.CharField):
    """Multi-line text from a form, NULs removed (``clean_text``)."""

    def to_python(self, value: Any) -> str:
        return clean_text(super().to_python(value))


class LineField(forms.CharField):
    """A single-line value from a form, controls and bidi overrides removed."""

    def to_python(self, value: Any) -> str:
        value = clean_line(super().to_python(value))
        return value.strip() if self.strip else value


class HttpURLField(forms.URLField):
    """A URL form field that accepts ``http`` and ``https`` only."""

    default_validators = [validate_http_url]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("assume_scheme", "https")
        kwargs.setdefault("max_length", 2000)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        return super().to_python(clean_line(value) if isinstance(value, str) else value)
