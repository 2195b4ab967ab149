"""The Content-Security-Policy in a real browser: an inline script does not run (and the
``page`` fixture notices the violation), and every page, the admin's included, works
without breaking the policy (the fixture fails a test that logs a violation)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from claims.models import Article
from tests.browser import test_review as review

pytestmark = pytest.mark.browser


def test_an_injected_inline_script_does_not_run_and_is_reported(
    page: Page,
    viewer: User,
    csp_violations: list[str],
    log_in: Callable[[Page, User], None],
) -> None:
    log_in(page, viewer)
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__inline = 1;";
          document.body.append(script);
          const button = document.createElement("button");
          button.setAttribute("onclick", "window.__handler = 1");
          document.body.append(button);
          button.click();
        }"""
    )
    page.wait_for_function("() => true")  # let the console events arrive

    assert page.evaluate("window.__inline") is None
    assert page.evaluate("window.__handler") is None
    assert any("script-src" in violation for violation in csp_violations), csp_violations
    csp_violations.clear()  # expected here; any other test fails on one


def test_the_review_pages_and_the_admin_work_under_the_policy(
    page: Page,
    editor: User,
    make_article: Callable[..., Article],
    log_in: Callable[[Page, User], None],
) -> None:
    editor.is_staff = editor.is_superuser = True
    editor.save()
    article = make_article()
    claim = article.claims.order_by("-checkworthiness").first()
    assert claim is not None
    log_in(page, editor)

    # htmx still swaps the claim panel in (its script runs, no inline style is needed).
    page.goto(f"/articles/{article.pk}/")
    page.evaluate("window.__marker = 1")
    page.locator(f"#claim-{claim.pk} a").click()
    expect(page.locator("#panel h2")).to_have_text(f"Claim #{claim.pk}")
    assert page.evaluate("window.__marker") == 1, "the panel came by a page load, not htmx"
    background = page.evaluate("getComputedStyle(document.querySelector('.topbar')).display")
    assert background == "flex", "workbench.css did not apply"

    for url in [
        "/articles/",
        "/articles/new/",
        f"/articles/{article.pk}/edit/",
        "/claims/",
        "/sources/",
        "/account/tokens/",
        "/admin/",
        "/admin/claims/claim/",
        f"/admin/claims/claim/{claim.pk}/change/",
        f"/admin/claims/claim/{claim.pk}/history/",
        "/admin/auth/user/add/",
    ]:
        response = page.goto(url)
        assert response is not None and response.ok, (
            f"{url} answered {response and response.status}"
        )
        assert "script-src 'self'" in (response.headers.get("content-security-policy") or "")


def test_creating_an_api_token_and_the_lockout_page_work_under_the_policy(
    page: Page, viewer: User, log_in: Callable[[Page, User], None]
) -> None:
    log_in(page, viewer)
    page.get_by_role("link", name="API tokens").click()
    page.fill("#id_name", "nightly export")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("#new-token code.token")).to_contain_text("wbt_")
    expect(page.locator("#api-tokens table")).to_contain_text("nightly export")
    review.screenshot(page, "api-tokens")

    page.get_by_role("button", name="Log out").click()
    for _ in range(5):
        page.goto("/accounts/login/")
        page.fill("#id_username", viewer.username)
        page.fill("#id_password", "wrong password")
        page.click("button[type=submit]")
    expect(page.locator("#locked-out")).to_contain_text("Too many failed logins")
    review.screenshot(page, "locked-out")
