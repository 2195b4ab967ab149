"""``{{ value|jsonld_script }}``: a JSON-LD data block that no text can break out of.

Like Django's ``json_script``, with ``type="application/ld+json"`` (what search engines
read): ``<``, ``>`` and ``&`` are written as ``\\u003C``, ``\\u003E`` and ``\\u0026``, so
``</script>`` or ``<!--`` inside a claim stays text, and JSON parsers read it back
unchanged. A data block is never executed, so the Content-Security-Policy allows it.
"""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def jsonld_script(value: Any) -> SafeString:
    text = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False).translate(ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))
