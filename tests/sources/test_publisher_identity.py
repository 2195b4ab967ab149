"""Who said it: a source's publisher comes from where its text came from (issue 28, items
1 and 2). A short link, a proxy, a syndicated copy or an archive copy of the article
itself never counts as an independent publisher, and an article saved with only its
outlet's name is still its publisher."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims.confirmation import service as status
from claims.models import Article, Claim, ConfirmationRefused, Evidence
from claims.sources import publishers
from claims.sources.identity import unwrap
from claims.sources.publishers import registered_domain
from claims.text.normalising import for_names
from tests.conftest import capture

ARTICLE_URL = "https://www.bbc.co.uk/news/uk-politics-123"
NEEDS_ONE_MORE = "needs 1 more supporting source"


@pytest.fixture
def claim(make_article: Any) -> Claim:
    """A claim in a BBC article: the seed publishers make bbc.com and bbc.co.uk one BBC."""
    article = make_article(outlet="BBC News", outlet_domain="bbc.co.uk", url=ARTICLE_URL)
    return article.claims.first()


def cite(support: Any, make_source: Any, claim: Claim, url: str, **captured: Any) -> Evidence:
    """Quote the claim from ``url``, captured with ``captured`` (e.g. ``final_url``)."""
    source = make_source(url)
    capture(source, f"Earlier reporting. {claim.text} More details followed.", **captured)
    return support(claim, url)


def reason(claim: Claim, evidence: Evidence) -> str:
    return status.assess(claim).verdicts[evidence.pk].reason


def refused(claim: Claim, by: Any) -> str:
    with pytest.raises(ConfirmationRefused) as refusal:
        status.confirm(claim, by=by)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.UNCONFIRMED
    return str(refusal.value)


# --- Item 1: short links, proxies and archives --------------------------------------------


@pytest.mark.parametrize("url", ["https://bit.ly/3xYzAb", "https://t.co/AbC123xyz"])
def test_a_short_link_without_a_captured_destination_is_of_unknown_publisher(
    claim, fact_checker, support, make_source, url
):
    evidence = cite(support, make_source, claim, url)
    assert reason(claim, evidence) == "short link with no captured destination: publisher unknown"
    assert NEEDS_ONE_MORE in refused(claim, fact_checker)


@pytest.mark.parametrize(
    ("url", "via"), [("https://bit.ly/3xYzAb", "bit.ly"), ("https://t.co/AbC123xyz", "t.co")]
)
def test_a_short_link_that_lands_on_the_article_itself_is_the_articles_publisher(
    claim, fact_checker, support, make_source, url, via
):
    evidence = cite(support, make_source, claim, url, final_url=ARTICLE_URL)
    assert reason(claim, evidence) == f"same publisher as the article: BBC (via {via})"
    assert NEEDS_ONE_MORE in refused(claim, fact_checker)


def test_a_short_link_counts_as_the_publisher_it_lands_on(
    claim, fact_checker, support, make_source
):
    cite(support, make_source, claim, "https://bit.ly/r3ut", final_url="https://www.reuters.com/a")
    status.confirm(claim, by=fact_checker)
    basis = claim.confirmations.get().basis
    assert [item["publisher"] for item in basis] == ["Reuters"]


@pytest.mark.parametrize(
    "url",
    [
        "https://www-bbc-co-uk.cdn.ampproject.org/c/s/www.bbc.co.uk/news/uk-politics-123",
        "https://www.google.com/amp/s/www.bbc.co.uk/news/uk-politics-123.amp",
    ],
)
def test_an_amp_cache_copy_of_the_article_is_the_articles_publisher(
    claim, fact_checker, support, make_source, url
):
    evidence = cite(support, make_source, claim, url)
    assert reason(claim, evidence).startswith("same publisher as the article: BBC (via ")
    assert NEEDS_ONE_MORE in refused(claim, fact_checker)


def test_a_translate_proxy_copy_of_the_article_is_the_articles_publisher(
    claim, fact_checker, support, make_source
):
    url = "https://www-bbc-co-uk.translate.goog/news/uk-politics-123?_x_tr_sl=en&_x_tr_tl=fr"
    evidence = cite(support, make_source, claim, url)
    assert reason(claim, evidence) == "same publisher as the article: BBC (via translate.goog)"
    assert NEEDS_ONE_MORE in refused(claim, fact_checker)


def test_a_wayback_copy_of_the_articles_own_url_is_the_articles_publisher(
    claim, fact_checker, support, make_source
):
    url = f"https://web.archive.org/web/20240101120000id_/{ARTICLE_URL}"
    evidence = cite(support, make_source, claim, url)
    assert reason(claim, evidence) == "same publisher as the article: BBC (via web.archive.org)"
    assert NEEDS_ONE_MORE in refused(claim, fact_checker)


def test_an_archive_copy_of_an_unlisted_outlets_article_is_that_outlet(
    make_article, fact_checker, support, make_source
):
    article = make_article()  # Daily Example: not a seed publisher, known by its domain
    claim = article.claims.first()
    url = f"https://web.archive.org/web/2024/{article.url}"
    evidence = cite(support, make_source, claim, url)
    assert reason(claim, evidence).startswith("same publisher as the article: ")
    assert NEEDS_ONE_MORE in refused(claim, fact_checker)


def test_an_archive_copy_and_the_page_itself_are_one_publisher(
    claim, fact_checker, support, make_source, settings
):
    settings.WORKBENCH_CONFIRMATIONS_REQUIRED = 2
    cite(support, make_source, claim, "https://www.reuters.com/world/a")
    cite(
        support,
        make_source,
        claim,
        "https://web.archive.org/web/2024/https://www.reuters.com/world/a",
    )
    assert status.assess(claim).publishers == ("Reuters",)
    assert NEEDS_ONE_MORE in refused(claim, fact_checker)


def test_an_archive_today_copy_that_hides_the_original_is_of_unknown_publisher(
    claim, fact_checker, support, make_source
):
    evidence = cite(support, make_source, claim, "https://archive.ph/AbCdE")
    assert reason(claim, evidence) == (
        "archive copy on archive.ph with the original address hidden: publisher unknown"
    )
    assert NEEDS_ONE_MORE in refused(claim, fact_checker)


def test_an_archive_today_copy_of_the_article_is_the_articles_publisher(
    claim, fact_checker, support, make_source
):
    url = f"https://archive.ph/2024.01.01-120000/{ARTICLE_URL}"
    evidence = cite(support, make_source, claim, url)
    assert reason(claim, evidence) == "same publisher as the article: BBC (via archive.ph)"
    assert NEEDS_ONE_MORE in refused(claim, fact_checker)


# --- Item 1, syndication (msn.com) ----------------------------------------------------------

MSN = "https://www.msn.com/en-gb/news/uknews/budget-row/ar-AA1abcd"


def test_a_syndicated_copy_without_a_credit_is_not_independent(
    claim, fact_checker, support, make_source
):
    evidence = cite(support, make_source, claim, MSN)
    assert reason(claim, evidence) == "syndicated copy on msn.com with no credited publisher"
    assert NEEDS_ONE_MORE in refused(claim, fact_checker)


def test_a_syndicated_copy_counts_as_its_credited_wire_and_only_as_that(
    claim, fact_checker, support, make_source, settings
):
    settings.WORKBENCH_CONFIRMATIONS_REQUIRED = 2
    credited = cite(support, make_source, claim, MSN, wire="Reuters", wire_credit="(Reuters)")
    uncredited = cite(support, make_source, claim, "https://www.msn.com/en-us/news/ar-BB2")
    assessment = status.assess(claim)
    assert assessment.verdicts[credited.pk].counts
    assert assessment.verdicts[credited.pk].publisher == "Reuters"
    assert not assessment.verdicts[uncredited.pk].counts
    assert NEEDS_ONE_MORE in refused(claim, fact_checker)


def test_a_syndicated_copy_whose_capture_lands_on_the_article_is_the_articles_publisher(
    claim, fact_checker, support, make_source
):
    evidence = cite(support, make_source, claim, MSN, final_url=ARTICLE_URL)
    assert reason(claim, evidence) == "same publisher as the article: BBC (via msn.com)"
    assert NEEDS_ONE_MORE in refused(claim, fact_checker)


# --- Item 2: an article with an outlet and no URL -------------------------------------------


@pytest.mark.parametrize(
    ("outlet", "source", "publisher"),
    [
        ("BBC News", "https://www.bbc.com/news/world-1", "BBC"),
        ("The BBC", "https://www.bbc.com/news/world-1", "BBC"),
        ("bbc", "https://www.bbc.co.uk/news/world-1", "BBC"),
        ("New York Times", "https://www.nytimes.com/2024/01/01/world/a.html", "The New York Times"),
        ("The New York Times", "https://www.nytimes.com/2024/01/01/a.html", "The New York Times"),
        ("NYT", "https://www.nytimes.com/2024/01/01/world/a.html", "The New York Times"),
        ("the new-york times.", "https://www.nytimes.com/2024/01/01/a.html", "The New York Times"),
    ],
)
def test_an_article_with_only_an_outlet_is_that_publisher(
    make_article, fact_checker, support, make_source, outlet, source, publisher
):
    article = make_article(outlet=outlet, outlet_domain="", url="")
    claim = article.claims.first()
    evidence = cite(support, make_source, claim, source)
    assert reason(claim, evidence) == f"same publisher as the article: {publisher}"
    assert NEEDS_ONE_MORE in refused(claim, fact_checker)


def test_an_article_with_only_an_outlet_is_confirmed_by_another_publisher(
    make_article, fact_checker, support, make_source
):
    article = make_article(outlet="The BBC", outlet_domain="", url="")
    claim = article.claims.first()
    cite(support, make_source, claim, "https://www.nytimes.com/2024/01/01/world/a.html")
    status.confirm(claim, by=fact_checker)
    assert Article.objects.get(pk=article.pk).claims.first().status == Claim.Status.CONFIRMED


# --- The unwrapping itself (pure) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "origin", "via"),
    [
        ("https://www.bbc.com/news/a", "https://www.bbc.com/news/a", ()),
        (
            "https://web.archive.org/web/20240101120000id_/https://www.bbc.com/news/a?x=1",
            "https://www.bbc.com/news/a?x=1",
            ("web.archive.org",),
        ),
        (
            "https://web.archive.org/web/2024/http:/www.bbc.com/news/a",
            "http://www.bbc.com/news/a",
            ("web.archive.org",),
        ),
        (
            "https://web.archive.org/web/20240101000000*/www.bbc.com/news/a",
            "http://www.bbc.com/news/a",
            ("web.archive.org",),
        ),
        (
            "https://archive.ph/newest/https://www.bbc.com/news/a",
            "https://www.bbc.com/news/a",
            ("archive.ph",),
        ),
        (
            "https://www-bbc-com.cdn.ampproject.org/c/s/www.bbc.com/news/a",
            "https://www.bbc.com/news/a",
            ("cdn.ampproject.org",),
        ),
        (
            "https://www-bbc-com.cdn.ampproject.org/v/www.bbc.com/news/a",
            "http://www.bbc.com/news/a",
            ("cdn.ampproject.org",),
        ),
        (
            "https://www.google.co.uk/amp/s/www.bbc.com/news/a",
            "https://www.bbc.com/news/a",
            ("google.co.uk",),
        ),
        (
            "https://www-my--site-co-uk.translate.goog/a/b?q=1&_x_tr_sl=en&_x_tr_tl=fr",
            "https://www.my-site.co.uk/a/b?q=1",
            ("translate.goog",),
        ),
        (
            "https://www.google.com/url?q=https://www.bbc.com/news/a&sa=D",
            "https://www.bbc.com/news/a",
            ("google.com",),
        ),
        (
            "https://web.archive.org/web/2024/https://www-bbc-com.translate.goog/news/a",
            "https://www.bbc.com/news/a",
            ("web.archive.org", "translate.goog"),
        ),
    ],
)
def test_unwrap_reads_the_original_address(url, origin, via):
    assert (unwrap(url).url, unwrap(url).via) == (origin, via)


@pytest.mark.parametrize(
    ("url", "hidden"),
    [
        ("https://bit.ly/3xYzAb", "short link"),
        ("https://t.co/AbC123", "short link"),
        ("https://archive.ph/AbCdE", "archive copy"),
        ("https://web.archive.org/web/2024/", "archive copy"),
        ("https://web.archive.org/web/2024/https://bit.ly/x", "short link"),
    ],
)
def test_unwrap_says_when_the_address_hides_the_original(url, hidden):
    assert unwrap(url).hidden == hidden


def test_unwrap_marks_syndication_hosts():
    assert unwrap("https://www.msn.com/en-gb/news/ar-AA1").syndicated
    assert unwrap("https://uk.news.yahoo.com/story-1.html").syndicated
    assert not unwrap("https://www.yahoo.com/").syndicated


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("The BBC", "bbc"),
        ("BBC", "bbc"),
        ("  the  N.Y. Times! ", "nytimes"),
        ("New York Times", "newyorktimes"),
        ("The New York Times", "newyorktimes"),
        ("The", "the"),
        ("", ""),
    ],
)
def test_name_key_ignores_case_punctuation_and_a_leading_the(text, key):
    assert for_names(text) == key


WRAPPERS = [
    "https://web.archive.org/web/2024id_/",
    "https://web.archive.org/web/",
    "https://archive.ph/newest/",
    "https://a-b.cdn.ampproject.org/c/s/",
    "https://a-b.cdn.ampproject.org/v/",
    "https://www.google.com/amp/s/",
    "https://www.google.com/url?q=",
    "http:/",
    "",
]
HOSTS = ["www.bbc.com", "x--y-z.translate.goog", "bit.ly", "www.msn.com", "archive.ph", "[::1"]
ADDRESSES = st.recursive(
    st.builds("https://{}/{}".format, st.sampled_from(HOSTS), st.text(max_size=30)),
    lambda inner: st.builds(str.__add__, st.sampled_from(WRAPPERS), inner),
    max_leaves=5,
)


@given(st.one_of(st.text(), ADDRESSES))
def test_unwrap_never_raises_and_is_idempotent(url):
    once = unwrap(url)
    again = unwrap(once.url)
    assert again.url == once.url
    assert again.via == ()


# --- One publisher lookup: the registered domain -----------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://edition.cnn.com/2024/world", "cnn.com"),
        ("https://www.cnn.com/", "cnn.com"),
        ("http://news.bbc.co.uk/1/hi", "bbc.co.uk"),
        ("www.theguardian.com", "theguardian.com"),
        ("https://someone.github.io/post", "someone.github.io"),
        ("https://WWW.Reuters.COM:443/x", "reuters.com"),
        ("https://www.cnn.com./x", "cnn.com"),
        ("https://news.bücher.de/", "xn--bcher-kva.de"),
        ("https://www.bücher.de/", "xn--bcher-kva.de"),
    ],
)
def test_registered_domain_groups_hosts_by_publisher(value: str, expected: str) -> None:
    assert registered_domain(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("http://93.184.215.14/page", "93.184.215.14"),
        ("http://[2001:db8::1]/page", "2001:db8::1"),
        ("127.0.0.1", "127.0.0.1"),
        ("http://2130706433/", "2130706433"),
        ("http://0x7f.0.0.1/", "0x7f.0.0.1"),
        ("http://localhost:8000/a", "localhost"),
        ("intranet", "intranet"),
        ("https://www.daily.example/a", "daily.example"),
        ("https://a.b.wiki.intranet.corp/", "intranet.corp"),
        ("co.uk", "co.uk"),
        ("github.io", "github.io"),
        ("", ""),
        ("https:///path", ""),
        ("http://[::1/", ""),
        ("https://www.\u2603.com/", "www.\u2603.com"),
    ],
)
def test_registered_domain_where_the_suffix_list_has_no_answer(value: str, expected: str) -> None:
    """IPs are their own publisher; an unlisted suffix takes the list's default rule
    (``*``: the last two labels), so a site's subdomains stay one publisher; a host IDNA
    refuses is kept; no host, no publisher."""
    assert registered_domain(value) == expected


# Labels start with a letter: a dotted run of numbers is an IP address, its own publisher.
LABEL = st.from_regex(r"[a-z]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
HOSTS = st.lists(LABEL, min_size=1, max_size=4).map(".".join) | st.sampled_from(
    ["bbc.co.uk", "someone.github.io", "daily.example", "localhost", "93.184.215.14"]
)


@given(HOSTS, LABEL)
def test_a_subdomain_has_its_parents_publisher_and_the_lookup_is_stable(
    host: str, label: str
) -> None:
    domain = registered_domain(host)
    assert registered_domain(domain) == domain
    assert host == domain or host.endswith("." + domain)
    if host != domain:  # a subdomain: any other subdomain has the same publisher
        assert registered_domain(f"{label}.{domain}") == domain


def test_public_suffix_list_comes_from_the_bundled_snapshot_only() -> None:
    assert publishers._public_suffixes().suffix_list_urls == ()
    assert publishers._public_suffixes()._cache.enabled is False


def test_a_source_on_a_subdomain_of_an_unlisted_outlet_is_that_outlet(
    make_article, fact_checker, support, make_source
):
    """``www.daily.example`` and ``news.daily.example`` are one publisher, as ``*.cnn.com``
    are: a suffix missing from the list does not make a site's subdomains independent."""
    article = make_article(outlet="", outlet_domain="", url="https://www.daily.example/a")
    claim = article.claims.first()
    evidence = cite(support, make_source, claim, "https://news.daily.example/b")
    assert reason(claim, evidence).startswith("same publisher as the article")
    assert NEEDS_ONE_MORE in refused(claim, fact_checker)
