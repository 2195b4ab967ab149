"""Start-up configuration: production refuses the development key, the deployment
check is clean, and the models match their migrations."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_the_development_secret_key():
    result = manage("check", DEBUG="0", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "SECRET_KEY is the development key" in result.stderr


def test_the_deployment_check_is_clean_with_debug_off():
    key = secrets.token_urlsafe(50)
    result = manage("check", "--deploy", DEBUG="0", SECRET_KEY=key, ALLOWED_HOSTS="example.org")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
    assert "WARNING" not in result.stderr + result.stdout


def test_a_malformed_boolean_setting_is_a_clear_error():
    result = manage("check", DEBUG="perhaps")
    assert "DEBUG must be a boolean" in result.stderr


def test_the_models_match_their_migrations():
    result = manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout
