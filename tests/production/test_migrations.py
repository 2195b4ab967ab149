"""Upgrades: every migration can be undone, or says why not.

``docs/production.md`` (Upgrades) runs migrations before the new code takes traffic and
rolls back with ``manage.py migrate claims <previous>``; that needs every operation to
have a reverse. A ``RunPython``/``RunSQL`` without one must carry a comment
``# irreversible: <why>`` in its migration file; such migrations are listed here. The
PostgreSQL test then really migrates a fresh database to zero and back.
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

from django.db.migrations.loader import MigrationLoader

from tests.production.postgres import manage, needs_postgres, scratch_database

OUR_APPS = {"claims"}
REASON = re.compile(r"#\s*irreversible:\s*(\S.*)")


def irreversible_operations() -> dict[str, list[str]]:
    """``{"claims.0042_x": [operation, ...]}`` for every operation without a reverse."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    found: dict[str, list[str]] = {}
    for app, name in sorted(graph.nodes):
        if app not in OUR_APPS:
            continue
        migration = graph.nodes[(app, name)]
        stuck = [op.describe() for op in migration.operations if not op.reversible]
        if stuck:
            found[f"{app}.{name}"] = stuck
    return found


def stated_reason(key: str) -> str | None:
    """The ``# irreversible: <why>`` comment of the migration ``app.name``, if any."""
    app, name = key.split(".", 1)
    module = sys.modules[MigrationLoader(None).graph.nodes[(app, name)].__module__]
    match = REASON.search(Path(inspect.getfile(module)).read_text())
    return match.group(1).strip() if match else None


def test_every_migration_can_be_reversed_or_says_why_not() -> None:
    irreversible = irreversible_operations()
    reasons = {key: stated_reason(key) for key in irreversible}
    unexplained = sorted(key for key, reason in reasons.items() if not reason)

    # The list an operator reads before rolling back (pytest -rA shows it).
    for key, reason in sorted(reasons.items()):
        print(f"irreversible: {key}: {reason}")
    assert not unexplained, (
        "these migrations cannot be reversed and do not say why (add a reverse, or a "
        f"'# irreversible: <why>' comment): {unexplained} {irreversible}"
    )


def test_the_reason_comment_is_what_the_check_reads() -> None:
    found = REASON.search("    # irreversible: the old column held no data")
    assert found is not None
    assert found.group(1) == "the old column held no data"
    assert REASON.search("# irreversible:") is None


# One process for the round trip: Django starts once.
ROUND_TRIP = """
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

def applied():
    return sorted(n for a, n in MigrationRecorder(connection).applied_migrations() if a == "claims")

call_command("migrate", verbosity=0, interactive=False)
print("up", len(applied()))
call_command("migrate", "claims", "zero", verbosity=0, interactive=False)
print("zero", len(applied()))
call_command("migrate", verbosity=0, interactive=False)
print("again", len(applied()))
"""


@needs_postgres
def test_the_schema_migrates_to_zero_and_back_on_postgresql() -> None:
    on_disk = sum(1 for app, _ in MigrationLoader(None).graph.nodes if app == "claims")

    with scratch_database("migrations") as url:
        steps = manage(url, "shell", "--verbosity", "0", "-c", ROUND_TRIP).stdout.split()
        manage(url, "migrate", "--check")

    assert steps == ["up", str(on_disk), "zero", "0", "again", str(on_disk)]
