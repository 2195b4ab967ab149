"""Fixtures of the browser tests: Chromium through Playwright (the one that
``scripts/ensure_browser.py`` finds: ``WORKBENCH_CHROMIUM``, Playwright's own, or
Debian's), pytest-django's ``live_server``, a real broker and a real worker (see
``tests/live.py``).

``page`` is a fresh browser context (1280x900) per test whose relative URLs go to the
live server; the test fails if any page broke the Content-Security-Policy (Chromium's
console message, or a ``securitypolicyviolation`` event), and ``csp_violations`` lists
them. ``log_in(page, user)`` logs in through the login form. A failed test shows the
tail of the worker's log.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from scripts.ensure_browser import NOT_FOUND, BrowserError, find_chromium
from tests import live
from tests.conftest import PASSWORD
from tests.live_fixtures import broker_fixture, roles_fixture  # noqa: F401 (fixtures)

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 15_000
# Runs before any script of each document (Playwright's init scripts are not subject to
# the page's policy) and reports violations the console might not.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`securitypolicyviolation: ${event.violatedDirective} blocked ${event.blockedURI}`
    + ` at ${event.sourceFile}:${event.lineNumber} ${event.sample}`);
});
"""
CSP_MARKERS = ("Content Security Policy", "securitypolicyviolation")


@pytest.fixture
def worker(
    broker: live.Broker, transactional_db: Any, tmp_path: Any, request: pytest.FixtureRequest
) -> Iterator[live.Worker]:
    started = live.Worker(broker.url, tmp_path / "worker.log")
    request.node.live_workers = [started]
    started.start()
    yield started
    started.stop()
    broker.flush()


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Chromium, for the browser tests of this package.

    Playwright's sync API keeps an event loop in this thread while it runs, and Django
    then refuses ORM calls from it (in the tests, and in the database flush after each
    one); here they are plain synchronous code in one thread, so that check is lifted
    for as long as Playwright runs.
    """
    try:
        executable = find_chromium()
    except BrowserError as error:
        pytest.fail(str(error), pytrace=False)
    if executable is None:
        pytest.fail(NOT_FOUND, pytrace=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


@pytest.fixture
def csp_violations() -> list[str]:
    return []


@pytest.fixture
def page(browser: Browser, live_server: Any, csp_violations: list[str]) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT, base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(REPORT_VIOLATIONS)

    def on_console(message: ConsoleMessage) -> None:
        if any(marker in message.text for marker in CSP_MARKERS):
            csp_violations.append(f"{message.page.url if message.page else ''}: {message.text}")

    context.on("console", on_console)
    yield context.new_page()
    context.close()
    if csp_violations:
        pytest.fail("The Content-Security-Policy was violated:\n" + "\n".join(csp_violations))


@pytest.fixture
def log_in() -> Callable[[Page, User], None]:
    def log_in(page: Page, user: User) -> None:
        page.goto("/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        # A fact-checker lands on today's queue, everyone else on the articles.
        page.wait_for_url(re.compile(r"/(articles|queue)/$"))

    return log_in


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call" and report.failed:
        for worker in getattr(item, "live_workers", []):
            report.sections.append((f"worker log {worker.log_path.name}", worker.tail()))
    return report
