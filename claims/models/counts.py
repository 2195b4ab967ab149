"""Each article's claim counts, stored: ``ArticleCounts``, one row per article with every
count of ``ClaimCounts`` over its claims in the text (orphans do not count).

The articles list shows four of them and sorts and filters by the readiness they decide;
computed per row, they were five correlated subqueries over a million claims. Stored,
they are a join.

They are kept by the model layer's write paths, the ones that already keep
``search_text`` in step, so that no feature can write a claim or its evidence without
them: ``Claim.save``/``delete``, ``ClaimQuerySet.update``/``bulk_update``/
``bulk_create``/``delete``, and the same on ``Evidence``. Each calls ``refresh`` with the
articles it touched, in the caller's transaction: the articles' counts rows are locked
(``FOR UPDATE``, by id), then recounted from the claims and written. A recount is exact
whatever changed, and two transactions changing claims of one article take turns on its
row: the second recounts after the first has committed, so it counts both changes.
Writes that bypass the ORM (``seed_bench``'s ``COPY``) call ``refresh_all``; ``drift``
(the daily audit) reports and repairs any row that differs from a recount.

A status change goes through ``confirmation.service._set_status`` -> ``Claim.set_status``
-> ``save``: the counts are written under the claim's lock, in its transaction.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from claims.models.articles import Article

# The ClaimCounts names, in field order (the columns of ArticleCounts).
COUNTED = (
    "total", "worthy", "confirmed", "contradicted", "undecided",
    "unconfirmed", "rereview", "open", "hedged", "unverified",
)  # fmt: skip
# The claim fields the counts depend on: a write of none of them leaves the counts alone.
COUNTED_FIELDS = frozenset(
    {"status", "check_worthy", "factuality", "hedged", "orphaned", "article", "article_id"}
)
EVIDENCE_FIELDS = frozenset({"stance", "claim", "claim_id"})
CHUNK = 2000  # articles recounted per query by refresh_all and drift


class ArticleCounts(models.Model):
    """An article's ``ClaimCounts``; no row reads as all zero (an article with no claim
    counted yet)."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="counts"
    )
    total = models.PositiveIntegerField(default=0)
    worthy = models.PositiveIntegerField(default=0)
    confirmed = models.PositiveIntegerField(default=0)
    contradicted = models.PositiveIntegerField(default=0)
    undecided = models.PositiveIntegerField(default=0)
    unconfirmed = models.PositiveIntegerField(default=0)
    rereview = models.PositiveIntegerField(default=0)
    open = models.PositiveIntegerField(default=0)
    hedged = models.PositiveIntegerField(default=0)
    unverified = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "article counts"

    def __str__(self) -> str:
        return f"counts of article #{self.article_id}"


def stored(name: str) -> Coalesce:
    """The stored count ``name`` of the outer article, for ``Article.objects.annotate``."""
    return Coalesce(F(f"counts__{name}"), 0)


def recount(article_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """The counts of ``article_ids`` from their claims (``ClaimQuerySet.counts_by_article``,
    one grouped query); an article without counted claims is all zero."""
    ids = sorted(set(article_ids))
    found: dict[int, dict[str, int]] = {pk: dict.fromkeys(COUNTED, 0) for pk in ids}
    if ids:
        sql, params = _recount_query(ids)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for pk, *values in cursor.fetchall():
                found[pk] = dict(zip(COUNTED, values, strict=True))
    return found


# The articles of a recount, as one parameter: an array on PostgreSQL, a JSON list on
# SQLite. One parameter keeps the compiled query the same whatever the number of ids.
_IDS: dict[str, tuple[str, Callable[[list[int]], Any]]] = {
    "postgresql": ("SELECT unnest(%s::bigint[])", list),
    "sqlite": ("SELECT value FROM json_each(%s)", json.dumps),
}
_IDS_MARK = "<article ids>"
_compiled: dict[str, tuple[str, list[Any], int]] = {}


def _recount_query(ids: list[int]) -> tuple[str, list[Any]]:
    """``counts_by_article`` of ``ids`` as SQL and parameters. The ORM compiles it once
    per database (the compile cost more CPU than the query: an extraction job recounts
    its article once), with the ids as one parameter set at each call."""
    vendor = connection.vendor
    if vendor not in _IDS:  # another database: compiled each time
        claims = apps.get_model("claims", "Claim").objects.filter(article_id__in=ids)
        sql, found = claims.counts_by_article_query().query.sql_with_params()
        return sql, list(found)
    if vendor not in _compiled:
        subquery, _ = _IDS[vendor]
        claims = apps.get_model("claims", "Claim").objects.filter(
            article_id__in=RawSQL(subquery, [_IDS_MARK])
        )
        sql, found = claims.counts_by_article_query().query.sql_with_params()
        _compiled[vendor] = (sql, list(found), list(found).index(_IDS_MARK))
    sql, compiled, at = _compiled[vendor]
    params = list(compiled)
    params[at] = _IDS[vendor][1](ids)
    return sql, params


def lock(article_ids: Iterable[int | None]) -> dict[int, tuple[int, ...]]:
    """Take the counts rows of ``article_ids`` (created if missing) in id order, inside
    the caller's transaction, and return their stored counts (``COUNTED`` order) by
    article. ``basis_change`` takes them right after the claims' rows, so a change
    spanning several articles (a source cited in two stories) holds all of them before
    its first save recounts one: two such changes cannot each hold one article's row
    while waiting for the other's.

    Rows first (an insert of the missing ones, in id order, waiting for a concurrent
    insert of the same ones), then the locks in id order: a recount after them sees
    every change committed before the lock. Two statements whatever the number of rows,
    written once (``_lock_sql``): this runs in every write of a claim or its evidence."""
    ids = sorted({pk for pk in article_ids if pk is not None})
    if not ids:
        return {}
    insert, select = _lock_sql(connection.vendor)
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(insert.format(marks=marks), ids)
        cursor.execute(select.format(marks=marks), ids)
        return {pk: tuple(values) for pk, *values in cursor.fetchall()}


@functools.cache
def _lock_sql(vendor: str) -> tuple[str, str]:
    """The lock's INSERT of missing rows and its ``SELECT … FOR NO KEY UPDATE`` (SQLite
    runs one write transaction at a time: a plain SELECT)."""
    quote = connection.ops.quote_name
    table, articles = quote(ArticleCounts._meta.db_table), quote(Article._meta.db_table)
    columns = ", ".join(quote(name) for name in COUNTED)
    zeros = ", ".join("0" for _ in COUNTED)
    insert = (
        f"INSERT INTO {table} (article_id, {columns}) SELECT id, {zeros} FROM {articles} "
        "WHERE id IN ({marks}) ORDER BY id ON CONFLICT (article_id) DO NOTHING"
    )
    select = (
        f"SELECT article_id, {columns} FROM {table} WHERE article_id IN ({{marks}}) "
        "ORDER BY article_id"
    )
    if connection.features.has_select_for_no_key_update:
        select += " FOR NO KEY UPDATE"
    return insert, select


def refresh(article_ids: Iterable[int | None]) -> set[int]:
    """Recount ``article_ids`` and store the counts, under the lock of their rows (see
    the module's docstring), in the caller's transaction (or one of its own); the
    articles whose counts changed."""
    ids = {pk for pk in article_ids if pk is not None}
    if not ids:
        return set()
    with transaction.atomic(savepoint=False):  # an error here is the caller's error
        have = lock(ids)
        return _write(have, recount(have))


def refresh_claims(claim_ids: Iterable[int | None]) -> None:
    """``refresh`` the articles of ``claim_ids`` (after a write of their evidence)."""
    keys = {pk for pk in claim_ids if pk is not None}
    claims = apps.get_model("claims", "Claim")._base_manager.filter(pk__in=keys)
    if keys:
        refresh(claims.values_list("article_id", flat=True).distinct())


def _write(have: dict[int, tuple[int, ...]], counted: dict[int, dict[str, int]]) -> set[int]:
    changed = [
        (*values.values(), pk)
        for pk, values in counted.items()
        if tuple(values.values()) != have[pk]
    ]
    if changed:
        quote = connection.ops.quote_name
        assigned = ", ".join(f"{quote(name)} = %s" for name in COUNTED)
        table = quote(ArticleCounts._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET {assigned} WHERE article_id = %s", changed)
    return {row[-1] for row in changed}


def drift(*, repair: bool = True) -> list[dict[str, Any]]:
    """Every article whose stored counts differ from a recount (``{"article", "stored",
    "recounted"}``), rewritten from a recount under its lock when ``repair``. The daily
    confirmation audit runs it; it should never find one."""
    found: list[dict[str, Any]] = []
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        counted = recount(chunk)
        rows = {row.pk: row for row in ArticleCounts.objects.filter(pk__in=chunk)}
        drifted: list[dict[str, Any]] = []
        for pk in chunk:
            row = rows.get(pk)
            have = {name: getattr(row, name) if row else 0 for name in COUNTED}
            if have != counted[pk]:
                drifted.append({"article": pk, "stored": have, "recounted": counted[pk]})
        if repair:  # those still wrong under the lock (not a write racing the read)
            rewritten = refresh(d["article"] for d in drifted)
            drifted = [d for d in drifted if d["article"] in rewritten]
        found += drifted
    return found


def refresh_all() -> None:
    """Recount every article (after writes that bypassed the ORM: ``COPY``)."""
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        refresh(ids[start : start + CHUNK])


def touches(written: Iterable[str] | None, watched: frozenset[str]) -> bool:
    """Whether a write of ``written`` (None: every field) can change the counts."""
    return written is None or bool(watched & set(written))


def level() -> models.Case:
    """The worst of the outer article's claims, from its stored counts: 2 blocks the
    story (a claim contradicted or needing re-review), 1 is work left (an open claim),
    0 is fine (``readiness``'s verdicts, by the conditions of ``ClaimCounts``)."""
    blocked = Q(counts__contradicted__gt=0) | Q(counts__rereview__gt=0)
    return models.Case(
        models.When(blocked, then=models.Value(2)),
        models.When(counts__open__gt=0, then=models.Value(1)),
        default=models.Value(0),
        output_field=models.IntegerField(),
    )
