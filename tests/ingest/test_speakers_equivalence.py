"""The linking's plain-SQL path (issue 34: ``_Sql``, the look-up by keys that reads the
records' aliases, merges and roles at once, the queries skipped when their input is
empty) gives what the ORM queries it replaced gave: the same record for each claim, the
same records made, the same aliases (in the same order) and roles. ``_reference_records_of``
is the ORM version as it was, kept here to compare against."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Case, Value, When
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from claims.ingest import speakers
from claims.ingest.speakers import PICKED, Models, alias_key, mentions
from claims.models import Speaker, SpeakerAlias
from claims.text import names

# --- The ORM version, as it was before the plain SQL ------------------------------------


def _reference_records_of(rows: list[dict[str, Any]], models: Models) -> list[int | None]:
    resolved = names.resolve(dict.fromkeys(mentions(rows)))
    linking = [row for row in rows if PICKED not in (row["corrected_fields"] or [])]
    groups = {id(g): g for row in linking if (g := resolved.get(names.clean(row["speaker"])))}
    records = _ref_records_for(list(groups.values()), _ref_linked(linking, models), models)
    found = []
    for row in rows:
        if PICKED in (row["corrected_fields"] or []):
            found.append(row["speaker_record_id"])
            continue
        group = resolved.get(names.clean(row["speaker"]))
        found.append(records[id(group)] if group is not None else None)
    return found


def _ref_linked(rows: list[dict[str, Any]], models: Models) -> dict[str, Counter[int]]:
    ids = {row["speaker_record_id"] for row in rows if row["speaker_record_id"]}
    aliases = models.alias.objects.filter(speaker_id__in=ids).values_list("speaker_id", "name")
    known = {(pk, names.clean(name)) for pk, name in aliases}
    linked: dict[str, Counter[int]] = defaultdict(Counter)
    for row in rows:
        name, record = names.clean(row["speaker"]), row["speaker_record_id"]
        if record and (record, name) in known:
            linked[name][record] += 1
    return linked


def _ref_records_for(
    groups: list[names.Speaker], linked: dict[str, Counter[int]], models: Models
) -> dict[int, int]:
    votes = {id(g): sum((linked.get(a, Counter()) for a in g.aliases), Counter()) for g in groups}
    keys = {k for g in groups if not votes[id(g)] for k in g.keys}
    speakers._lock_keys(keys)
    by_key: dict[str, Counter[int]] = defaultdict(Counter)
    for key, pk in models.alias.objects.filter(key__in=keys).values_list("key", "speaker_id"):
        by_key[key][pk] += 1
    for group in groups:
        if not votes[id(group)]:
            votes[id(group)] = sum((by_key.get(k, Counter()) for k in group.keys), Counter())
    chosen = {gid: min(v, key=lambda pk: (-v[pk], pk)) for gid, v in votes.items() if v}
    current = {pk: pk for pk in set(chosen.values())}
    for _ in range(10):
        step = dict(
            models.speaker.objects.filter(pk__in=set(current.values()), merged_into__isnull=False)
            .values_list("pk", "merged_into_id")
        )  # fmt: skip
        if not step:
            break
        current = {pk: step.get(at, at) for pk, at in current.items()}
    records = {gid: current[pk] for gid, pk in chosen.items()}
    new = [g for g in groups if id(g) not in records]
    made = models.speaker.objects.bulk_create(
        [models.speaker(name=g.name[:200], kind=g.kind, role=g.role[:200]) for g in new]
    )
    records.update({id(g): int(speaker.pk) for g, speaker in zip(new, made, strict=True)})
    made_pks = {int(speaker.pk) for speaker in made}
    have = set(
        models.alias.objects.filter(speaker_id__in=set(records.values()) - made_pks).values_list(
            "speaker_id", "name"
        )
    )
    added = {}
    for group in groups:
        pk = records[id(group)]
        for alias in {*group.aliases, group.name}:
            if (pk, alias[:200]) not in have:
                added[pk, alias[:200]] = alias_key(alias, group.kind)
    models.alias.objects.bulk_create(
        [models.alias(speaker_id=pk, name=name, key=key) for (pk, name), key in added.items()],
        ignore_conflicts=True,
    )
    roles = {records[id(g)]: g.role[:200] for g in groups if g.role}
    roles = {pk: role for pk, role in roles.items() if pk not in made_pks}
    if roles:
        models.speaker.objects.filter(pk__in=roles, role="").update(
            role=Case(*(When(pk=pk, then=Value(role)) for pk, role in roles.items()))
        )
    return records


# --- Records in the database and articles' claims, drawn ---------------------------------

PEOPLE = ["Amara Okafor", "Dr Amara Okafor", "Dr Okafor", "Okafor", "Hannah Müller",
          "Ms Müller", "Jane Smith", "John Smith", "Smith"]  # fmt: skip
ORGS = ["the Royal College", "the college", "NHS England", "the council"]
OTHERS = ["officials", "the board's own figures", "unconfirmed reports", ""]
NAMES = st.sampled_from(PEOPLE + ORGS + OTHERS)
ROLES = st.sampled_from(["", "", "medical director", "chair"])


@st.composite
def existing_records(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Records as earlier articles and editors left them: aliases (keyed when
    distinctive), a role or none, some merged into an earlier record."""
    found = []
    for n in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from([names.PERSON, names.ORGANISATION, names.GROUP]))
        aliases = draw(st.lists(NAMES.filter(bool), min_size=1, max_size=3, unique=True))
        merged = draw(st.none() | st.integers(0, n - 1)) if n else None
        found.append({"kind": kind, "aliases": aliases, "role": draw(ROLES), "merged": merged})
    return found


@st.composite
def claim_rows(draw: st.DrawFn, records: int) -> list[dict[str, Any]]:
    """One article's claims as ``link_claims`` reads them: speaker, attribution (a role
    noun with it), entities; some linked to a record already, some picked by a person."""
    rows = []
    for n in range(draw(st.integers(1, 8))):
        speaker = draw(NAMES)
        role = draw(ROLES)
        mention = f"the {role}" if role else speaker
        label = draw(st.sampled_from(["PERSON", "ORG", ""]))
        linked = draw(st.none() | st.integers(0, records - 1)) if records else None
        picked = linked is not None and draw(st.booleans())
        rows.append({
            "pk": n + 1,
            "speaker": speaker,
            "attribution": {"speaker": speaker, "mention": mention} if speaker else {},
            "attributions": [],
            "entities": [{"text": speaker, "label": label}] if speaker and label else [],
            "corrected_fields": [PICKED] if picked else [],
            "speaker_record_id": linked,
        })  # fmt: skip
    return rows


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]:
    records = draw(existing_records())
    return records, draw(st.lists(claim_rows(len(records)), min_size=1, max_size=3))


def _make(records: list[dict[str, Any]]) -> list[int]:
    pks: list[int] = []
    for record in records:
        speaker = Speaker.objects.create(
            name=record["aliases"][0], kind=record["kind"], role=record["role"]
        )
        for alias in record["aliases"]:
            key = alias_key(alias, record["kind"])
            SpeakerAlias.objects.create(speaker=speaker, name=alias, key=key)
        if record["merged"] is not None:
            Speaker.objects.filter(pk=speaker.pk).update(merged_into=pks[record["merged"]])
        pks.append(speaker.pk)
    return pks


def _outcome(link: Any, articles: list[list[dict[str, Any]]], pks: list[int]) -> Any:
    """Link the articles one after the other (a savepoint rolled back after): each
    claim's record, the records and aliases after, the records made numbered in order,
    and the ids of the aliases added counted from the first's (an INSERT that skips a
    conflict still uses up an id on PostgreSQL)."""
    with transaction.atomic():
        before, start = max(pks, default=0), timezone.now()
        known = SpeakerAlias.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        linked = []
        for rows in articles:
            rows = [
                {**row, "speaker_record_id": _pk(row["speaker_record_id"], pks)} for row in rows
            ]
            linked.append(link(rows, Models()))
        made = list(
            Speaker.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True)
        )
        number = {pk: f"made {n}" for n, pk in enumerate(made)}
        number.update({pk: f"record {n}" for n, pk in enumerate(pks)})
        records = [
            (number[pk], name, kind, role, number.get(merged), wikidata, start < made <= updated)
            for pk, name, kind, role, merged, wikidata, made, updated in Speaker.objects.order_by(
                "pk"
            ).values_list(
                "pk",
                "name",
                "kind",
                "role",
                "merged_into_id",
                "wikidata_id",
                "created_at",
                "updated_at",
            )
        ]
        aliases = [
            (number[pk], name, key)
            for pk, name, key in SpeakerAlias.objects.order_by("pk").values_list(
                "speaker_id", "name", "key"
            )
        ]
        added = list(
            SpeakerAlias.objects.filter(pk__gt=known).order_by("pk").values_list("pk", flat=True)
        )
        spacing = [pk - added[0] for pk in added]
        transaction.set_rollback(True)
    return [[number.get(pk) for pk in found] for found in linked], records, aliases, spacing


def _pk(index: int | None, pks: list[int]) -> int | None:
    return None if index is None else pks[index]


class SqlPathEqualsOrmPath(HypothesisTestCase):
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(cases())
    def test_the_same_records_aliases_and_roles(self, case: Any) -> None:
        records, articles = case
        pks = _make(records)
        assert _outcome(speakers._records_of, articles, pks) == _outcome(
            _reference_records_of, articles, pks
        )
