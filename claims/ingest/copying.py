"""New claims and their first history rows written with PostgreSQL's ``COPY``.

An extraction job writes about 30 claims of some 30 columns each, and as many history
rows. ``bulk_create_with_history`` does it in two multi-row INSERTs, but each value
goes through Django's per-field preparation and psycopg's parameter adaptation, and
the server parses a statement of a thousand parameters: 0.8-1 ms of the job's CPU per
claim, the largest part of the queue's overhead over extraction alone (issue 34).

``create_with_history`` takes the claims' ids from their sequence first (one
``nextval`` query), then streams the claims and the history rows with one ``COPY``
each; the history rows are what ``bulk_create_with_history`` writes (history type
``+``, the change reason, the same date for all, the default history user). On other
databases it is ``bulk_create_with_history`` itself.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from claims.models import Claim
from claims.models import counts as article_counts


def create_with_history(claims: list[Claim], *, reason: str) -> list[Claim]:
    """Insert ``claims`` (unsaved) and one history row each (``+``, ``reason``); the
    claims come back with their ids, as saved objects."""
    if not claims:
        return claims
    if connection.vendor != "postgresql":
        return bulk_create_with_history(claims, Claim, default_change_reason=reason)
    history = Claim.history.model
    now = timezone.now()
    with transaction.atomic(savepoint=False):
        for claim, pk in zip(claims, _next_ids(Claim, len(claims)), strict=True):
            claim.pk = pk
            claim.fold_search_text()  # what ClaimQuerySet.bulk_create does (search.py)
            claim.created_at = claim.created_at or now
            claim.updated_at = now
        _copy(Claim, [claim.__dict__ for claim in claims], Claim._meta.concrete_fields)
        tracked = [field.attname for field in history.tracked_fields]
        rows = [
            {name: claim.__dict__[name] for name in tracked}
            | {
                "history_date": now,
                "history_user_id": _pk(history.get_default_history_user(claim)),
                "history_change_reason": reason,
                "history_type": "+",
            }
            for claim in claims
        ]
        _copy(history, rows, [f for f in history._meta.concrete_fields if not f.primary_key])
        # COPY is not the ORM: the articles' stored counts, which every ORM write path
        # keeps (``claims.models.counts``), are recounted here, in the same transaction.
        article_counts.refresh(claim.article_id for claim in claims)
    for claim in claims:
        claim._state.adding = False
        claim._state.db = connection.alias
    return claims


def _next_ids(model: type[models.Model], count: int) -> list[int]:
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _pk(user: Any) -> Any:
    return None if user is None else user.pk


def _copy(model: type[models.Model], rows: Sequence[dict[str, Any]], fields: Sequence[Any]) -> None:
    """``COPY table (fields) FROM STDIN`` of ``rows`` (each field's value by its
    ``attname``): JSON columns as their JSON text, the others as Django prepares them
    for saving (most as they are)."""
    values = operator.itemgetter(*(field.attname for field in fields))
    prepared = [(i, p) for i, field in enumerate(fields) if (p := _preparer(field)) is not None]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            line = list(values(row))
            for i, prepare in prepared:
                line[i] = prepare(line[i])
            copy.write_row(line)


def _preparer(field: Any) -> Callable[[Any], Any] | None:
    """How a field's value is written; None: as it is."""
    if isinstance(field, models.JSONField):
        # What ``json.dumps(value, cls=field.encoder)`` writes (as the field saves it),
        # with one encoder for all rows instead of one made per value.
        encode = (field.encoder or json.JSONEncoder)().encode

        def as_json(value: Any) -> Any:
            return None if value is None else encode(value)

        return as_json
    if isinstance(field, (models.CharField, models.TextField, models.BooleanField)):
        return None
    if isinstance(field, (models.IntegerField, models.FloatField, models.ForeignKey)):
        return None
    if isinstance(field, models.DateTimeField):  # an aware one is saved as it is

        def as_instant(value: Any) -> Any:
            if value is None or (isinstance(value, datetime) and value.tzinfo is not None):
                return value
            return field.get_db_prep_save(value, connection)

        return as_instant
    return lambda value: field.get_db_prep_save(value, connection)
