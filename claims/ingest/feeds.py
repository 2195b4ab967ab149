"""Feeds: an outlet's RSS/Atom feeds and sitemaps, watched for new stories.

- ``add_feed`` registers a feed (URL, outlet, interval in seconds, at least 60).
- ``queue_due`` (Celery beat, every minute) queues a poll of each feed whose interval
  has passed, moving its next poll time first so that no feed is queued twice.
- ``poll`` fetches a feed through the safe fetcher with a conditional GET (the ETag and
  Last-Modified of the previous answer; a 304 ends the poll), reads its items (``parse``:
  RSS and Atom by feedparser, JSON Feed 1.x by ``json``, sitemaps and Google News
  sitemaps by lxml; relative links resolved against ``xml:base`` or the feed's URL) and
  ingests each item whose canonical URL (``fetching.canonicalize_url``) has not been
  seen before: a ``FeedItem`` row per canonical URL, created in the same transaction as
  the article, so an item is ingested once however often it is polled, republished, or
  listed in several feeds. At most ``MAX_NEW_ITEMS`` new items per poll; the rest come
  on the next one (the validators are not kept then, so that it is a full fetch).
- An item seen before whose ``updated`` stamp or text in the feed changed is fetched
  again; when its page's text changed, that text becomes a new revision of its article
  (``articles.revise_article``: claims re-anchor, a confirmation whose wording is gone
  lapses). At most ``MAX_REVISED_ITEMS`` such fetches per poll; the rest wait for the next.
- Every item not ingested is counted with its reason (no link, enclosure only, not a
  web link, duplicate in the feed...): in the poll's outcome and ``Feed.last_skipped``,
  shown on the feed's page.
- A poll that fails records the reason on the feed (its page and the admin) and counts
  the failures in a row; other feeds are polled by their own tasks and never wait on it.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urljoin

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from claims import jobs
from claims.models import Article, Feed, FeedItem
from claims.text.cleaning import clean_line

log = logging.getLogger(__name__)

MAX_NEW_ITEMS = 100
MAX_REVISED_ITEMS = 3  # page fetches for updated items per poll (each has its own deadline)
MAX_JSON_FEED_BYTES = 5 * 1024 * 1024
MAX_JSON_FEED_ITEMS = 1000
MAX_URL_LENGTH = 2000  # FeedItem.url
MIN_EVERY = 60
JSON_FEED_VERSION = "https://jsonfeed.org/version/1"  # 1 and 1.1
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


class FeedUnreadable(ValueError):
    """The body is neither a feed nor a sitemap we can read."""


@dataclass(frozen=True)
class Entry:
    url: str
    title: str = ""
    published: date | None = None
    updated: str = ""  # the item's own "updated" stamp, as the feed writes it
    digest: str = ""  # of the item's title and text in the feed
    skip: str = ""  # why it cannot be ingested ("no link", "enclosure only")


def _digest(*parts: str) -> str:
    text = "\x1f".join(part.strip() for part in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest() if text.strip("\x1f") else ""


# --- Reading feeds and sitemaps (no database) ----------------------------------------------


def parse(body: bytes, *, base_url: str = "") -> list[Entry]:
    """The items of an RSS/Atom feed, a JSON Feed or a sitemap, in document order.
    Relative links are resolved against ``xml:base`` or ``base_url`` (the feed's URL)."""
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return _parse_json_feed(body, base_url)
    if b"<urlset" in head or b"<sitemapindex" in head:
        return _parse_sitemap(body)
    import feedparser

    parsed = feedparser.parse(
        body,
        sanitize_html=False,
        resolve_relative_uris=False,  # the HTML inside items: we do not keep it
        response_headers={"content-location": base_url} if base_url else None,
    )
    if parsed.bozo and not parsed.entries:
        raise FeedUnreadable(f"not a feed or sitemap: {parsed.get('bozo_exception')}")
    return [_feed_entry(entry) for entry in parsed.entries]


def _feed_entry(entry: Any) -> Entry:
    title = clean_line(entry.get("title") or "")[:300].strip()
    texts = [entry.get("summary") or ""] + [c.get("value", "") for c in entry.get("content", [])]
    url = (entry.get("link") or "").strip()
    skip = ""
    if not url:
        skip = "enclosure only" if entry.get("enclosures") else "no link"
    return Entry(
        url=url,
        title=title,
        published=_struct_date(entry.get("published_parsed") or entry.get("updated_parsed")),
        # dict.get: feedparser's own get() falls back to the publication date.
        updated=clean_line(dict.get(entry, "updated") or "")[:100].strip(),
        digest=_digest(title, *texts),
        skip=skip,
    )


def _parse_json_feed(body: bytes, base_url: str) -> list[Entry]:
    """JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1), parsed with ``json`` within
    bounds and checked field by field: what is not as the spec says is refused or skipped."""
    if len(body) > MAX_JSON_FEED_BYTES:
        raise FeedUnreadable(f"the JSON Feed is larger than {MAX_JSON_FEED_BYTES} bytes")
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise FeedUnreadable(f"not a feed or sitemap: invalid JSON ({exc})") from None
    version = document.get("version") if isinstance(document, dict) else None
    if not isinstance(version, str) or not version.startswith(JSON_FEED_VERSION):
        raise FeedUnreadable("not a feed or sitemap: JSON without a JSON Feed version")
    items = document.get("items")
    if not isinstance(items, list):
        raise FeedUnreadable("the JSON Feed has no list of items")
    if len(items) > MAX_JSON_FEED_ITEMS:
        raise FeedUnreadable(f"the JSON Feed lists more than {MAX_JSON_FEED_ITEMS} items")
    return [_json_entry(item, base_url) for item in items]


def _json_entry(item: Any, base_url: str) -> Entry:
    if not isinstance(item, dict):
        return Entry(url="", skip="not a JSON Feed item")

    def text(name: str) -> str:
        value = item.get(name)
        return value if isinstance(value, str) else ""

    title = clean_line(text("title"))[:300].strip()
    url = text("url").strip()
    skip = ""
    if not url:
        skip = "enclosure only" if item.get("attachments") else "no link"
    elif base_url:
        url = urljoin(base_url, url)
    return Entry(
        url=url,
        title=title,
        published=_iso_date(text("date_published") or text("date_modified")),
        updated=clean_line(text("date_modified"))[:100].strip(),
        digest=_digest(title, text("summary"), text("content_html"), text("content_text")),
        skip=skip,
    )


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
        entries = parse(result.body, base_url=result.final_url or feed.url)
    except FeedUnreadable as exc:
        return _record(feed, error=f"failed: {exc}")
    tally = ingest_entries(feed, entries)
    validators = ("", "") if tally.deferred else (result.etag, result.last_modified)
    return _record(feed, outcome=tally.outcome(), validators=validators, skipped=tally.skipped)


def record_stopped(feed_id: int, reason: str) -> str:
    """The poll job was stopped (its time limit): record that as the poll's failure."""
    feed = Feed.objects.filter(pk=feed_id).first()
    return "missing" if feed is None else _record(feed, error=reason)


def _record(
    feed: Feed,
    *,
    outcome: str = "",
    error: str = "",
    validators: tuple[str, str] | None = None,
    skipped: Counter[str] | None = None,
) -> str:
    now = timezone.now()
    fields: dict[str, Any] = {"last_polled_at": now, "polls": F("polls") + 1}
    if error:
        fields |= {"last_error": error, "last_outcome": "failed", "failures": F("failures") + 1}
        log.info("feed %s: %s", feed.pk, error)
    else:
        fields |= {"last_error": "", "last_outcome": outcome[:200], "failures": 0}
    if skipped is not None:  # a poll that read the items (a 304 or a failure keeps the last)
        fields["last_skipped"] = dict(sorted(skipped.items()))
    if validators is not None:
        fields |= {"etag": validators[0], "last_modified": validators[1]}
    Feed.objects.filter(pk=feed.pk).update(**fields)
    return error or outcome


@dataclass
class Tally:
    """What one poll did with the feed's items."""

    new: int = 0
    seen: int = 0
    revised: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> items
    refetched: int = 0  # pages of updated items fetched again
    deferred: bool = False  # items left for the next poll: fetch the feed in full then

    def outcome(self) -> str:
        text = f"{self.new} new, {self.seen} seen before"
        if self.revised:
            text += f", {self.revised} revised"
        if self.skipped:
            reasons = ", ".join(f"{n} {reason}" for reason, n in sorted(self.skipped.items()))
            text += f", {self.skipped.total()} skipped ({reasons})"
        return text


def ingest_entries(feed: Feed, entries: list[Entry]) -> Tally:
    """Ingest the entries not seen before, revise the articles of updated ones, and count
    every entry left out with its reason."""
    from claims.sources.fetching import canonicalize_url

    tally, this_poll = Tally(), set[str]()
    for entry in entries:
        try:
            url = "" if entry.skip else canonicalize_url(entry.url)
        except ValueError:
            url = ""
        reason = entry.skip or _refusal(url, this_poll)
        if reason:
            tally.skipped[reason] += 1
            continue
        this_poll.add(url)
        item = FeedItem.objects.filter(url=url).first()
        if item is None and tally.new >= MAX_NEW_ITEMS:
            tally.skipped["left for the next poll"] += 1
            tally.deferred = True
        elif item is None:
            if _ingest_once(feed, entry, url):
                tally.new += 1
            else:  # another poll ingested it meanwhile
                tally.seen += 1
        else:
            _seen_again(item, entry, tally)
    return tally


def _refusal(url: str, this_poll: set[str]) -> str:
    if not url:
        return "not a web link"
    if len(url) > MAX_URL_LENGTH:
        return "link too long"
    return "duplicate in the feed" if url in this_poll else ""


def _ingest_once(feed: Feed, entry: Entry, url: str) -> bool:
    """Create the item and its article together, unless the URL is known already."""
    from claims.ingest import articles as ingest

    now = timezone.now()
    with transaction.atomic():
        item, created = FeedItem.objects.get_or_create(
            url=url,
            defaults={
                "feed": feed,
                "title": entry.title,
                "first_seen_at": now,
                "updated": entry.updated,
                "digest": entry.digest,
            },
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


def _seen_again(item: FeedItem, entry: Entry, tally: Tally) -> None:
    """An item known already: revise its article if the item changed since (a new
    ``updated`` stamp, or other text in the feed) and its page says something else now.
    Each entry lands in exactly one count: seen, revised, or skipped with a reason."""
    fields: dict[str, Any] = {"last_seen_at": timezone.now()}
    stamps = {"updated": entry.updated, "digest": entry.digest}
    changed = any(
        getattr(item, name) and new and new != getattr(item, name) for name, new in stamps.items()
    )
    article_id = item.article_id
    if (
        not changed
        or article_id is None
        or not Article.objects.filter(pk=article_id).exclude(body="").exists()
    ):
        # Unchanged; or its article is gone, or not fetched yet (its job reads the page
        # as it is now): nothing to revise, the new stamps are the baseline.
        tally.seen += 1
        FeedItem.objects.filter(pk=item.pk).update(**fields, **stamps)
        return
    if tally.refetched >= MAX_REVISED_ITEMS:
        tally.seen += 1
        tally.deferred = True  # its stamps stay as they were: the next poll sees the change
        FeedItem.objects.filter(pk=item.pk).update(**fields)
        return
    tally.refetched += 1
    outcome = _revise(article_id)
    if outcome == "revised":
        tally.revised += 1
        fields["revised_at"] = timezone.now()
    elif outcome == "unchanged":
        tally.seen += 1
    else:
        tally.skipped[outcome] += 1
    FeedItem.objects.filter(pk=item.pk).update(**fields, **stamps)


def _revise(article_id: int) -> str:
    """Fetch an updated item's page again; a changed text becomes a new revision of the
    article. Returns ``revised``, ``unchanged``, or the reason it was not revised."""
    from claims.ingest import articles as ingest
    from claims.sources.fetching import safe_fetch

    article = Article.objects.get(pk=article_id)
    result = safe_fetch(article.url)
    if not result.ok or not result.text.strip():
        log.info("feed item %s not fetched again: %s", article.url, result.reason or "no text")
        return "update not fetched"
    try:
        text = ingest.check_text(result.text)
        if text == article.body:
            return "unchanged"
        ingest.revise_article(article=article, text=text, by=None)
    except ingest.ArticleRejected as exc:
        log.info("feed item %s not revised: %s", article.url, exc)
        return "update refused"
    return "revised"
