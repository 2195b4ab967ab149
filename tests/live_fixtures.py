"""Fixtures shared by the integration and the browser tests (imported by their
conftests): roles kept across database flushes, and one broker per session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests import live


@pytest.fixture(autouse=True, name="_roles")
def roles_fixture(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The groups of the data migration, before the test and after its flush.

    A ``transactional_db`` test ends by emptying every table, groups included; tests
    that run later (and this one's personas) expect them. This fixture is set up before
    the database fixtures, so its teardown runs after the flush.
    """
    with django_db_blocker.unblock():
        live.recreate_roles()
    yield
    with django_db_blocker.unblock():
        live.recreate_roles()


@pytest.fixture(scope="session", name="broker")
def broker_fixture(django_db_setup: Any) -> Iterator[live.Broker]:
    with live.session_broker() as session_broker:
        yield session_broker
