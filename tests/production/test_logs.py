"""``LOG_FORMAT=json``: one JSON object per log line; anything but plain or json refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.conf import settings

LOG_A_LINE = (
    "import logging, django; django.setup(); "
    "logging.getLogger('claims.smoke').warning('quote %s found', 'not')"
)


def run(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", LOG_A_LINE],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "workbench.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_json_log_lines_carry_time_level_logger_and_the_message() -> None:
    result = run(LOG_FORMAT="json")

    record = json.loads(result.stderr.strip().splitlines()[-1])
    assert record["level"] == "WARNING"
    assert record["logger"] == "claims.smoke"
    assert record["message"] == "quote not found"
    assert record["time"]


def test_plain_log_lines_are_text_by_default() -> None:
    line = run().stderr.strip().splitlines()[-1]

    assert line.endswith("WARNING claims.smoke: quote not found")


def test_an_unknown_log_format_is_refused_at_start_up() -> None:
    result = run(LOG_FORMAT="xml")

    assert result.returncode != 0
    assert "LOG_FORMAT must be plain or json, not 'xml'" in result.stderr
