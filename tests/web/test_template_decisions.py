"""Templates get their decisions from the view: no template compares a claim's status or
verdict with a literal (``{% if claim.status == "confirmed" %}``). The views build the
decisions (``claims/web/panel.py``: ``StatusBadge``, ``ClaimPanel``, ``ArticleHeader``)
and the templates read their fields."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from claims.models import Claim, ClaimVerdict

TAG = re.compile(r"{%.*?%}", re.S)
LITERAL = re.compile(r"""(["'])(.*?)\1""")
COMPARES_STATUS = re.compile(r"\bstatus\s*(==|!=)|(==|!=)\s*[\w.]*\bstatus\b")
# Every way a status or a verdict is spelled: values and labels, any case.
SPELLINGS = {
    word.lower()
    for choices in (Claim.Status, ClaimVerdict)
    for word in [*choices.values, *(str(label) for label in choices.labels)]
}


def literal_status_comparisons(text: str) -> list[str]:
    """The template tags of ``text`` that compare a status with something, or name a
    status or verdict as a literal."""
    found = []
    for tag in TAG.findall(text):
        literals = [value.lower() for _, value in LITERAL.findall(tag)]
        words = {word for value in literals for word in [value, *value.split()]}
        if COMPARES_STATUS.search(tag) or words & SPELLINGS:
            found.append(tag)
    return found


def templates() -> list[Path]:
    root = Path(settings.BASE_DIR) / "templates"
    return sorted(root.rglob("*.html"))


def test_the_scan_finds_the_comparisons_it_forbids() -> None:
    bad = [
        '{% if claim.status == "confirmed" %}',
        "{% if claim.status != 'needs_rereview' %}",
        '{% elif "unconfirmed" == claim.status %}',
        '{% if verdict == "Contradicted" %}',
        "{% if m.matched_claim.status == other.status %}",
        '{% if claim.verdict in "undecided confirmed" %}',
    ]
    good = [
        "{% if panel.is_confirmed %}",
        '{% include "claims/partials/result.html" with key="status" %}',
        '{% if article.state == "failed" %}',  # an article's extraction state, not a status
        '<span class="badge status-{{ claim.status }}">',
    ]
    assert [literal_status_comparisons(text) for text in bad] == [[text] for text in bad]
    assert [literal_status_comparisons(text) for text in good] == [[] for _ in good]


def test_no_template_compares_a_status_or_verdict_with_a_literal() -> None:
    assert templates(), "no templates found"
    offending = {
        str(path.relative_to(settings.BASE_DIR)): found
        for path in templates()
        if (found := literal_status_comparisons(path.read_text(encoding="utf-8")))
    }
    assert offending == {}
