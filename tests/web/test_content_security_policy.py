"""The Content-Security-Policy header, and pages that need nothing it forbids: no inline
script, no event-handler attribute, no inline style. (The browser tests run every page
under the policy and fail on a violation.)"""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import User
from django.test import Client

from claims.models import Article


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


class InlineCode(HTMLParser):
    """Collects what a script-src/style-src 'self' policy would refuse."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        self.found += [f"<{tag} {name}=...>" for name in names if name.startswith("on")]
        self.found += [f"<{tag} {name}=...>" for name in names if name.startswith("hx-on")]
        if "style" in names:
            self.found.append(f"<{tag} style=...>")
        if tag == "style":
            self.found.append("<style>")
        if tag == "script" and "src" not in names and names.get("type") != "application/json":
            self.found.append("<script> without src")


def test_every_response_carries_a_policy_without_inline_script(
    client: Client, viewer: User
) -> None:
    client.force_login(viewer)
    response = client.get("/articles/")

    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "Content-Security-Policy" in client.get("/accounts/login/").headers


def test_htmx_is_told_not_to_inject_its_indicator_style_nor_settle_style_attributes(
    client: Client, viewer: User
) -> None:
    import json
    import re

    client.force_login(viewer)
    html = client.get("/articles/").content.decode()
    meta = re.search(r"""<meta name="htmx-config" content='([^']*)'>""", html)
    assert meta is not None
    config = json.loads(meta.group(1))
    assert config["includeIndicatorStyles"] is False
    assert "style" not in config["attributesToSettle"]


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/login/",
        "/articles/",
        "/articles/new/",
        "/articles/{article}/",
        "/articles/{article}/edit/",
        "/claims/",
        "/articles/{article}/?claim={claim}",
        "/sources/",
    ],
)
def test_pages_hold_no_inline_script_handler_or_style(
    client: Client, editor: User, make_article: Callable[..., Article], url: str
) -> None:
    article = make_article()
    claim = article.claims.first()
    assert claim is not None
    if url != "/accounts/login/":
        client.force_login(editor)
    response = client.get(url.format(article=article.pk, claim=claim.pk))
    assert response.status_code == 200
    parser = InlineCode()
    parser.feed(response.content.decode())
    assert parser.found == []
