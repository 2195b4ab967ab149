"""``{{ value|safe_url }}``: a stored URL if it may be linked (http or https), else ``""``.

Belt and braces behind the validators in ``claims/text/cleaning.py``: a row saved before they
existed, or written around them, is shown as text and never becomes a link.
"""

from __future__ import annotations

from typing import Any

from django import template

from claims.text.cleaning import is_http_url

register = template.Library()


@register.filter
def safe_url(value: Any) -> str:
    return value if is_http_url(value) else ""
