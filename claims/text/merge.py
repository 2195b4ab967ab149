"""A three-way merge of two edits of one text, word by word, for the article editor.

Two people edited the same revision (``base``): ``mine`` was refused because
``theirs`` was saved first. When their changes touch different words, ``merge3``
returns the text with both; when they touch the same words (or words next to each
other), it returns None and the person merges by hand. Tokens are runs of letters and
digits, runs of white space and single other characters, so the merged text keeps
every character of both edits. No Django.
"""

from __future__ import annotations

import difflib
import re

_TOKENS = re.compile(r"\w+|\s+|[^\w\s]")

Change = tuple[int, int, tuple[str, ...]]  # replace base tokens [start, end) with these


def _tokens(text: str) -> list[str]:
    return _TOKENS.findall(text)


def _changes(base: list[str], edited: list[str]) -> list[Change]:
    matcher = difflib.SequenceMatcher(a=base, b=edited, autojunk=False)
    return [
        (i1, i2, tuple(edited[j1:j2]))
        for op, i1, i2, j1, j2 in matcher.get_opcodes()
        if op != "equal"
    ]


def _clash(first: Change, second: Change) -> bool:
    """Two changes clash when their base spans overlap, touch, or stand one token apart
    (two neighbouring words): the order of the words, or what the sentence now says,
    would be a guess."""
    return first[0] <= second[1] + 1 and second[0] <= first[1] + 1


def merge3(base: str, mine: str, theirs: str) -> str | None:
    """``base`` with the changes of both ``mine`` and ``theirs``, or None when they clash.
    A change both made is made once."""
    tokens = _tokens(base)
    ours, others = _changes(tokens, _tokens(mine)), _changes(tokens, _tokens(theirs))
    only_ours = [c for c in ours if c not in others]
    only_theirs = [c for c in others if c not in ours]
    if any(_clash(a, b) for a in only_ours for b in only_theirs):
        return None
    out: list[str] = []
    at = 0
    for start, end, replacement in sorted({*ours, *others}):
        out += [*tokens[at:start], *replacement]
        at = end
    return "".join(out + tokens[at:])
