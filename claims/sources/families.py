"""Editing the publisher families (``Publisher``, ``PublisherDomain``): the workflow the
admin and ``manage.py seed_publishers`` call.

Which publisher a source belongs to decides whether it is independent of the article, so
every confirmed claim may rest on a family: a change to the families is a basis change
of all of them (``confirmation.service.basis_change``). The publisher tables are locked
first, as every writer takes them (see ``service._lock_for_judgement``: a confirm holds
them shared, so it waits for the edit or the edit waits for it), then the confirmed
claims; the change, the wire credits of the captures and the re-judging of every
confirmed claim happen in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db import connection, transaction

from claims.confirmation import service as status
from claims.models import Claim, Publisher, PublisherDomain
from claims.sources import publishers

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def change_publishers(
    change: Callable[[], object],
    *,
    cause: str,
    by: User | None,
    wires: bool = False,
) -> list[Claim]:
    """Run ``change`` (save or delete publishers or their domains) as a basis change of
    every confirmed claim; with ``wires`` (wire credits were edited) mark each capture
    used as evidence with the wire it credits now, before the claims are re-judged.
    Returns the claims moved to *needs re-review*."""
    with transaction.atomic():
        _lock_publisher_tables()
        confirmed = Claim.objects.filter(status=Claim.Status.CONFIRMED)
        with status.basis_change(confirmed, cause=cause, by=by) as basis:
            change()
            if wires:
                publishers.recompute_wires()
    return basis.lapsed


def _lock_publisher_tables() -> None:
    """``SHARE ROW EXCLUSIVE``: conflicts with a confirm's ``SHARE`` and with another
    edit, not with readers. (SQLite runs one write transaction at a time.)"""
    if connection.vendor != "postgresql":
        return
    tables = f"{Publisher._meta.db_table}, {PublisherDomain._meta.db_table}"
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")
