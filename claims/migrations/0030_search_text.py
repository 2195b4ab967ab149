"""Search folds accents and knows punctuation: a stored folded ``search_text`` column on
claims, articles and sources (``claims/models/search.py``), filled here from the rows
there are (``search_tokens`` of the searchable fields, as ``FoldedSearch`` writes it).

The claims' full-text index moves onto the new column, so that it folds accents too:
SQLite's FTS5 table ``claims_claim_fts`` is filled again from ``search_text`` and its
triggers follow that column; PostgreSQL's generated ``search_vector`` becomes
``to_tsvector('simple', search_text)`` (it was of ``NORMALIZE(text, NFC)``), with its
GIN index. Reversing puts the index back on the text and drops the columns.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

SEARCHED = {
    "Claim": ("text",),
    "Article": ("title", "outlet"),
    "Source": ("title", "url", "publisher"),
}
PG_FORWARD = [
    "DROP INDEX IF EXISTS claim_text_fts",
    "ALTER TABLE claims_claim DROP COLUMN IF EXISTS search_vector",
    "ALTER TABLE claims_claim ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED",
    "CREATE INDEX claim_text_fts ON claims_claim USING gin (search_vector)",
    "ANALYZE claims_claim",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS claim_text_fts",
    "ALTER TABLE claims_claim DROP COLUMN IF EXISTS search_vector",
    "ALTER TABLE claims_claim ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, NORMALIZE(text, NFC))) STORED",
    "CREATE INDEX claim_text_fts ON claims_claim USING gin (search_vector)",
]


def fill(apps: Any, schema_editor: Any) -> None:
    from claims.models.search import search_tokens

    for name, fields in SEARCHED.items():
        model = apps.get_model("claims", name)
        rows = model.objects.only("pk", *fields).order_by("pk")
        batch = []
        for row in rows.iterator(chunk_size=1000):
            row.search_text = search_tokens(*(getattr(row, field) for field in fields))
            batch.append(row)
            if len(batch) == 1000:
                model.objects.bulk_update(batch, ["search_text"])
                batch = []
        model.objects.bulk_update(batch, ["search_text"])


def index_forward(apps: Any, schema_editor: Any) -> None:
    from claims.models.search import ensure_sqlite_fts

    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        ensure_sqlite_fts(connection, create=True, refill=True)
    elif connection.vendor == "postgresql":
        for sql in PG_FORWARD:
            schema_editor.execute(sql)


def index_backward(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        for sql in PG_BACKWARD:
            schema_editor.execute(sql)
    # SQLite: the triggers go with the column; post_migrate puts back those of the text.


def drop_sqlite_triggers(apps: Any, schema_editor: Any) -> None:
    from claims.models.search import FTS5_TRIGGERS

    if schema_editor.connection.vendor == "sqlite":
        for name in FTS5_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


def search_text() -> models.TextField:
    return models.TextField(
        blank=True, default="", editable=False, help_text="Folded search tokens (search.py)."
    )


class Migration(migrations.Migration):
    dependencies = [("claims", "0029_desk_aggregates")]

    operations = [
        migrations.AddField("article", "search_text", search_text()),
        migrations.AddField("claim", "search_text", search_text()),
        migrations.AddField("source", "search_text", search_text()),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(index_forward, index_backward, elidable=False),
        # Reversing: the triggers on search_text must go before the column does.
        migrations.RunPython(migrations.RunPython.noop, drop_sqlite_triggers, elidable=False),
    ]
