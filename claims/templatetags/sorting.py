"""``{% sort_header form "title" %}``: a list's column header that sorts by it, labelled
from the form's ``SORT_LABELS`` (no status word is spelled in a template).

The link sorts by the column one way, and the other way when the list is already sorted
by it (``aria-sort`` says how it is sorted now); any other filter in the query string is
kept, and the page starts again at 1. ``first="desc"`` for columns read largest first
(scores, counts, dates). The keys are those of the form's ``SORTS`` (both directions)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_header(
    context: template.Context, form: Any, key: str, first: str = "asc", css: str = ""
) -> SafeString:
    label = form.SORT_LABELS[key]
    current = form["sort"].value() or getattr(form, "DEFAULT_SORT", "")
    if current == key:
        target, state = f"-{key}", "ascending"
    elif current == f"-{key}":
        target, state = key, "descending"
    else:
        target, state = (key if first == "asc" else f"-{key}"), ""
    query = context["request"].GET.copy()
    query["sort"] = target
    query.pop("page", None)
    arrow = {"ascending": " ▲", "descending": " ▼"}.get(state, "")
    direction = "descending" if target.startswith("-") else "ascending"
    return format_html(
        '<th scope="col"{}{}><a href="?{}" title="Sort {}">{}'
        '<span aria-hidden="true">{}</span></a></th>',
        format_html(' aria-sort="{}"', state) if state else "",
        format_html(' class="{}"', css) if css else "",
        query.urlencode(),
        direction,
        label,
        arrow,
    )
