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
from typing import Any

from claims.models import Claim, Speaker, SpeakerAlias
from claims.text import names

PICKED = "speaker_record"  # in ``Claim.corrected_fields``: a person picked the record
ROLE_WORDS = ("the ", "a ", "an ")


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


def _link_article(article_id: int, models: Models) -> int:
    fields = ("pk", "speaker", "attribution", "attributions", "entities", "corrected_fields",
              "speaker_record_id")  # fmt: skip
    rows = list(models.claim.objects.filter(article_id=article_id).values(*fields))
    resolved = names.resolve(mentions(rows))
    linked = _linked(rows, models)
    records: dict[int, int] = {}  # id(group) -> record id
    wanted: dict[int | None, list[int]] = defaultdict(list)
    for row in rows:
        if PICKED in (row["corrected_fields"] or []):
            continue
        group = resolved.get(names.clean(row["speaker"]))
        record = None
        if group is not None:
            if id(group) not in records:
                records[id(group)] = _record_for(group, linked, models)
            record = records[id(group)]
        if record != row["speaker_record_id"]:
            wanted[record].append(row["pk"])
    for record, pks in wanted.items():
        models.claim.objects.filter(pk__in=pks).update(speaker_record_id=record)
    return sum(len(pks) for pks in wanted.values())


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


def _record_for(group: names.Speaker, linked: dict[str, Counter[int]], models: Models) -> int:
    """The record of an article's speaker: the one its variants are linked to already in
    this article, else the one its distinctive names find, else a new one."""
    votes: Counter[int] = Counter()
    for alias in group.aliases:
        votes.update(linked.get(alias, Counter()))
    if not votes and group.keys:
        found = models.alias.objects.filter(key__in=group.keys)
        votes.update(found.values_list("speaker_id", flat=True))
    if votes:
        best = min(votes, key=lambda pk: (-votes[pk], pk))
        speaker = _current(models.speaker.objects.get(pk=best))
        _add_aliases(speaker, group, models)
        return int(speaker.pk)
    speaker = models.speaker.objects.create(name=group.name[:200], kind=group.kind,
                                            role=group.role[:200])  # fmt: skip
    _add_aliases(speaker, group, models)
    return int(speaker.pk)


def _current(speaker: Any) -> Any:
    """Follow merges to the record that is current."""
    seen = {speaker.pk}
    while speaker.merged_into_id is not None and speaker.merged_into_id not in seen:
        speaker = speaker.merged_into
        seen.add(speaker.pk)
    return speaker


def _add_aliases(speaker: Any, group: names.Speaker, models: Models) -> None:
    have = set(models.alias.objects.filter(speaker=speaker).values_list("name", flat=True))
    new = [
        models.alias(speaker=speaker, name=alias[:200], key=alias_key(alias, group.kind))
        for alias in {*group.aliases, group.name}
        if alias[:200] not in have
    ]
    models.alias.objects.bulk_create(new, ignore_conflicts=True)
    if group.role and not speaker.role:
        models.speaker.objects.filter(pk=speaker.pk).update(role=group.role[:200])


def alias_key(alias: str, kind: str) -> str:
    """The alias's key if it is distinctive (it finds the speaker in other articles)."""
    return names.key(alias)[:200] if names.distinctive(alias, kind) else ""
