"""Personas and shared fixtures for the whole suite.

Personas follow the roles: an editor, a fact-checker, a read-only viewer, and an
outsider (logged in, but in no group). ``make_article`` builds an article with claims
directly in the database, without the NLP pipeline, for tests that are not about it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from hypothesis import settings as hypothesis_settings

from claims import roles
from claims.models import Article, ArticleRevision, Claim, Evidence, Source, SourceCapture

PASSWORD = "correct-horse-battery-staple"

# Property tests: a fast profile for a developer's run, a thorough one in CI (CI=true);
# HYPOTHESIS_PROFILE chooses either. Tests that set their own examples keep them.
hypothesis_settings.register_profile("fast", max_examples=25, deadline=None)
hypothesis_settings.register_profile("ci", max_examples=100, deadline=None)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "fast")
)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Personas log in in almost every test: skip the deliberately slow hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _user(username: str, group: str | None) -> User:
    user = User.objects.create_user(username, f"{username}@example.org", PASSWORD)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(db: Any) -> User:
    return _user("edna", roles.EDITORS)


@pytest.fixture
def fact_checker(db: Any) -> User:
    return _user("fred", roles.FACT_CHECKERS)


@pytest.fixture
def viewer(db: Any) -> User:
    return _user("vera", roles.VIEWERS)


@pytest.fixture
def outsider(db: Any) -> User:
    return _user("otto", None)


@pytest.fixture
def make_article(db: Any) -> Callable[..., Article]:
    """``make_article(sentences=[...], outlet=..., **fields)``: an extracted article."""

    def make(
        sentences: list[str] | None = None, *, created_by: User | None = None, **fields: Any
    ) -> Article:
        sentences = sentences or [
            "The city council approved a budget of 4.2 million dollars on Monday.",
            "The mayor said the new bridge will open in 2027.",
        ]
        body = " ".join(sentences)
        fields.setdefault("title", "Council approves budget")
        fields.setdefault("outlet", "Daily Example")
        fields.setdefault("outlet_domain", "dailyexample.com")
        fields.setdefault("url", "https://www.dailyexample.com/news/budget")
        fields.setdefault("state", Article.State.DONE)
        article = Article.objects.create(body=body, created_by=created_by, **fields)
        ArticleRevision.objects.create(article=article, number=1, body=body, created_by=created_by)
        offset = 0
        for index, sentence in enumerate(sentences):
            start = body.index(sentence, offset)
            end = start + len(sentence)
            Claim.objects.create(
                article=article,
                revision=1,
                sentence_index=index,
                text=sentence,
                start=start,
                end=end,
                prefix=body[max(0, start - 32) : start],
                suffix=body[end : end + 32],
                occurrences=[[start, end]],
                checkworthiness=max(0.0, round(0.9 - 0.1 * index, 2)),
                check_worthy=True,
            )
            offset = end
        return article

    return make


@pytest.fixture
def make_source(db: Any) -> Callable[..., Source]:
    def make(url: str = "https://www.reuters.com/world/report", **fields: Any) -> Source:
        from urllib.parse import urlsplit

        host = urlsplit(url).hostname or ""
        domain = ".".join(host.split(".")[-2:])
        fields.setdefault("publisher", domain)
        fields.setdefault("domain", domain)
        fields.setdefault("title", f"Report on {domain}")
        return Source.objects.create(url=url, **fields)

    return make


def capture(source: Source, text: str, **fields: Any) -> SourceCapture:
    """Store ``text`` as the source's latest capture (as a successful fetch would)."""
    import hashlib

    from django.utils import timezone

    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    fields.setdefault("fetched_at", timezone.now())
    made = SourceCapture.objects.create(
        source=source, text_sha256=digest, text_compressed=SourceCapture.compress(text), **fields
    )
    Source.objects.filter(pk=source.pk).update(
        fetch_state=Source.FetchState.OK, link_state=Source.LinkState.ALIVE, text_sha256=digest
    )
    source.refresh_from_db()
    return made


@pytest.fixture
def support(make_source: Callable[..., Source]) -> Callable[..., Evidence]:
    """``support(claim, url=..., stance=..., excerpt=..., captured=True)``: link a claim to
    a (new) source. By default the source is captured with a text that contains the
    excerpt (the claim's own text unless given), and the quote is checked, so the
    evidence counts for the confirmation rule when its publisher is independent."""

    def make(
        claim: Claim,
        url: str = "https://www.reuters.com/world/report",
        stance: str = Evidence.Stance.SUPPORTS,
        *,
        excerpt: str | None = None,
        captured: bool = True,
        **fields: Any,
    ) -> Evidence:
        from claims.sources import capture as sources

        source = Source.objects.filter(url=url).first() or make_source(url)
        excerpt = claim.text if excerpt is None else excerpt
        if captured and not source.captures.exists():
            capture(source, f"Earlier reporting. {excerpt} More details followed.")
        evidence = Evidence.objects.create(
            claim=claim, source=source, stance=stance, excerpt=excerpt, **fields
        )
        sources.check_quote(evidence)
        return evidence

    return make


DB_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


def pytest_collection_modifyitems(config: Any, items: list[pytest.Item]) -> None:
    """Mark the tests that touch no database ``no_db``: CI runs them once, on its first
    pass, and only the database tests again on the second database (``.ci/run``)."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("django_db") is None and not fixtures & DB_FIXTURES:
            item.add_marker(pytest.mark.no_db)
