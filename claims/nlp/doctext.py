"""A Doc's text, read once.

spaCy's ``Doc.text`` is not stored: each read joins the text of every token, creating a
Token object per word. The components and the pipeline slice the text of each sentence
from it, so it was built anew for every sentence; this keeps it in ``doc.user_data``
after the first read (a parsed Doc's text does not change; nothing here retokenizes).
"""

from __future__ import annotations

from spacy.tokens import Doc

TEXT_KEY = "wb_text"


def doc_text(doc: Doc) -> str:
    """``doc.text``, computed at the first call and kept with the Doc."""
    text = doc.user_data.get(TEXT_KEY)
    if text is None:
        text = doc.user_data[TEXT_KEY] = doc.text
    return text
