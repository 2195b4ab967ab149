"""Main text of an HTML page, with trafilatura (the code path URL ingestion uses too).

An article's main text keeps its sub-headings (``<h2>``-``<h6>``, each on a line of its
own) and the text of its tables (a row per line, cells between ``|``): both are the
article's text, and the headline check and the anchors read them. Which lines may be
claims is the claim splitter's decision (``claims.nlp.blocks``: a sub-heading or a table
row is main text, marked ``heading`` or ``table``, never a claim). Measured with
``scripts/eval_boilerplate.py`` (docs/extraction.md, "Main text").

A source's capture leaves tables out (``tables=False``): captures are compared with the
previous one by the SHA-256 of their text, so a change of extractor would make every
captured page with a table read as "changed" at its next re-check, with no change at the
publisher. Tables in captures wait for captures that record their extractor's version.
"""

from __future__ import annotations

import trafilatura


def extract_main_text(html: str, *, url: str | None = None, tables: bool = True) -> str:
    """The page's main text ("" when trafilatura finds none); ``tables``: with the text
    of its tables, a row per line."""
    if not html or not html.strip():
        return ""
    text = trafilatura.extract(
        html,
        url=url,
        include_comments=False,
        include_tables=tables,
        include_images=False,
        deduplicate=False,
    )
    return text or ""
