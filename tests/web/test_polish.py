"""Issue 31, item 9 ("Polish"), in the rendered pages: a claim's verdict shown once, one
label per factuality on every page, counts that agree with their number, quotes never
doubled, the score labelled, no empty verdict box, and a capture provided by hand that
says who provided it (not "Captured (HTTP 200)"). The browser half, for what a person
sees laid out (the ✗ the stylesheet adds, the printed report), is in
``tests/browser/test_polish.py``."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from claims.models import Article, Claim, Evidence, Source
from claims.sources import capture as sources
from claims.templatetags.quoting import QUOTE_MARKS, quoted_text
from claims.text.plural import counted
from tests.conftest import capture

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def viewer_client(viewer: User) -> Client:
    client = Client()
    client.force_login(viewer)
    return client


def badges_of(html: str, claim: Claim) -> str:
    item = re.search(rf'<li id="claim-{claim.pk}".*?</li>', html, re.S)
    assert item, f"claim {claim.pk} is not in the list"
    found = re.search(r'<span class="badges">(.*?)</span>\s*</li>', item.group(0), re.S)
    assert found
    return found.group(1)


def article_page(client: Client, claim: Claim) -> str:
    url = reverse("article-detail", args=[claim.article_id])
    return client.get(url, {"claim": claim.pk}).content.decode()


# --- The verdict, once ----------------------------------------------------------------------


def test_a_contradicted_claim_shows_one_contradicted_badge_and_not_unconfirmed(
    viewer_client: Client,
    make_article: Callable[..., Article],
    support: Callable[..., Evidence],
) -> None:
    article = make_article()
    claim = article.claims.first()
    support(claim, "https://www.bbc.com/news/budget", stance=Evidence.Stance.REFUTES)

    badges = badges_of(article_page(viewer_client, claim), claim)

    assert badges.count('class="badge contradicted"') == 1
    assert re.search(r'class="badge contradicted"[^>]*>contradicted</span>', badges)
    assert "status-unconfirmed" not in badges and "unconfirmed" not in badges.split("title=")[0]
    assert "✗" not in badges, "the ✗ is the stylesheet's (.badge.contradicted::before)"
    assert 'title="A source refutes this claim (status: unconfirmed)"' in badges


def test_a_contradicted_claim_in_needs_re_review_keeps_both(
    viewer_client: Client,
    make_article: Callable[..., Article],
    support: Callable[..., Evidence],
) -> None:
    claim = make_article().claims.first()
    support(claim, "https://www.bbc.com/news/budget", stance=Evidence.Stance.REFUTES)
    Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.NEEDS_REREVIEW)

    badges = badges_of(article_page(viewer_client, claim), claim)

    assert badges.count('class="badge contradicted"') == 1
    assert badges.count("status-needs_rereview") == 1  # work to do, not a second verdict


# --- One label per factuality -------------------------------------------------------------


def test_every_page_names_an_unverified_report_so(
    viewer_client: Client, make_article: Callable[..., Article]
) -> None:
    article = make_article()
    claim = article.claims.first()
    Claim.objects.filter(pk=claim.pk).update(
        factuality=Claim.Factuality.UNVERIFIED_REPORT, hedged=True
    )
    pages = {
        "queue": reverse("todays-queue"),
        "article": reverse("article-detail", args=[article.pk]),
        "report": reverse("article-report", args=[article.pk]),
    }
    for name, url in pages.items():
        html = viewer_client.get(url).content.decode()
        badges = re.findall(r'<span class="badge factuality[^"]*"[^>]*>([^<]*)</span>', html)
        assert badges == ["unverified report"], name
        assert ">hedged<" not in html, name


# --- Counts agree with their number ---------------------------------------------------------


@given(n=st.integers(min_value=0, max_value=10_000), noun=st.sampled_from(["claim", "source"]))
def test_counted_agrees_with_its_number(n: int, noun: str) -> None:
    words = counted(n, noun)
    assert words == (f"1 {noun}" if n == 1 else f"{n} {noun}s")
    assert "(s)" not in words


def test_no_count_in_the_code_says_s_in_brackets() -> None:
    """No "claim(s)": a count is written with ``counted`` or ``pluralize``."""
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR)
    files = [*root.glob("claims/**/*.py"), *root.glob("templates/**/*.html")]
    offending = [
        f"{path.relative_to(root)}: {line.strip()}"
        for path in files
        if "migrations" not in path.parts
        for line in path.read_text(encoding="utf-8").splitlines()
        if re.search(r"(?<=[\s\"'>])[a-z]+\(s\)", line)  # a word, not a call f(s)
        and "http(s)" not in line
        and "event(s)" not in line  # add_webhook names the unknown ones it lists
        and path.name != "plural.py"  # which says what it replaces
    ]
    assert offending == []


def test_the_readiness_box_says_one_unverified_report(
    viewer_client: Client, make_article: Callable[..., Article]
) -> None:
    article = make_article()
    Claim.objects.filter(pk=article.claims.first().pk).update(
        factuality=Claim.Factuality.UNVERIFIED_REPORT, hedged=True
    )

    html = viewer_client.get(reverse("article-detail", args=[article.pk])).content.decode()

    assert "<strong>1</strong> unverified report left in the text" in html
    assert "1 unverified report left in the text (caution, not blocking)" in html
    assert "unverified reports" not in html


# --- Quotes ---------------------------------------------------------------------------------


@given(st.text(max_size=40))
def test_quoted_adds_marks_only_to_text_without_its_own(text: str) -> None:
    shown = quoted_text(text)
    bare = text.strip()
    own = bool(bare) and (bare[0] in QUOTE_MARKS or bare[-1] in QUOTE_MARKS)
    assert shown == (text if own or not bare else f"“{text}”")
    assert text in shown, "the text itself is never changed"
    assert not shown.startswith('“"') and not shown.startswith("““")


def test_the_report_does_not_double_a_claims_own_quotes(
    viewer_client: Client, make_article: Callable[..., Article]
) -> None:
    quote = '"The bridge will open in 2027," the mayor said.'
    article = make_article([quote, "The council approved 4.2 million dollars on Monday."])

    html = viewer_client.get(reverse("article-report", args=[article.pk])).content.decode()

    assert (
        '<p class="claim-text">&quot;The bridge will open in 2027,&quot; the mayor said.</p>'
        in html
    )
    assert '<p class="claim-text">“The council approved 4.2 million dollars on Monday.”</p>' in html
    assert "“&quot;" not in html


def test_quoted_escapes_what_it_is_given() -> None:
    rendered = Template("{% load quoting %}{{ text|quoted }}").render(
        Context({"text": "<b>4 million</b> & more"})
    )
    assert rendered == "“&lt;b&gt;4 million&lt;/b&gt; &amp; more”"


# --- The score is labelled, and no empty box ---------------------------------------------------


def test_the_score_on_a_claim_card_is_labelled(
    viewer_client: Client, make_article: Callable[..., Article]
) -> None:
    claim = make_article().claims.first()
    html = article_page(viewer_client, claim)
    item = re.search(rf'<li id="claim-{claim.pk}".*?</li>', html, re.S)
    assert item
    assert (
        '<span class="score"><span class="score-label">Check-worthiness</span> 0.90</span>'
        in item.group(0)
    )


def test_an_undecided_claim_has_no_verdict_box(
    make_article: Callable[..., Article], editor: User, support: Callable[..., Evidence]
) -> None:
    client = Client()
    client.force_login(editor)
    article = make_article()
    undecided, refuted = article.claims.all()[:2]
    support(refuted, "https://www.bbc.com/news/budget", stance=Evidence.Stance.REFUTES)

    quiet = client.get(reverse("claim-panel", args=[undecided.pk]), **HTMX).text
    decided = client.get(reverse("claim-panel", args=[refuted.pk]), **HTMX).text

    assert "verdict-box" not in quiet and "Assign" in quiet
    assert f'<div class="verdict-box" id="verdict-box-{refuted.pk}">' in decided
    assert "Publish the verdict page" in decided


# --- A capture provided by hand -------------------------------------------------------------


def test_a_provided_capture_says_who_provided_it_and_when_not_an_http_status(
    viewer_client: Client, editor: User, make_source: Callable[..., Source]
) -> None:
    source = make_source("https://www.ft.com/content/budget")
    capture(source, "The fetched page.", http_status=200)
    Source.objects.filter(pk=source.pk).update(http_status=200)
    source.refresh_from_db()

    made = sources.provide_capture(
        source, text="The article's text, pasted.", by=editor, provided_as="pasted text"
    )

    html = viewer_client.get(source.get_absolute_url()).content.decode()
    line = re.search(r'<dd id="source-content">.*?</dd>', html, re.S)
    assert line
    assert "HTTP" not in line.group(0) and "Captured" not in line.group(0)
    assert (
        f"Provided by {editor.username}</span> on {made.fetched_at:%Y-%m-%d %H:%M}" in line.group(0)
    )
    assert "(pasted text)" in line.group(0)


def test_a_fetched_capture_still_gives_its_http_status(
    viewer_client: Client, make_source: Callable[..., Source]
) -> None:
    source = make_source("https://www.ft.com/content/budget")
    capture(source, "The fetched page.", http_status=200)
    Source.objects.filter(pk=source.pk).update(http_status=200)

    html = viewer_client.get(source.get_absolute_url()).content.decode()

    line = re.search(r'<dd id="source-content">.*?</dd>', html, re.S)
    assert line and "Captured" in line.group(0) and "(HTTP 200)" in line.group(0)
