"""Editors' work on speaker records (issue 32): merge, split, edit names and aliases, and
pick a claim's speaker from the records.

Every change is saved with its reason in the records' history (django-simple-history:
``speaker.history``, ``SpeakerAlias.history``). Claims moved between records by a merge
or a split keep their speaker as the article states it (``Claim.speaker``): the record
says who that is, so no confirmation changes. Picking a record for a claim whose stated
speaker is not one of the record's names sets the stated speaker too, through
``edits.correct_claim`` (a confirmed claim whose speaker changes lapses).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction

from claims.confirmation import service as status
from claims.ingest.speakers import PICKED, alias_key
from claims.models import Claim, EventKind, Speaker, SpeakerAlias
from claims.models.events import record
from claims.review import edits
from claims.text import names
from claims.text.plural import counted

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class SpeakerEditRefused(ValueError):
    """An edit that cannot be made, with a message for the editor."""


def claim_count_text(n: int) -> str:
    return counted(n, "claim")


def _save(speaker: Speaker, fields: list[str], *, by: User, reason: str) -> None:
    speaker._history_user = by  # type: ignore[attr-defined]
    speaker._change_reason = reason  # type: ignore[attr-defined]
    speaker.save(update_fields=[*fields, "updated_at"])


def merge_speakers(*, keep: Speaker, others: Iterable[Speaker], by: User) -> int:
    """Merge ``others`` into ``keep``: their names become its aliases and their claims
    its claims; they stay, marked merged, so their history and links still lead here.
    Returns the number of claims moved."""
    others = [o for o in others if o.pk != keep.pk]
    if not others:
        raise SpeakerEditRefused("Pick at least one other record to merge.")
    with transaction.atomic():
        locked = list(
            Speaker.objects.select_for_update(no_key=True).filter(
                pk__in=[keep.pk, *[o.pk for o in others]]
            )
        )
        if any(s.merged_into_id for s in locked):
            raise SpeakerEditRefused("A record that was merged already cannot be merged again.")
        have = set(keep.aliases.values_list("name", flat=True))
        moved = 0
        for other in others:
            for alias in other.aliases.all():
                if alias.name in have:
                    alias.delete()
                else:
                    alias.speaker = keep
                    alias.save(update_fields=["speaker"])
                    have.add(alias.name)
            moved += Claim.objects.filter(speaker_record=other).update(speaker_record=keep)
            other.merged_into = keep
            _save(
                other,
                ["merged_into"],
                by=by,
                reason=f"merged into {keep.name} (#{keep.pk}) by {by}",
            )
        merged = ", ".join(f"{o.name} (#{o.pk})" for o in others)
        _save(
            keep,
            [],
            by=by,
            reason=f"merged {merged} into it, {claim_count_text(moved)} moved, by {by}",
        )
    return moved


def split_speaker(*, speaker: Speaker, aliases: Iterable[str], name: str = "", by: User) -> Speaker:
    """Move ``aliases`` (and the claims whose stated speaker is one of them) from
    ``speaker`` to a new record named ``name`` (default: the longest alias moved)."""
    aliases = sorted({a for a in aliases if a})
    with transaction.atomic():
        speaker = Speaker.objects.select_for_update(no_key=True).get(pk=speaker.pk)
        rows = list(speaker.aliases.filter(name__in=aliases))
        remaining = speaker.aliases.exclude(name__in=aliases).exists()
        if not rows or not remaining:
            raise SpeakerEditRefused(
                "Pick some of the record's names to split off, not all of them."
            )
        moved_names = [row.name for row in rows]
        name = name.strip() or max(moved_names, key=lambda n: (len(n), n))
        new = Speaker(name=name[:200], kind=speaker.kind)
        new._history_user = by  # type: ignore[attr-defined]
        new._change_reason = f"split from {speaker.name} (#{speaker.pk}) by {by}"  # type: ignore[attr-defined]
        new.save()
        SpeakerAlias.objects.filter(pk__in=[row.pk for row in rows]).update(speaker=new)
        SpeakerAlias.objects.get_or_create(
            speaker=new, name=new.name, defaults={"key": alias_key(new.name, new.kind)}
        )
        wanted = {names.clean(n) for n in moved_names}
        claims = [
            c.pk for c in speaker.claims.only("pk", "speaker") if names.clean(c.speaker) in wanted
        ]
        Claim.objects.filter(pk__in=claims).update(speaker_record=new)
        moved = f"{claim_count_text(len(claims))} moved"
        reason = f"split {', '.join(moved_names)} off into {new.name} (#{new.pk}), {moved}, by {by}"
        _save(speaker, [], by=by, reason=reason)
    return new


def edit_speaker(
    *,
    speaker: Speaker,
    name: str,
    kind: str,
    role: str,
    wikidata_id: str,
    aliases: Iterable[str],
    by: User,
) -> list[str]:
    """Set the record's name, kind, role, Wikidata id and aliases (the name is always
    one); the history says what changed. Returns the changes, empty if none."""
    wanted = {" ".join(a.split())[:200] for a in [*aliases, name] if a.strip()}
    changes = []
    with transaction.atomic():
        speaker = Speaker.objects.select_for_update(no_key=True).get(pk=speaker.pk)
        fields = {"name": name, "kind": kind, "role": role, "wikidata_id": wikidata_id}
        changed = [f for f, v in fields.items() if getattr(speaker, f) != v]
        for field in changed:
            changes.append(
                f"{field} {getattr(speaker, field) or 'none'} → {fields[field] or 'none'}"
            )
            setattr(speaker, field, fields[field])
        have = set(speaker.aliases.values_list("name", flat=True))
        added, removed = sorted(wanted - have), sorted(have - wanted)
        speaker.aliases.filter(name__in=removed).delete()
        SpeakerAlias.objects.bulk_create(
            [SpeakerAlias(speaker=speaker, name=a, key=alias_key(a, speaker.kind)) for a in added]
        )
        if "kind" in changed:  # whether a name is distinctive depends on the kind
            for alias in speaker.aliases.all():
                SpeakerAlias.objects.filter(pk=alias.pk).update(
                    key=alias_key(alias.name, speaker.kind)
                )
        changes += [f"alias {a} added" for a in added] + [f"alias {a} removed" for a in removed]
        if changes:
            _save(speaker, changed, by=by, reason=f"edited by {by}: " + "; ".join(changes))
    return changes


def record_basis_of(claim: Claim) -> str:
    """What a speaker form showed as the claim's record: its id, "" for none."""
    return "" if claim.speaker_record_id is None else str(claim.speaker_record_id)


def _refuse_stale_pick(fresh: Claim, basis: str | None, record_basis: str | None) -> None:
    """Refuse a pick made on a speaker (stated, or record) someone changed since."""
    stale_name = basis is not None and basis != edits.basis_of(fresh, "speaker")
    stale_record = record_basis is not None and record_basis != record_basis_of(fresh)
    if not (stale_name or stale_record):
        return
    record_now = fresh.speaker_record
    now = fresh.label_of("speaker") + (
        f" (record {record_now.name}, #{record_now.pk})" if record_now is not None else ""
    )
    raise edits.StaleEdit(
        f"Not saved: someone changed the speaker to {now} since you opened this claim. "
        "Here it is as it is now; pick the record again if you still want to."
    )


def pick_speaker(
    *,
    claim: Claim,
    speaker: Speaker,
    by: User,
    reason: str = "",
    basis: str | None = None,
    record_basis: str | None = None,
) -> Claim:
    """A person picks the claim's speaker from the records. The stated speaker stays
    when it is one of the record's names ("Dr Okafor" for Amara Okafor); otherwise it
    becomes the record's name, a correction of the speaker. Re-extraction keeps the
    pick.

    ``basis`` and ``record_basis`` are what the form showed: the stated speaker
    (``edits.basis_of(claim, "speaker")``) and the record (``record_basis_of``). When
    either changed since (compared under the claim's row lock), nothing is saved and
    ``edits.StaleEdit`` says what it is now: of two picks made on the same value, one
    is saved and the other refused, never silently overwritten."""
    cause = f"speaker picked by {by}"
    with status.basis_change([claim], cause=cause, by=by) as change:
        fresh = change.claims[claim.pk]
        _refuse_stale_pick(fresh, basis, record_basis)
        known = {names.clean(a) for a in speaker.aliases.values_list("name", flat=True)}
        if names.clean(fresh.speaker) not in known | {speaker.name}:
            fresh.correct("speaker", speaker.name, by=by, reason=reason)
        picked = sorted({*fresh.corrected_fields, PICKED})
        old = fresh.speaker_record_id
        Claim.objects.filter(pk=fresh.pk).update(speaker_record=speaker, corrected_fields=picked)
        sentence = f"speaker record set to {speaker.name} (#{speaker.pk}) by {by}" + (
            f": {reason}" if reason else ""
        )
        record(fresh, EventKind.CORRECTED, sentence=sentence, by=by, field=PICKED, old=old,
               new=speaker.pk, note=reason, text=fresh.text)  # fmt: skip
    claim.refresh_from_db()
    return claim
