"""The matches of a claim in its panel: the list fragment (and page), accepting and
dismissing (htmx and plain posts), permissions and methods."""

from __future__ import annotations

import pytest

from claims.confirmation import service as status
from claims.models import Claim, ClaimMatch, FactCheck
from tests.support import login

HTMX = {"HTTP_HX_REQUEST": "true"}

EARLIER = (
    "Unemployment in Ohio fell to 4.1 percent in March, according to the state labor department."
)
LATER = "Ohio's unemployment rate dropped to 4.1 percent in March, the state labor department said."


@pytest.fixture
def earlier(make_article) -> Claim:
    article = make_article(
        [EARLIER], title="Jobs", outlet="Other Times", url="https://othertimes.com/jobs",
        outlet_domain="othertimes.com",
    )  # fmt: skip
    return article.claims.get()


@pytest.fixture
def claim(make_article, earlier) -> Claim:
    return make_article([LATER]).claims.get()


@pytest.fixture
def match(claim, earlier) -> ClaimMatch:
    return ClaimMatch.objects.create(
        claim=claim, matched_claim=earlier, score=0.87, state=ClaimMatch.State.LINKED
    )


@pytest.fixture
def factcheck_match(claim) -> ClaimMatch:
    check = FactCheck.objects.create(
        archive_id="efc-9", text=EARLIER, title="Ohio jobs figures check out", rating="True",
        url="https://factcheck.example.org/ohio", publisher="Example Fact Check",
    )  # fmt: skip
    return ClaimMatch.objects.create(claim=claim, factcheck=check, score=0.55)


# --- the list ---------------------------------------------------------------------------


def test_the_fragment_lists_matches_with_status_verdict_sources_and_score(
    client, viewer, claim, match, factcheck_match, support, fact_checker
):
    support(match.matched_claim, "https://www.bls.gov/ohio")
    status.confirm(match.matched_claim, by=fact_checker)
    response = login(client, viewer).get(f"/claims/{claim.pk}/matches/", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<section id="matches-{claim.pk}"')
    assert EARLIER in html and "Linked for review" in html and "Suggested" in html
    assert "confirmed" in html and "bls.gov" in html and "0.87" in html
    assert "Ohio jobs figures check out" in html and "Example Fact Check" in html
    assert html.index("0.87") < html.index("0.55")  # best first


def test_a_contradicted_earlier_claim_shows_as_contradicted(client, viewer, claim, match, support):
    support(match.matched_claim, "https://www.bls.gov/ohio", stance="refutes")
    html = login(client, viewer).get(f"/claims/{claim.pk}/matches/", **HTMX).content.decode()
    assert "contradicted" in html


def test_without_htmx_the_matches_are_a_page(client, viewer, claim, match):
    response = login(client, viewer).get(f"/claims/{claim.pk}/matches/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and f'id="matches-{claim.pk}"' in html
    assert "hx-post" not in html


def test_dismissed_matches_are_hidden(client, viewer, claim, match, fact_checker):
    match.dismiss(by=fact_checker)
    html = login(client, viewer).get(f"/claims/{claim.pk}/matches/", **HTMX).content.decode()
    assert EARLIER not in html
    assert "1 dismissed match hidden" in html


def test_a_viewer_sees_no_decision_buttons_a_fact_checker_does(
    client, viewer, fact_checker, claim, match
):
    html = login(client, viewer).get(f"/claims/{claim.pk}/matches/", **HTMX).content.decode()
    assert "Accept" not in html and "Dismiss" not in html
    html = login(client, fact_checker).get(f"/claims/{claim.pk}/matches/", **HTMX).content
    assert b'hx-post="/matches/' in html and b"csrfmiddlewaretoken" in html
    assert b"Accept and confirm" not in html  # the earlier claim is not confirmed


def test_accept_and_confirm_is_offered_when_the_earlier_claim_is_confirmed(
    client, fact_checker, claim, match, support
):
    support(match.matched_claim, "https://www.bls.gov/ohio")
    status.confirm(match.matched_claim, by=fact_checker)
    html = login(client, fact_checker).get(f"/claims/{claim.pk}/matches/", **HTMX).content
    assert b"Accept and confirm" in html


def test_the_list_refuses_an_outsider(client, outsider, claim, match):
    assert login(client, outsider).get(f"/claims/{claim.pk}/matches/", **HTMX).status_code == 403


def test_the_list_requires_login(client, claim):
    response = client.get(f"/claims/{claim.pk}/matches/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_list_refuses_post(client, fact_checker, claim):
    assert login(client, fact_checker).post(f"/claims/{claim.pk}/matches/").status_code == 405


# --- accepting and dismissing -----------------------------------------------------------


def test_accepting_with_htmx_swaps_the_panel_and_carries_the_evidence_over(
    client, fact_checker, claim, match, support
):
    support(match.matched_claim, "https://www.bls.gov/ohio")
    response = login(client, fact_checker).post(f"/matches/{match.pk}/accept/", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="panel"')
    assert "Match accepted; 1 evidence link carried over." in html
    assert f"carried over from claim #{match.matched_claim_id}" in html
    match.refresh_from_db()
    assert (match.state, match.decided_by) == (ClaimMatch.State.ACCEPTED, fact_checker)
    assert match.history.first().history_user == fact_checker
    assert claim.evidence.get().source.url == "https://www.bls.gov/ohio"


def test_a_plain_post_redirects_to_the_claims_page(client, fact_checker, claim, match):
    response = login(client, fact_checker).post(f"/matches/{match.pk}/accept/")
    assert response.status_code == 302
    assert response["Location"] == claim.get_absolute_url()


def test_accept_and_confirm_reports_a_refused_confirmation(
    client, fact_checker, claim, match, support
):
    # The earlier claim's only source is the later article's own outlet.
    support(match.matched_claim, "https://www.dailyexample.com/data")
    status.confirm(match.matched_claim, by=fact_checker)
    response = login(client, fact_checker).post(
        f"/matches/{match.pk}/accept/", {"confirm": "1"}, **HTMX
    )
    html = response.content.decode()
    assert "Not confirmed: Cannot confirm: needs 1 more supporting source" in html
    claim.refresh_from_db()
    assert claim.status == Claim.Status.UNCONFIRMED
    assert ClaimMatch.objects.get(pk=match.pk).state == ClaimMatch.State.ACCEPTED


def test_accept_and_confirm_confirms_when_the_rule_allows(
    client, fact_checker, claim, match, support
):
    support(match.matched_claim, "https://www.bls.gov/ohio")
    status.confirm(match.matched_claim, by=fact_checker)
    login(client, fact_checker).post(f"/matches/{match.pk}/accept/", {"confirm": "1"}, **HTMX)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.CONFIRMED
    assert claim.history.first().history_user == fact_checker


def test_accepting_a_fact_check_links_it_as_context(client, fact_checker, claim, factcheck_match):
    login(client, fact_checker).post(f"/matches/{factcheck_match.pk}/accept/", **HTMX)
    evidence = claim.evidence.get()
    assert evidence.stance == "context"
    assert evidence.source.url == "https://factcheck.example.org/ohio"
    assert "rated “True”" in evidence.note


def test_dismissing_hides_the_match_and_records_who(client, fact_checker, claim, match):
    response = login(client, fact_checker).post(
        f"/matches/{match.pk}/dismiss/", {"note": "different survey"}, **HTMX
    )
    assert response.status_code == 200
    assert "Match dismissed" in response.content.decode()
    match.refresh_from_db()
    assert match.state == ClaimMatch.State.DISMISSED
    record = match.history.first()
    assert (record.history_user, record.history_change_reason) == (
        fact_checker,
        "different survey",
    )


def test_an_accepted_match_is_not_accepted_twice(client, fact_checker, claim, match, support):
    support(match.matched_claim, "https://www.bls.gov/ohio")
    login(client, fact_checker).post(f"/matches/{match.pk}/accept/", **HTMX)
    response = client.post(f"/matches/{match.pk}/accept/", **HTMX)
    assert "already accepted" in response.content.decode()
    assert claim.evidence.count() == 1
    assert match.history.count() == 2  # created, accepted


@pytest.mark.parametrize("action", ["accept", "dismiss"])
def test_a_viewer_cannot_decide(client, viewer, match, action):
    response = login(client, viewer).post(f"/matches/{match.pk}/{action}/", **HTMX)
    assert response.status_code == 403
    assert ClaimMatch.objects.get(pk=match.pk).state == ClaimMatch.State.LINKED


@pytest.mark.parametrize("action", ["accept", "dismiss"])
def test_an_outsider_cannot_decide(client, outsider, match, action):
    assert login(client, outsider).post(f"/matches/{match.pk}/{action}/").status_code == 403


@pytest.mark.parametrize("action", ["accept", "dismiss"])
def test_decisions_refuse_get(client, fact_checker, match, action):
    assert login(client, fact_checker).get(f"/matches/{match.pk}/{action}/").status_code == 405


def test_an_unknown_match_is_404(client, fact_checker):
    assert login(client, fact_checker).post("/matches/999/accept/").status_code == 404
