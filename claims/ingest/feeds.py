"""Feeds: an outlet's RSS/Atom feeds and sitemaps, watched for new stories.

- ``add_feed`` registers a feed (URL, outlet, interval in seconds, at least 60).
- ``queue_due`` (Celery beat, every minute) queues a poll of each feed whose interval
  has passed, moving its next poll time first so that no feed is queued twice.
- ``poll`` fetches a feed through the safe fetcher with a conditional GET (the ETag and
  Last-Modified of the previous answer; a 304 ends the poll), reads its items
  (``parse``: RSS and Atom by feedparser, sitemaps and Google News sitemaps by lxml) and
  ingests each item whose canonical URL (``fetching.canonicalize_url``) has not been
  seen before: a ``FeedItem`` row per canonical URL, created in the same transaction as
  the article, so an item is ingested once however often it is polled, republished, or
  listed in several feeds. At most ``MAX_NEW_ITEMS`` new items per poll; the rest come
  on the next one (the validators are not kept then, so that it is a full fetch).
- A poll that fails records the reason on the feed (its page and the admin) and counts
  the failures in a row; other feeds are polled by their own tasks and never wait on it.
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from claims import jobs
from claims.models import Feed, FeedItem
from claims.text.cleaning import clean_line

log = logging.getLogger(__name__)

MAX_NEW_ITEMS = 100
MIN_EVERY = 60
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


class FeedUnreadable(ValueError):
    """The body is neither a feed nor a sitemap we can read."""


@dataclass(frozen=True)
class Entry:
    url: str
    title: str = ""
    published: date | None = None


# --- Reading feeds and sitemaps (no database) ----------------------------------------------


def parse(body: bytes) -> list[Entry]:
    """The items of an RSS/Atom feed or a sitemap, in document order."""
    head = body[:2048].lstrip()
    if b"<urlset" in head or b"<sitemapindex" in head:
        return _parse_sitemap(body)
    import feedparser

    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    if parsed.bozo and not parsed.entries:
        raise FeedUnreadable(f"not a feed or sitemap: {parsed.get('bozo_exception')}")
    return [
        Entry(
            url=(entry.get("link") or "").strip(),
            title=clean_line(entry.get("title") or "")[:300].strip(),
            published=_struct_date(entry.get("published_parsed") or entry.get("updated_parsed")),
        )
        for entry in parsed.entries
        if entry.get("link")
    ]


def _struct_date(value: Any) -> date | None:
    if not value:
        return None
    return datetime.fromtimestamp(calendar.timegm(value), tz=UTC).date()


def _iso_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip()[:10]) if value else None
    except ValueError:
        return None


def _parse_sitemap(body: bytes) -> list[Entry]:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise FeedUnreadable(f"the sitemap is not well-formed XML: {exc}") from None
    if etree.QName(root).localname == "sitemapindex":
        raise FeedUnreadable(
            "this is a sitemap index: add the sitemaps it lists as feeds of their own"
        )
    ns = {"s": SITEMAP_NS, "n": NEWS_NS}
    entries = []
    for url in root.iterfind("s:url", ns):
        loc = (url.findtext("s:loc", namespaces=ns) or "").strip()
        if not loc:
            continue
        title = url.findtext("n:news/n:title", namespaces=ns) or ""
        published = url.findtext("n:news/n:publication_date", namespaces=ns) or url.findtext(
            "s:lastmod", namespaces=ns
        )
        entries.append(Entry(loc, clean_line(title)[:300].strip(), _iso_date(published)))
    return entries


# --- Feeds in the database -----------------------------------------------------------------


def add_feed(*, url: str, outlet: str, every: int = 900) -> tuple[Feed, bool]:
    """Register a feed (or update the outlet and interval of a known one)."""
    from django.core.exceptions import ValidationError

    if every < MIN_EVERY:
        raise ValidationError(f"Poll at most once a minute: --every {MIN_EVERY} or more.")
    feed = Feed(url=url.strip(), outlet=clean_line(outlet).strip(), every=every)
    feed.full_clean(validate_unique=False)
    return Feed.objects.update_or_create(
        url=feed.url, defaults={"outlet": feed.outlet, "every": every}
    )


def queue_due(now: datetime | None = None) -> list[int]:
    """Queue a poll of every active feed that is due; returns their ids."""
    now = now or timezone.now()
    queued = []
    for pk, every, due in Feed.objects.filter(active=True, next_poll_at__lte=now).values_list(
        "pk", "every", "next_poll_at"
    ):
        taken = Feed.objects.filter(pk=pk, next_poll_at=due).update(
            next_poll_at=now + timedelta(seconds=every)
        )
        if taken == 1:
            enqueue_poll(pk)
            queued.append(pk)
    return queued


def enqueue_poll(feed_id: int) -> None:
    """The one sender of ``claims.poll_feed``: once the current transaction commits (at
    once outside one). A broker that is down is logged (``jobs.unsent()`` sees it); the
    feed is polled at its next due time."""
    jobs.send_on_commit(
        "claims.poll_feed", args=[feed_id], if_down=f"feed {feed_id} is polled when next due"
    )


def poll(feed_id: int) -> str:
    """Fetch the feed (conditionally), ingest its new items, record the outcome."""
    from claims.sources.fetching import safe_fetch

    feed = Feed.objects.get(pk=feed_id)
    headers = {}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    result = safe_fetch(feed.url, headers=headers, feed=True)
    if result.status == "not_modified":
        return _record(feed, outcome="not modified (304)")
    if not result.ok:
        return _record(feed, error=result.reason)
    try:
        entries = parse(result.body)
    except FeedUnreadable as exc:
        return _record(feed, error=f"failed: {exc}")
    new, seen, skipped = ingest_entries(feed, entries)
    outcome = f"{new} new, {seen} seen before" + (f", {skipped} skipped" if skipped else "")
    complete = new < MAX_NEW_ITEMS
    validators = (result.etag, result.last_modified) if complete else ("", "")
    return _record(feed, outcome=outcome, validators=validators)


def record_stopped(feed_id: int, reason: str) -> str:
    """The poll job was stopped (its time limit): record that as the poll's failure."""
    feed = Feed.objects.filter(pk=feed_id).first()
    return "missing" if feed is None else _record(feed, error=reason)


def _record(
    feed: Feed, *, outcome: str = "", error: str = "", validators: tuple[str, str] | None = None
) -> str:
    now = timezone.now()
    fields: dict[str, Any] = {"last_polled_at": now, "polls": F("polls") + 1}
    if error:
        fields |= {"last_error": error, "last_outcome": "failed", "failures": F("failures") + 1}
        log.info("feed %s: %s", feed.pk, error)
    else:
        fields |= {"last_error": "", "last_outcome": outcome[:200], "failures": 0}
    if validators is not None:
        fields |= {"etag": validators[0], "last_modified": validators[1]}
    Feed.objects.filter(pk=feed.pk).update(**fields)
    return error or outcome


def ingest_entries(feed: Feed, entries: list[Entry]) -> tuple[int, int, int]:
    """Ingest the entries not seen before; returns (new, seen before, skipped)."""
    from claims.sources.fetching import canonicalize_url

    new = seen = skipped = 0
    for entry in entries:
        try:
            url = canonicalize_url(entry.url)
        except ValueError:
            skipped += 1
            continue
        if new >= MAX_NEW_ITEMS:
            break
        if _ingest_once(feed, entry, url):
            new += 1
        else:
            seen += 1
    return new, seen, skipped


def _ingest_once(feed: Feed, entry: Entry, url: str) -> bool:
    """Create the item and its article together, unless the URL is known already."""
    from claims.ingest import articles as ingest

    now = timezone.now()
    with transaction.atomic():
        item, created = FeedItem.objects.get_or_create(
            url=url, defaults={"feed": feed, "title": entry.title, "first_seen_at": now}
        )
        if not created:
            FeedItem.objects.filter(pk=item.pk).update(last_seen_at=now)
            return False
        article = ingest.submit_article(
            title=entry.title or url,
            fetch_url=url,
            outlet=feed.outlet,
            published_at=entry.published,
            by=None,
        )
        FeedItem.objects.filter(pk=item.pk).update(article=article)
    return True
