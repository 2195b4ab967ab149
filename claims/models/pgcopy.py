"""Rows written with PostgreSQL's ``COPY`` instead of a multi-row INSERT.

A multi-row INSERT (``bulk_create``) sends each value through Django's per-field
preparation and psycopg's parameter adaptation, and the server parses a statement of
hundreds of parameters; ``COPY ... FROM STDIN`` streams the values as they are. The
extraction job writes its new claims and their history rows this way
(``claims.ingest.copying``) and its events (``claims.models.events.record_many``).

COPY returns nothing, so the ids are taken from the table's sequence first
(``next_ids``: one ``nextval`` query), in the order ``bulk_create`` would take them.
PostgreSQL only; on other databases the callers use ``bulk_create``.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.db import connection, models


def next_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` ids from the sequence of ``model``'s primary key, ascending."""
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_rows(
    model: type[models.Model], rows: Sequence[dict[str, Any]], fields: Sequence[Any]
) -> None:
    """``COPY table (fields) FROM STDIN`` of ``rows`` (each field's value by its
    ``attname``): JSON columns as their JSON text, the others as Django prepares them
    for saving (most as they are)."""
    values = operator.itemgetter(*(field.attname for field in fields))
    prepared = [(i, p) for i, field in enumerate(fields) if (p := preparer(field)) is not None]
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


def preparer(field: Any) -> Callable[[Any], Any] | None:
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
