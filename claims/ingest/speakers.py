"""Linking claims to speaker records after extraction (issue 32).

``link_articles`` reads the articles' claims (their speakers as stated, the attributions'
mentions and the named entities), resolves the name variants of each article with
``claims.text.names.resolve``, finds each speaker's record across articles by its
distinctive names (``SpeakerAlias.key``) or creates it, and points the claims at it in a
few bulk updates. A claim whose speaker a person picked from the records
(``speaker_record`` in ``corrected_fields``) keeps it; a claim whose speaker is not a
speaker ("unconfirmed reports") has none.

The models are parameters so that the data migration runs the same code on its
historical models.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from hashlib import blake2b
from typing import Any

from django.db import connection
from django.db.models import Case, Value, When
from django.db.models.constants import OnConflict

from claims.models import Claim, Speaker, SpeakerAlias
from claims.text import names

PICKED = "speaker_record"  # in ``Claim.corrected_fields``: a person picked the record
ROLE_WORDS = ("the ", "a ", "an ")
LOCK_SPACE = 34_032  # the first key of the advisory locks on speaker keys (``_lock_keys``)


@dataclass(frozen=True)
class Models:
    speaker: Any = Speaker
    alias: Any = SpeakerAlias
    claim: Any = Claim


def mentions(rows: Iterable[dict[str, Any]]) -> list[names.Mention]:
    """An article's speaker mentions: each claim's speaker and attributions (a role noun
    the pipeline resolved to a name is that speaker's role) and its named entities."""
    rows = list(rows)
    labels = {
        names.clean(e.get("text", "")): e.get("label", "")
        for row in rows
        for e in row["entities"] or []
    }
    found = []
    for row in rows:
        for item in [row["attribution"] or {}, *(row["attributions"] or [])]:
            speaker, said = item.get("speaker", ""), item.get("mention", "")
            role = said if said != speaker and said.lower().startswith(ROLE_WORDS) else ""
            role = role.split(" ", 1)[1] if role else ""  # "the medical director" -> role
            if speaker:
                found.append(names.Mention(speaker, labels.get(names.clean(speaker), ""), role))
        if row["speaker"]:
            found.append(names.Mention(row["speaker"], labels.get(names.clean(row["speaker"]), "")))
    found += [names.Mention(text, label) for text, label in labels.items() if text]
    return found


def link_articles(article_ids: Iterable[int], *, models: Models | None = None) -> int:
    """Link the claims of each article to speaker records; the number of claims whose
    record changed."""
    models = models or Models()
    changed = 0
    for article_id in article_ids:
        changed += _link_article(article_id, models)
    return changed


def link_article(article_id: int) -> int:
    return link_articles([article_id])


ROW_FIELDS = ("pk", "speaker", "attribution", "attributions", "entities", "corrected_fields",
              "speaker_record_id")  # fmt: skip


def _link_article(article_id: int, models: Models) -> int:
    """One article, in a constant number of queries whatever its number of speakers."""
    rows = list(models.claim.objects.filter(article_id=article_id).values(*ROW_FIELDS))
    changed = [
        models.claim(pk=row["pk"], speaker_record_id=record)
        for row, record in zip(rows, _records_of(rows, models), strict=True)
        if record != row["speaker_record_id"]
    ]
    models.claim.objects.bulk_update(changed, ["speaker_record"], batch_size=500)
    return len(changed)


def link_claims(claims: Iterable[Claim]) -> list[Claim]:
    """The extraction job's linking, on the claims in memory: ``claims`` are all of one
    article's claims as they are being written, saved ones and new ones (no pk yet: they
    are saved after, in the list's order). Each claim's ``speaker_record_id`` is set as
    ``link_article`` would set it after they were written (the claims taken in the same
    order, ``Claim.Meta.ordering``); returns the saved claims whose record changed (to
    be written: the new ones are written with theirs)."""
    ordered = sorted(claims, key=lambda c: (c.start, c.pk is None, c.pk or 0))
    rows = [{name: getattr(c, name) for name in ROW_FIELDS} for c in ordered]
    changed = []
    for claim, record in zip(ordered, _records_of(rows, Models()), strict=True):
        if record != claim.speaker_record_id:
            claim.speaker_record_id = record
            if claim.pk is not None:
                changed.append(claim)
    return changed


def _records_of(rows: list[dict[str, Any]], models: Models) -> list[int | None]:
    """Each row's record: found or made for its speaker, or kept as it is for a claim
    whose record a person picked."""
    resolved = names.resolve(dict.fromkeys(mentions(rows)))  # the same, once each
    linking = [row for row in rows if PICKED not in (row["corrected_fields"] or [])]
    groups = {id(g): g for row in linking if (g := resolved.get(names.clean(row["speaker"])))}
    records = _records_for(list(groups.values()), _linked(linking, models), models)
    found = []
    for row in rows:
        if PICKED in (row["corrected_fields"] or []):
            found.append(row["speaker_record_id"])
            continue
        group = resolved.get(names.clean(row["speaker"]))
        found.append(records[id(group)] if group is not None else None)
    return found


def _linked(rows: list[dict[str, Any]], models: Models) -> dict[str, Counter[int]]:
    """Name -> the records claims stating that name are linked to already, counting only
    records that have the name (a claim whose speaker was corrected since does not
    vote for its old record). Claims not linked yet (all of a new article's) need no
    query."""
    ids = {row["speaker_record_id"] for row in rows if row["speaker_record_id"]}
    linked: dict[str, Counter[int]] = defaultdict(Counter)
    if not ids:
        return linked
    known = {(pk, names.clean(name)) for pk, name in _sql(models).aliases_of(ids)}
    for row in rows:
        name, record = names.clean(row["speaker"]), row["speaker_record_id"]
        if record and (record, name) in known:
            linked[name][record] += 1
    return linked


def relink_corrected(claim_pk: int) -> None:
    """After a person typed a claim's speaker: the record follows the new name (an
    earlier pick from the records no longer holds)."""
    claim = Claim.objects.only("article_id", "corrected_fields").get(pk=claim_pk)
    if PICKED in claim.corrected_fields:
        kept = [name for name in claim.corrected_fields if name != PICKED]
        Claim.objects.filter(pk=claim_pk).update(corrected_fields=kept)
    link_article(claim.article_id)


def _records_for(
    groups: list[names.Speaker], linked: dict[str, Counter[int]], models: Models
) -> dict[int, int]:
    """``id(group)`` -> its record: the one its variants are linked to already in this
    article, else the one its distinctive names find, else a new one. The records get
    the group's names as aliases, and its role if they have none.

    The keys are locked before they are looked up (``_lock_keys``). The look-up reads
    every alias of the records the keys find, with the records' merge and role, so that
    the usual article (its speakers found by key, none merged) needs no more queries to
    follow merges (``_current``), to know the records' aliases (``_add_aliases``) or to
    leave their roles alone."""
    votes = {id(g): _tally(linked.get(a) for a in g.aliases) for g in groups}
    keys = {k for g in groups if not votes[id(g)] for k in g.keys}
    _lock_keys(keys)
    found = _Found(_sql(models).aliases_of_keys(keys) if keys else [], keys)
    for group in groups:
        if not votes[id(group)]:
            votes[id(group)] = _tally(found.by_key.get(k) for k in group.keys)
    chosen = {gid: min(v, key=lambda pk: (-v[pk], pk)) for gid, v in votes.items() if v}
    current = _current(set(chosen.values()), models, found.merged)
    records = {gid: current[pk] for gid, pk in chosen.items()}
    new = [g for g in groups if id(g) not in records]
    made = _sql(models).add_speakers(
        [models.speaker(name=g.name[:200], kind=g.kind, role=g.role[:200]) for g in new]
    )
    records.update({id(g): pk for g, pk in zip(new, made, strict=True)})
    _add_aliases(groups, records, set(made), models, found)
    return records


def _tally(counters: Iterable[Counter[int] | None]) -> Counter[int]:
    """The counters added up (their counts are positive: what ``sum`` of them gives)."""
    total: Counter[int] = Counter()
    for counter in counters:
        if counter:
            total.update(counter)
    return total


class _Found:
    """What the look-up by keys read (``_Sql.aliases_of_keys``): the records each key
    finds, and for each record found its aliases (all of them), its merge and its role."""

    def __init__(
        self, rows: Iterable[tuple[int, str, str, int | None, str]], keys: set[str]
    ) -> None:
        self.by_key: dict[str, Counter[int]] = defaultdict(Counter)
        self.aliases: dict[int, set[str]] = defaultdict(set)
        self.merged: dict[int, int | None] = {}
        self.role: dict[int, str] = {}
        for pk, name, key, merged_into, role in rows:
            self.aliases[pk].add(name)
            self.merged[pk], self.role[pk] = merged_into, role
            if key in keys:
                self.by_key[key][pk] += 1


def _lock_keys(keys: set[str]) -> None:
    """Hold the keys until the transaction ends (PostgreSQL: advisory locks, taken in
    one order), so that two jobs naming the same new speaker at once make one record:
    the second looks the keys up once the first has committed its record's aliases.
    SQLite runs write transactions one at a time."""
    if not keys or connection.vendor != "postgresql":
        return
    ids = sorted({int.from_bytes(blake2b(k.encode(), digest_size=4).digest(), "big", signed=True)
                  for k in keys})  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, x) FROM unnest(%s::integer[]) AS x",
            [LOCK_SPACE, ids],
        )


def _current(
    pks: set[int], models: Models, merged: dict[int, int | None] | None = None
) -> dict[int, int]:
    """Each record's current record (following merges; a record not merged is its own).
    ``merged``: the records' ``merged_into`` as read already (after the keys' locks);
    when it says none of ``pks`` is merged, there is nothing to follow and no query."""
    current = {pk: pk for pk in pks}
    if not pks or (merged is not None and all(pk in merged and merged[pk] is None for pk in pks)):
        return current
    for _ in range(10):  # merges are rarely chained; a cycle cannot be saved
        step = dict(_sql(models).merges_of(set(current.values())))
        if not step:
            break
        current = {pk: step.get(at, at) for pk, at in current.items()}
    return current


def _add_aliases(
    groups: list[names.Speaker],
    records: dict[int, int],
    made: set[int],
    models: Models,
    found: _Found | None = None,
) -> None:
    """The groups' names as aliases of their records (``made``: those just created, with
    no aliases yet and the group's role), and their roles where none is set. ``found``:
    the records the keys found, with all their aliases and their roles (read after the
    keys' locks): only the other records' aliases are read, and a role is written only
    to records that had none or that were not read."""
    found = found or _Found([], set())
    pks = set(records.values()) - made
    unread = pks - found.aliases.keys()
    have = {(pk, name) for pk in pks - unread for name in found.aliases[pk]}
    if unread:
        have.update(_sql(models).aliases_of(unread))
    new = {}
    for group in groups:
        pk = records[id(group)]
        for alias in {*group.aliases, group.name}:
            if (pk, alias[:200]) not in have:
                new[pk, alias[:200]] = alias_key(alias, group.kind)
    _sql(models).add_aliases([(pk, name, key) for (pk, name), key in new.items()])
    roles = {records[id(g)]: g.role[:200] for g in groups if g.role}
    roles = {pk: role for pk, role in roles.items() if pk not in made}  # made with it
    roles = {pk: role for pk, role in roles.items() if not found.role.get(pk)}  # had one
    if roles:  # one UPDATE for all
        models.speaker.objects.filter(pk__in=roles, role="").update(
            role=Case(*(When(pk=pk, then=Value(role)) for pk, role in roles.items()))
        )


class _Sql:
    """The linking's reads and its INSERTs as plain SQL, written once per pair of
    models: the job runs them for every article, and compiling the equivalent ORM
    queries cost more CPU than the database spent on them (issue 34). Portable
    (PostgreSQL and SQLite 3.35+, which Django's ``bulk_create`` needs too for the ids):
    ``IN`` lists of placeholders, ``RETURNING`` the new records' ids, the backend's own
    INSERT that ignores conflicts (what ``bulk_create(ignore_conflicts=True)`` writes)."""

    def __init__(self, models: Models) -> None:
        quote = connection.ops.quote_name
        alias, speaker = models.alias._meta, models.speaker._meta
        self.alias_fields = [alias.get_field(name) for name in ("speaker", "name", "key")]
        a_speaker, a_name, a_key = (quote(f.column) for f in self.alias_fields)
        a_table, s_table, s_pk = (
            quote(alias.db_table),
            quote(speaker.db_table),
            quote(speaker.pk.column),
        )
        s_merged, s_role = (quote(speaker.get_field(n).column) for n in ("merged_into", "role"))
        self.aliases_sql = f"SELECT {a_speaker}, {a_name} FROM {a_table} WHERE {a_speaker} IN "
        self.by_keys_sql = (
            f"SELECT a.{a_speaker}, a.{a_name}, a.{a_key}, s.{s_merged}, s.{s_role} "
            f"FROM {a_table} a JOIN {s_table} s ON s.{s_pk} = a.{a_speaker} "
            f"WHERE a.{a_speaker} IN (SELECT {a_speaker} FROM {a_table} WHERE {a_key} IN "
        )
        self.merges_sql = (
            f"SELECT {s_pk}, {s_merged} FROM {s_table} WHERE {s_merged} IS NOT NULL AND {s_pk} IN "
        )
        ignore = connection.ops.insert_statement(on_conflict=OnConflict.IGNORE)
        suffix = connection.ops.on_conflict_suffix_sql(
            self.alias_fields, OnConflict.IGNORE, None, None
        )
        self.insert_sql = (
            f"{ignore} {a_table} ({a_speaker}, {a_name}, {a_key}) VALUES ",
            f" {suffix}",
        )
        # Rows per INSERT: as many as the backend takes parameters for (SQLite: 999), as
        # ``bulk_create`` batches them; PostgreSQL: up to 10,000 (an article has dozens).
        self.insert_batch = connection.ops.bulk_batch_size(self.alias_fields, [None] * 10_000)
        self.speaker_fields = [f for f in speaker.concrete_fields if not f.primary_key]
        columns = ", ".join(quote(f.column) for f in self.speaker_fields)
        self.speakers_sql = (f"INSERT INTO {s_table} ({columns}) VALUES ", f" RETURNING {s_pk}")
        self.speakers_batch = connection.ops.bulk_batch_size(self.speaker_fields, [None] * 10_000)

    def aliases_of(self, pks: set[int]) -> list[tuple[int, str]]:
        """The records' aliases, (record, name)."""
        return self._rows(self.aliases_sql + _placeholders(pks), sorted(pks))

    def aliases_of_keys(self, keys: set[str]) -> list[Any]:
        """Every alias of each record an alias with one of ``keys`` names: (record, name,
        key, the record's merged_into, the record's role)."""
        return self._rows(self.by_keys_sql + _placeholders(keys) + ")", sorted(keys))

    def merges_of(self, pks: set[int]) -> list[tuple[int, int]]:
        """(record, merged_into) of those of ``pks`` merged into another."""
        return self._rows(self.merges_sql + _placeholders(pks), sorted(pks))

    def add_aliases(self, rows: list[tuple[int, str, str]]) -> None:
        """INSERT the (record, name, key) rows in their order, an alias that exists
        already skipped (``bulk_create(..., ignore_conflicts=True)``)."""
        if not rows:
            return
        start, end = self.insert_sql
        with connection.cursor() as cursor:
            for i in range(0, len(rows), self.insert_batch):
                batch = rows[i : i + self.insert_batch]
                values = ", ".join(["(%s, %s, %s)"] * len(batch))
                cursor.execute(start + values + end, [v for row in batch for v in row])

    def add_speakers(self, speakers: list[Any]) -> list[int]:
        """INSERT the unsaved records in their order; their ids. Each field's value is
        what ``bulk_create`` writes (``pre_save``: the timestamps; then
        ``get_db_prep_save``); no history rows and no signals, as with ``bulk_create``."""
        made: list[int] = []
        if not speakers:
            return made
        start, end = self.speakers_sql
        row = "(" + ", ".join(["%s"] * len(self.speaker_fields)) + ")"
        with connection.cursor() as cursor:
            for i in range(0, len(speakers), self.speakers_batch):
                batch = speakers[i : i + self.speakers_batch]
                params = [
                    f.get_db_prep_save(f.pre_save(obj, True), connection=connection)
                    for obj in batch
                    for f in self.speaker_fields
                ]
                cursor.execute(start + ", ".join([row] * len(batch)) + end, params)
                made += [int(pk) for (pk,) in cursor.fetchall()]
        return made

    @staticmethod
    def _rows(sql: str, params: list[Any]) -> list[Any]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


def _placeholders(values: set[Any]) -> str:
    return "(" + ", ".join(["%s"] * len(values)) + ")"


_SQL: dict[tuple[str, Models], _Sql] = {}


def _sql(models: Models) -> _Sql:
    """The models' statements for the default database's backend, written once."""
    found = _SQL.get((connection.vendor, models))
    if found is None:
        found = _SQL[connection.vendor, models] = _Sql(models)
    return found


def alias_key(alias: str, kind: str) -> str:
    """The alias's key if it is distinctive (it finds the speaker in other articles)."""
    return names.key(alias)[:200] if names.distinctive(alias, kind) else ""
