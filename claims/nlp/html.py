"""Main text of an HTML page, with trafilatura (the code path URL ingestion uses too).

The main text keeps the article's sub-headings (``<h2>``-``<h6>``, each on a line of its
own) and the text of its tables (a row per line, cells between ``|``): both are the
article's text, and a table often holds the figures a claim is checked against. Which
lines may be claims is the claim splitter's decision (``claims.nlp.blocks``: a
sub-heading is main text, marked ``heading``, never a claim). Measured with
``scripts/eval_boilerplate.py`` (docs/extraction.md, "Main text").
"""

from __future__ import annotations

import trafilatura


def extract_main_text(html: str, *, url: str | None = None) -> str:
    """The article's main text ("" when trafilatura finds none)."""
    if not html or not html.strip():
        return ""
    text = trafilatura.extract(
        html,
        url=url,
        include_comments=False,
        include_tables=True,
        include_images=False,
        deduplicate=False,
    )
    return text or ""
