"""Stories from a CMS (the write API): each (token owner, ``external_id``) is one article.

``receive`` creates the article the first time a story is sent; sent again, the story
becomes a new revision when its text changed (``ingest.revise_article``: claims are
re-anchored, confirmations whose wording is gone lapse) and changes nothing when it did
not. A story sent by URL only is fetched by the worker the first time; sending the same
URL again changes nothing (send the text to revise it), except when the article failed
(the page could not be fetched, the extraction broke): a story sent again unchanged, or
with ``retry``, puts a failed article back in the queue (outcome ``retried``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from claims.ingest import articles as ingest
from claims.models import Article, ExternalStory

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass(frozen=True)
class Received:
    article: Article
    outcome: str  # "created", "revised", "retried" or "unchanged"


def receive(
    *,
    owner: User,
    external_id: str,
    title: str = "",
    text: str = "",
    url: str = "",
    outlet: str = "",
    published_at: datetime | None = None,
    retry: bool = False,
) -> Received:
    """Create, revise, or leave alone the article of the owner's story ``external_id``.

    ``retry`` says the client wants a failed article tried again; sending a failed
    story again does that anyway. Raises ``ingest.ArticleRejected`` for a text that
    cannot be stored."""
    story = ExternalStory.objects.select_related("article").filter(
        owner=owner, external_id=external_id
    )
    known = story.first()
    if known is None:
        try:
            with transaction.atomic():
                article = ingest.submit_article(
                    title=title,
                    text=text,
                    fetch_url="" if text else url,
                    url=url,
                    outlet=outlet,
                    published_at=published_at,
                    by=owner,
                )
                ExternalStory.objects.create(owner=owner, external_id=external_id, article=article)
            return Received(article, "created")
        except IntegrityError:  # the same story, sent twice at once: the other one won
            known = story.get()
    article = known.article
    if not text or ingest.check_text(text) == article.body:
        if article.state != Article.State.FAILED:
            return Received(article, "unchanged")
        article.requeue(by=owner, reason="sent again through the write API")
        ingest.enqueue(article)
        return Received(article, "retried")
    ingest.revise_article(article=article, text=text, by=owner)
    return Received(Article.objects.get(pk=article.pk), "revised")
