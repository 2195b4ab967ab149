"""Throwaway PostgreSQL databases beside the test database, and ``manage.py`` against them.

The production tests need a database of their own (a fresh one to restore a dump into, or
to migrate to zero and back): it is named after ``DATABASE_URL``'s database with a
suffix (``wb_prod`` → ``wb_prod_restore``), made empty, and dropped afterwards.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from psycopg import sql

URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = URL.startswith(("postgres://", "postgresql://"))
needs_postgres = pytest.mark.skipif(
    not ON_POSTGRES, reason="runs on PostgreSQL only: set DATABASE_URL=postgres://..."
)


def url_for(name: str) -> str:
    """``DATABASE_URL`` with another database name."""
    parts = urlsplit(URL)
    return urlunsplit(parts._replace(path=f"/{name}"))


def base_name() -> str:
    return urlsplit(URL).path.lstrip("/")


def current_database_name() -> str:
    """The database this test session is using (``test_<name>``)."""
    return str(connection.settings_dict["NAME"])


def _admin() -> psycopg.Connection:
    return psycopg.connect(url_for("postgres"), autocommit=True)


@contextlib.contextmanager
def scratch_database(suffix: str) -> Iterator[str]:
    """An empty database ``<DATABASE_URL's name>_<suffix>``; yields its URL."""
    name = f"{base_name()}_{suffix}"
    with _admin() as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield url_for(name)
    finally:
        with _admin() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def manage(database_url: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``manage.py ARGS`` against ``database_url``; fails the test with its output if it fails."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "workbench.settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result
