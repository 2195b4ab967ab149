"""Search that folds case and Unicode alike on PostgreSQL and SQLite.

Two lookups, both folding case and Unicode (NFC) on both sides, so ``café`` typed
precomposed finds text stored with ``e`` + U+0301 and ``é`` finds ``É``. (Text coming in
is already NFC, ``normalising.for_storage``; the search folds both sides anyway, so rows
stored before that also match.)

``Claim.text`` is searched by words, with a full-text index (``field__matches=term``,
``Claim.objects.search(term)``): every word of the term must start a word of the text,
the last one as a prefix while it is being typed. ``Nairo`` finds "Nairobi", ``john
kerry`` finds "Kerry, John"; ``robi`` finds nothing (words are matched from their start,
not inside), and a term that ends with a space or punctuation (``caf.``) asks for whole
words only. Words are runs of letters and digits: ``e-mail`` is ``e`` and ``mail``,
``3.5`` is ``3`` and ``5``; a term with no word in it finds nothing.

- SQLite: an FTS5 table ``claims_claim_fts`` (``unicode61 remove_diacritics 0``
  tokenizer: accents are kept, ``election`` does not find "élection") holds
  ``wb_fold(text)`` of every claim, kept in step by triggers (migration 0015, and the
  ``post_migrate`` check below, which puts them back when a later migration rebuilds
  the claims table, as SQLite's ``ALTER`` does). Folding is ``wb_fold`` (full case
  folding: ``ß`` = ``ss``), so rows are written through connections that have it: every
  Django connection does; the ``sqlite3`` shell does not and cannot change claim text.
- PostgreSQL: ``to_tsvector('simple', NORMALIZE(text, NFC))``, stored by the database in
  the generated column ``search_vector`` (no model field) with a GIN index (migration
  0015); the ``simple`` configuration lower-cases and never stems, so names stay as
  written. ``LOWER`` of the database's ``LC_CTYPE`` (a UTF-8 locale
  such as ``C.UTF-8``) keeps ``ß``.

Shorter fields (titles, outlets, speakers, publishers) are searched as substrings:
``field__ufcontains=term`` is true when the folded field contains the folded term, where
folding is Unicode NFC followed by lower-casing. Both sides are folded by the database
with the same function:

- PostgreSQL: ``LOWER(NORMALIZE(x, NFC))``.
- SQLite: ``wb_fold(x)``, a deterministic Python function registered on every
  connection: ``normalising.for_search(x)``, NFC and case-folded (SQLite's own ``LIKE`` and
  ``LOWER`` fold ASCII only).

Full case folding (``ß`` = ``ss``) is SQLite's only; PostgreSQL's ``LOWER`` keeps ``ß``.
``%``, ``_`` and ``\\`` in a term are matched literally.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.backends.signals import connection_created
from django.db.models import CharField, Lookup, TextField

from claims.text.normalising import for_search, nfc

FOLD_SQL = {"postgresql": "LOWER(NORMALIZE({}, NFC))", "sqlite": "wb_fold({})"}
WORD = re.compile(r"[^\W_]+")
# (table, column) -> the SQLite FTS5 table that indexes the folded column.
FTS_TABLES = {("claims_claim", "text"): "claims_claim_fts"}
TSVECTOR_SQL = "to_tsvector('simple'::regconfig, NORMALIZE({}, NFC))"
# (table, column) -> PostgreSQL's stored ``TSVECTOR_SQL`` of the column, GIN-indexed.
PG_VECTORS = {("claims_claim", "text"): "search_vector"}


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class FoldedContains(Lookup):
    lookup_name = "ufcontains"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        folded = FOLD_SQL.get(connection.vendor)
        if folded is None:  # another database: Django's own case-insensitive contains
            rhs = connection.ops.prep_for_like_query(for_search(self.rhs))
            sql = connection.operators["icontains"] % "%s"
            return f"{lhs} {sql}", (*lhs_params, f"%{rhs}%")
        pattern = "'%%' || " + folded.format("%s") + " || '%%'"
        sql = f"{folded.format(lhs)} LIKE {pattern} ESCAPE '\\'"
        return sql, (*lhs_params, _escape_like(str(self.rhs)))


def words(term: str) -> tuple[list[str], bool]:
    """The words of a search term (NFC, case kept) and whether the last is a prefix: it
    is, unless the term ends with something other than a letter or digit."""
    text = nfc(term).strip()
    found = WORD.findall(text)
    return found, bool(found) and text.endswith(found[-1])


def fts5_query(term: str) -> str:
    """An FTS5 ``MATCH`` expression: every folded word, quoted, the last maybe a prefix."""
    found, prefix = words(term)
    quoted = [f'"{for_search(word)}"' for word in found]
    return " ".join(quoted) + ("*" if prefix else "")


def tsquery(term: str) -> str:
    """A ``to_tsquery`` text: every word (only letters and digits, so nothing to escape)
    joined by ``&``, the last maybe a prefix (``:*``)."""
    found, prefix = words(term)
    return " & ".join(found) + (":*" if prefix else "")


class FullTextMatch(Lookup):
    """``field__matches=term``: the words of ``term`` start words of the field (see the
    module's docstring). Where no full-text index exists, every word is a folded
    substring instead (``ufcontains``)."""

    lookup_name = "matches"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        found, _ = words(str(self.rhs))
        if not found:
            return "1 = 0", ()
        lhs, lhs_params = self.process_lhs(compiler, connection)
        # The column's field and model when the left side is a column (Django's Col).
        target: Any = getattr(self.lhs, "target", None)
        model: Any = getattr(target, "model", None)
        table = model and FTS_TABLES.get((model._meta.db_table, target.column))
        if connection.vendor == "sqlite" and table:
            pk = f"{compiler.quote_name_unless_alias(self.lhs.alias)}.{model._meta.pk.column}"
            # A page of a sorted list (ORDER BY ... LIMIT): the unary + keeps SQLite from
            # looking up every matching row by key and sorting them all; it walks the sort
            # order's index instead and stops after the page (10-40x faster for a word in
            # thousands of claims; at worst one pass over that index for a rare word).
            # A count, or an unsorted query, is driven by the matches.
            query = compiler.query
            walk = query.is_sliced and (query.order_by or query.get_meta().ordering)
            sql = f"{'+' if walk else ''}{pk} IN (SELECT rowid FROM {table} WHERE {table} MATCH %s)"
            return sql, (fts5_query(str(self.rhs)),)
        if connection.vendor == "postgresql":
            vector = TSVECTOR_SQL.format(lhs)
            if (key := (model._meta.db_table, target.column) if model else None) in PG_VECTORS:
                alias = compiler.quote_name_unless_alias(self.lhs.alias)
                vector, lhs_params = f"{alias}.{PG_VECTORS[key]}", ()
            sql = f"{vector} @@ to_tsquery('simple'::regconfig, %s)"
            return sql, (*lhs_params, tsquery(str(self.rhs)))
        parts = [FoldedContains(self.lhs, word).as_sql(compiler, connection) for word in found]
        return " AND ".join(sql for sql, _ in parts), tuple(p for _, ps in parts for p in ps)


for lookup in (FoldedContains, FullTextMatch):
    CharField.register_lookup(lookup)
    TextField.register_lookup(lookup)


def _sqlite_fold(value: str | None) -> str | None:
    return None if value is None else for_search(value)


def register_sqlite_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("wb_fold", 1, _sqlite_fold, deterministic=True)


connection_created.connect(register_sqlite_function, dispatch_uid="claims.search.fold")


def repair_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """``post_migrate``: the FTS5 triggers survive later migrations of the claims table."""
    from django.db import connections

    ensure_sqlite_fts(connections[using])


# --- SQLite's full-text table -----------------------------------------------------------

FTS5_TRIGGERS = {
    "claims_claim_fts_insert": (
        "AFTER INSERT ON claims_claim BEGIN "
        "INSERT INTO claims_claim_fts(rowid, text) VALUES (new.id, wb_fold(new.text)); END"
    ),
    "claims_claim_fts_delete": (
        "AFTER DELETE ON claims_claim BEGIN "
        "INSERT INTO claims_claim_fts(claims_claim_fts, rowid, text) "
        "VALUES ('delete', old.id, wb_fold(old.text)); END"
    ),
    "claims_claim_fts_update": (
        "AFTER UPDATE OF text ON claims_claim BEGIN "
        "INSERT INTO claims_claim_fts(claims_claim_fts, rowid, text) "
        "VALUES ('delete', old.id, wb_fold(old.text)); "
        "INSERT INTO claims_claim_fts(rowid, text) VALUES (new.id, wb_fold(new.text)); END"
    ),
}


def ensure_sqlite_fts(connection: Any, *, create: bool = False) -> bool:
    """Put back the triggers of the claims' FTS5 table where missing (SQLite rebuilds a
    table to alter it, and the triggers go with the old one) and fill the table again;
    with ``create``, create the table too (migration 0015). True when it had to.

    A contentless table: it holds the folded words only, which are no column of
    ``claims_claim`` (an external-content table's ``rebuild`` would index the text
    unfolded)."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE name = 'claims_claim_fts' "
            "OR (type = 'trigger' AND tbl_name = 'claims_claim')"
        )
        present = {name for (name,) in cursor.fetchall()}
        if present >= {"claims_claim_fts", *FTS5_TRIGGERS}:
            return False
        if "claims_claim_fts" not in present and not create:
            return False  # the migration that creates it is not applied
        cursor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS claims_claim_fts USING fts5("
            "text, content='', tokenize='unicode61 remove_diacritics 0')"
        )
        for name, body in FTS5_TRIGGERS.items():
            cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
        cursor.execute("INSERT INTO claims_claim_fts(claims_claim_fts) VALUES ('delete-all')")
        cursor.execute(
            "INSERT INTO claims_claim_fts(rowid, text) SELECT id, wb_fold(text) FROM claims_claim"
        )
    return True


def drop_sqlite_fts(connection: Any) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in FTS5_TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute("DROP TABLE IF EXISTS claims_claim_fts")
