"""Full-text search of claim text (``claims/models/search.py``).

SQLite: a contentless FTS5 table ``claims_claim_fts`` of the folded text, kept in step by
triggers, filled from the existing claims. PostgreSQL: a stored generated column
``search_vector`` = ``to_tsvector('simple', NORMALIZE(text, NFC))`` (not a model field:
the database keeps it) with a GIN index, replacing the trigram index of migration 0011,
which only the old substring search of claim text used. Stored rather than an
expression index, so that a plan walking the sort order's index reads the vector
instead of computing it again for every row. Other databases:
nothing (the search falls back to folded substrings).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

PG_FORWARD = [
    "ALTER TABLE claims_claim ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, NORMALIZE(text, NFC))) STORED",
    "CREATE INDEX IF NOT EXISTS claim_text_fts ON claims_claim USING gin (search_vector)",
    "DROP INDEX IF EXISTS claim_text_folded_trgm",
    "ANALYZE claims_claim",
]
PG_BACKWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS claim_text_folded_trgm ON claims_claim "
    "USING gin (LOWER(NORMALIZE(text, NFC)) gin_trgm_ops)",
    "DROP INDEX IF EXISTS claim_text_fts",
    "ALTER TABLE claims_claim DROP COLUMN IF EXISTS search_vector",
]


def forward(apps: Any, schema_editor: Any) -> None:
    from claims.models.search import ensure_sqlite_fts

    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        ensure_sqlite_fts(connection, create=True)
    elif connection.vendor == "postgresql":
        for sql in PG_FORWARD:
            schema_editor.execute(sql)


def backward(apps: Any, schema_editor: Any) -> None:
    from claims.models.search import drop_sqlite_fts

    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        drop_sqlite_fts(connection)
    elif connection.vendor == "postgresql":
        for sql in PG_BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("claims", "0014_integration")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
