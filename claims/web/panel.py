"""What the review pages decide before a template renders: the status badge of a claim,
the claim panel (which boxes and buttons it shows) and the article page's header.

Templates read these fields and compare nothing with a status (a test holds that). The
views still check every permission again with ``access.require`` when a button is used:
these objects only decide what is offered.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from claims.models import Article, Claim, ClaimVerdict, Evidence, Source
from claims.review import edits


@dataclass(frozen=True)
class StatusBadge:
    """A claim's badges: its verdict (``ClaimVerdict``) shown once, its status (label, css
    class, tooltip), and a confirmed claim whose supporting source died or changed.

    A contradicted claim shows the one "✗ contradicted" badge, not "unconfirmed" beside
    it (refuting evidence wins, as in ``ClaimVerdict.of``); its status is in the badge's
    tooltip. Needs re-review is still shown beside it: it is work to do, not a verdict."""

    label: str
    css: str
    title: str
    contradicted: bool
    source_changed: bool
    show_status: bool = True
    contradicted_title: str = ""

    @classmethod
    def of(cls, claim: Claim) -> StatusBadge:
        status = Claim.Status(claim.status)
        confirmed = status == Claim.Status.CONFIRMED
        rereview = status == Claim.Status.NEEDS_REREVIEW
        contradicted = claim.get_verdict() == ClaimVerdict.CONTRADICTED
        return cls(
            label=status.label.lower(),
            css=f"status-{status.value}",
            title=claim.status_note if rereview else "",
            contradicted=contradicted,
            source_changed=confirmed and bool(getattr(claim, "source_problem", False)),
            show_status=rereview or not contradicted,
            contradicted_title=f"A source refutes this claim (status: {status.label.lower()})",
        )


@dataclass(frozen=True)
class ClaimPanel:
    """The claim panel's decisions for one claim and one user (``can``: ``user_can``)."""

    badge: StatusBadge
    contradicted: bool
    source_problem: bool
    is_confirmed: bool
    needs_rereview: bool
    rereview_reason: str  # why its confirmation lapsed (``history.lapse_explanation``)
    blocker: str  # what stops a confirmation now ("" when nothing does)
    show_blocker: bool  # on a claim not confirmed
    can_confirm: bool  # the rule allows it now (the button is the primary one)
    show_confirm_form: bool
    show_unconfirm_button: bool  # beside Confirm, for a claim in needs re-review
    show_unconfirm_form: bool  # the "Unconfirm…" box of a confirmed claim
    can_review: bool  # assign and correct the machine's labels
    can_add_evidence: bool
    can_shape: bool  # split or merge (``edits.shape_refusal``)
    can_publish: bool

    @classmethod
    def build(
        cls, claim: Claim, *, can: dict[str, bool], blocker: str, rereview_reason: str = ""
    ) -> ClaimPanel:
        status = claim.status
        confirmed = status == Claim.Status.CONFIRMED
        rereview = status == Claim.Status.NEEDS_REREVIEW
        badge = StatusBadge.of(claim)
        return cls(
            badge=badge,
            contradicted=badge.contradicted,
            source_problem=bool(getattr(claim, "source_problem", False)),
            is_confirmed=confirmed,
            needs_rereview=rereview,
            rereview_reason=rereview_reason if rereview else "",
            blocker=blocker,
            show_blocker=not confirmed and bool(blocker),
            can_confirm=not confirmed and not blocker,
            show_confirm_form=can["review"] and not confirmed,
            show_unconfirm_button=can["review"] and rereview,
            show_unconfirm_form=can["review"] and confirmed,
            can_review=can["review"],
            can_add_evidence=can["evidence"],
            can_shape=can["shape"] and not edits.shape_refusal(claim.article, claim),
            can_publish=can["publish"],
        )


@dataclass(frozen=True)
class ArticleHeader:
    """The article page's head: its error, and the retry and edit buttons."""

    failed: bool
    can_edit: bool  # e.g. retry a failed article with another URL or pasted text
    can_rerun: bool  # retry or re-run extraction, and edit the text
    rerun_label: str
    can_create_claim: bool

    @classmethod
    def build(cls, article: Article, *, can: dict[str, bool]) -> ArticleHeader:
        failed = article.state == Article.State.FAILED
        return cls(
            failed=failed,
            can_edit=can["edit"],
            can_rerun=can["edit"] and not article.is_active,
            rerun_label="Retry" if failed else "Re-run extraction",
            can_create_claim=can["shape"] and not edits.shape_refusal(article),
        )


# The live panel polls every ``LIVE_FAST`` while a source was queued in the last
# ``LIVE_FAST_FOR``; a capture still pending after that (a slow or stopped worker) is
# asked after every ``LIVE_SLOW``.
LIVE_FAST, LIVE_SLOW = "2s", "15s"
LIVE_FAST_FOR = timedelta(minutes=2)


@dataclass(frozen=True)
class EvidenceLive:
    """The claim panel's live evidence: whether a capture or a quote check is still to
    come (the panel then asks again, every ``interval``), and a key of what the rows show
    (``key``: their fetch states, quote checks and verdicts, and the claim's status), so
    that an answer redraws the rows only when something changed. Only the evidence rows'
    states and the verdict line are redrawn, never a form (someone may be typing in it);
    a change of the claim's status (a lapse) is said, and the panel reloaded on request.
    """

    pending: bool
    interval: str
    key: str
    status: str  # the claim's status the panel shows

    @classmethod
    def of(
        cls, claim: Claim, evidence: list[Evidence], *, reading: bool, now: datetime
    ) -> EvidenceLive:
        """``reading``: a file provided for one of the sources is being read."""
        waiting = [
            ev.source for ev in evidence if ev.source.fetch_state == Source.FetchState.PENDING
        ]
        unchecked = [
            ev
            for ev in evidence
            if ev.quote_check == Evidence.QuoteCheck.UNCHECKED
            and ev.source.fetch_state == Source.FetchState.OK
        ]
        pending = bool(waiting or unchecked or reading)
        recent = any(now - source.updated_at < LIVE_FAST_FOR for source in waiting)
        shown = [
            (
                ev.pk,
                ev.source.fetch_state,
                ev.source.title,
                ev.quote_check,
                ev.quote_reason,
                bool(ev.verdict and ev.verdict.counts),
                ev.verdict.reason if ev.verdict else "",
            )
            for ev in evidence
        ]
        key = hashlib.sha256(repr((claim.status, shown)).encode()).hexdigest()[:16]
        fast = recent or reading
        return cls(pending, LIVE_FAST if fast else LIVE_SLOW, key, claim.status)
