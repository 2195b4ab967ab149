"""``{{ text|quoted }}``: text in curly quotes, unless it already opens or closes with a
quotation mark of its own (a claim that is a quote, ``"will be intense," he said``):
then it is shown as written, never as “"…"”. The text itself is never changed."""

from __future__ import annotations

from django import template

register = template.Library()

# Straight, curly, low and angle quotation marks, single and double.
QUOTE_MARKS = frozenset(
    "\"'\u201c\u201d\u201e\u201f\u2018\u2019\u201a\u201b\u00ab\u00bb\u2039\u203a"
    "\u300c\u300d\u300e\u300f"
)


def quoted_text(text: object) -> str:
    text = str(text)
    bare = text.strip()
    if not bare or bare[0] in QUOTE_MARKS or bare[-1] in QUOTE_MARKS:
        return text
    return f"“{text}”"


@register.filter(is_safe=True)
def quoted(text: object) -> str:
    """Autoescaping escapes ``text`` first when it is not safe: the marks added are not
    HTML, so the result is as safe as the input."""
    return quoted_text(text)
