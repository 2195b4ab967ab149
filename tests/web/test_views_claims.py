"""Claim review: the panel, status changes, assignment, evidence, the claim list and
its bulk actions, and the sources pages."""

from __future__ import annotations

import json

import pytest

from claims.confirmation import service as status
from claims.models import Claim, Evidence, Source
from claims.publication import verdicts
from tests.support import login

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def claim(make_article) -> Claim:
    return make_article().claims.order_by("start").first()


# --- the panel ----------------------------------------------------------------------------


def test_the_panel_fragment_shows_the_claim_its_evidence_and_history(
    client, viewer, claim, support
):
    support(claim, "https://www.reuters.com/a", excerpt="approved the budget")
    response = login(client, viewer).get(f"/claims/{claim.pk}/", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="panel"')
    assert claim.text in html
    assert "reuters.com" in html
    assert "evidence created (supports)" in html  # the history covers the evidence too


def test_the_panel_without_htmx_redirects_to_the_article_page(client, viewer, claim):
    response = login(client, viewer).get(f"/claims/{claim.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/articles/{claim.article_id}/?claim={claim.pk}"


def test_the_panel_refuses_an_outsider_even_as_a_fragment(client, outsider, claim):
    assert login(client, outsider).get(f"/claims/{claim.pk}/", **HTMX).status_code == 403


# --- status -------------------------------------------------------------------------------


def test_confirming_without_a_source_is_refused_with_the_reason(client, fact_checker, claim):
    response = login(client, fact_checker).post(
        f"/claims/{claim.pk}/status/", {"action": "confirm"}, **HTMX
    )
    assert response.status_code == 200
    assert "needs 1 more supporting source" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.UNCONFIRMED


def test_confirming_swaps_the_panel_row_counters_and_signals_the_highlight(
    client, fact_checker, claim, support
):
    support(claim, "https://www.reuters.com/a")
    response = login(client, fact_checker).post(
        f"/claims/{claim.pk}/status/", {"action": "confirm", "note": "Reuters"}, **HTMX
    )
    html = response.content.decode()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.CONFIRMED
    assert claim.status_note == "Reuters"
    assert f'id="claim-{claim.pk}"' in html and 'hx-swap-oob="true"' in html
    assert 'id="counters"' in html
    assert "Claim confirmed." in html
    event = json.loads(response["HX-Trigger"])["claim-changed"]
    assert event == {"id": claim.pk, "status": "confirmed", "contradicted": False}


def test_a_plain_form_post_redirects_back_to_the_claim(client, fact_checker, claim, support):
    support(claim, "https://www.reuters.com/a")
    response = login(client, fact_checker).post(
        f"/claims/{claim.pk}/status/", {"action": "confirm"}
    )
    assert response.status_code == 302
    assert response["Location"] == claim.get_absolute_url()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.CONFIRMED


@pytest.fixture
def confirmed(claim, support, fact_checker) -> Claim:
    support(claim, "https://www.reuters.com/a")
    status.confirm(claim, by=fact_checker, note="Reuters has it")
    return claim


def test_unconfirming_a_confirmed_claim_without_a_reason_is_refused(
    client, fact_checker, confirmed
):
    response = login(client, fact_checker).post(
        f"/claims/{confirmed.pk}/status/", {"action": "unconfirm", "note": "  "}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Say why you unconfirm this confirmed claim." in html
    assert f'id="unconfirm-{confirmed.pk}" open' in html  # the form stays open, with the error
    confirmed.refresh_from_db()
    assert confirmed.status == Claim.Status.CONFIRMED
    assert confirmed.status_note == "Reuters has it"


def test_unconfirming_without_a_reason_and_without_htmx_shows_the_form_again(
    client, fact_checker, confirmed
):
    response = login(client, fact_checker).post(
        f"/claims/{confirmed.pk}/status/", {"action": "unconfirm"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>" in html and f'<base href="/articles/{confirmed.article_id}/">' in html
    assert "Say why you unconfirm this confirmed claim." in html
    assert Claim.objects.get(pk=confirmed.pk).status == Claim.Status.CONFIRMED


def test_unconfirming_a_confirmed_claim_with_a_reason_records_it(client, fact_checker, confirmed):
    response = login(client, fact_checker).post(
        f"/claims/{confirmed.pk}/status/",
        {"action": "unconfirm", "note": "the figure is the 2023 budget"},
        **HTMX,
    )
    assert "Claim marked unconfirmed." in response.content.decode()
    confirmed.refresh_from_db()
    assert confirmed.status == Claim.Status.UNCONFIRMED
    assert confirmed.status_note == "the figure is the 2023 budget"


def test_confirming_a_confirmed_claim_adds_no_record_and_says_so(client, fact_checker, confirmed):
    response = login(client, fact_checker).post(
        f"/claims/{confirmed.pk}/status/", {"action": "confirm"}, **HTMX
    )
    assert "already confirmed" in response.content.decode()
    confirmed.refresh_from_db()
    assert confirmed.confirmations.count() == 1
    assert confirmed.status == Claim.Status.CONFIRMED
    assert confirmed.status_note == "Reuters has it"


def test_the_unconfirm_form_says_when_the_verdict_is_published(
    client, fact_checker, editor, confirmed
):
    page = verdicts.publish(confirmed, by=editor)
    html = login(client, fact_checker).get(f"/claims/{confirmed.pk}/", **HTMX).content.decode()
    form = html.split(f'id="unconfirm-{confirmed.pk}"', 1)[1].split("</details>", 1)[0]
    assert "This claim's verdict is published at" in form
    assert f'href="http://testserver{page.get_absolute_url()}"' in form
    verdicts.unpublish(confirmed, by=editor)
    html = client.get(f"/claims/{confirmed.pk}/", **HTMX).content.decode()
    assert "verdict is published at" not in html


def test_the_needs_rereview_panel_shows_both_wordings_with_the_change_marked(
    client, fact_checker, confirmed
):
    Claim.objects.filter(pk=confirmed.pk).update(
        text="The city council approved a budget of 4.6 million <dollars> on Monday."
    )
    status.lapse([confirmed], cause="the article was edited")
    html = login(client, fact_checker).get(f"/claims/{confirmed.pk}/", **HTMX).content.decode()
    assert "Confirmed wording" in html and "Current wording" in html
    assert "a budget of <del>4.2</del> million <del>dollars</del> on Monday." in html
    assert "a budget of <ins>4.6</ins> million <ins>&lt;dollars&gt;</ins> on Monday." in html


def test_a_viewer_cannot_change_a_status(client, viewer, claim, support):
    support(claim, "https://www.reuters.com/a")
    response = login(client, viewer).post(
        f"/claims/{claim.pk}/status/", {"action": "confirm"}, **HTMX
    )
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.status == Claim.Status.UNCONFIRMED


def test_status_changes_refuse_get(client, fact_checker, claim):
    assert login(client, fact_checker).get(f"/claims/{claim.pk}/status/").status_code == 405


def test_status_changes_require_login(client, claim):
    response = client.post(f"/claims/{claim.pk}/status/", {"action": "unconfirm"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- assignment ---------------------------------------------------------------------------


def test_assigning_a_claim_records_it_in_the_history(client, editor, fact_checker, claim):
    login(client, editor).post(
        f"/claims/{claim.pk}/assign/", {"assignee": fact_checker.pk, "basis": ""}, **HTMX
    )
    claim.refresh_from_db()
    assert claim.assignee == fact_checker
    assert claim.history.first().history_change_reason == f"assigned to {fact_checker}"


def test_a_viewer_cannot_assign(client, viewer, fact_checker, claim):
    login(client, viewer).post(f"/claims/{claim.pk}/assign/", {"assignee": fact_checker.pk})
    claim.refresh_from_db()
    assert claim.assignee is None


# --- evidence -----------------------------------------------------------------------------


def test_adding_evidence_with_a_new_url_creates_one_canonical_source_and_queues_capture(
    client, fact_checker, claim, django_capture_on_commit_callbacks
):
    login(client, fact_checker)
    data = {
        "url": "https://WWW.Reuters.com/world/story?utm_source=x#top",
        "stance": "supports",
        "excerpt": "approved a budget",
        "kind": "wire",
    }
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"/claims/{claim.pk}/evidence/", data, **HTMX)
    assert response.status_code == 200
    source = Source.objects.get()
    assert source.url == "https://www.reuters.com/world/story"
    assert source.publisher == "reuters.com"
    assert source.kind == "wire"
    evidence = Evidence.objects.get()
    assert (evidence.claim, evidence.added_by, evidence.stance) == (claim, fact_checker, "supports")
    assert evidence.quote_check == Evidence.QuoteCheck.UNCHECKED  # until captured
    assert len(callbacks) == 1
    assert "Evidence added." in response.content.decode()


def test_the_same_source_twice_is_refused_with_a_message(client, fact_checker, claim, support):
    support(claim, "https://www.reuters.com/a")
    source = Source.objects.get()
    response = login(client, fact_checker).post(
        f"/claims/{claim.pk}/evidence/", {"source": source.pk, "stance": "refutes"}, **HTMX
    )
    assert "already linked" in response.content.decode()
    assert Evidence.objects.count() == 1


def test_evidence_needs_a_source_or_a_url(client, fact_checker, claim):
    response = login(client, fact_checker).post(
        f"/claims/{claim.pk}/evidence/", {"stance": "supports"}, **HTMX
    )
    assert "Pick an existing source or give a URL" in response.content.decode()
    assert not Evidence.objects.exists()


def test_only_http_and_https_source_urls_are_accepted(client, fact_checker, claim):
    response = login(client, fact_checker).post(
        f"/claims/{claim.pk}/evidence/", {"url": "ftp://example.org/x", "stance": "supports"}
    )
    assert response.status_code == 200  # the page again, with the reason by the field
    assert "Only http:// and https:// URLs are accepted, not ftp: URLs." in response.text
    assert 'value="ftp://example.org/x"' in response.text
    assert not Source.objects.exists()


def test_refuting_evidence_marks_the_claim_contradicted(client, fact_checker, claim, make_source):
    source = make_source("https://apnews.com/fact-check")
    response = login(client, fact_checker).post(
        f"/claims/{claim.pk}/evidence/", {"source": source.pk, "stance": "refutes"}, **HTMX
    )
    assert json.loads(response["HX-Trigger"])["claim-changed"]["contradicted"] is True
    assert "Contradicted" in response.content.decode()


def test_removing_evidence(client, fact_checker, claim, support):
    evidence = support(claim, "https://www.reuters.com/a")
    login(client, fact_checker).post(f"/evidence/{evidence.pk}/delete/", **HTMX)
    assert not Evidence.objects.exists()


def test_a_viewer_cannot_add_or_remove_evidence(client, viewer, claim, support):
    evidence = support(claim, "https://www.reuters.com/a")
    login(client, viewer)
    response = client.post(
        f"/claims/{claim.pk}/evidence/", {"url": "https://apnews.com/x", "stance": "supports"}
    )
    assert response.status_code == 403
    assert client.post(f"/evidence/{evidence.pk}/delete/").status_code == 403
    assert Evidence.objects.count() == 1


# --- the claim list -----------------------------------------------------------------------


def test_the_claim_list_filters_by_status_hedge_and_contradiction(
    client, viewer, make_article, support
):
    article = make_article()
    first, second = article.claims.order_by("start")
    second.hedged = True
    second.save()
    support(first, "https://apnews.com/x", stance="refutes")
    login(client, viewer)
    html = client.get("/claims/?hedged=true").content.decode()
    assert f'id="claim-row-{second.pk}"' in html and f'id="claim-row-{first.pk}"' not in html
    html = client.get("/claims/?contradicted=true").content.decode()
    assert f'id="claim-row-{first.pk}"' in html and f'id="claim-row-{second.pk}"' not in html
    html = client.get("/claims/?status=confirmed").content.decode()
    assert "No claims match." in html


def test_the_claim_list_filters_by_factuality_and_labels_it(client, viewer, make_article):
    article = make_article()
    first, second = article.claims.order_by("start")
    second.factuality = Claim.Factuality.UNVERIFIED_REPORT
    second.hedged = True
    second.save()
    login(client, viewer)
    html = client.get("/claims/?factuality=unverified_report").content.decode()
    assert f'id="claim-row-{second.pk}"' in html and f'id="claim-row-{first.pk}"' not in html
    assert ">unverified report</span>" in html
    html = client.get("/claims/?factuality=asserted").content.decode()
    assert f'id="claim-row-{first.pk}"' in html and f'id="claim-row-{second.pk}"' not in html


def test_the_claim_list_fragment_and_a_bad_filter(client, viewer, claim):
    login(client, viewer)
    html = client.get("/claims/?min_score=abc", **HTMX).content.decode()
    assert html.lstrip().startswith('<div id="claim-table">')


def test_the_claim_list_query_count_does_not_grow_with_rows(
    client, viewer, make_article, django_assert_max_num_queries
):
    login(client, viewer)
    make_article()
    with django_assert_max_num_queries(10) as counted:
        client.get("/claims/")
    for _ in range(20):
        make_article()
    with django_assert_max_num_queries(len(counted.captured_queries)):
        client.get("/claims/")


def test_bulk_confirm_confirms_what_the_rule_allows_and_reports_the_rest(
    client, fact_checker, make_article, support
):
    article = make_article()
    supported, unsupported = article.claims.order_by("start")
    support(supported, "https://www.reuters.com/a")
    response = login(client, fact_checker).post(
        "/claims/", {"action": "confirm", "ids": [supported.pk, unsupported.pk]}, follow=True
    )
    html = response.content.decode()
    assert "Bulk confirm: 1 confirmed, 1 refused." in html
    assert f"#{unsupported.pk} " in html and "Refused: needs 1 more supporting source" in html
    assert Claim.objects.get(pk=supported.pk).status == Claim.Status.CONFIRMED
    assert Claim.objects.get(pk=unsupported.pk).status == Claim.Status.UNCONFIRMED


def _three_claims(make_article, support, by):
    """Three supported claims: one unconfirmed, one confirmed (with its own note), one in
    needs re-review (its evidence would still allow confirming it)."""
    article = make_article(
        [
            "The city council approved a budget of 4.2 million dollars on Monday.",
            "The mayor said the new bridge will open in 2027.",
            "Unemployment fell to 3.1 percent in May, the agency said.",
        ]
    )
    fresh, confirmed, lapsed = article.claims.order_by("start")
    for claim in (fresh, confirmed, lapsed):
        support(claim, f"https://www.reuters.com/{claim.pk}")
    status.confirm(confirmed, by=by, note="checked against Reuters by Fred")
    status.confirm(lapsed, by=by)
    status.lapse([lapsed], cause="a source was re-captured")
    return fresh, confirmed, lapsed


def test_bulk_confirm_skips_a_claim_in_needs_rereview_and_a_confirmed_claim_naming_each(
    client, fact_checker, make_article, support
):
    fresh, confirmed, lapsed = _three_claims(make_article, support, fact_checker)
    response = login(client, fact_checker).post(
        "/claims/", {"action": "confirm", "ids": [fresh.pk, confirmed.pk, lapsed.pk]}, follow=True
    )
    html = response.content.decode()
    assert Claim.objects.get(pk=fresh.pk).status == Claim.Status.CONFIRMED
    assert Claim.objects.get(pk=lapsed.pk).status == Claim.Status.NEEDS_REREVIEW
    assert lapsed.confirmations.count() == 1 and confirmed.confirmations.count() == 1
    assert '<ul class="bulk-result">' in html
    assert "Bulk confirm: 1 confirmed, 2 refused." in html
    for claim, outcome in [
        (fresh, "Confirmed"),
        (confirmed, "Refused: already confirmed"),
        (lapsed, "Refused: needs re-review: one person must look at it first"),
    ]:
        link = f'<a href="{claim.get_absolute_url()}">#{claim.pk} “'.replace("&", "&amp;")
        group = f"<strong>{outcome}</strong> (1 claim)<ul><li>{link}"
        assert group in html


def test_bulk_confirm_keeps_the_note_and_record_of_a_confirmed_claim(
    client, fact_checker, editor, make_article, support
):
    _, confirmed, _ = _three_claims(make_article, support, fact_checker)
    record = confirmed.confirmations.get()
    login(client, editor).post(
        "/claims/", {"action": "confirm", "ids": [confirmed.pk], "note": "bulk run"}
    )
    confirmed.refresh_from_db()
    assert confirmed.status == Claim.Status.CONFIRMED
    assert confirmed.status_note == "checked against Reuters by Fred"
    assert confirmed.status_changed_by == fact_checker
    assert list(confirmed.confirmations.all()) == [record]


def test_bulk_confirm_answers_htmx_with_the_result_list(client, fact_checker, claim, support):
    support(claim, "https://www.reuters.com/a")
    response = login(client, fact_checker).post(
        "/claims/", {"action": "confirm", "ids": [claim.pk]}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<ul class="bulk-result">' in html and f"#{claim.pk} “" in html
    assert "<strong>Confirmed</strong> (1 claim)" in html


def test_bulk_unconfirm_of_a_confirmed_claim_needs_a_reason(client, fact_checker, claim, support):
    support(claim, "https://www.reuters.com/a")
    status.confirm(claim, by=fact_checker)
    login(client, fact_checker)
    response = client.post("/claims/", {"action": "unconfirm", "ids": [claim.pk]}, follow=True)
    assert "say why" in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.CONFIRMED
    client.post("/claims/", {"action": "unconfirm", "ids": [claim.pk], "note": "wrong figure"})
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.UNCONFIRMED


def test_bulk_assign_and_unconfirm(client, editor, fact_checker, make_article):
    ids = list(make_article().claims.values_list("pk", flat=True))
    login(client, editor)
    client.post("/claims/", {"action": "assign", "ids": ids, "assignee": fact_checker.pk})
    assert set(Claim.objects.values_list("assignee", flat=True)) == {fact_checker.pk}
    client.post("/claims/", {"action": "unconfirm", "ids": ids})
    assert set(Claim.objects.values_list("status", flat=True)) == {"unconfirmed"}


def test_bulk_export_is_a_csv_of_the_checked_claims(client, viewer, make_article):
    claims = list(make_article().claims.order_by("start"))
    response = login(client, viewer).post("/claims/", {"action": "export", "ids": [claims[0].pk]})
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv")
    assert claims[0].text in body and claims[1].text not in body


def test_a_viewer_cannot_bulk_confirm(client, viewer, make_article, support):
    claim = make_article().claims.first()
    support(claim, "https://www.reuters.com/a")
    response = login(client, viewer).post("/claims/", {"action": "confirm", "ids": [claim.pk]})
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.status == Claim.Status.UNCONFIRMED


def test_the_claim_list_refuses_an_outsider(client, outsider):
    assert login(client, outsider).get("/claims/").status_code == 403


# --- sources ------------------------------------------------------------------------------


def test_the_source_list_and_detail_show_the_claims_a_source_backs(client, viewer, claim, support):
    evidence = support(claim, "https://www.reuters.com/a")
    login(client, viewer)
    assert "reuters.com" in client.get("/sources/").content.decode()
    html = client.get(f"/sources/{evidence.source_id}/").content.decode()
    assert claim.text in html
    assert "Supports" in html


def test_the_source_picker_fragment_lists_matching_sources(client, viewer, make_source):
    make_source("https://www.reuters.com/a", title="Budget report")
    make_source("https://apnews.com/b", title="Storm report")
    html = login(client, viewer).get("/sources/?picker=1&q=budget", **HTMX).content.decode()
    assert "Budget report" in html and "Storm report" not in html
    assert html.lstrip().startswith("<option")


def test_the_source_pages_refuse_an_outsider_and_post(client, outsider, viewer, make_source):
    source = make_source()
    assert login(client, outsider).get("/sources/").status_code == 403
    assert client.get(f"/sources/{source.pk}/").status_code == 403
    assert login(client, viewer).post("/sources/").status_code == 405


def test_the_claim_list_flags_claims_confirmed_on_a_source_that_died(
    client, viewer, fact_checker, make_article, support
):
    confirmed, other = make_article().claims.order_by("start")
    evidence = support(confirmed, "https://www.reuters.com/a")
    status.confirm(confirmed, by=fact_checker)
    Source.objects.filter(pk=evidence.source_id).update(link_state=Source.LinkState.DEAD)
    html = login(client, viewer).get("/claims/?needs_review=on").content.decode()
    assert f'id="claim-row-{confirmed.pk}"' in html
    assert f'id="claim-row-{other.pk}"' not in html
    assert "source changed — review" in html
