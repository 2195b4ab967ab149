"""Public verdict pages (``claims/publication/verdicts.py``): ``/verdicts/<slug>/`` without a login,
published and unpublished by editors, always showing the claim's verdict as it is now."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from claims.confirmation import service as status
from claims.models import Article, Claim, Confirmation, Evidence, SourceCapture, VerdictPage
from claims.publication import exports, verdicts
from tests.jsonld_strict import SCHEMA, expand_strictly
from tests.support import build_checked_article

LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


@pytest.fixture
def checked(
    make_article: Callable[..., Article],
    support: Callable[..., Evidence],
    fact_checker: User,
    settings: Any,
) -> dict[str, Any]:
    settings.WORKBENCH_CONFIRMATIONS_REQUIRED = 1
    settings.WORKBENCH_BASE_URL = "https://wb.example.org"
    settings.WORKBENCH_NEWSROOM_NAME = "Example Newsroom"
    settings.WORKBENCH_NEWSROOM_URL = "https://newsroom.example.org/"
    return build_checked_article(make_article, support, fact_checker)


def _publish(client: Client, claim: Claim, action: str = "publish", **headers: Any) -> Any:
    return client.post(reverse("verdict-publish", args=[claim.pk]), {"action": action}, **headers)


def _ld(response: Any) -> list[dict[str, Any]]:
    return [json.loads(block) for block in LD_JSON.findall(response.content.decode())]


def test_an_editor_publishes_a_confirmed_claim_and_anyone_reads_it_without_a_login(
    client: Client, editor: User, checked: dict[str, Any]
) -> None:
    claim = checked["quoted"]
    client.force_login(editor)

    response = _publish(client, claim)

    assert response.status_code == 302
    page = VerdictPage.objects.get(claim=claim)
    assert page.published and page.published_by == editor
    assert page.history.first().history_change_reason == "published"
    client.logout()
    public = client.get(f"/verdicts/{page.slug}/")
    assert public.status_code == 200
    html = public.content.decode()
    assert escape(claim.text) in html
    assert "Verdict: <strong>Confirmed</strong>" in html
    assert "reuters.com" in html, "the evidence that counts is listed"
    assert "NATO to meet on Iraq crisis" in html, "the article the claim appeared in"


def test_the_page_carries_its_claimreview_whose_url_is_the_page(
    client: Client, editor: User, checked: dict[str, Any]
) -> None:
    claim = checked["newline"]
    page = verdicts.publish(claim, by=editor)

    [review] = _ld(client.get(page.get_absolute_url()))

    [node] = expand_strictly(review)
    public_url = f"https://wb.example.org/verdicts/{page.slug}/"
    assert review["url"] == public_url
    assert node["@id"] == public_url + "#claimreview"
    assert review["reviewRating"]["name"] == "Contradicted"
    assert node[SCHEMA + "claimReviewed"] == [{"@value": claim.text}]
    article_export = exports.article_claimreview(checked["article"])
    assert review["url"] in {r["url"] for r in article_export["@graph"]}


def test_text_that_closes_the_script_element_stays_inside_the_json(
    client: Client, editor: User, checked: dict[str, Any]
) -> None:
    claim = checked["quoted"]
    hostile = 'He said </script><script>alert(1)</script><!-- "quoted" & more'
    # As if the hostile wording had been confirmed: the page publishes the record.
    Claim.objects.filter(pk=claim.pk).update(text=hostile, speaker="</script>")
    Confirmation.objects.filter(claim=claim).update(
        wording=hostile, standalone="", speaker="</script>"
    )
    claim.refresh_from_db()
    page = verdicts.publish(claim, by=editor)

    response = client.get(page.get_absolute_url())

    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert html.count("</script>") == html.count("<script")
    [review] = _ld(response)
    assert review["claimReviewed"] == hostile
    assert review["itemReviewed"]["author"]["name"] == "</script>"


def test_an_undecided_claim_cannot_be_published(
    client: Client, editor: User, checked: dict[str, Any]
) -> None:
    client.force_login(editor)

    _publish(client, checked["plain"])

    assert not VerdictPage.objects.filter(claim=checked["plain"]).exists()
    with pytest.raises(ValueError, match="unconfirmed"):
        verdicts.publish(checked["plain"], by=editor)


def test_only_editors_publish(
    client: Client, fact_checker: User, viewer: User, checked: dict[str, Any]
) -> None:
    for user in (fact_checker, viewer):
        client.force_login(user)
        assert _publish(client, checked["quoted"]).status_code == 403
    assert not VerdictPage.objects.exists()
    client.logout()
    assert _publish(client, checked["quoted"]).status_code == 302  # to the login page
    assert not VerdictPage.objects.exists()


def test_unpublished_and_unknown_pages_are_404(
    client: Client, editor: User, checked: dict[str, Any]
) -> None:
    claim = checked["quoted"]
    page = verdicts.publish(claim, by=editor)
    client.force_login(editor)

    _publish(client, claim, "unpublish")

    client.logout()
    assert client.get(page.get_absolute_url()).status_code == 404
    assert client.get("/verdicts/no-such-page/").status_code == 404
    page.refresh_from_db()
    assert [h.history_change_reason for h in page.history.all()][:2] == [
        "unpublished",
        "published",
    ]
    assert exports.claimreview(claim)["url"].endswith(f"?claim={claim.pk}")


def test_a_published_verdict_that_lapses_shows_under_review_and_no_claimreview(
    client: Client, editor: User, checked: dict[str, Any]
) -> None:
    claim = checked["maliki"]
    page = verdicts.publish(claim, by=editor)

    status.lapse([claim], cause="the source changed")

    response = client.get(page.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Under review" in html
    assert "Confirmed" not in html
    assert _ld(response) == []
    assert claim.text not in {
        r["claimReviewed"] for r in exports.article_claimreview(checked["article"])["@graph"]
    }


def test_the_claim_panel_offers_publishing_to_editors_only(
    client: Client, editor: User, fact_checker: User, checked: dict[str, Any]
) -> None:
    claim = checked["quoted"]
    url = reverse("claim-panel", args=[claim.pk])

    client.force_login(fact_checker)
    assert "Publish the verdict page" not in client.get(url, HTTP_HX_REQUEST="true").text
    client.force_login(editor)
    panel = client.get(url, HTTP_HX_REQUEST="true").text
    assert "Publish the verdict page" in panel

    swapped = _publish(client, claim, HTTP_HX_REQUEST="true")

    assert swapped.status_code == 200
    page = VerdictPage.objects.get(claim=claim)
    assert page.get_absolute_url() in swapped.text
    assert "Unpublish the verdict page" in swapped.text


def test_the_api_names_the_public_page_of_a_published_claim(
    client: Client, editor: User, viewer: User, checked: dict[str, Any]
) -> None:
    page = verdicts.publish(checked["quoted"], by=editor)
    client.force_login(viewer)

    claims = client.get(reverse("api-claim-list")).json()["results"]

    pages = {item["id"]: item["verdict_page_url"] for item in claims}
    assert pages[checked["quoted"].pk] == f"http://testserver{page.get_absolute_url()}"
    assert pages[checked["plain"].pk] is None


# --- What the page shows: the newsroom, the reasoning, the sources (issue 31, item 9) -------


def _section(html: str, element_id: str) -> str:
    found = re.search(rf'<(\w+)[^>]* id="{element_id}".*?</\1>', html, re.S)
    assert found, f"no #{element_id}"
    return found.group(0)


def test_the_page_is_headed_with_the_newsroom_and_shows_the_note_and_the_sources(
    client: Client, editor: User, checked: dict[str, Any]
) -> None:
    claim = checked["maliki"]
    page = verdicts.publish(claim, by=editor)
    record = Confirmation.latest_for(claim.pk)
    assert record is not None

    response = client.get(page.get_absolute_url())

    html = response.content.decode()
    assert "Claim workbench" not in html
    assert '<a class="brand" href="https://newsroom.example.org/">Example Newsroom</a>' in html
    assert "<title>Confirmed: " in html and " · Example Newsroom</title>" in html
    assert 'aria-label="Main"' not in html, "no workbench navigation on a public page"
    assert _section(html, "verdict-note") == (
        '<p class="verdict-note" id="verdict-note">Two wires agree.</p>'
    )
    sources = _section(html, "verdict-sources")
    # The counting source (apnews), linked, with the date of the capture it was judged
    # on; not the Reuters evidence that is only context.
    [counted] = record.basis
    capture = SourceCapture.objects.get(pk=counted["capture"])
    assert f'<a href="{counted["url"]}" rel="noopener noreferrer nofollow">' in sources
    at = timezone.localtime(capture.fetched_at)
    assert f'captured <time datetime="{at.isoformat()}">{at:%-d %B %Y}</time>' in sources
    assert "reuters.com" not in sources
    [review] = _ld(response)
    assert f"<h1>{escape(review['claimReviewed'])}</h1>" in html


def test_the_page_shows_what_was_confirmed_not_what_changed_since(
    client: Client, editor: User, checked: dict[str, Any], support: Callable[..., Evidence]
) -> None:
    claim = checked["quoted"]
    page = verdicts.publish(claim, by=editor)
    # Evidence added after the confirmation, that the record did not count: not shown.
    support(claim, "https://www.bbc.com/news/kerry", excerpt="will be intense, sustained")
    # The record is what stands: its wording and note are the page's.
    Confirmation.objects.filter(claim=claim).update(
        wording="As confirmed: the strikes will be intense.", standalone="", note="Said on camera."
    )

    html = client.get(page.get_absolute_url()).content.decode()

    assert "<h1>As confirmed: the strikes will be intense.</h1>" in html
    assert "Said on camera." in html and "Two wires agree." not in html
    sources = _section(html, "verdict-sources")
    assert "reuters.com" in sources and "bbc.com" not in sources


def test_a_contradicted_verdict_lists_the_refuting_sources_and_no_note(
    client: Client, editor: User, checked: dict[str, Any]
) -> None:
    page = verdicts.publish(checked["newline"], by=editor)

    html = client.get(page.get_absolute_url()).content.decode()

    assert "The sources that refute it" in html
    assert "bbc.com/news/iraq" in _section(html, "verdict-sources")
    assert 'id="verdict-note"' not in html


def test_a_verdict_under_review_shows_no_note_and_no_source(
    client: Client, editor: User, checked: dict[str, Any]
) -> None:
    claim = checked["maliki"]
    page = verdicts.publish(claim, by=editor)
    status.lapse([claim], cause="the source changed")

    html = client.get(page.get_absolute_url()).content.decode()

    assert "Under review" in html and "Example Newsroom" in html
    assert "Two wires agree." not in html and 'id="verdict-sources"' not in html
