"""Strict JSON-LD expansion for the export tests: pyld with no base IRI and only a
local copy of the schema.org context (no network), refusing what lenient clients drop.

``expand_strictly(document)`` expands the document and fails the test when

- a term is not in the schema.org context (expansion would silently drop it),
- any ``@id``, ``@type`` or ``url`` is a relative IRI (jsonld.js in safe mode throws on
  these; in normal mode it drops the node), or a non-http(s) one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pyld import jsonld

SCHEMA = "http://schema.org/"
SCHEMA_CONTEXT = json.loads(
    (Path(__file__).parent / "fixtures" / "schemaorg-context.jsonld").read_text(encoding="utf-8")
)


def local_loader(url: str, options: Any = None) -> dict[str, Any]:
    """Serve the local schema.org context; any other fetch fails the test."""
    assert url.rstrip("/") in ("https://schema.org", "http://schema.org"), url
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": SCHEMA_CONTEXT,
    }


def compact_keys(node: Any) -> set[str]:
    if isinstance(node, list):
        return set().union(*(compact_keys(item) for item in node)) if node else set()
    if isinstance(node, dict):
        keys = {key for key in node if not key.startswith("@")}
        return keys.union(*(compact_keys(value) for value in node.values()))
    return set()


def is_absolute(iri: str) -> bool:
    parts = urlsplit(iri)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _check(node: Any, where: str) -> None:
    if isinstance(node, list):
        for index, item in enumerate(node):
            _check(item, f"{where}[{index}]")
        return
    if not isinstance(node, dict) or "@value" in node:
        return
    if "@id" in node:
        assert is_absolute(node["@id"]), f"relative or unsafe @id at {where}: {node['@id']!r}"
    for kind in node.get("@type", []):
        assert kind.startswith(SCHEMA), f"type outside schema.org at {where}: {kind!r}"
    for key, value in node.items():
        if key.startswith("@"):
            continue
        assert key.startswith(SCHEMA), f"property outside schema.org at {where}: {key!r}"
        _check(value, f"{where}/{key.removeprefix(SCHEMA)}")


def expand_strictly(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The expanded document; fails on a dropped term or a relative IRI."""
    assert compact_keys(document) <= set(SCHEMA_CONTEXT["@context"]), (
        "a term would be dropped: "
        f"{sorted(compact_keys(document) - set(SCHEMA_CONTEXT['@context']))}"
    )
    expanded = jsonld.expand(document, {"documentLoader": local_loader, "base": ""})
    _check(expanded, "")
    return expanded
