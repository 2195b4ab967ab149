"""The confirmation audit: every confirmed claim re-judged on its current basis.

It also recounts every article's stored claim counts (``counts.drift``) and rewrites
any that differ (``AuditRun.counts_repaired``; there should never be one).

The safety net, not the mechanism: every change to a basis already re-judges the claims
it touches under their locks (``service.basis_change``). The audit catches what no
change announced (a rule setting made stricter, a path a future change forgets) and
lapses those claims, naming the cause. It runs daily on beat
(``claims.audit_confirmations``) and as ``manage.py audit_confirmations``; the admin and
Today's queue show the last run.
"""

from __future__ import annotations

import logging

from django.utils import timezone

from claims.confirmation import service
from claims.models import AuditRun, Claim, counts

log = logging.getLogger(__name__)
CHUNK = 200  # claims locked and judged per transaction
CAUSE = "confirmation audit"


def audit() -> AuditRun:
    """Re-judge every confirmed claim; lapse those whose confirmation no longer holds."""
    run = AuditRun.objects.create()
    confirmed = Claim.objects.filter(status=Claim.Status.CONFIRMED).order_by("pk")
    ids = list(confirmed.values_list("pk", flat=True))
    findings = []
    for start in range(0, len(ids), CHUNK):
        for claim in service.reevaluate(ids[start : start + CHUNK], cause=CAUSE):
            findings.append({"claim": claim.pk, "cause": claim.status_note})
    drifted = counts.drift(repair=True)
    if drifted:
        log.error("stored claim counts differed from a recount: %s", drifted[:20])
    AuditRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now(),
        checked=len(ids),
        lapsed=len(findings),
        findings=findings,
        counts_repaired=len(drifted),
    )
    run.refresh_from_db()
    return run


def last_run() -> AuditRun | None:
    return AuditRun.objects.exclude(finished_at=None).order_by("-started_at", "-pk").first()
