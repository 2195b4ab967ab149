"""Article text is stored with ``\\n`` line endings and in Unicode NFC, whichever way it
came in; the migration that normalised existing articles moved every offset with the
text; selector context is at most 32 UTF-16 code units."""

from __future__ import annotations

import importlib
import unicodedata
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from claims.ingest import articles as ingest
from claims.models import Article, ArticleRevision, Claim
from claims.publication import exports
from claims.text import anchoring
from claims.text.normalising import for_storage, storage_offsets

CRLF_TEXT = (
    "The council approved a budget on Monday.\r\n\r\n"
    "The mayor said the bridge will open in 2027.\r\n"
    "Officials reportedly plan to raise fees by 15 percent.\r\n"
)
migration = importlib.import_module("claims.migrations.0011_line_endings_and_search")


def _no_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "enqueue", lambda article: None)


def test_pasted_crlf_text_is_stored_with_newlines(
    client: Client, editor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_jobs(monkeypatch)
    client.force_login(editor)

    client.post("/articles/new/", {"title": "Pasted", "text": CRLF_TEXT})

    body = Article.objects.get().body
    assert "\r" not in body
    assert body == CRLF_TEXT.replace("\r\n", "\n")
    assert Article.objects.get().revisions.get().body == body


def test_an_uploaded_file_with_cr_line_endings_is_stored_with_newlines(
    client: Client, editor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_jobs(monkeypatch)
    client.force_login(editor)
    upload = SimpleUploadedFile("story.txt", CRLF_TEXT.replace("\r\n", "\r").encode())

    client.post("/articles/new/", {"title": "Up", "file": upload})

    assert Article.objects.get().body == CRLF_TEXT.replace("\r\n", "\n")


def test_an_edit_with_crlf_and_decomposed_accents_is_stored_normalised(
    client: Client,
    editor: Any,
    make_article: Callable[..., Article],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _no_jobs(monkeypatch)
    article = make_article()
    client.force_login(editor)
    decomposed = "The cafe\u0301 opened.\r\nIt serves cre\u0300me bru\u0302le\u0301e."

    client.post(f"/articles/{article.pk}/edit/", {"text": decomposed, "basis": article.revision})

    article.refresh_from_db()
    assert article.body == "The café opened.\nIt serves crème brûlée."
    assert unicodedata.is_normalized("NFC", article.body)


def test_titles_are_nfc(editor: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _no_jobs(monkeypatch)

    article = ingest.submit_article(title="Cafe\u0301 society", text="A text.", by=editor)

    assert article.title == "Café society"


def test_offsets_move_with_the_line_endings_and_composition() -> None:
    text = "A\r\nB\r\ncafe\u0301 C\rD"
    offsets = [0, 1, 3, 4, 6, 7, 13, 14]

    where = storage_offsets(text, offsets)

    new = for_storage(text)
    assert new == "A\nB\ncafé C\nD"
    assert [where[o] for o in offsets] == [len(for_storage(text[:o])) for o in offsets]
    assert new[where[6] : where[13]] == "café C"


def _crlf_article() -> tuple[Article, list[Claim]]:
    """An article stored before normalisation: CRLF text, a decomposed accent, and
    claims whose offsets index that text."""
    body = (
        "Intro line.\r\nThe cafe\u0301 in Paris closed on Monday.\r\n\r\n"
        "ALSO READ: elsewhere\r\nOfficials said 😀 the mayor 😀 will resign soon.\r\n"
        "The cafe\u0301 in Paris closed on Monday.\r\n"
    )
    article = Article.objects.create(title="Cafe\u0301 news", body=body, dropped=[])
    ArticleRevision.objects.create(article=article, number=1, body=body)
    first = "The cafe\u0301 in Paris closed on Monday."
    second = "Officials said 😀 the mayor 😀 will resign soon."
    dropped = body.index("ALSO READ")
    Article.objects.filter(pk=article.pk).update(
        dropped=[{"text": "ALSO READ: elsewhere", "start": dropped, "end": dropped + 20}]
    )
    claims = []
    for index, text in enumerate((first, second)):
        start = body.index(text)
        end = start + len(text)
        speaker = body.index("Officials")
        claims.append(
            Claim.objects.create(
                article=article,
                revision=1,
                sentence_index=index,
                text=text,
                start=start,
                end=end,
                prefix=body[max(0, start - 32) : start],
                suffix=body[end : end + 32],
                occurrences=[[start, end], [body.rindex(text), body.rindex(text) + len(text)]]
                if index == 0
                else [[start, end]],
                hedge_cues=[{"text": "soon", "start": end - 5, "end": end - 1}],
                attribution={
                    "speaker": "Officials",
                    "speaker_start": speaker,
                    "speaker_end": speaker + 9,
                    "cue": "said",
                    "cue_start": speaker + 10,
                    "cue_end": speaker + 14,
                    "content_start": None,
                    "content_end": None,
                },
                entities=[{"text": "Paris", "label": "GPE", "start": start + 13, "end": start + 18}]
                if index == 0
                else [],
            )
        )
    article.refresh_from_db()
    return article, claims


def test_the_migration_normalises_articles_and_moves_every_offset(db: Any) -> None:
    article, claims = _crlf_article()

    migration.normalise_articles(apps, None)

    article.refresh_from_db()
    body = article.body
    assert "\r" not in body and unicodedata.is_normalized("NFC", body)
    assert article.revisions.get().body == body
    assert article.title == "Café news"
    dropped = article.dropped[0]
    assert body[dropped["start"] : dropped["end"]] == "ALSO READ: elsewhere"
    cafe, officials = (Claim.objects.get(pk=c.pk) for c in claims)
    assert cafe.text == "The café in Paris closed on Monday."
    for claim in (cafe, officials):
        assert body[claim.start : claim.end] == claim.text
        for start, end in claim.occurrences:
            assert body[start:end] == claim.text
        assert anchoring.utf16_length(claim.prefix) <= 32
        assert anchoring.utf16_length(claim.suffix) <= 32
        assert body[: claim.start].endswith(claim.prefix)
        assert body[claim.end :].startswith(claim.suffix)
        cue = claim.hedge_cues[0]
        assert body[cue["start"] : cue["end"]] == "soon" or claim is cafe
    [paris] = cafe.entities
    assert body[paris["start"] : paris["end"]] == "Paris"
    attribution = officials.attribution
    assert body[attribution["speaker_start"] : attribution["speaker_end"]] == "Officials"
    assert body[attribution["cue_start"] : attribution["cue_end"]] == "said"


def test_the_migration_leaves_normalised_articles_alone(
    make_article: Callable[..., Article],
) -> None:
    article = make_article()
    before = list(Claim.objects.values())

    migration.normalise_articles(apps, None)

    assert list(Claim.objects.values()) == before
    assert Article.objects.get(pk=article.pk).body == article.body


def test_selector_context_is_at_most_32_utf16_units_even_with_emoji(
    make_article: Callable[..., Article],
) -> None:
    emoji = "😀🎉🔥" * 8  # 24 code points, 48 UTF-16 units
    article = make_article([f"{emoji} The claim is stated here. {emoji}", "Second one."])
    claim = Claim.objects.get(article=article, sentence_index=0)
    start = article.body.index("The claim")
    end = article.body.index(".", start) + 1
    Claim.objects.filter(pk=claim.pk).update(
        start=start,
        end=end,
        text=article.body[start:end],
        prefix=article.body[max(0, start - 32) : start],
        suffix=article.body[end : end + 32],
    )
    claim.refresh_from_db()

    quote = exports.selectors(claim)[1]

    for context in (quote["prefix"], quote["suffix"]):
        assert len(context.encode("utf-16-le")) // 2 <= 32
        assert context.strip(), "the context is clipped, not dropped"
    assert article.body[:start].endswith(quote["prefix"])
    assert article.body[end:].startswith(quote["suffix"])
    prefix, suffix = anchoring.context(article.body, start, end)
    assert (prefix, suffix) == (quote["prefix"], quote["suffix"])


def test_clipping_never_splits_a_surrogate_pair() -> None:
    assert anchoring.clip_prefix("a😀😀", 3) == "😀"
    assert anchoring.clip_suffix("😀😀a", 3) == "😀"
    assert anchoring.clip_prefix("abc", 32) == "abc"
