"""Helpers shared by the test modules: log a persona in, a minimal PDF, and the
checked article the export, API and verdict tests start from. Fixtures (personas,
``make_article``, ``support``) are in ``tests/conftest.py``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from claims.confirmation import service as status
from claims.models import Article, Claim, Evidence

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def login(client: Client, user: User) -> Client:
    """``client`` logged in as ``user`` (no password round trip)."""
    client.force_login(user)
    return client


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF showing ``text`` in Helvetica, with a correct cross-reference table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


FIXTURES = TESTS / "fixtures"


BASE_URL = "https://workbench.example.org"


NEWLINE_CLAIM = (
    'Officials said, in a statement issued late on Tuesday,\n"the Al-Walid border crossing '
    'is open again" and guarded.'
)


MALIKIS = "Maliki\u2019s"  # with a typographic apostrophe, as in the sample article


TRICKY_EXCERPT = f'He said: "{MALIKIS} rule, in short,\nhas failed."'


def _seed_sentence(containing: str) -> str:
    text = (FIXTURES / "seed_article.txt").read_text(encoding="utf-8")
    return next(line.strip() for line in text.splitlines() if containing in line)


def build_checked_article(
    make_article: Callable[..., Article],
    support: Callable[..., Evidence],
    fact_checker: User,
) -> dict[str, Any]:
    """The article and its claims: ``quoted`` and ``maliki`` confirmed, ``newline``
    contradicted, ``plain`` without evidence."""
    sentences = {
        "quoted": _seed_sentence('"will be intense, sustained,"'),
        "maliki": _seed_sentence(f"{MALIKIS} governance"),
        "newline": NEWLINE_CLAIM,
        "plain": _seed_sentence("Baiji oil refinery"),
    }
    article = make_article(
        list(sentences.values()),
        title="NATO to meet on Iraq crisis",
        outlet="Daily Example",
        published_at=datetime(2014, 6, 24, tzinfo=UTC),
    )
    claims = {key: article.claims.get(text=text) for key, text in sentences.items()}
    Claim.objects.filter(pk=claims["quoted"].pk).update(
        speaker="John Kerry", hedged=True, hedge_cues=[{"text": "but", "start": 0, "end": 3}]
    )
    support(
        claims["quoted"],
        "https://www.reuters.com/world/kerry",
        excerpt="will be intense, sustained",
    )
    support(claims["maliki"], "https://apnews.com/article/iraq", excerpt=TRICKY_EXCERPT)
    support(claims["maliki"], "https://www.reuters.com/world/kerry", stance="context")
    support(claims["newline"], "https://www.bbc.com/news/iraq", stance=Evidence.Stance.REFUTES)
    for key in ("quoted", "maliki"):
        claims[key].refresh_from_db()
        status.confirm(claims[key], by=fact_checker, note="Two wires agree.")
    return {"article": article, **{key: Claim.objects.get(pk=c.pk) for key, c in claims.items()}}
