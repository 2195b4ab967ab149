"""Form fields that clean their input (``claims.text.cleaning``); URLs only http(s)."""

from __future__ import annotations

from typing import Any

from django import forms

from claims.models.validators import validate_http_url
from claims.text.cleaning import clean_line, clean_text


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
