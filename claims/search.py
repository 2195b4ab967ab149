"""Search that folds case and Unicode alike on PostgreSQL and SQLite.

``field__ufcontains=term`` is true when the folded field contains the folded term, where
folding is Unicode NFC followed by lower-casing: ``café`` typed precomposed finds text
stored with ``e`` + U+0301, and ``é`` finds ``É``. (Text coming in is already NFC,
``cleaning.normalise_text``; the search folds both sides anyway, so rows stored before
that also match.) Both sides are folded by the database with the same function, so a
term and a text always fold the same way:

- PostgreSQL: ``LOWER(NORMALIZE(x, NFC))`` (Unicode case mapping of the database's
  ``LC_CTYPE``, which must be a UTF-8 locale such as ``C.UTF-8``). The trigram index of
  migration 0011 is on this expression.
- SQLite: ``wb_fold(x)``, a deterministic Python function registered on every
  connection: ``unicodedata.normalize("NFC", x).casefold()`` (SQLite's own ``LIKE`` and
  ``LOWER`` fold ASCII only).

Full case folding (``ß`` = ``ss``) is SQLite's only; PostgreSQL's ``LOWER`` keeps ``ß``.
``%``, ``_`` and ``\\`` in a term are matched literally.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.signals import connection_created
from django.db.models import CharField, Lookup, TextField

from .cleaning import fold

FOLD_SQL = {"postgresql": "LOWER(NORMALIZE({}, NFC))", "sqlite": "wb_fold({})"}


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class FoldedContains(Lookup):
    lookup_name = "ufcontains"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        folded = FOLD_SQL.get(connection.vendor)
        if folded is None:  # another database: Django's own case-insensitive contains
            rhs = connection.ops.prep_for_like_query(fold(self.rhs))
            sql = connection.operators["icontains"] % "%s"
            return f"{lhs} {sql}", [*lhs_params, f"%{rhs}%"]
        pattern = "'%%' || " + folded.format("%s") + " || '%%'"
        sql = f"{folded.format(lhs)} LIKE {pattern} ESCAPE '\\'"
        return sql, [*lhs_params, _escape_like(str(self.rhs))]


CharField.register_lookup(FoldedContains)
TextField.register_lookup(FoldedContains)


def _sqlite_fold(value: str | None) -> str | None:
    return None if value is None else fold(value)


def register_sqlite_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("wb_fold", 1, _sqlite_fold, deterministic=True)


connection_created.connect(register_sqlite_function, dispatch_uid="claims.search.fold")
