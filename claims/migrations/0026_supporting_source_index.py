"""Indexes for the list pages at 1,000,000 claims (issue 34).

- ``evidence_supporting_source``: the lists' "source problem" flag (supporting evidence
  on a dead or changed source) reads the few such sources' supporting rows from this
  index alone; without it PostgreSQL read every supporting row, twice per list query
  (33 ms at 1,000,000 claims; 1 ms with it).
- On PostgreSQL, trigram indexes for the article search (``/articles/?q=``), which
  compares ``LOWER(NORMALIZE(title, NFC))`` and the same of ``outlet`` with ``LIKE
  '%...%'``: at 20,000 articles the count of a search went from a sequential scan of 850 ms
  (normalising every title) to 33 ms. SQLite has no such index; there the operation does
  nothing and the model state is unchanged.
"""

from __future__ import annotations

from django.db import migrations, models

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS article_title_trgm ON claims_article "
    "USING gin (LOWER(NORMALIZE(title, NFC)) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS article_outlet_trgm ON claims_article "
    "USING gin (LOWER(NORMALIZE(outlet, NFC)) gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS article_title_trgm", "DROP INDEX IF EXISTS article_outlet_trgm"]


def _run(statements: list[str]):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("claims", "0025_speakers")]

    operations = [
        migrations.AddIndex(
            model_name="evidence",
            index=models.Index(
                condition=models.Q(("stance", "supports")),
                fields=["source", "claim"],
                name="evidence_supporting_source",
            ),
        ),
        migrations.RunPython(_run(CREATE), _run(DROP)),
    ]
