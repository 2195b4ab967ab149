"""The quotation-mark scan reads ORTH ids; it must agree with a token-by-token reading."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.tokens import Doc
from spacy.vocab import Vocab

from claims.nlp import attribution

WORDS = ["\u201c", "\u201d", '"', "''", "``", "said", "Kerry", ".", "'", "`", "x\u201c"]
VOCAB = Vocab()


def reference_quoted(doc: Doc) -> frozenset[int]:
    inside, quoted = False, []
    for token in doc:
        text = token.text
        if text in ("\u201c", "``"):
            inside = True
        elif text == "\u201d":
            inside = False
        elif text in ('"', "''"):
            inside = not inside
        elif inside:
            quoted.append(token.i)
    return frozenset(quoted)


def reference_regions(doc: Doc) -> list[tuple[int, int]]:
    regions, opened = [], None
    for token in doc:
        text = token.text
        closing = text == "\u201d" or (text in ('"', "''") and opened is not None)
        if closing and opened is not None:
            if token.i > opened:
                regions.append((opened, token.i))
            opened = None
        elif text in ("\u201c", "``", '"', "''"):
            opened = token.i + 1
    if opened is not None and opened < len(doc):
        regions.append((opened, len(doc)))
    return regions


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=30))
def test_scan_agrees_with_token_by_token_reading(words: list[str]) -> None:
    doc = Doc(VOCAB, words=words)
    assert attribution.quoted_tokens(doc) == reference_quoted(doc)
    assert attribution.quote_regions(doc) == reference_regions(doc)


def test_a_text_without_marks_has_none() -> None:
    doc = Doc(VOCAB, words=["He", "said", "so", "."])
    assert attribution.quoted_tokens(doc) == frozenset()
    assert attribution.quote_regions(doc) == []
