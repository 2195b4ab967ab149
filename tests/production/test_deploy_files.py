"""The deployment examples in docs/deploy/ are valid: systemd accepts the units (pointed at
this checkout and its virtualenv), and the Procfile names the processes of
docs/production.md (the smoke test runs its lines)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

DEPLOY = Path(settings.BASE_DIR) / "docs" / "deploy"


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_accepts_every_unit(tmp_path: Path) -> None:
    venv_bin = str(Path(sys.executable).parent) + "/"
    units = []
    for unit in sorted((DEPLOY / "systemd").glob("*.service")):
        text = (
            unit.read_text()
            .replace("/srv/workbench/.venv/bin/", venv_bin)
            .replace("/srv/workbench", str(settings.BASE_DIR))
            .replace("/etc/workbench/workbench.env", str(DEPLOY / "systemd" / "workbench.env"))
        )
        name = unit.name.replace("@.service", "@extraction.service")
        (tmp_path / name).write_text(text)
        units.append(f"./{name}")

    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *units],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip

    assert len(units) == 4
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Unknown" not in result.stderr


def test_the_procfile_runs_migrations_first_and_one_process_per_role() -> None:
    lines = (DEPLOY / "Procfile").read_text().splitlines()
    names = [line.split(":", 1)[0] for line in lines if line.strip()]
    commands = dict(line.split(": ", 1) for line in lines if line.strip())

    assert names == ["release", "web", "extraction", "default", "beat"]
    assert commands["release"] == "python manage.py migrate --noinput"
    assert " -Q extraction " in commands["extraction"]
    assert " -Q default " in commands["default"]
