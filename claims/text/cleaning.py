"""What text and URLs may enter the workbench: one cleaning step, used at every boundary.

Forms (through ``TextField`` and ``LineField``), uploads, management commands, fetched
pages and PDFs, and imported fact-check archives all pass text through here:

- ``clean_text`` removes NUL characters (PostgreSQL refuses them in text columns);
  everything else in multi-line text (notes, excerpts) is kept.
- article text (pasted, uploaded, edited, fetched) is then normalised for storage
  (``\n`` line endings, NFC): ``claims.text.normalising.for_storage``.
- ``clean_line`` is for single-line fields (titles, outlets, names, speakers, ratings):
  it also removes the bidirectional overrides and isolates (U+202A-U+202E,
  U+2066-U+2069), which can make a title read differently from what it is, and the C0
  and C1 control characters; tabs and line breaks become one space; the result is NFC.

Text that cannot be encoded as UTF-8 (a lone surrogate such as U+D800, which a JSON body
can spell ``"\\ud800"``) cannot be stored or shown: ``unencodable`` finds it, and every
form field and the write API refuse it naming the field, before it reaches the database.

URLs that are stored or rendered are ``http`` or ``https`` only: ``validate_http_url``
is the validator of every URL model and form field, ``http_url_or_blank`` drops
anything else from imported data, and the ``safe_url`` template filter refuses to link
a stored value that is not one (rows saved before the check existed).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from claims.text.normalising import nfc

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


_LINE_BREAKS = re.compile(r"[\t\n\r\x0b\x0c\x85\u2028\u2029]+")


_UNWANTED_IN_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}]")


URL_SCHEMES = ("http", "https")


def unencodable(value: str) -> str | None:
    """Why ``value`` cannot be stored (a character UTF-8 cannot encode), or None."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        char = value[error.start]
        return (
            f"The text has a character that cannot be stored, U+{ord(char):04X} at "
            f"position {error.start + 1} (a lone surrogate): remove it."
        )
    return None


def clean_text(value: str) -> str:
    """Multi-line text as it may be stored: without NUL characters."""
    return value.replace("\x00", "")


def clean_line(value: str) -> str:
    """A single-line value without controls or bidi overrides, line breaks as spaces, NFC."""
    line = _UNWANTED_IN_LINE.sub("", _LINE_BREAKS.sub(" ", value))
    return nfc(line)


def is_http_url(value: Any) -> bool:
    """True for an absolute ``http``/``https`` URL with a host (the only links we render)."""
    if not isinstance(value, str) or not value or value != value.strip():
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in URL_SCHEMES and bool(parts.netloc)
