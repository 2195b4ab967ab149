"""schemathesis against the real API: the OpenAPI document the API serves, a live server
on 127.0.0.1 over a seeded database, an Editor's token, every check, a fixed seed.

Any failure (a 500, an answer outside the document, a valid request refused, an invalid
one accepted, a non-JSON error...) fails the test with schemathesis's report. Runs once
in CI like any database test; ``MAX_EXAMPLES`` keeps it near a minute.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User

from claims.api.forms import encode_cursor
from claims.integrations import tokens
from claims.models import Article, Evidence
from tests.support import build_checked_article

ROOT = Path(__file__).resolve().parents[2]
SEED = 20261206
MAX_EXAMPLES = int(os.environ.get("API_ST_EXAMPLES", "5"))


@pytest.fixture
def seeded(
    make_article: Callable[..., Article],
    support: Callable[..., Evidence],
    fact_checker: User,
    settings: Any,
) -> dict[str, Any]:
    settings.WORKBENCH_CONFIRMATIONS_REQUIRED = 1
    checked = build_checked_article(make_article, support, fact_checker)
    for number in range(3):
        make_article([f"Article {number} claim {i} is stated plainly." for i in range(3)])
    return checked


def test_schemathesis_finds_nothing(
    live_server: Any, transactional_db: Any, seeded: dict[str, Any], editor: User, tmp_path: Path
) -> None:
    _, token = tokens.issue(user=editor, name="schemathesis")
    cursors = [
        encode_cursor(ordering, direction, [key])
        for ordering in (("id",), ("-id",))
        for direction in ("after", "before")
        for key in (1, 3, 10**6)
    ]
    env = os.environ | {
        "SCHEMATHESIS_HOOKS": "tests.api.schemathesis_hooks",
        "SCHEMATHESIS_CURSORS": json.dumps(cursors),
        "PYTHONPATH": str(ROOT),
    }
    command = [
        str(Path(sys.executable).parent / "st"),
        "run",
        f"{live_server.url}/api/schema/",
        "--checks=all",
        f"--seed={SEED}",
        f"--max-examples={MAX_EXAMPLES}",
        "--workers=1",  # hypothesis parses lambdas with ast: not thread-safe on 3.11
        "--no-shrink",
        f"--header=Authorization: Bearer {token}",
        "--suppress-health-check=all",
        "--output-truncate=false",
    ]
    result = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
