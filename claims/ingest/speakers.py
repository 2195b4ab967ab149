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
    vote for its old record)."""
    ids = {row["speaker_record_id"] for row in rows if row["speaker_record_id"]}
    aliases = models.alias.objects.filter(speaker_id__in=ids).values_list("speaker_id", "name")
    known = {(pk, names.clean(name)) for pk, name in aliases}
    linked: dict[str, Counter[int]] = defaultdict(Counter)
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
    the group's names as aliases, and its role if they have none."""
    votes = {id(g): sum((linked.get(a, Counter()) for a in g.aliases), Counter()) for g in groups}
    keys = {k for g in groups if not votes[id(g)] for k in g.keys}
    _lock_keys(keys)
    by_key: dict[str, Counter[int]] = defaultdict(Counter)
    for key, pk in models.alias.objects.filter(key__in=keys).values_list("key", "speaker_id"):
        by_key[key][pk] += 1
    for group in groups:
        if not votes[id(group)]:
            votes[id(group)] = sum((by_key.get(k, Counter()) for k in group.keys), Counter())
    chosen = {gid: min(v, key=lambda pk: (-v[pk], pk)) for gid, v in votes.items() if v}
    current = _current(set(chosen.values()), models)
    records = {gid: current[pk] for gid, pk in chosen.items()}
    new = [g for g in groups if id(g) not in records]
    made = models.speaker.objects.bulk_create(
        [models.speaker(name=g.name[:200], kind=g.kind, role=g.role[:200]) for g in new]
    )
    records.update({id(g): int(speaker.pk) for g, speaker in zip(new, made, strict=True)})
    _add_aliases(groups, records, {int(speaker.pk) for speaker in made}, models)
    return records


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


def _current(pks: set[int], models: Models) -> dict[int, int]:
    """Each record's current record (following merges; a record not merged is its own)."""
    current = {pk: pk for pk in pks}
    for _ in range(10):  # merges are rarely chained; a cycle cannot be saved
        step = dict(
            models.speaker.objects.filter(pk__in=set(current.values()), merged_into__isnull=False)
            .values_list("pk", "merged_into_id")
        )  # fmt: skip
        if not step:
            break
        current = {pk: step.get(at, at) for pk, at in current.items()}
    return current


def _add_aliases(
    groups: list[names.Speaker], records: dict[int, int], made: set[int], models: Models
) -> None:
    """The groups' names as aliases of their records (``made``: those just created, with
    no aliases yet and the group's role), and their roles where none is set."""
    have = set(
        models.alias.objects.filter(speaker_id__in=set(records.values()) - made).values_list(
            "speaker_id", "name"
        )
    )
    new = {}
    for group in groups:
        pk = records[id(group)]
        for alias in {*group.aliases, group.name}:
            if (pk, alias[:200]) not in have:
                new[pk, alias[:200]] = alias_key(alias, group.kind)
    models.alias.objects.bulk_create(
        [models.alias(speaker_id=pk, name=name, key=key) for (pk, name), key in new.items()],
        ignore_conflicts=True,
    )
    roles = {records[id(g)]: g.role[:200] for g in groups if g.role}
    roles = {pk: role for pk, role in roles.items() if pk not in made}  # made with it
    if roles:  # one UPDATE for all
        models.speaker.objects.filter(pk__in=roles, role="").update(
            role=Case(*(When(pk=pk, then=Value(role)) for pk, role in roles.items()))
        )


def alias_key(alias: str, kind: str) -> str:
    """The alias's key if it is distinctive (it finds the speaker in other articles)."""
    return names.key(alias)[:200] if names.distinctive(alias, kind) else ""
