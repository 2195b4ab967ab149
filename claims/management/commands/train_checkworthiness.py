"""``manage.py train_checkworthiness --data crowdsourced.csv [--out PATH] [--cv]
[--extra corrections.jsonl|csv ...]``.

``--extra`` (repeatable) reads editors' corrections written by ``manage.py
export_corrections`` (``--format jsonl`` or ``csv``): check-worthy corrections become
labelled sentences in the training side only (see :mod:`claims.nlp.train`)."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims.nlp.checkworthiness import DEFAULT_MODEL_PATH
from claims.nlp.train import DEFAULT_C, EXTRA_WEIGHT, train


class Command(BaseCommand):
    help = (
        "Train the check-worthiness model on the ClaimBuster crowdsourced CSV "
        "(CFS vs rest) and write its weights as JSON; --cv reports F1 with folds "
        "grouped by debate and picks the threshold."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data", required=True, help="ClaimBuster crowdsourced.csv")
        parser.add_argument("--out", default=str(DEFAULT_MODEL_PATH), help="artifact path")
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
        try:
            report = train(
                options["data"],
                out=options["out"],
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
