"""On PostgreSQL the time to verify takes its medians and 90th percentiles from SQL
(``figures._decided_in_sql``: the counts per week, then only the values at the ranks
the quantiles need); they equal the same figures computed in Python from every
decision (``figures._decided_here``), to the last bit, whatever the decisions (and
below ``SQL_QUANTILES_FROM`` decisions, the SQL path reads them into Python itself)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.dashboard import figures
from claims.models import FirstDecision

TODAY = timezone.localdate()

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the SQL path runs on PostgreSQL only"
)

decisions = st.lists(
    st.tuples(
        st.integers(0, 40),  # days ago
        st.one_of(st.integers(0, 30), st.integers(0, 3000)),  # tenths: many ties, or few
        st.sampled_from(["", "Wire", "Herald"]),
        st.integers(0, 2),  # assignee
    ),
    max_size=60,
)


@pytest.mark.django_db
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60,
          deadline=None)  # fmt: skip
@given(rows=decisions, days=st.sampled_from([1, 7, 10, 30, 41]), few=st.sampled_from([0, 20]))
def test_the_quantiles_from_sql_equal_those_from_every_decision(
    rows: list[tuple[int, int, str, int]], days: int, few: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # From 0 decisions on, always in SQL; from 20, a small range is read into Python.
    monkeypatch.setattr(figures, "SQL_QUANTILES_FROM", few)
    FirstDecision.objects.all().delete()
    now = timezone.now()
    FirstDecision.objects.bulk_create(
        FirstDecision(
            claim_ref=index + 1,
            decided_at=now - timedelta(days=ago),
            day=TODAY - timedelta(days=ago),
            tenths=tenths,
            outlet=outlet,
            assignee_ref=assignee,
        )
        for index, (ago, tenths, outlet, assignee) in enumerate(rows)
    )
    start = TODAY - timedelta(days=days - 1)
    for desk in (
        figures.DeskFilter(start, TODAY),
        figures.DeskFilter(start, TODAY, outlet="Wire"),
        figures.DeskFilter(start, TODAY, assignee_id=1),
    ):
        assert figures._decided_in_sql(desk) == figures._decided_here(desk)
