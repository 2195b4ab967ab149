"""Find a Chromium for the browser tests, or install one, and print its path.

Usage: python scripts/ensure_browser.py [--find-only]

Looks, in order, at:

1. ``WORKBENCH_CHROMIUM``, when set (an explicit choice: if it does not start, that is an
   error, not a reason to look elsewhere);
2. Playwright's own Chromium, where ``python -m playwright install chromium`` puts it
   (``PLAYWRIGHT_BROWSERS_PATH`` moves it, as for Playwright itself);
3. the system's Chromium: ``WORKBENCH_CHROMIUM_CANDIDATES``, a ``os.pathsep``-separated
   list of paths, by default ``/usr/bin/chromium``.

A candidate counts when ``<path> --version`` succeeds (a Chromium downloaded without its
shared libraries does not). When none does, it installs one: first Playwright's
(``python -m playwright install --no-shell chromium``, with a short connection timeout,
so that a machine without access to Playwright's CDN fails in seconds), then, when that
fails and the user is root on a machine with ``apt-get``, Debian's ``chromium`` package.
Installers write to standard error; standard output holds the path alone. When nothing
works it exits with status 1 and one line saying what to install.

The browser tests' conftest imports ``find_chromium`` from here (no installing there), and
``make test`` exports the printed path as ``WORKBENCH_CHROMIUM``. Standard library only:
it runs before anything else is known to work.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ENV_VAR = "WORKBENCH_CHROMIUM"
CANDIDATES_VAR = "WORKBENCH_CHROMIUM_CANDIDATES"
DEFAULT_CANDIDATES = ["/usr/bin/chromium"]
# Where a Playwright Chromium keeps its executable, under its install location.
PLAYWRIGHT_EXECUTABLES = ["chrome-linux64/chrome", "chrome-linux/chrome"]
# Per connection, in milliseconds (Playwright's default is 30 s, with 5 attempts).
DOWNLOAD_CONNECTION_TIMEOUT_MS = "10000"
INSTALL_TIMEOUT_S = 900
VERSION_TIMEOUT_S = 30

NOT_FOUND = (
    "No Chromium for the browser tests: install Debian's `chromium` package "
    "(apt-get install chromium), or run `.venv/bin/python -m playwright install "
    "--with-deps chromium`, or set WORKBENCH_CHROMIUM to a Chromium executable."
)


class BrowserError(Exception):
    """Nothing usable; the message is the one line to show."""


def works(path: str) -> bool:
    """Whether ``path`` is an executable that answers ``--version``."""
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        return False
    try:
        result = subprocess.run(
            [path, "--version"], capture_output=True, timeout=VERSION_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def playwright_location() -> Path | None:
    """Where ``playwright install chromium`` puts (or has put) Chromium, or None when
    Playwright is not installed for this Python."""
    try:
        result = subprocess.run(
            [sys.executable, "-m", "playwright", "install", "--dry-run", "chromium"],
            capture_output=True,
            text=True,
            timeout=VERSION_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    # Blocks of "<title> (playwright <name> v<revision>)" then "Install location: <dir>".
    for block in result.stdout.split("\n\n"):
        if "(playwright chromium v" in block:
            match = re.search(r"Install location:\s*(\S.*)", block)
            if match:
                return Path(match.group(1).strip())
    return None


def playwright_chromium() -> str | None:
    location = playwright_location()
    if location is None:
        return None
    for relative in PLAYWRIGHT_EXECUTABLES:
        path = str(location / relative)
        if works(path):
            return path
    return None


def system_candidates() -> list[str]:
    raw = os.environ.get(CANDIDATES_VAR)
    if raw is None:
        return DEFAULT_CANDIDATES
    return [item for item in raw.split(os.pathsep) if item]


def find_chromium() -> str | None:
    """The Chromium to use, without installing anything; None when there is none.

    Raises ``BrowserError`` when ``WORKBENCH_CHROMIUM`` names one that does not start.
    """
    chosen = os.environ.get(ENV_VAR)
    if chosen:
        if works(chosen):
            return chosen
        raise BrowserError(f"{ENV_VAR}={chosen} is not a Chromium that starts: {NOT_FOUND}")
    found = playwright_chromium()
    if found:
        return found
    return next((path for path in system_candidates() if works(path)), None)


def _run_installer(command: list[str], env: dict[str, str] | None = None) -> bool:
    print(f"ensure_browser: {' '.join(command)}", file=sys.stderr)
    try:
        result = subprocess.run(
            command, stdout=sys.stderr, env=env, timeout=INSTALL_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        print(f"ensure_browser: {error}", file=sys.stderr)
        return False
    return result.returncode == 0


def install_playwright_chromium() -> bool:
    env = dict(os.environ)
    env.setdefault("PLAYWRIGHT_DOWNLOAD_CONNECTION_TIMEOUT", DOWNLOAD_CONNECTION_TIMEOUT_MS)
    command = [sys.executable, "-m", "playwright", "install", "--no-shell", "chromium"]
    return _run_installer(command, env)


def install_debian_chromium() -> bool:
    apt_get = shutil.which("apt-get")
    if apt_get is None or not hasattr(os, "geteuid") or os.geteuid() != 0:
        return False
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    return _run_installer([apt_get, "update", "-qq"], env) and _run_installer(
        [apt_get, "install", "-y", "-qq", "--no-install-recommends", "chromium"], env
    )


def ensure_chromium() -> str:
    """A working Chromium's path, installing one if needed; ``BrowserError`` otherwise."""
    found = find_chromium()
    if found:
        return found
    if install_playwright_chromium():
        found = playwright_chromium()
        if found:
            return found
    if install_debian_chromium():
        found = find_chromium()
        if found:
            return found
    raise BrowserError(NOT_FOUND)


def main(argv: list[str]) -> int:
    try:
        path = find_chromium() if "--find-only" in argv else ensure_chromium()
        if path is None:
            raise BrowserError(NOT_FOUND)
    except BrowserError as error:
        print(error, file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
