"""Numeric entities keep their currency sign and unit (issue 32: "£31,200" lost its "£").

spaCy's MONEY, PERCENT and QUANTITY entities often leave out an adjacent currency sign
("£" before "31,200") or a unit written on to the number ("m" of "£46m"). A figure of
``claims.text.figures`` that overlaps the entity says where the whole figure is written;
the entity's span is widened to it (never narrowed, never across a date or a plain
count: those have no sign or unit to add).
"""

from __future__ import annotations

from claims.text import figures

NUMERIC = frozenset({"MONEY", "PERCENT", "QUANTITY", "CARDINAL"})
_UNITLESS = frozenset({"count", "date"})


def widened(text: str, start: int, end: int, label: str) -> tuple[int, int]:
    """The span of the entity ``text[start:end]`` with its currency sign and unit."""
    if label not in NUMERIC:
        return start, end
    for figure in figures.extract(text):
        if figure.kind in _UNITLESS or figure.end <= start or end <= figure.start:
            continue
        return min(start, figure.start), max(end, figure.end)
    return start, end
