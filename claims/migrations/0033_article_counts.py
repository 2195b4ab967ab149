"""Each article's claim counts, stored (``counts.ArticleCounts``), filled from the claims
as they are now; and, on PostgreSQL, a trigram index on the articles' folded
``search_text`` for the articles list's search (``LIKE '% word%'``)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, Exists, OuterRef, Q

COUNTED = (
    "total", "worthy", "confirmed", "contradicted", "undecided",
    "unconfirmed", "rereview", "open", "hedged", "unverified",
)  # fmt: skip


def conditions(Evidence):
    """``ClaimCounts.conditions()`` as of this migration (with its models)."""
    refuted = Q(Exists(Evidence.objects.filter(claim=OuterRef("pk"), stance="refutes")))
    confirmed, unconfirmed = Q(status="confirmed"), Q(status="unconfirmed")
    worthy, unverified = Q(check_worthy=True), Q(factuality="unverified_report")
    return {
        "total": Q(),
        "worthy": worthy,
        "confirmed": confirmed & ~refuted,
        "contradicted": refuted,
        "undecided": ~confirmed & ~refuted,
        "unconfirmed": unconfirmed,
        "rereview": Q(status="needs_rereview"),
        "open": worthy & unconfirmed & ~refuted,
        "hedged": worthy & Q(hedged=True) & ~unverified & ~confirmed,
        "unverified": worthy & unverified & ~confirmed,
    }


def backfill(apps, schema_editor):
    Claim = apps.get_model("claims", "Claim")
    Counts = apps.get_model("claims", "ArticleCounts")
    counted = conditions(apps.get_model("claims", "Evidence"))
    rows = (
        Claim.objects.filter(orphaned=False)
        .order_by()
        .values("article_id")
        .annotate(**{f"c_{name}": Count("pk", filter=counted[name]) for name in COUNTED})
    )
    Counts.objects.bulk_create(
        (Counts(article_id=r["article_id"], **{n: r[f"c_{n}"] for n in COUNTED}) for r in rows),
        batch_size=2000,
    )


TRIGRAM = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS article_search_trgm ON claims_article "
    "USING gin (search_text gin_trgm_ops)",
]


def trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in TRIGRAM:
            schema_editor.execute(statement)


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS article_search_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0032_firstdecision_filters"),
    ]

    operations = [
        migrations.CreateModel(
            name="ArticleCounts",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="counts",
                        serialize=False,
                        to="claims.article",
                    ),
                ),
                ("total", models.PositiveIntegerField(default=0)),
                ("worthy", models.PositiveIntegerField(default=0)),
                ("confirmed", models.PositiveIntegerField(default=0)),
                ("contradicted", models.PositiveIntegerField(default=0)),
                ("undecided", models.PositiveIntegerField(default=0)),
                ("unconfirmed", models.PositiveIntegerField(default=0)),
                ("rereview", models.PositiveIntegerField(default=0)),
                ("open", models.PositiveIntegerField(default=0)),
                ("hedged", models.PositiveIntegerField(default=0)),
                ("unverified", models.PositiveIntegerField(default=0)),
            ],
            options={"verbose_name_plural": "article counts"},
        ),
        migrations.AddField(
            model_name="auditrun",
            name="counts_repaired",
            field=models.PositiveIntegerField(
                default=0,
                help_text="Articles whose stored claim counts differed from a recount "
                "(rewritten).",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
