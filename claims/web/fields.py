"""Form fields that clean their input (``claims.text.cleaning``); URLs only http(s).

Every text field here refuses text that cannot be encoded as UTF-8 (a lone surrogate),
with a form error on the field, instead of a database error."""

from __future__ import annotations

from typing import Any

from django import forms

from claims.models.validators import validate_http_url
from claims.text.cleaning import clean_line, clean_text, unencodable


def encodable(value: Any) -> Any:
    """``value``, or a ``ValidationError`` when it is text UTF-8 cannot encode."""
    if isinstance(value, str) and (reason := unencodable(value)):
        raise forms.ValidationError(reason, code="unencodable")
    return value


class StorableCharField(forms.CharField):
    """Text as given (no cleaning), refused only when it cannot be encoded."""

    def to_python(self, value: Any) -> str:
        text = super().to_python(encodable(value))
        return "" if text is None else text  # None only for an empty_value=None we never set


class TextField(StorableCharField):
    """Multi-line text from a form, NULs removed (``clean_text``)."""

    def to_python(self, value: Any) -> str:
        return clean_text(super().to_python(value))


class LineField(StorableCharField):
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
        url = super().to_python(clean_line(encodable(value)) if isinstance(value, str) else value)
        return "" if url is None else url  # None only for an empty_value=None we never set
