"""Search that folds case, accents and Unicode alike on PostgreSQL and SQLite.

Claims, articles and sources carry a stored folded column, ``search_text``
(``FoldedSearch``): the tokens of their searchable fields (a claim's text; an article's
title and outlet; a source's title, URL and publisher) folded by
``normalising.for_search`` (case, accents, composition, curly quotes and dashes), each
token with a space either side: ``Zoë's A&E, Covid-19`` is stored as
`` zoe ' s a & e , covid - 19 ``. A token is a run of letters and digits, or one other
character (punctuation, symbols). The column is written by Python on every write path
(``save``, ``bulk_create``, ``bulk_update``, ``QuerySet.update``; ``FoldedQuerySet``),
so both databases compare the very same folded text and need no function of their own.

``field__matches=term`` on such a column (``Claim.objects.search(term)``,
``FoldedQuerySet.search``) is true when:

- every word of the term starts a word of the text, in any order, the last one as a
  prefix while it is being typed: ``Nairo`` finds "Nairobi", ``john kerry`` finds
  "Kerry, John", ``Muller`` and ``MÜLLER`` find "Müller", ``Zoe`` finds "Zoë"; ``robi``
  finds nothing (words match from their start). A term that ends with a space or
  punctuation asks for whole words only;
- and, when the term has punctuation, the text holds the term's tokens in that order,
  side by side: ``A&E`` finds "A&E" (and "a & e") but not "A and E" or "E&A"; ``Covid-19``
  finds "Covid-19" and "COVID-19" with an en dash, not "Covid 19". The last word may
  still be unfinished (``Covid-1`` finds "Covid-19").

A term with no word in it finds nothing. ``%``, ``_`` and ``\\`` are literal.

The words are looked up in a full-text index of the claims' ``search_text``:

- SQLite: an FTS5 table ``claims_claim_fts`` (contentless) holding ``search_text``, kept
  in step by triggers (migrations 0015 and 0030, and the ``post_migrate`` check below,
  which puts them back when a later migration rebuilds the claims table, as SQLite's
  ``ALTER`` does).
- PostgreSQL: ``to_tsvector('simple', search_text)``, stored by the database in the
  generated column ``search_vector`` (no model field) with a GIN index (migration 0030).

The token sequence is then checked with ``LIKE`` on ``search_text``. Articles and
sources have no such index: their words are matched with ``LIKE`` too.

Shorter fields without a folded column (speaker names) are searched as substrings:
``field__ufcontains=term``, the folded field contains the folded term: on SQLite with
``wb_fold(x)`` = ``normalising.for_search`` (accents folded), on PostgreSQL with
``LOWER(NORMALIZE(x, NFC))`` (case and composition only: accents are kept there).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from typing import Any, ClassVar

from django.db import models
from django.db.backends.signals import connection_created
from django.db.models import CharField, Lookup, TextField

from claims.text.normalising import for_search

FOLD_SQL = {"postgresql": "LOWER(NORMALIZE({}, NFC))", "sqlite": "wb_fold({})"}
WORD = re.compile(r"[^\W_]+")
TOKEN = re.compile(r"[^\W_]+|\S")  # a word, or one character of anything else
# (table, column) -> the SQLite FTS5 table that indexes the folded column.
FTS_TABLES = {("claims_claim", "search_text"): "claims_claim_fts"}
# (table, column) -> PostgreSQL's stored ``to_tsvector('simple', column)``, GIN-indexed.
PG_VECTORS = {("claims_claim", "search_text"): "search_vector"}


# --- The folded column -------------------------------------------------------------------


def search_tokens(*parts: str | None) -> str:
    """The stored ``search_text`` of some fields: each part's folded tokens, one space
    either side of each, parts apart on lines of their own (a token sequence never runs
    from one field into the next). ``""`` when there is no token."""
    lines = [TOKEN.findall(for_search(part or "")) for part in parts]
    return "\n".join(f" {' '.join(tokens)} " for tokens in lines if tokens)


def query_tokens(term: str) -> tuple[list[str], bool]:
    """A search term's folded tokens, and whether its last token is an unfinished word
    (the term ends with a letter or digit, no space after)."""
    folded = for_search(term).lstrip()
    tokens = TOKEN.findall(folded)
    return tokens, bool(tokens) and bool(WORD.fullmatch(tokens[-1])) and folded.endswith(tokens[-1])


def words(term: str) -> tuple[list[str], bool]:
    """The folded words of a search term and whether the last is a prefix."""
    tokens, prefix = query_tokens(term)
    found = [token for token in tokens if WORD.fullmatch(token)]
    return found, prefix and bool(found)


def like_patterns(term: str) -> tuple[list[str], str | None]:
    """``LIKE`` patterns (escaped with ``\\``) of a term on a ``search_text`` column:
    one per word (the word starts a word; whole unless it is the unfinished last one),
    and the token sequence's when the term has punctuation (else ``None``)."""
    tokens, prefix = query_tokens(term)
    found, _ = words(term)
    end = "%" if prefix else " %"
    per_word = [f"% {_escape_like(word)} %" for word in found[:-1]]
    per_word += [f"% {_escape_like(found[-1])}{end}"] if found else []
    punctuated = len(found) != len(tokens)
    sequence = f"% {_escape_like(' '.join(tokens))}{end}" if punctuated and found else None
    return per_word, sequence


def text_matches(search_text: str, term: str) -> bool:
    """Whether ``search_text`` (``search_tokens``) matches ``term``, in Python: what
    ``search_text__matches`` finds in the database (every pattern of ``like_patterns``
    is ``%`` + a literal + ``%``)."""
    per_word, sequence = like_patterns(term)
    patterns = [*per_word, *([sequence] if sequence is not None else [])]
    return bool(per_word) and all(_unescape_like(p[1:-1]) in search_text for p in patterns)


def _unescape_like(pattern: str) -> str:
    return re.sub(r"\\(.)", r"\1", pattern)


class FoldedSearch(models.Model):
    """A model with a stored folded ``search_text`` of its ``SEARCH_FIELDS``, written on
    save (also with ``update_fields`` naming one of them) and by ``FoldedQuerySet``'s
    bulk writes. Abstract: each model adds ``objects = <a FoldedQuerySet>.as_manager()``."""

    SEARCH_FIELDS: ClassVar[tuple[str, ...]] = ()

    search_text = models.TextField(
        blank=True, default="", editable=False, help_text="Folded search tokens (search.py)."
    )

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.fold_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(self.SEARCH_FIELDS):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def fold_search_text(self) -> None:
        self.search_text = search_tokens(*(getattr(self, name) for name in self.SEARCH_FIELDS))


def _searched(model: Any) -> tuple[str, ...]:
    fields: tuple[str, ...] = getattr(model, "SEARCH_FIELDS", ())
    return fields


def folded_bulk_create(
    model: Any, objs: Iterable[Any], update_fields: Collection[str] | None
) -> tuple[list[Any], list[str] | None]:
    """``bulk_create``'s objects with their ``search_text``, and an upsert's
    ``update_fields`` with ``search_text`` when a field it is made of is among them."""
    objs = list(objs)
    for obj in objs:
        obj.fold_search_text()
    if not update_fields:
        return objs, None
    written = list(update_fields)
    if set(written) & set(_searched(model)):
        written.append("search_text")
    return objs, written


def folded_bulk_update(
    model: Any, objs: Iterable[Any], fields: Iterable[str]
) -> tuple[list[Any], list[str]]:
    """``bulk_update``'s objects and fields, ``search_text`` too when a field it is made
    of is written."""
    objs, fields = list(objs), list(fields)
    if set(fields) & set(_searched(model)):
        for obj in objs:
            obj.fold_search_text()
        fields = [*fields, "search_text"]
    return objs, fields


def folded_update(
    queryset: models.QuerySet[Any], values: dict[str, Any], update: Callable[..., int]
) -> int:
    """``QuerySet.update(**values)`` (``update`` is QuerySet's own) with ``search_text``:
    computed with the values when they are all plain strings, else read back and folded
    row by row after the update."""
    searched = _searched(queryset.model)
    if not set(values) & set(searched):
        return update(**values)
    if all(isinstance(values.get(name), str) for name in searched):
        return update(**values, search_text=search_tokens(*(values[n] for n in searched)))
    keys = list(queryset.values_list("pk", flat=True))
    done = update(**values)
    rows = list(queryset.model._base_manager.filter(pk__in=keys).only("pk", *searched))
    for row in rows:
        row.fold_search_text()
    models.QuerySet(queryset.model).bulk_update(rows, ["search_text"], batch_size=500)
    return done


class FoldedQuerySet(models.QuerySet[Any]):
    """Bulk writes that keep ``search_text`` in step, and ``search(term)``."""

    def search(self, term: str) -> FoldedQuerySet:
        return self.filter(search_text__matches=term)

    def bulk_create(
        self,
        objs: Iterable[Any],
        batch_size: int | None = None,
        ignore_conflicts: bool = False,
        update_conflicts: bool = False,
        update_fields: Collection[str] | None = None,
        unique_fields: Collection[str] | None = None,
    ) -> list[Any]:
        objs, update_fields = folded_bulk_create(self.model, objs, update_fields)
        made: list[Any] = super().bulk_create(
            objs,
            batch_size=batch_size,
            ignore_conflicts=ignore_conflicts,
            update_conflicts=update_conflicts,
            update_fields=update_fields,
            unique_fields=unique_fields,
        )
        return made

    def bulk_update(
        self, objs: Iterable[Any], fields: Iterable[str], batch_size: int | None = None
    ) -> int:
        objs, fields = folded_bulk_update(self.model, objs, fields)
        return super().bulk_update(objs, fields, batch_size=batch_size)

    def update(self, **kwargs: Any) -> int:
        return folded_update(self, kwargs, super().update)


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


def fts5_query(term: str) -> str:
    """An FTS5 ``MATCH`` expression: every folded word, quoted, the last maybe a prefix."""
    found, prefix = words(term)
    return " ".join(f'"{word}"' for word in found) + ("*" if prefix else "")


def tsquery(term: str) -> str:
    """A ``to_tsquery`` text: every folded word (only letters and digits, so nothing to
    escape) joined by ``&``, the last maybe a prefix (``:*``)."""
    found, prefix = words(term)
    return " & ".join(found) + (":*" if prefix else "")


class FullTextMatch(Lookup):
    """``search_text__matches=term`` on a ``FoldedSearch`` column (see the module's
    docstring): the words by the full-text index where there is one (else by ``LIKE``),
    the token sequence of a punctuated term by ``LIKE``."""

    lookup_name = "matches"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        term = str(self.rhs)
        per_word, sequence = like_patterns(term)
        if not per_word:
            return "1 = 0", ()
        lhs, lhs_params = self.process_lhs(compiler, connection)
        like = f"{lhs} LIKE %s ESCAPE '\\'"
        # The column's field and model when the left side is a column (Django's Col).
        target: Any = getattr(self.lhs, "target", None)
        model: Any = getattr(target, "model", None)
        key = (model._meta.db_table, target.column) if model else None
        parts: list[str] = []
        params: list[Any] = []
        if connection.vendor == "sqlite" and key in FTS_TABLES:
            table = FTS_TABLES[key]
            pk = f"{compiler.quote_name_unless_alias(self.lhs.alias)}.{model._meta.pk.column}"
            # A page of a sorted list (ORDER BY ... LIMIT): the unary + keeps SQLite from
            # looking up every matching row by key and sorting them all; it walks the sort
            # order's index instead and stops after the page (10-40x faster for a word in
            # thousands of claims; at worst one pass over that index for a rare word).
            # A count, or an unsorted query, is driven by the matches.
            query = compiler.query
            walk = query.is_sliced and (query.order_by or query.get_meta().ordering)
            parts.append(
                f"{'+' if walk else ''}{pk} IN (SELECT rowid FROM {table} WHERE {table} MATCH %s)"
            )
            params.append(fts5_query(term))
        elif connection.vendor == "postgresql" and key in PG_VECTORS:
            alias = compiler.quote_name_unless_alias(self.lhs.alias)
            parts.append(f"{alias}.{PG_VECTORS[key]} @@ to_tsquery('simple'::regconfig, %s)")
            params.append(tsquery(term))
        else:
            for pattern in per_word:
                parts.append(like)
                params += [*lhs_params, pattern]
        if sequence is not None:
            parts.append(like)
            params += [*lhs_params, sequence]
        return " AND ".join(f"({part})" for part in parts), tuple(params)


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


def fts5_triggers(column: str) -> dict[str, str]:
    """The triggers that keep ``claims_claim_fts`` in step with ``column`` of the claims:
    ``search_text`` (migration 0030 on), or ``wb_fold(text)`` before it existed."""
    old, new = (
        (column.format(row) for row in ("old", "new"))
        if "{}" in column
        else (f"old.{column}", f"new.{column}")
    )
    watched = "text" if "{}" in column else column
    return {
        "claims_claim_fts_insert": (
            "AFTER INSERT ON claims_claim BEGIN "
            f"INSERT INTO claims_claim_fts(rowid, text) VALUES (new.id, {new}); END"
        ),
        "claims_claim_fts_delete": (
            "AFTER DELETE ON claims_claim BEGIN "
            "INSERT INTO claims_claim_fts(claims_claim_fts, rowid, text) "
            f"VALUES ('delete', old.id, {old}); END"
        ),
        "claims_claim_fts_update": (
            f"AFTER UPDATE OF {watched} ON claims_claim BEGIN "
            "INSERT INTO claims_claim_fts(claims_claim_fts, rowid, text) "
            f"VALUES ('delete', old.id, {old}); "
            f"INSERT INTO claims_claim_fts(rowid, text) VALUES (new.id, {new}); END"
        ),
    }


FTS5_TRIGGERS = fts5_triggers("search_text")


def _indexed_column(cursor: Any) -> str:
    """What the FTS table indexes: ``search_text`` once the column exists."""
    cursor.execute("SELECT name FROM pragma_table_info('claims_claim')")
    columns = {name for (name,) in cursor.fetchall()}
    return "search_text" if "search_text" in columns else "wb_fold({}.text)"


def ensure_sqlite_fts(connection: Any, *, create: bool = False, refill: bool = False) -> bool:
    """Put back the triggers of the claims' FTS5 table where missing (SQLite rebuilds a
    table to alter it, and the triggers go with the old one) and fill the table again;
    with ``create``, create the table too (migration 0015); with ``refill``, write the
    triggers and the index again even if present (migration 0030). True when it had to.

    A contentless table: it holds the folded tokens only (an external-content table's
    ``rebuild`` would need them as a column of ``claims_claim``, which they are only
    from migration 0030 on)."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE name = 'claims_claim_fts' "
            "OR (type = 'trigger' AND tbl_name = 'claims_claim')"
        )
        present = {name for (name,) in cursor.fetchall()}
        if present >= {"claims_claim_fts", *FTS5_TRIGGERS} and not refill:
            return False
        if "claims_claim_fts" not in present and not create:
            return False  # the migration that creates it is not applied
        column = _indexed_column(cursor)
        cursor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS claims_claim_fts USING fts5("
            "text, content='', tokenize='unicode61 remove_diacritics 0')"
        )
        for name, body in fts5_triggers(column).items():
            if refill:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
        cursor.execute("INSERT INTO claims_claim_fts(claims_claim_fts) VALUES ('delete-all')")
        source = column.format("claims_claim") if "{}" in column else column
        cursor.execute(
            f"INSERT INTO claims_claim_fts(rowid, text) SELECT id, {source} FROM claims_claim"
        )
    return True


def drop_sqlite_fts(connection: Any) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in FTS5_TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute("DROP TABLE IF EXISTS claims_claim_fts")
