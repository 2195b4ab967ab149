"""``manage.py train_checkworthiness --data crowdsourced.csv [--out PATH] [--cv]
[--extra corrections.jsonl|csv ...] [--top-layers]``.

Without ``--top-layers``: the linear model extraction scores with (JSON weights,
:mod:`claims.nlp.train`). With it: MiniLM's top two layers fine-tuned, which the
background embedding pass scores with (float16 weights, :mod:`claims.nlp.train_top`;
needs torch: ``pip install -e '.[train]'``). ``--cv`` picks the threshold by cross-validation
with folds grouped by debate, for either.

``--extra`` (repeatable) reads editors' corrections written by ``manage.py
export_corrections`` (``--format jsonl`` or ``csv``): check-worthy corrections become
labelled sentences in the training side only (see :mod:`claims.nlp.train`)."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims.nlp import checkworthiness_top as top
from claims.nlp.checkworthiness import DEFAULT_MODEL_PATH
from claims.nlp.train import DEFAULT_C, EXTRA_WEIGHT, train


class Command(BaseCommand):
    help = (
        "Train the check-worthiness model on the ClaimBuster crowdsourced CSV "
        "(CFS vs rest) and write its weights; --cv reports F1 with folds grouped by "
        "debate and picks the threshold; --top-layers fine-tunes MiniLM's top layers "
        "(needs torch) instead of the linear model."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data", required=True, help="ClaimBuster crowdsourced.csv")
        parser.add_argument(
            "--out",
            default=None,
            help=f"artifact path (default {DEFAULT_MODEL_PATH.name}, or "
            f"{top.DEFAULT_PATH.name} with --top-layers)",
        )
        parser.add_argument(
            "--top-layers",
            action="store_true",
            help="fine-tune MiniLM's top layers (background refinement; needs torch)",
        )
        parser.add_argument("--cv", action="store_true", help="grouped cross-validation first")
        parser.add_argument("--C", type=float, default=DEFAULT_C, help="inverse L2 strength")
        parser.add_argument("--threshold", type=float, default=None, help="fixed threshold")
        parser.add_argument(
            "--extra",
            action="append",
            default=[],
            metavar="FILE",
            help="corrections from export_corrections, JSONL or CSV (repeatable); training only",
        )
        parser.add_argument(
            "--extra-weight",
            type=float,
            default=EXTRA_WEIGHT,
            help="weight of one corrected sentence against one ClaimBuster sentence",
        )

    def handle(self, *args, **options) -> None:
        if options["top_layers"]:
            report = self._top_layers(options)
            self.stdout.write(json.dumps(report, indent=2))
            return
        try:
            report = train(
                options["data"],
                out=options["out"] or DEFAULT_MODEL_PATH,
                model=getattr(settings, "WORKBENCH_SPACY_MODEL", None),
                C=options["C"],
                run_cv=options["cv"],
                threshold=options["threshold"],
                extra=options["extra"],
                extra_weight=options["extra_weight"],
                log=self.stderr.write,
            )
        except (OSError, KeyError, ValueError) as exc:
            raise CommandError(f"Training failed: {exc}") from exc
        self.stdout.write(json.dumps(report, indent=2))

    def _top_layers(self, options: dict) -> dict:
        try:
            from claims.nlp import train_top
        except ImportError as exc:
            raise CommandError(str(exc)) from None
        try:
            return train_top.train(
                options["data"],
                out=options["out"] or top.DEFAULT_PATH,
                run_cv=options["cv"],
                threshold=options["threshold"],
                extra=options["extra"],
                extra_weight=options["extra_weight"],
                log=self.stderr.write,
            )
        except (OSError, KeyError, ValueError) as exc:
            raise CommandError(f"Training failed: {exc}") from exc
