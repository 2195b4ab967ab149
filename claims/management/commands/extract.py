"""``manage.py extract PATH``: run the claim pipeline on a file, without a database.

``manage.py`` runs it through ``run_without_apps`` (settings and logging, no app
loading); ``call_command("extract", ...)`` runs the same command inside Django.
"""

from __future__ import annotations

import json
import logging.config
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims import nlp
from claims.nlp import Extraction, InputRefused

REFUSED = 2


def run_without_apps(argv: list[str]) -> None:
    """``manage.py extract ...`` without ``django.setup()``: the command reads two
    settings and imports nothing from the apps, so loading them would only cost time.
    Logging is configured from ``LOGGING`` as ``django.setup()`` would (without Django's
    defaults for requests and e-mail, which ``django.utils.log`` imports views for)."""
    logging.config.dictConfig(settings.LOGGING)
    Command().run_from_argv(argv)


def read_input(path: str) -> str:
    """The input as text: UTF-8 only; binary or other encodings are refused."""
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(
            f"Cannot read {path}: {exc.strerror or exc}", returncode=REFUSED
        ) from exc
    if b"\x00" in data:
        raise CommandError(
            f"Refused {path}: it contains NUL bytes, so it looks like binary data, not text.",
            returncode=REFUSED,
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CommandError(
            f"Refused {path}: it is not valid UTF-8 text (byte {exc.start} cannot be decoded). "
            "Convert it to UTF-8 first.",
            returncode=REFUSED,
        ) from exc


class Command(BaseCommand):
    help = "Extract claims from a text file (or '-' for standard input) and print them."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="UTF-8 text file, or '-' for standard input")
        parser.add_argument("--format", choices=["table", "json", "jsonl"], default="table")
        parser.add_argument(
            "--lines", action="store_true", help="treat every line as its own document (JSONL)"
        )
        parser.add_argument(
            "--html", action="store_true", help="the input is an HTML page; use its main text"
        )

    def handle(self, *args, **options) -> None:
        text = read_input(options["path"])
        if options["html"]:
            text = nlp.extract_main_text(text)
        if options["lines"]:
            for line in text.splitlines():
                self._write_json(self._run(line), None, indent=None)
        elif options["format"] == "table":
            self._write_table(self._run(text))
        else:
            indent = 2 if options["format"] == "json" else None
            self._write_json(self._run(text), text if options["html"] else None, indent=indent)

    def _run(self, text: str) -> Extraction:
        try:
            return nlp.extract(
                text,
                model=getattr(settings, "WORKBENCH_SPACY_MODEL", None),
                threshold=getattr(settings, "WORKBENCH_CHECKWORTHY_THRESHOLD", None),
            )
        except InputRefused as exc:
            raise CommandError(str(exc), returncode=REFUSED) from exc

    def _write_json(self, result: Extraction, text: str | None, *, indent: int | None) -> None:
        payload = result.to_dict()
        if text is not None:
            payload["text"] = text
        self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=indent))

    def _write_table(self, result: Extraction) -> None:
        write = self.stdout.write
        write(f"pipeline {result.pipeline_version}, model {result.model}")
        write(f"{'#':>3}  {'score':>5}  {'cw':2}  {'type':10}  {'hedge':5}  {'speaker':18}  text")
        for i, claim in enumerate(result.claims, 1):
            speaker = claim.attribution.speaker if claim.attribution else ""
            write(
                f"{i:>3}  {claim.checkworthiness:5.2f}  {'*' if claim.check_worthy else '':2}  "
                f"{claim.claim_type:10}  {'yes' if claim.hedged else '':5}  "
                f"{_cut(speaker, 18):18}  {_cut(claim.text, 80)}"
            )
        repeats = [(i, c) for i, c in enumerate(result.claims, 1) if len(c.occurrences) > 1]
        if repeats:
            write("\nrepeated sentences:")
            for i, claim in repeats:
                write(f"  #{i} at " + ", ".join(f"{s}-{e}" for s, e in claim.occurrences))
        if result.dropped:
            write("\ndropped:")
            for item in result.dropped:
                write(f"  {item.reason:12} {item.start}-{item.end}  {_cut(item.text, 70)}")


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "\u2026"
