"""Main text of an HTML page, with trafilatura (the code path URL ingestion uses too)."""

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
        include_tables=False,
        include_images=False,
        deduplicate=False,
    )
    return text or ""
