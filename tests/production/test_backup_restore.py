"""Backup and restore (docs/production.md): a ``pg_dump`` of a database with confirmed
claims, restored with ``pg_restore`` into a fresh database, is complete (every migration
applied, the same rows) and passes the confirmation audit without lapsing anything."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.contrib.auth.models import User

from claims.confirmation import service
from claims.models import Article, Claim, Confirmation, Evidence
from tests.live_fixtures import roles_fixture  # noqa: F401 (a fixture)
from tests.production import postgres

pytestmark = [pytest.mark.production, postgres.needs_postgres]

COUNTED = ("claims_claim", "claims_evidence", "claims_confirmation", "claims_sourcecapture")


def counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as db:
        return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTED}  # type: ignore[index]


def test_a_dump_restored_into_a_fresh_database_passes_the_audit(
    transactional_db: Any,
    make_article: Callable[..., Article],
    support: Callable[..., Evidence],
    fact_checker: User,
    tmp_path: Path,
) -> None:
    article = make_article()
    for claim in Claim.objects.filter(article=article).order_by("pk"):
        support(claim, url=f"https://www.reuters.com/world/report-{claim.pk}")
        service.confirm(claim, by=fact_checker, note="backed by Reuters")
    confirmed = Claim.objects.filter(status=Claim.Status.CONFIRMED).count()
    assert confirmed == 2 == Confirmation.objects.count()
    dump = tmp_path / "workbench.dump"
    source_url = postgres.url_for(postgres.current_database_name())

    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", source_url],
        check=True, timeout=120,
    )  # fmt: skip
    with postgres.scratch_database("restore") as restored:
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored}", str(dump)],
            check=True, timeout=120,
        )  # fmt: skip
        subprocess.run(["psql", "-q", restored, "-c", "ANALYZE"], check=True, timeout=120)
        postgres.manage(restored, "migrate", "--check")
        audit = postgres.manage(restored, "audit_confirmations").stdout
        restored_counts = counts(restored)

    assert re.search(rf"^{confirmed} confirmed claims? checked; 0 lapsed\.$", audit, re.M), audit
    assert restored_counts == counts(source_url)
