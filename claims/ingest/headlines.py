"""The headline check on a stored article (issue 32; the comparison is
``claims.text.headline``): its title and the headings in its text against the body's
sentences, stored in ``Article.headline_mismatches``.

A first line of the text that is the title in a heading's form is the headline, not a
claim (``without_headline``).

Recomputed whenever what it compares changes, so a stale flag never survives a
correction: after each extraction (against the claims just written, whose ids the flags
link to), at once when the text is revised or retried (against the new text split in
plain sentences, until its claims are extracted), and when the title is edited.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache
from typing import Any

from claims.models import Article, Claim
from claims.nlp import Extraction
from claims.nlp import blocks as blocks_mod
from claims.nlp.records import Dropped
from claims.text import headline
from claims.text.headline import HEADLINE, SUBHEADING, Heading, Sentence


def _same(a: str, b: str) -> bool:
    return headline.fold(" ".join(a.split())) == headline.fold(" ".join(b.split()))


@lru_cache(maxsize=8)
def _blocks(body: str) -> tuple[blocks_mod.Block, ...]:
    """``split_blocks(body)``, kept for the next call: the extraction job asks for the
    blocks of the same text twice in a row (``without_headline``, then ``headings`` in
    ``mismatches_of``), and splitting is most of what either costs (issue 34). Blocks are
    frozen and ``split_blocks`` is pure, so a kept split is the split."""
    return tuple(blocks_mod.split_blocks(body))


def headings(title: str, body: str) -> tuple[list[Heading], list[blocks_mod.Block]]:
    """The article's headings (the title first) and the blocks of its text. A heading
    line at the top of the text is the headline (the title, when it says the same); the
    other heading lines are sub-headings."""
    blocks = list(_blocks(body))
    found: list[Heading] = []
    title_start = None
    first = next((b for b in blocks if b.kind != blocks_mod.BOILERPLATE), None)
    for block in blocks:
        text = body[block.start : block.end]
        top = block is first and len(blocks) > 1
        if block.kind != blocks_mod.HEADING and not (top and block.maybe_heading):
            continue
        if _same(text, title):
            title_start = block.start
            continue
        found.append(Heading(text, HEADLINE if top else SUBHEADING, block.start))
    if title.strip():
        found.insert(0, Heading(title.strip(), HEADLINE, title_start))
    return found, blocks


def without_headline(extraction: Extraction, title: str, body: str) -> Extraction:
    """The extraction without the headline as a claim: when the text's first line is
    the article's title in a heading's form (short, no final punctuation; "St Mary's
    hospital to get £48m cancer wing"), its sentence is not a claim of the story but
    its headline, dropped as ``heading``; the headline check compares it with the body.
    A text of one line, or a first line that ends a sentence, is always read."""
    blocks = _blocks(body)
    first = next((b for b in blocks if b.kind != blocks_mod.BOILERPLATE), None)
    if first is None or len(blocks) < 2 or not first.maybe_heading:
        return extraction
    if not _same(body[first.start : first.end], title):
        return extraction
    inside = [c for c in extraction.claims if first.start <= c.start and c.end <= first.end]
    if not inside:
        return extraction
    kept = [c for c in extraction.claims if c not in inside]
    dropped = Dropped(body[first.start : first.end], first.start, first.end, blocks_mod.HEADING)
    return replace(
        extraction,
        claims=[replace(c, sentence_index=i) for i, c in enumerate(kept)],
        dropped=sorted([*extraction.dropped, dropped], key=lambda d: d.start),
    )


def plain_sentences(body: str, blocks: list[blocks_mod.Block]) -> list[Sentence]:
    return [
        sentence
        for block in blocks
        if block.kind == blocks_mod.TEXT
        for sentence in headline.sentences_of(body, block.start, block.end)
    ]


def _claim_sentences(article_id: int, revision: int) -> list[Sentence]:
    rows = (
        Claim.objects.filter(article_id=article_id, revision=revision)
        .in_text()
        .order_by("start", "pk")
        .values_list("text", "start", "end", "pk")
    )
    return [Sentence(*row) for row in rows]


def mismatches(article_id: int, *, parsed: bool) -> list[dict[str, Any]]:
    """The article's headline mismatches as stored (``Mismatch.as_json``): against its
    claims when ``parsed`` (the current revision's claims are written), else against its
    text split in plain sentences."""
    title, body, revision = Article.objects.values_list("title", "body", "revision").get(
        pk=article_id
    )
    found, blocks = headings(title, body)
    sentences = _claim_sentences(article_id, revision) if parsed else plain_sentences(body, blocks)
    return [m.as_json() for m in headline.check(found, sentences)]


def mismatches_of(
    title: str, body: str, revision: int, claims: Iterable[Claim]
) -> list[dict[str, Any]]:
    """``mismatches(parsed=True)`` of an article whose claims were just written,
    compared with them as they are in memory (``claims``: all the article's claims)
    rather than read back."""
    found, _ = headings(title, body)
    written = sorted(
        (c for c in claims if c.revision == revision and not c.orphaned),
        key=lambda c: (c.start, c.pk),
    )
    sentences = [Sentence(c.text, c.start, c.end, c.pk) for c in written]
    return [m.as_json() for m in headline.check(found, sentences)]


def flags(article: Article) -> tuple[headline.Mismatch, ...]:
    """The article's stored mismatches; each ``message`` is what the article page and
    readiness say ("the headline says £48m; the body says £46m")."""
    return tuple(headline.Mismatch.from_json(item) for item in article.headline_mismatches)
