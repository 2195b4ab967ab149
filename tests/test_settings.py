"""Start-up configuration: production refuses the development key, the deployment
check is clean, and the models match their migrations."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "example.org",
    "WORKBENCH_BASE_URL": "https://example.org",
    "WORKBENCH_NEWSROOM_NAME": "Example News",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    unset = {"DEBUG", "SECRET_KEY", "WORKBENCH_BASE_URL", "WORKBENCH_NEWSROOM_NAME"}
    environment = {k: v for k, v in os.environ.items() if k not in unset}
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
    result = manage("check", "--deploy", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
    assert "WARNING" not in result.stderr + result.stdout


def test_production_requires_the_workbench_base_url():
    without = {k: v for k, v in PRODUCTION.items() if k != "WORKBENCH_BASE_URL"}

    result = manage("check", **without)

    assert result.returncode != 0
    assert "WORKBENCH_BASE_URL is not set" in result.stderr


def test_the_base_url_must_be_an_http_origin():
    for wrong in ("example.org", "ftp://example.org", "https://example.org/workbench"):
        result = manage("check", **(PRODUCTION | {"WORKBENCH_BASE_URL": wrong}))
        assert result.returncode != 0, wrong
        assert "WORKBENCH_BASE_URL must be an http(s) origin" in result.stderr, wrong


def test_production_requires_the_newsroom_that_publishes_the_reviews():
    without = {k: v for k, v in PRODUCTION.items() if k != "WORKBENCH_NEWSROOM_NAME"}

    result = manage("check", **without)

    assert result.returncode != 0
    assert "WORKBENCH_NEWSROOM_NAME is not set" in result.stderr


def test_a_malformed_boolean_setting_is_a_clear_error():
    result = manage("check", DEBUG="perhaps")
    assert "DEBUG must be a boolean" in result.stderr


def test_the_models_match_their_migrations():
    result = manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout


DATABASE = "import json; from django.conf import settings; db = settings.DATABASES['default']; "
DATABASE += "print(json.dumps([db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS']]))"
POSTGRES = "postgres://postgres@127.0.0.1:5432/workbench"


def test_the_development_server_closes_each_connection_after_its_request():
    result = manage("shell", "-c", DATABASE, DEBUG="1", DATABASE_URL=POSTGRES)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[0, false]"


def test_production_keeps_connections_and_checks_them_before_reuse():
    result = manage("shell", "-c", DATABASE, DATABASE_URL=POSTGRES, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[60, true]"


def test_a_trusted_proxy_that_is_not_an_address_is_a_clear_error():
    result = manage("check", BEHIND_PROXY="1", WORKBENCH_TRUSTED_PROXIES="10.0.0.1,proxy.internal")
    assert result.returncode != 0
    assert "WORKBENCH_TRUSTED_PROXIES must list IP addresses or networks" in result.stderr
    assert "'proxy.internal'" in result.stderr
