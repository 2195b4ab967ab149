"""Fact-check archives: read ClaimReview JSON-LD (.json/.jsonld, or embedded in .html
pages), JSON Lines (.jsonl/.ndjson) or CSV into plain entries (dicts of
``ARCHIVE_FIELDS``). Nothing is written here: ``matching.import_factchecks`` stores the
entries; a file that cannot be read raises ``ArchiveRejected`` with where and why."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from django.utils.dateparse import parse_date, parse_datetime

from claims.models.validators import http_url_or_blank
from claims.text.cleaning import clean_line, clean_text


class ArchiveRejected(ValueError):
    """A fact-check file that cannot be read, with a message saying where and why."""


ARCHIVE_FIELDS = ("id", "text", "title", "url", "rating", "date", "publisher")


def read_archive(path: Path) -> list[dict[str, Any]]:
    """Entries of a fact-check file: ClaimReview JSON-LD (.json/.jsonld, or embedded in
    .html pages), JSON Lines (.jsonl/.ndjson) or CSV, as dicts of ``ARCHIVE_FIELDS``."""
    suffix = path.suffix.lower()
    if suffix not in {".jsonl", ".ndjson", ".csv", ".json", ".jsonld", ".html", ".htm"}:
        raise ArchiveRejected(
            f"Cannot read {suffix or 'extension-less'} files: use .jsonl, .csv, .json "
            "(ClaimReview JSON-LD) or .html pages with ClaimReview markup."
        )
    try:
        raw = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ArchiveRejected(f"Cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ArchiveRejected(f"{path.name} is not UTF-8 text (byte {exc.start}).") from None
    if suffix in {".jsonl", ".ndjson"}:
        entries = list(_jsonl_entries(raw, path.name))
    elif suffix == ".csv":
        entries = list(_csv_entries(raw, path.name))
    elif suffix in {".json", ".jsonld"}:
        entries = list(_jsonld_entries(_parse_json(raw, path.name), path.name))
    else:
        entries = list(_html_entries(raw, path.name))
    if not entries:
        raise ArchiveRejected(f"No fact-checks found in {path.name}.")
    return entries


def _parse_json(raw: str, where: str) -> Any:
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ArchiveRejected(f"{where}: not valid JSON ({exc.msg}, line {exc.lineno}).") from None


def _entry(data: dict[str, Any], where: str) -> dict[str, Any]:
    """One fact-check, cleaned: NULs removed from the text, controls and bidi overrides
    from the single-line fields, and a URL that is not http(s) dropped with a warning."""
    entry: dict[str, Any] = {
        name: clean_line(str(data.get(name) or "")).strip() for name in ARCHIVE_FIELDS
    }
    entry["text"] = clean_text(str(data.get("text") or "")).strip()
    entry["id"] = entry["id"] or entry["url"]
    entry["warnings"] = []
    if entry["url"] and not http_url_or_blank(entry["url"]):
        entry["warnings"].append(
            f"{where}: the URL {entry['url'][:80]!r} was dropped (only http:// and https:// "
            "URLs are kept)."
        )
        entry["url"] = ""
    if not entry["id"]:
        raise ArchiveRejected(f"{where}: an entry needs an id or a url.")
    if not entry["text"]:
        raise ArchiveRejected(f"{where}: entry {entry['id']!r} has no text.")
    entry["date"] = _date(entry["date"], where)
    return entry


def _date(value: str, where: str) -> date | None:
    if not value:
        return None
    try:
        parsed = parse_date(value[:10]) or (parse_datetime(value) or None)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ArchiveRejected(f"{where}: cannot read the date {value!r} (use YYYY-MM-DD).")
    return parsed if isinstance(parsed, date) else parsed.date()


def _jsonl_entries(raw: str, name: str) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        data = _parse_json(line, f"{name} line {number}")
        if not isinstance(data, dict):
            raise ArchiveRejected(f"{name} line {number}: expected a JSON object.")
        yield _entry(data, f"{name} line {number}")


def _csv_entries(raw: str, name: str) -> Iterator[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(raw))
    missing = {"id", "text"} - set(reader.fieldnames or [])
    if missing - {"id"} or ("id" in missing and "url" not in (reader.fieldnames or [])):
        raise ArchiveRejected(f"{name}: the CSV needs the columns id (or url) and text.")
    for number, row in enumerate(reader, start=2):
        yield _entry(row, f"{name} line {number}")


def _html_entries(raw: str, name: str) -> Iterator[dict[str, Any]]:
    scripts = re.findall(
        r"<script[^>]*type=[\"']application/ld\+json[\"'][^>]*>(.*?)</script>",
        raw,
        flags=re.IGNORECASE | re.DOTALL,
    )
    for number, script in enumerate(scripts, start=1):
        yield from _jsonld_entries(_parse_json(script, f"{name} script {number}"), name)


def _jsonld_entries(data: Any, name: str) -> Iterator[dict[str, Any]]:
    """ClaimReview objects anywhere in the JSON (a list, an ``@graph``, nested); plain
    ``{"id", "text"}`` objects are read as JSON Lines entries would be."""
    if isinstance(data, list):
        for item in data:
            yield from _jsonld_entries(item, name)
    elif isinstance(data, dict):
        kinds = data.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if "ClaimReview" in kinds:
            yield _entry(_from_claimreview(data), f"{name}: ClaimReview")
        elif "text" in data and ("id" in data or "url" in data) and "@type" not in data:
            yield _entry(data, name)
        else:
            for value in data.values():
                if isinstance(value, list | dict):
                    yield from _jsonld_entries(value, name)


def _name(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        return str(value.get("name") or "")
    return str(value or "")


def _from_claimreview(review: dict[str, Any]) -> dict[str, Any]:
    rating = review.get("reviewRating") or {}
    if isinstance(rating, list):
        rating = rating[0] if rating else {}
    rating_text = rating.get("alternateName") or rating.get("ratingValue") or ""
    return {
        "id": review.get("identifier") or review.get("@id") or review.get("url"),
        "url": review.get("url"),
        "text": review.get("claimReviewed"),
        "title": review.get("headline") or review.get("name"),
        "rating": rating_text,
        "date": review.get("datePublished"),
        "publisher": _name(review.get("author")) or _name(review.get("publisher")),
    }
