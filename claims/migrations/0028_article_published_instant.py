"""``Article.published_at`` keeps the instant a story was published (UTC), not its date.

Dates already stored become midnight UTC of that day. PostgreSQL converts the column in
place (the connection's time zone is UTC); SQLite keeps the text, which this migration
completes with the time, so Django reads it back as a date-time.
"""

from django.db import migrations, models


TABLES = ("claims_article", "claims_historicalarticle")


def _dates_to_midnight(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(
                f"UPDATE {table} SET published_at = published_at || ' 00:00:00' "
                "WHERE published_at IS NOT NULL AND length(published_at) = 10"
            )


def _midnight_to_dates(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(
                f"UPDATE {table} SET published_at = substr(published_at, 1, 10) "
                "WHERE published_at IS NOT NULL"
            )


class Migration(migrations.Migration):
    dependencies = [("claims", "0027_decisive_events")]

    operations = [
        *(
            migrations.AlterField(
                model_name=model,
                name="published_at",
                field=models.DateTimeField(
                    blank=True,
                    null=True,
                    help_text="When the story was published (an instant, UTC).",
                ),
            )
            for model in ("article", "historicalarticle")
        ),
        migrations.RunPython(_dates_to_midnight, _midnight_to_dates),
    ]
