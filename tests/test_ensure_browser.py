"""``scripts/ensure_browser.py``: which Chromium ``make test`` and the browser tests use,
and the one line a machine without any gets.

The machine's own Chromium is never touched: every lookup is pointed at a temporary
directory (``PLAYWRIGHT_BROWSERS_PATH``, ``WORKBENCH_CHROMIUM_CANDIDATES``), and the
executables found there are small shell scripts that answer ``--version`` like Chromium
(or fail, like one whose libraries are missing).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from scripts import ensure_browser
from scripts.ensure_browser import NOT_FOUND, BrowserError, find_chromium

SCRIPT = Path(ensure_browser.__file__)


def executable(path: Path, *, starts: bool = True) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = (
        "echo 'Chromium 1.0'"
        if starts
        else "echo 'error while loading shared libraries' >&2; exit 127"
    )
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return str(path)


@pytest.fixture
def nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every lookup points into an empty temporary directory."""
    monkeypatch.delenv("WORKBENCH_CHROMIUM", raising=False)
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "ms-playwright"))
    monkeypatch.setenv("WORKBENCH_CHROMIUM_CANDIDATES", "")
    return tmp_path


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_workbench_chromium_is_used_when_set(
    nowhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    system = executable(nowhere / "usr" / "chromium")
    chosen = executable(nowhere / "opt" / "my-chromium")
    monkeypatch.setenv("WORKBENCH_CHROMIUM_CANDIDATES", system)
    monkeypatch.setenv("WORKBENCH_CHROMIUM", chosen)

    assert find_chromium() == chosen


def test_a_workbench_chromium_that_is_missing_is_an_error_not_a_silent_fallback(
    nowhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKBENCH_CHROMIUM_CANDIDATES", executable(nowhere / "usr" / "chromium"))
    monkeypatch.setenv("WORKBENCH_CHROMIUM", str(nowhere / "no-such-chromium"))

    with pytest.raises(BrowserError, match=r"WORKBENCH_CHROMIUM=.*no-such-chromium"):
        find_chromium()


def test_playwrights_own_chromium_comes_before_the_systems(
    nowhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKBENCH_CHROMIUM_CANDIDATES", executable(nowhere / "usr" / "chromium"))
    location = ensure_browser.playwright_location()
    assert location is not None
    assert location.is_relative_to(nowhere / "ms-playwright")  # honours PLAYWRIGHT_BROWSERS_PATH
    downloaded = executable(location / "chrome-linux64" / "chrome")

    assert find_chromium() == downloaded


def test_a_playwright_chromium_that_does_not_start_is_passed_over(
    nowhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    system = executable(nowhere / "usr" / "chromium")
    monkeypatch.setenv("WORKBENCH_CHROMIUM_CANDIDATES", system)
    location = ensure_browser.playwright_location()
    assert location is not None
    executable(location / "chrome-linux64" / "chrome", starts=False)

    assert find_chromium() == system


def test_the_first_system_candidate_that_starts_is_used(
    nowhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = executable(nowhere / "a" / "chromium", starts=False)
    working = executable(nowhere / "b" / "chromium")
    monkeypatch.setenv(
        "WORKBENCH_CHROMIUM_CANDIDATES", os.pathsep.join([broken, "/nonexistent", working])
    )

    assert find_chromium() == working


def test_nothing_found_is_none(nowhere: Path) -> None:
    assert find_chromium() is None


def test_the_script_prints_the_path_alone(nowhere: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_CHROMIUM_CANDIDATES", executable(nowhere / "usr" / "chromium"))

    result = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{nowhere / 'usr' / 'chromium'}\n"


def test_without_any_chromium_the_installers_fail_fast_and_one_line_says_what_to_install(
    nowhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Playwright's download goes to a closed local port; no apt-get on PATH.
    monkeypatch.setenv("PLAYWRIGHT_DOWNLOAD_HOST", f"http://127.0.0.1:{closed_port()}")
    empty_bin = nowhere / "bin"
    empty_bin.mkdir()
    monkeypatch.setenv("PATH", str(empty_bin))

    result = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=120, check=False
    )

    assert result.returncode == 1
    assert result.stdout == ""
    assert "playwright install --no-shell chromium" in result.stderr  # it did try
    assert result.stderr.splitlines()[-1] == NOT_FOUND
    assert "apt-get install chromium" in NOT_FOUND
    assert not list((nowhere / "ms-playwright").glob("chromium-*/chrome-linux*/chrome"))
