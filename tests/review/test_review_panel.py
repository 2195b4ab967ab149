"""The review experience, server side (issue 15; the browser tests drive the same items
at three widths): one search-and-filter form on the claim list, bulk actions on every
matching claim, Confirm as the primary button only when it can work, who may be
assigned, per-block progress, styled error pages and a favicon."""

from __future__ import annotations

import re

from django.contrib.auth.models import User
from django.test import override_settings
from django.views import defaults

from claims.confirmation import service as status
from claims.models import Article, Claim

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_the_claim_search_box_is_part_of_the_filter_form_with_no_second_q(client, viewer):
    client.force_login(viewer)
    html = client.get("/claims/?q=Fauci").content.decode()
    # The article picker's own search box (form="article-picker") is not the filter's q.
    assert len(re.findall(r'<input[^>]*name="q"(?![^>]*form="article-picker")[^>]*>', html)) == 1
    assert re.search(
        r'<input type="search" name="q" id="id_q" form="claim-filters" value="Fauci"', html
    )


def test_bulk_actions_can_apply_to_every_claim_matching_the_filters(
    client, editor, fact_checker, make_article
):
    budget = make_article([f"The council spent {n} million dollars on roads." for n in range(51)])
    other = make_article(["The mayor opened a school on Friday."], title="School")
    client.force_login(editor)
    page = client.get("/claims/?q=council").content.decode()
    assert "all 51 claims matching the filters" in page  # the count, before confirming
    data = {"action": "assign", "assignee": fact_checker.pk, "all_matching": "on"}
    response = client.post("/claims/?q=council", data)
    assert response.status_code == 302
    assert budget.claims.filter(assignee=fact_checker).count() == 51
    assert not other.claims.filter(assignee__isnull=False).exists()


def test_a_bulk_action_needs_checked_claims_or_all_matching(client, editor, make_article):
    make_article()
    client.force_login(editor)
    response = client.post("/claims/", {"action": "unconfirm"}, follow=True)
    assert (
        "Check some claims, or choose every claim matching the filters."
        in response.content.decode()
    )


def test_confirm_is_the_primary_button_only_when_the_rule_allows_it(
    client, fact_checker, make_article, support
):
    claim = make_article().claims.order_by("start").first()
    client.force_login(fact_checker)
    primary = re.compile(r'<button[^>]*value="confirm"[^>]*class="primary"')
    assert not primary.search(client.get(f"/claims/{claim.pk}/", **HTMX).content.decode())
    support(claim, "https://www.reuters.com/a")
    assert primary.search(client.get(f"/claims/{claim.pk}/", **HTMX).content.decode())
    status.confirm(claim, by=fact_checker)
    assert not primary.search(client.get(f"/claims/{claim.pk}/", **HTMX).content.decode())


def test_only_active_reviewers_can_be_picked_as_assignee(
    client, editor, fact_checker, viewer, make_article
):
    User.objects.create_user("gone", is_active=False).groups.add(*fact_checker.groups.all())
    claim = make_article().claims.first()
    client.force_login(editor)
    panel = client.get(f"/claims/{claim.pk}/", **HTMX).content.decode()
    options = re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", panel)
    assert {"edna", "fred"} <= set(options)
    assert "vera" not in options and "gone" not in options


def test_progress_is_shown_per_block_in_the_list_and_on_the_article(client, viewer, make_article):
    article = make_article(state=Article.State.PROCESSING, progress_done=3, progress_total=12)
    client.force_login(viewer)
    for url in ("/articles/", article.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "block 3 of 12" in html
        assert '<progress max="12" value="3"' in html


def test_a_done_article_says_done_with_a_symbol_not_only_colour(client, viewer, make_article):
    make_article()
    client.force_login(viewer)
    assert "✓ Done" in client.get("/articles/").content.decode()


def test_the_403_and_404_pages_are_styled_inside_the_workbench(client, outsider, viewer):
    client.force_login(outsider)
    forbidden = client.get("/claims/")
    assert forbidden.status_code == 403
    assert "Your role does not allow this" in forbidden.content.decode()
    assert 'class="topbar"' in forbidden.content.decode()
    client.force_login(viewer)
    missing = client.get("/articles/999999/")
    assert missing.status_code == 404
    assert "There is nothing at this address" in missing.content.decode()
    assert 'aria-label="Main"' in missing.content.decode()  # the navigation is there


def test_the_500_page_is_styled_and_needs_no_context(rf):
    response = defaults.server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    assert "workbench.css" in response.content.decode()


@override_settings(
    STORAGES={"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
)
def test_there_is_a_favicon(client, viewer):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
    client.force_login(viewer)
    assert 'rel="icon"' in client.get("/articles/").content.decode()


def test_a_claims_row_in_the_list_is_unaffected_by_a_panel_action_banner(
    client, fact_checker, make_article
):
    """After a panel action, the page's banner area is emptied: the result is beside the
    control that caused it, not in a stale banner at the top."""
    claim: Claim = make_article().claims.first()
    client.force_login(fact_checker)
    html = client.post(f"/claims/{claim.pk}/status/", {"action": "unconfirm"}, **HTMX).content
    html = html.decode()
    assert (
        '<div id="messages" class="messages" aria-live="polite" hx-swap-oob="true"></div>' in html
    )
    assert 'id="result-status"' in html and "Claim marked unconfirmed." in html
