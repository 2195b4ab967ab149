"""Issue 31, item 5, in a real browser at phone (390 px) and desktop (1280 px) widths:
an editor adds a fact-checker on the team page and gets a one-time link, which the new
person opens to set a password and log in; the editor changes a role and deactivates
someone, and the record at the foot of the page says who did what. Screenshots:
var/screenshots/team-<width>.png (``UPDATE_SCREENSHOTS=1``: docs/screenshots/)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect

from claims import team
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.test_review import screenshot
from tests.browser.test_review_experience import HEIGHTS, accessible, at_width, fits

pytestmark = pytest.mark.browser

WIDTHS = [390, 1280]


@pytest.mark.parametrize("width", WIDTHS)
def test_an_editor_adds_a_fact_checker_who_sets_a_password_from_the_link(
    page: Page,
    browser: Browser,
    live_server: Any,
    width: int,
    editor: User,
    fact_checker: User,
    viewer: User,
    log_in,
) -> None:
    at_width(page, width)
    log_in(page, editor)
    page.get_by_role("link", name="Team").click()
    expect(page.get_by_role("heading", name="Team", exact=True)).to_be_visible()

    page.get_by_label("Username").fill("nina")
    page.get_by_label("Email").fill("nina@example.org")
    page.locator("#id_role").select_option("fact-checker")
    page.get_by_role("button", name="Add and make a password link").click()
    expect(page.locator("#password-link")).to_contain_text("One-time link for nina")
    link = page.locator("#password-link code").inner_text()
    assert team.role_of(User.objects.get(username="nina")) == "fact-checker"

    page.get_by_label("Role of fred").select_option("viewer")
    page.locator(f"#person-{fact_checker.pk}").get_by_role("button", name="Change role").click()
    expect(page.locator("#messages")).to_contain_text("fred is now viewer.")
    page.get_by_role("button", name="Deactivate vera").click()
    expect(page.locator("#messages")).to_contain_text("vera is deactivated")
    expect(page.get_by_role("button", name="Reactivate vera")).to_be_visible()
    changes = page.get_by_role("list", name="Team changes, newest first")
    expect(changes).to_contain_text("edna deactivated vera")
    expect(changes).to_contain_text("edna changed the role of fred (from fact-checker to viewer)")
    expect(changes).to_contain_text("edna added nina (as fact-checker)")
    fits(page)
    accessible(page)
    screenshot(page, f"team-{width}")

    newcomer = browser.new_context(
        viewport={"width": width, "height": HEIGHTS[width]}, base_url=live_server.url
    )
    newcomer.set_default_timeout(TIMEOUT_MS)
    try:
        other = newcomer.new_page()
        other.goto(link)
        other.locator("#id_new_password1").fill("a-long-new-passphrase-9")
        other.locator("#id_new_password2").fill("a-long-new-passphrase-9")
        other.get_by_role("button", name="Set password").click()
        expect(other.get_by_role("heading", name="Password set")).to_be_visible()
        other.goto("/accounts/login/")
        other.fill("#id_username", "nina")
        other.fill("#id_password", "a-long-new-passphrase-9")
        other.click("button[type=submit]")
        other.wait_for_url("**/queue/")  # a fact-checker lands on their queue
        fits(other)
    finally:
        newcomer.close()
