"""Feeds: a local RSS/Atom feed, JSON Feed or sitemap, polled with conditional GET; each
item's canonical URL is ingested once however often it is polled or republished, relative
links resolved against xml:base or the feed's URL; an updated item becomes a new revision
of its article; every item left out is counted with its reason; a failing feed records
why on its page and does not stop the others. Everything is served from 127.0.0.1."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.confirmation import service as status
from claims.ingest import articles as ingest
from claims.ingest import feeds
from claims.models import Article, Claim, Feed, FeedItem
from claims.sources import fetching
from tests.httpserver import LocalServer, local_server_fixture  # noqa: F401

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Daily Example</title><link>https://dailyexample.com/</link>
<item><title>Council approves budget</title><link>{base}/news/budget?utm_source=rss</link>
  <pubDate>Tue, 04 Mar 2025 10:00:00 GMT</pubDate></item>
<item><title>Bridge to reopen in June</title><link>{base}/news/bridge</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title><id>urn:x</id><updated>2025-03-05T00:00:00Z</updated>
<entry><title>Port strike ends</title><link href="{base}/wire/port"/><id>urn:1</id>
  <updated>2025-03-05T08:00:00Z</updated></entry>
</feed>"""

SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>{base}/news/budget</loc>
  <news:news><news:publication_date>2025-03-04T10:00:00Z</news:publication_date>
  <news:title>Council approves budget</news:title></news:news></url>
<url><loc>{base}/news/schools</loc><lastmod>2025-03-06</lastmod></url>
</urlset>"""


@pytest.fixture(autouse=True)
def only_loopback(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    settings.WORKBENCH_FETCH_ALLOW_LOOPBACK = True

    def resolve(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(fetching, "resolve_host", resolve)


def serve(server: LocalServer, path: str, template: str, content_type: str, **headers: str) -> str:
    body = template.format(base=server.base).encode()
    return server.add(path, body, content_type=content_type, **headers)


def feed_at(url: str, outlet: str = "Daily Example") -> Feed:
    return feeds.add_feed(url=url, outlet=outlet, every=300)[0]


def test_a_feed_served_twice_ingests_each_item_once_and_a_304_is_honoured(
    local_server: LocalServer, db: Any, django_capture_on_commit_callbacks: Any
) -> None:
    url = serve(local_server, "/rss", RSS, "application/rss+xml", ETag='"v1"')
    feed = feed_at(url)

    with django_capture_on_commit_callbacks(execute=False) as jobs:
        first = feeds.poll(feed.pk)
        second = feeds.poll(feed.pk)

    assert first == "2 new, 0 seen before"
    assert second == "not modified (304)"
    assert local_server.requests[-1][1]["If-None-Match"] == '"v1"'
    assert len(jobs) == 2  # one extraction job per new article
    articles = Article.objects.order_by("pk")
    assert [a.title for a in articles] == ["Council approves budget", "Bridge to reopen in June"]
    assert articles[0].url == f"{local_server.base}/news/budget"  # canonical: no utm_source
    assert articles[0].origin == Article.Origin.URL and articles[0].outlet == "Daily Example"
    assert articles[0].published_at.isoformat() == "2025-03-04T00:00:00+00:00"
    feed.refresh_from_db()
    assert (feed.etag, feed.polls, feed.last_error) == ('"v1"', 2, "")


def test_republished_items_and_other_spellings_of_a_url_are_not_ingested_again(
    local_server: LocalServer, db: Any, django_capture_on_commit_callbacks: Any
) -> None:
    url = serve(local_server, "/rss", RSS, "application/rss+xml")
    feed = feed_at(url)
    with django_capture_on_commit_callbacks(execute=False):
        feeds.poll(feed.pk)
        # Served again without validators, and the same stories in a sitemap.
        assert feeds.poll(feed.pk) == "0 new, 2 seen before"
        sitemap = feed_at(serve(local_server, "/sitemap.xml", SITEMAP, "application/xml"))
        assert feeds.poll(sitemap.pk) == "1 new, 1 seen before"

    assert Article.objects.count() == 3
    assert FeedItem.objects.count() == 3
    schools = Article.objects.get(url__endswith="/news/schools")
    assert schools.published_at.isoformat() == "2025-03-06T00:00:00+00:00"


def test_last_modified_is_sent_back_too(
    local_server: LocalServer, db: Any, django_capture_on_commit_callbacks: Any
) -> None:
    stamp = "Wed, 05 Mar 2025 08:00:00 GMT"
    url = serve(local_server, "/atom", ATOM, "application/atom+xml", **{"Last-Modified": stamp})
    feed = feed_at(url, outlet="Wire")

    with django_capture_on_commit_callbacks(execute=False):
        assert feeds.poll(feed.pk) == "1 new, 0 seen before"
        assert feeds.poll(feed.pk) == "not modified (304)"

    assert local_server.requests[-1][1]["If-Modified-Since"] == stamp
    assert Article.objects.get().title == "Port strike ends"


def test_a_failing_feed_says_why_on_its_page_and_the_others_go_on(
    local_server: LocalServer,
    client: Client,
    viewer: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    broken = feed_at(local_server.url("/status/500"), outlet="Broken")
    not_a_feed = feed_at(local_server.url("/article"), outlet="Page")
    good = feed_at(serve(local_server, "/rss", RSS, "application/rss+xml"))

    with django_capture_on_commit_callbacks(execute=False):
        outcomes = [feeds.poll(feed.pk) for feed in (broken, not_a_feed, good, broken)]

    assert outcomes[0] == outcomes[3] == "failed: HTTP 500"
    assert outcomes[1].startswith("failed: not a feed or sitemap")
    assert outcomes[2] == "2 new, 0 seen before"
    broken.refresh_from_db()
    assert broken.failures == 2 and broken.last_outcome == "failed"
    client.force_login(viewer)
    page = client.get(reverse("feed-detail", args=[broken.pk])).content.decode()
    assert "failed: HTTP 500" in page and "2 failures in a row" in page
    listing = client.get(reverse("feed-list")).content.decode()
    assert "failed: HTTP 500" in listing and "2 new, 0 seen before" in listing


def test_feeds_are_polled_at_their_own_interval(
    db: Any, django_capture_on_commit_callbacks: Any
) -> None:
    due = feed_at("https://dailyexample.com/rss")
    later = feed_at("https://wire.example/atom")
    now = timezone.now()
    Feed.objects.filter(pk=later.pk).update(next_poll_at=now + timedelta(seconds=120))

    with django_capture_on_commit_callbacks(execute=False) as jobs:
        assert feeds.queue_due(now) == [due.pk]
        assert feeds.queue_due(now) == []  # not queued twice

    assert len(jobs) == 1
    due.refresh_from_db()
    assert due.next_poll_at == now + timedelta(seconds=300)
    assert feeds.queue_due(now + timedelta(seconds=300)) == [due.pk, later.pk]


def test_add_feed_from_the_shell(db: Any) -> None:
    out = StringIO()

    call_command("add_feed", "https://dailyexample.com/rss", "--outlet", "Daily", stdout=out)
    call_command("add_feed", "https://dailyexample.com/rss", "--outlet", "Daily", "--every", "600")

    feed = Feed.objects.get()
    assert (feed.outlet, feed.every) == ("Daily", 600)
    assert f"feed {feed.pk} added" in out.getvalue()
    with pytest.raises(CommandError, match="once a minute"):
        call_command("add_feed", "https://x.example/rss", "--outlet", "X", "--every", "5")
    with pytest.raises(CommandError, match="http"):
        call_command("add_feed", "file:///etc/passwd", "--outlet", "X")


def test_poll_feeds_without_feeds_says_so(db: Any) -> None:
    out = StringIO()
    call_command("poll_feeds", stdout=out)
    assert "no active feeds" in out.getvalue()


def test_the_feed_pages_need_a_role(client: Client, outsider: User) -> None:
    client.force_login(outsider)
    assert client.get(reverse("feed-list")).status_code == 403


def test_a_sitemap_index_is_refused_with_advice() -> None:
    body = (
        b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>'
    )
    with pytest.raises(feeds.FeedUnreadable, match="add the sitemaps it lists"):
        feeds.parse(body)


# --- Feeds as found in the wild ------------------------------------------------------------

RELATIVE_RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Local</title>
<item><title>Rail fares rise</title><link>/news/rail.html</link></item>
<item><title>Rail fares rise (again)</title><link>/news/../news/./rail.html</link></item>
<item><title>Podcast: the week</title><enclosure url="/audio/week.mp3" type="audio/mpeg"
  length="100"/></item>
<item><title>A note without a link</title><description>Read all about it.</description></item>
<item><title>Write to us</title><link>mailto:desk@dailyexample.com</link></item>
<item><title>Schools</title><link>sub/schools.html</link></item>
</channel></rss>"""

RELATIVE_ATOM = """<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="{base}/wire/">
<title>Wire</title><id>urn:w</id><updated>2025-03-05T00:00:00Z</updated>
<entry><title>Port strike ends</title><link href="port.html"/><id>urn:1</id>
  <updated>2025-03-05T08:00:00Z</updated></entry>
<entry xml:base="/world/"><title>Floods</title><link href="floods.html"/><id>urn:2</id>
  <updated>2025-03-05T09:00:00Z</updated></entry>
</feed>"""

BASELESS_ATOM = """<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>Wire</title><id>urn:w</id><updated>2025-03-05T00:00:00Z</updated>
<entry><title>Harbour</title><link href="harbour.html"/><id>urn:3</id>
  <updated>2025-03-05T08:00:00Z</updated></entry>
</feed>"""


def json_feed(*items: object, version: str = "https://jsonfeed.org/version/1.1") -> bytes:
    return json.dumps({"version": version, "title": "Daily Example", "items": list(items)}).encode()


def test_relative_links_are_resolved_against_xml_base_or_the_feed_url(
    local_server: LocalServer, db: Any, django_capture_on_commit_callbacks: Any
) -> None:
    base = local_server.base
    rss = feed_at(serve(local_server, "/feeds/rss.xml", RELATIVE_RSS, "application/rss+xml"))
    atom = feed_at(serve(local_server, "/feeds/atom", RELATIVE_ATOM, "application/atom+xml"))
    bare = feed_at(serve(local_server, "/feeds/wire.atom", BASELESS_ATOM, "application/atom+xml"))
    items = json_feed({"id": "1", "url": "../stories/bridge.html", "title": "Bridge"})
    jf = feed_at(
        local_server.add("/feeds/json/feed.json", items, content_type="application/feed+json")
    )

    with django_capture_on_commit_callbacks(execute=False):
        outcomes = [feeds.poll(feed.pk) for feed in (rss, atom, bare, jf)]

    assert outcomes[1:] == ["2 new, 0 seen before", "1 new, 0 seen before", "1 new, 0 seen before"]
    assert set(Article.objects.values_list("url", flat=True)) == {
        f"{base}/news/rail.html",
        f"{base}/feeds/sub/schools.html",
        f"{base}/wire/port.html",  # the feed's xml:base
        f"{base}/world/floods.html",  # the entry's own xml:base
        f"{base}/feeds/harbour.html",  # no xml:base: the feed's URL
        f"{base}/feeds/stories/bridge.html",
    }


def test_every_item_left_out_is_counted_with_its_reason_and_shown_on_the_feed_page(
    local_server: LocalServer,
    client: Client,
    viewer: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    feed = feed_at(serve(local_server, "/feeds/rss.xml", RELATIVE_RSS, "application/rss+xml"))

    with django_capture_on_commit_callbacks(execute=False):
        outcome = feeds.poll(feed.pk)

    assert outcome == (
        "2 new, 0 seen before, 4 skipped (1 duplicate in the feed, 1 enclosure only, "
        "1 no link, 1 not a web link)"
    )
    feed.refresh_from_db()
    assert feed.last_skipped == {
        "duplicate in the feed": 1,
        "enclosure only": 1,
        "no link": 1,
        "not a web link": 1,
    }
    client.force_login(viewer)
    page = client.get(reverse("feed-detail", args=[feed.pk])).content.decode()
    assert "1 enclosure only" in page and "1 duplicate in the feed" in page


def test_a_json_feed_is_read_with_its_items_checked_one_by_one(
    local_server: LocalServer, db: Any, django_capture_on_commit_callbacks: Any
) -> None:
    body = json_feed(
        {"id": "1", "url": f"{local_server.base}/news/budget", "title": "Budget",
         "date_published": "2025-03-04T10:00:00Z", "content_text": "The council..."},
        {"id": "2", "title": "Episode 12", "attachments": [{"url": "/e12.mp3"}]},
        {"id": "3", "content_html": "<p>A status update</p>"},
        {"id": "4", "url": f"{local_server.base}//news//budget"},
        "not an item",
        {"id": "5", "url": ["not", "a", "string"]},
    )  # fmt: skip
    feed = feed_at(local_server.add("/feed.json", body, content_type="application/feed+json"))

    with django_capture_on_commit_callbacks(execute=False):
        outcome = feeds.poll(feed.pk)

    assert outcome == (
        "1 new, 0 seen before, 5 skipped (1 duplicate in the feed, 1 enclosure only, "
        "2 no link, 1 not a JSON Feed item)"
    )
    article = Article.objects.get()
    assert (article.title, article.published_at.isoformat()) == (
        "Budget",
        "2025-03-04T00:00:00+00:00",
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": ', "invalid JSON"),
        (b'{"title": "no version", "items": []}', "without a JSON Feed version"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": {}}', "no list of items"),
        (b"[" * 100_000 + b"]" * 100_000, "not a feed"),
        (json_feed(*[{"url": "https://x.example/"}] * 1001), "more than 1000 items"),
        (b'{"version": "https://jsonfeed.org/version/1", "x": "' + b"a" * (5 << 20), "larger than"),
    ],
)  # fmt: skip
def test_what_is_not_a_json_feed_is_refused_with_the_reason(body: bytes, message: str) -> None:
    with pytest.raises(feeds.FeedUnreadable, match=message):
        feeds.parse(body, base_url="http://127.0.0.1/feed.json")


PAGE_V1 = (
    "The port strike ended on Monday after twelve days. "
    "The dockers won a pay rise of 4 percent, the union said."
)
PAGE_V2 = PAGE_V1.replace("4 percent", "3 percent")
UPDATED_ATOM = """<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>Wire</title><id>urn:w</id><updated>{updated}</updated>
<entry><title>Port strike ends</title><link href="/wire/port"/><id>urn:1</id>
  <updated>{updated}</updated><summary>{summary}</summary></entry>
</feed>"""


def serve_update(server: LocalServer, *, updated: str, page: str, summary: str = "") -> str:
    server.add("/wire/port", page.encode(), content_type="text/plain; charset=utf-8")
    atom = UPDATED_ATOM.format(updated=updated, summary=summary)
    return server.add("/wire.atom", atom.encode(), content_type="application/atom+xml")


def test_an_updated_item_becomes_a_new_revision_and_its_confirmed_claim_lapses(
    local_server: LocalServer,
    fact_checker: User,
    support: Callable[..., Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    feed = feed_at(serve_update(local_server, updated="2025-03-05T08:00:00Z", page=PAGE_V1))
    with django_capture_on_commit_callbacks(execute=False):
        assert feeds.poll(feed.pk) == "1 new, 0 seen before"
    article = Article.objects.get()
    assert ingest.run_extraction(article.pk, article.revision).startswith("done")
    claim = article.claims.get(text__contains="4 percent")
    support(claim)
    status.confirm(claim, by=fact_checker)
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.CONFIRMED

    serve_update(local_server, updated="2025-03-05T10:00:00Z", page=PAGE_V2)
    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert feeds.poll(feed.pk) == "0 new, 0 seen before, 1 revised"
        assert feeds.poll(feed.pk) == "0 new, 1 seen before"  # the same update: once

    article.refresh_from_db()
    assert (article.revision, article.body, article.state) == (2, PAGE_V2, "queued")
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.NEEDS_REREVIEW
    assert len(sent) == 1  # the new revision's extraction
    assert FeedItem.objects.get().revised_at is not None


def test_an_item_whose_text_changed_but_whose_page_did_not_is_not_a_revision(
    local_server: LocalServer, db: Any, django_capture_on_commit_callbacks: Any
) -> None:
    stamp = "2025-03-05T08:00:00Z"
    feed = feed_at(serve_update(local_server, updated=stamp, page=PAGE_V1, summary="Strike over"))
    with django_capture_on_commit_callbacks(execute=False):
        feeds.poll(feed.pk)
        article = Article.objects.get()
        assert ingest.run_extraction(article.pk, article.revision).startswith("done")
        serve_update(local_server, updated=stamp, page=PAGE_V1, summary="The strike is over")
        assert feeds.poll(feed.pk) == "0 new, 1 seen before"
        serve_update(local_server, updated=stamp, page=PAGE_V2, summary="Pay rise: 3 percent")
        assert feeds.poll(feed.pk) == "0 new, 0 seen before, 1 revised"  # a changed text

    assert Article.objects.get().revision == 2
    fetches = [path for path, _headers in local_server.requests if path == "/wire/port"]
    assert len(fetches) == 3  # extraction, then once per changed item


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.builds(
            feeds.Entry,
            url=st.sampled_from(
                ["https://a.example/x", "https://a.example/./x", "https://a.example//y", "",
                 "mailto:desk@a.example", "ftp://a.example/z", "https://a.example/" + "l" * 2000]
            ),
            title=st.just("A story"),
            updated=st.sampled_from(["", "2025-03-05T08:00:00Z", "2025-03-06T08:00:00Z"]),
            digest=st.sampled_from(["", "d1", "d2"]),
            skip=st.sampled_from(["", "", "no link", "enclosure only"]),
        ),
        max_size=12,
    )
)  # fmt: skip
def test_every_entry_is_counted_exactly_once(
    db: Any, django_capture_on_commit_callbacks: Any, entries: list[feeds.Entry]
) -> None:
    feed = Feed.objects.get_or_create(url="https://a.example/rss", outlet="A")[0]
    with django_capture_on_commit_callbacks(execute=False):
        tally = feeds.ingest_entries(feed, entries)

    assert tally.new + tally.seen + tally.revised + tally.skipped.total() == len(entries)
    assert FeedItem.objects.filter(url__contains="/./").count() == 0
