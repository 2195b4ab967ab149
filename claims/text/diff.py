"""A word-level diff of two wordings, as escaped HTML for the two sides of a comparison.

The claim panel shows a claim in *needs re-review* with the wording it was confirmed on
beside its current wording: words only in the confirmed wording are marked ``<del>`` on
its side, words only in the current wording ``<ins>`` on the other. The words are
compared with ``difflib``; every word is HTML-escaped here, so the markup is safe to
render as it is. No Django.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class WordDiff:
    before: str  # the old wording, escaped, removed words in <del>
    after: str  # the new wording, escaped, added words in <ins>
    changed: bool  # whether any word differs


def _marked(words: list[str], tag: str) -> str:
    return f"<{tag}>{escape(' '.join(words))}</{tag}>"


def word_diff(before: str, after: str) -> WordDiff:
    """Compare ``before`` and ``after`` word by word (runs of whitespace are one space)."""
    old, new = before.split(), after.split()
    left: list[str] = []
    right: list[str] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            left.append(escape(" ".join(old[i1:i2])))
            right.append(escape(" ".join(new[j1:j2])))
            continue
        if i2 > i1:
            left.append(_marked(old[i1:i2], "del"))
        if j2 > j1:
            right.append(_marked(new[j1:j2], "ins"))
    return WordDiff(before=" ".join(left), after=" ".join(right), changed=old != new)
