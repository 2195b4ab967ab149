"""Settings of the production shape: WhiteNoise's hashed, compressed static files with
DEBUG off; a PostgreSQL connection attempt that gives up in seconds."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.conf import settings

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "production-settings-test-" + "k" * 40,
    "ALLOWED_HOSTS": "example.org",
    "WORKBENCH_BASE_URL": "https://example.org",
    "WORKBENCH_NEWSROOM_NAME": "Example News",
}
SHOW = (
    "import json, django; django.setup(); from django.conf import settings; "
    "db = settings.DATABASES['default']; "
    "print(json.dumps([settings.STORAGES['staticfiles']['BACKEND'], db.get('OPTIONS', {})]))"
)


def show(**env: str) -> list[object]:
    result = subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "workbench.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return list(json.loads(result.stdout.splitlines()[-1]))


def test_production_serves_hashed_compressed_static_files_through_whitenoise() -> None:
    storage, _ = show(**PRODUCTION, DATABASE_URL="sqlite:////tmp/unused.sqlite3")

    assert storage == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE


def test_a_postgresql_connection_attempt_gives_up_after_five_seconds_unless_told() -> None:
    url = "postgres://workbench@db.example.org:5432/workbench"

    assert show(DATABASE_URL=url)[1] == {"connect_timeout": 5}
    assert show(DATABASE_URL=url + "?connect_timeout=2")[1] == {"connect_timeout": 2}
