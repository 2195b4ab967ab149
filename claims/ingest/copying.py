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
databases it is ``bulk_create_with_history`` itself. The COPY helpers are shared with
the events' writer (``claims.models.pgcopy``).
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from claims.models import Claim
from claims.models import counts as article_counts
from claims.models.pgcopy import copy_rows, next_ids


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
        for claim, pk in zip(claims, next_ids(Claim, len(claims)), strict=True):
            claim.pk = pk
            claim.fold_search_text()  # what ClaimQuerySet.bulk_create does (search.py)
            claim.created_at = claim.created_at or now
            claim.updated_at = now
        copy_rows(Claim, [claim.__dict__ for claim in claims], Claim._meta.concrete_fields)
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
        copy_rows(history, rows, [f for f in history._meta.concrete_fields if not f.primary_key])
        # COPY is not the ORM: the articles' stored counts, which every ORM write path
        # keeps (``claims.models.counts``), are recounted here, in the same transaction.
        article_counts.refresh(claim.article_id for claim in claims)
    for claim in claims:
        claim._state.adding = False
        claim._state.db = connection.alias
    return claims


def _pk(user: Any) -> Any:
    return None if user is None else user.pk
