"""The newsroom integration end to end, with a real worker and a real broker: a CMS sends
a story through the write API, a local feed brings another through ``manage.py
poll_feeds``, both are extracted, and a webhook receiver on 127.0.0.1 that fails its
first two requests still logs every event, signed (the Standard Webhooks library verifies
each attempt), on a later try."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from standardwebhooks.webhooks import Webhook

from claims.ingest import feeds
from claims.integrations import tokens, webhooks
from claims.models import Article, WebhookDelivery, WebhookSubscriber
from tests import live
from tests.httpserver import (
    LocalServer,
    WebhookReceiver,
    local_server_fixture,  # noqa: F401
)

pytestmark = pytest.mark.integration

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "seed_article.txt"
SECRET = "integration-secret"
RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Daily Example</title>
<item><title>Council approves budget for schools</title><link>{url}?utm_medium=rss</link></item>
</channel></rss>"""


@pytest.fixture
def quick_retry_worker(
    broker: live.Broker, transactional_db: Any, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[live.Worker]:
    """A worker whose webhook retries come after 0.5 s, 1 s, 2 s... instead of 30 s."""
    worker = live.Worker(
        broker.url, tmp_path / "worker.log", extra_env={"WORKBENCH_WEBHOOK_BACKOFF": "0.5"}
    )
    request.node.live_workers = [worker]
    worker.start()
    yield worker
    worker.stop()
    broker.flush()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(fail_first=2).start()
    yield receiver
    receiver.stop()


def test_stories_from_the_api_and_a_feed_are_extracted_and_the_receiver_logs_the_events(
    quick_retry_worker: live.Worker,
    receiver: WebhookReceiver,
    local_server: LocalServer,
    editor: User,
) -> None:
    WebhookSubscriber.objects.create(
        url=receiver.url(), secret=SECRET, events=list(webhooks.EVENTS)
    )
    token = tokens.issue(user=editor, name="cms")[1]
    story = {"external_id": "cms-1", "title": "Sample", "text": SAMPLE.read_text()}
    sent = Client().post(
        reverse("api-article-list"),
        json.dumps(story),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert sent.status_code == 202
    rss = RSS.format(url=local_server.url("/article")).encode()
    feeds.add_feed(
        url=local_server.add("/rss", rss, content_type="application/rss+xml"),
        outlet="Daily Example",
        every=300,
    )

    out = StringIO()
    call_command("poll_feeds", "--timeout", "60", stdout=out)

    assert "1 new, 0 seen before" in out.getvalue()
    live.wait_for(
        lambda: Article.objects.filter(state="done").count() == 2 or None,
        timeout=180,
        what="both articles to be extracted",
        on_timeout=quick_retry_worker.tail,
    )
    live.wait_for(
        lambda: WebhookDelivery.objects.filter(state="delivered").count() == 2 or None,
        timeout=60,
        what="both article.extracted events to be delivered",
        on_timeout=quick_retry_worker.tail,
    )
    delivered = [
        r for r, status in zip(receiver.received, receiver.answered, strict=True) if status == 204
    ]
    assert sorted(json.loads(r.body)["data"]["article"]["title"] for r in delivered) == [
        "Council approves budget for schools",
        "Sample",
    ]
    standard = Webhook(SECRET.encode())  # the Standard Webhooks library, as a receiver
    for item in receiver.received:
        digest = hmac.new(SECRET.encode(), item.body, hashlib.sha256).hexdigest()
        assert item.headers["X-Workbench-Signature"] == f"sha256={digest}"
        assert standard.verify(item.body, item.headers) == json.loads(item.body)  # retries too
    assert receiver.answered.count(500) == 2
    assert sum(WebhookDelivery.objects.values_list("attempts", flat=True)) == 4
    from_api = json.loads(next(r.body for r in delivered if b'"cms-1"' in r.body))
    assert from_api["event"] == "article.extracted"
