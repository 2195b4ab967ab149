"""``manage.py embed_pending``: compute the missing sentence embeddings now, in this
process, with progress (what the ``claims.embed_pending`` task does in a worker).

Embeds every claim and fact-check without a vector of the current model version (new,
changed text, or embedded by an older model), and refines the check-worthiness of
every claim not yet scored by the current top-layer weights
(``claims.nlp.checkworthiness_top``). Useful after importing a large archive
(100,000 short fact-checks in about 20 minutes on two cores; see ``make bench``).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from claims.matching import embeddings
from claims.text.plural import counted


class Command(BaseCommand):
    help = (
        "Compute the missing sentence embeddings of claims and fact-checks, and refine "
        "claims' check-worthiness."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(done: int, total: int) -> None:
            self.stderr.write(f"embedded {done} of {total}")

        counts = embeddings.embed_pending(progress=progress)
        self.stdout.write(
            f"{counted(counts['claim'], 'claim')}, "
            f"{counted(counts['factcheck'], 'fact-check')} embedded; "
            f"check-worthiness of {counted(counts['refined'], 'claim')} refined"
        )
