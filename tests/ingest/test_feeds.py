"""Feeds: a local RSS/Atom feed or sitemap, polled with conditional GET; each item's
canonical URL is ingested once however often it is polled or republished; a failing
feed records why on its page and does not stop the others."""

from __future__ import annotations

import socket
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims.ingest import feeds
from claims.models import Article, Feed, FeedItem
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
    assert articles[0].published_at.isoformat() == "2025-03-04"
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
    assert schools.published_at.isoformat() == "2025-03-06"


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
