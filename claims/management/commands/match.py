"""``manage.py match --archive ARCHIVE.jsonl --queries QUERIES.jsonl --top K``: rank an
archive's claims for each query, without a database, as the product's background
matching does.

Both files are JSON Lines of ``{"id", "text"}`` (archive lines may carry ``title``, which
is indexed with the text). Prints one line per query, best match first::

    {"query_id": "q1", "matches": [{"id": "a7", "score": 0.93}, ...]}

Scores are the calibrated probabilities of ``claims.matching.engine`` (0..1); matches
under ``--min-score`` (default 0: all of the top K) are left out. By default the ranking
is the hybrid (BM25 and MiniLM embeddings, the hybrid re-ranker), with the archive
embedded once and kept under ``--cache`` (default ``var/cache/match``), keyed by the
model version and the texts, so a second run does not embed it again. ``--bm25-only``
ranks with BM25 and the BM25-only re-ranker, without the model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims.matching import embeddings
from claims.matching.engine import index as engine
from claims.matching.engine import minilm


def read_lines(path: Path, *, what: str) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"Cannot read the {what} file {path}: {exc}") from None
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path} line {number}: not valid JSON ({exc.msg}).") from None
        if not isinstance(record, dict) or "id" not in record or not record.get("text"):
            raise CommandError(f'{path} line {number}: expected {{"id": ..., "text": ...}}.')
        records.append(record)
    return records


class Command(BaseCommand):
    help = "Rank archive claims for each query claim (JSON Lines in, JSON Lines out)."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--archive", type=Path, required=True, help="JSON Lines archive.")
        parser.add_argument("--queries", type=Path, required=True, help="JSON Lines queries.")
        parser.add_argument("--top", type=int, default=engine.DEFAULT_TOP)
        parser.add_argument("--min-score", type=float, default=0.0)
        parser.add_argument("--format", choices=["jsonl"], default="jsonl", dest="fmt")
        parser.add_argument(
            "--bm25-only",
            action="store_true",
            help="Rank with BM25 alone (no embeddings), the ranking before the hybrid.",
        )
        parser.add_argument(
            "--cache",
            type=Path,
            default=None,
            help="Where the archive's embeddings are kept (default: var/cache/match).",
        )

    def handle(
        self,
        *args: Any,
        archive: Path,
        queries: Path,
        top: int,
        min_score: float,
        bm25_only: bool = False,
        cache: Path | None = None,
        **options: Any,
    ) -> None:
        if top < 1:
            raise CommandError("--top must be at least 1.")
        entries = read_lines(archive, what="archive")
        asked = read_lines(queries, what="queries")
        index = engine.Index(
            (str(n), f"{e['text']} {e.get('title') or ''}".strip()) for n, e in enumerate(entries)
        )
        vectors: Any = None
        if not bm25_only:
            directory = cache or settings.VAR_DIR / "cache" / "match"
            archived = [embeddings.factcheck_text(str(e["text"]), str(e.get("title") or ""))
                        for e in entries]  # fmt: skip
            index.set_vectors(minilm.encode_cached(archived, directory, name="archive"))
            vectors = minilm.encode([embeddings.claim_text(str(q["text"])) for q in asked])
        for n, query in enumerate(asked):
            vector = vectors[n] if vectors is not None else None
            hits = index.search(str(query["text"]), vector=vector, top=top)
            matches = [
                {"id": entries[int(hit.key)]["id"], "score": hit.score}
                for hit in hits
                if hit.score >= min_score
            ]
            line = {"query_id": query["id"], "matches": matches}
            self.stdout.write(json.dumps(line, ensure_ascii=False))
