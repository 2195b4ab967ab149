"""Article text with ``\\n`` line endings and in Unicode NFC; folded search on PostgreSQL.

Articles and their revisions stored with CRLF (or CR) line endings, or not in NFC, are
rewritten the way text is now stored on the way in (``normalising.for_storage``), and
every offset into them moves with the text: each claim's start and end, its occurrences,
and every ``start``/``end``/``*_start``/``*_end`` inside its JSON fields (hedge cues,
attribution, entities...), plus the article's dropped blocks. A claim's text, prefix and
suffix are taken again from the normalised text (the context clipped to 32 UTF-16 code
units). Claims index the revision they name; those of older revisions move with that
revision's text. Titles, outlets and speakers are put in NFC too. The history tables are
left as they were (they record what was).

On PostgreSQL the claim search's trigram index moves to the folded expression the search
uses (``claims/models/search.py``). Reversing leaves the text normalised.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db import migrations, models

from claims.text.anchoring import context
from claims.text.normalising import for_storage as normalise_text
from claims.text.normalising import storage_offsets as normalised_offsets

OFFSET_KEYS = ("start", "end")


def _is_offset_key(key: str) -> bool:
    return key in OFFSET_KEYS or key.endswith(("_start", "_end"))


def _offsets_in(value: Any) -> set[int]:
    if isinstance(value, dict):
        found = {v for k, v in value.items() if _is_offset_key(k) and isinstance(v, int)}
        for item in value.values():
            found |= _offsets_in(item)
        return found
    if isinstance(value, list):
        if len(value) == 2 and all(isinstance(v, int) for v in value):
            return set(value)  # an occurrence [start, end]
        return set().union(*(_offsets_in(item) for item in value)) if value else set()
    return set()


def _moved(value: Any, where: dict[int, int]) -> Any:
    if isinstance(value, dict):
        return {
            k: where.get(v, v) if _is_offset_key(k) and isinstance(v, int) else _moved(v, where)
            for k, v in value.items()
        }
    if isinstance(value, list):
        if len(value) == 2 and all(isinstance(v, int) for v in value):
            return [where.get(v, v) for v in value]
        return [_moved(item, where) for item in value]
    return value


def _json_fields(model: Any) -> list[str]:
    return [f.name for f in model._meta.get_fields() if isinstance(f, models.JSONField)]


def _move_claims(claims: list[Any], old: str, new: str, json_fields: list[str]) -> None:
    offsets = set()
    for claim in claims:
        offsets |= {claim.start, claim.end}
        for name in json_fields:
            offsets |= _offsets_in(getattr(claim, name))
    where = normalised_offsets(old, offsets)
    for claim in claims:
        claim.start, claim.end = where[claim.start], where[claim.end]
        for name in json_fields:
            setattr(claim, name, _moved(getattr(claim, name), where))
        if 0 <= claim.start < claim.end <= len(new):
            claim.text = new[claim.start : claim.end]
            claim.prefix, claim.suffix = context(new, claim.start, claim.end)
        claim.speaker = unicodedata.normalize("NFC", claim.speaker)
        claim.save()


def normalise_articles(apps: Any, schema_editor: Any) -> None:
    Article = apps.get_model("claims", "Article")
    ArticleRevision = apps.get_model("claims", "ArticleRevision")
    Claim = apps.get_model("claims", "Claim")
    json_fields = _json_fields(Claim)
    for article in Article.objects.order_by("pk").iterator(chunk_size=50):
        bodies = {
            revision.number: revision
            for revision in ArticleRevision.objects.filter(article_id=article.pk)
        }
        for number, revision in bodies.items():
            new = normalise_text(revision.body)
            if new != revision.body:
                claims = list(Claim.objects.filter(article_id=article.pk, revision=number))
                if number != article.revision:
                    _move_claims(claims, revision.body, new, json_fields)
                revision.body = new
                revision.save(update_fields=["body"])
        new_body = normalise_text(article.body)
        title = unicodedata.normalize("NFC", article.title)
        outlet = unicodedata.normalize("NFC", article.outlet)
        if (new_body, title, outlet) == (article.body, article.title, article.outlet):
            continue
        if new_body != article.body:
            claims = list(Claim.objects.filter(article_id=article.pk, revision=article.revision))
            _move_claims(claims, article.body, new_body, json_fields)
            where = normalised_offsets(article.body, _offsets_in(article.dropped))
            article.dropped = _moved(article.dropped, where)
        article.body, article.title, article.outlet = new_body, title, outlet
        article.save(update_fields=["body", "title", "outlet", "dropped"])


def claim_search_index(forward: bool):
    statements = (
        [
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            "DROP INDEX IF EXISTS claim_text_trgm",
            "CREATE INDEX IF NOT EXISTS claim_text_folded_trgm ON claims_claim "
            "USING gin (LOWER(NORMALIZE(text, NFC)) gin_trgm_ops)",
        ]
        if forward
        else [
            "DROP INDEX IF EXISTS claim_text_folded_trgm",
            "CREATE INDEX IF NOT EXISTS claim_text_trgm ON claims_claim "
            "USING gin (UPPER(text) gin_trgm_ops)",
        ]
    )

    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("claims", "0010_verdict_pages")]

    operations = [
        migrations.RunPython(normalise_articles, migrations.RunPython.noop),
        migrations.RunPython(claim_search_index(True), claim_search_index(False)),
    ]
