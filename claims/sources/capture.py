"""Sources: one row per canonical URL, captured in the background, quote-checked.

The fetching itself (SSRF guards, caps, main-text extraction) is ``fetching.safe_fetch``;
the quote check is ``quotes.check_quote``. This module ties them to the models:

- ``source_for_url`` gives the one ``Source`` for a URL (canonicalised), queueing a
  capture for a new one; ``retry_capture`` queues another attempt; ``requeue_pending``
  (on beat) queues again a source whose capture job was lost.
- ``capture`` fetches a source now and stores its text compressed (``SourceCapture``),
  or records honestly why it could not (``fetch_state``/``fetch_error``). A capture
  with the same text as the latest one is not stored twice. The evidence quoting the
  source is quote-checked again against the new text.
- ``recheck_due`` re-captures sources last checked too long ago (link rot and drift):
  404, 410 or 451, an unknown host or a redirect to the site's home page make a source
  ``dead`` (other errors are failures that leave the capture standing); different text
  makes it ``changed`` (the old capture stays, and ``change_summary`` says what changed).
- Every capture, failure and death re-checks the quotes and re-evaluates the confirmed
  claims resting on the source (``status``): one whose evidence no longer counts moves
  to *needs re-review*. ``provide_capture`` attaches content by hand when a page cannot
  be fetched (an uploaded file is read first by ``provided``).

The publisher and domain are set once, from the registered domain, when the source is
created; capturing never touches them, so a publisher corrected by hand stays corrected.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from claims import jobs
from claims.confirmation import service as status
from claims.integrations import webhooks
from claims.models import Claim, Evidence, Source, SourceCapture
from claims.sources import publishers
from claims.sources.fetching import FetchResult, canonicalize_url, safe_fetch
from claims.text.quotes import check_quote as match_quote

if TYPE_CHECKING:
    from django.contrib.auth.models import User

log = logging.getLogger(__name__)

DEFAULT_RECHECK_AFTER_HOURS = 24
DEFAULT_RECHECK_BATCH_SIZE = 25
# The page is gone: not found, gone, or removed for legal reasons. Server errors, rate
# limits and refusals (403 from a bot blocker) are failures that leave the capture standing.
GONE_STATUSES = (404, 410, 451)
SUMMARY_CLIP = 80


# --- adding and capturing ---------------------------------------------------------------


def source_for_url(url: str, *, kind: str, by: User | None) -> Source:
    """The source for ``url`` (canonicalised); a new one is queued for capture."""
    canonical = canonicalize_url(url)
    domain = publishers.registered_domain(canonical)
    source, created = Source.objects.get_or_create(
        url=canonical,
        defaults={"publisher": domain, "domain": domain, "kind": kind, "created_by": by},
    )
    if created:
        enqueue_capture(source.pk)
    return source


def enqueue_capture(source_id: int) -> None:
    """The one sender of ``claims.capture_source``: once the current transaction commits.
    A broker that is down is logged; the source stays pending for ``requeue_pending``."""
    jobs.send_on_commit(
        "claims.capture_source",
        args=[source_id],
        if_down=f"source {source_id} waits for the sweeper",
    )


def requeue_pending(*, older_than: timedelta | None = None) -> list[int]:
    """Queue again the sources left ``pending`` (a new source, or one whose capture was
    re-queued by hand) for longer than ``WORKBENCH_PENDING_SOURCE_MINUTES``: their job
    was lost (the broker was down, or the worker died). Each is claimed by moving its
    ``updated_at`` first, so a source is re-queued at most once per period; a capture
    that is merely slow and then finishes does no harm (captures are idempotent)."""
    if older_than is None:
        older_than = timedelta(minutes=settings.WORKBENCH_PENDING_SOURCE_MINUTES)
    now = timezone.now()
    stale = Source.objects.filter(
        fetch_state=Source.FetchState.PENDING, updated_at__lt=now - older_than
    )
    requeued = []
    for pk, updated_at in stale.order_by("pk").values_list("pk", "updated_at")[:500]:
        claimed = Source.objects.filter(
            pk=pk, fetch_state=Source.FetchState.PENDING, updated_at=updated_at
        ).update(updated_at=now)
        if claimed == 1:
            enqueue_capture(pk)
            requeued.append(pk)
    return requeued


def retry_capture(source: Source, *, by: User | None = None) -> None:
    """Put a source back to "waiting to be fetched" and queue another capture."""
    source.fetch_state = Source.FetchState.PENDING
    source.fetch_error = ""
    source._change_reason = "capture re-queued"
    if by is not None:
        source._history_user = by
    source.save(update_fields=["fetch_state", "fetch_error", "updated_at"])
    enqueue_capture(source.pk)


def capture(source_id: int) -> str:
    """Fetch a source now; store the capture, or the honest reason it failed.

    Returns the outcome: ``captured`` (first text), ``unchanged``, ``changed``, ``dead``,
    ``failed``, ``refused`` (or ``missing`` for a deleted source). The fetch happens
    outside any transaction.
    """
    row = Source.objects.filter(pk=source_id).values_list("url", "link_state").first()
    if row is None:
        return "missing"  # deleted before the worker got to it
    outcome = _fetch_and_record(source_id, row[0])
    if outcome == "changed" or (outcome == "dead" and row[1] != Source.LinkState.DEAD):
        webhooks.source_event(source_id, outcome=outcome)
    return outcome


def _fetch_and_record(source_id: int, url: str) -> str:
    result = safe_fetch(url)
    if result.ok:
        home = _redirected_home(url, result.final_url)
        if home:
            return _record_failure(source_id, result, reason=home, dead=True)
        return _record_capture(source_id, result)
    dead = result.http_status in GONE_STATUSES or "could not resolve host" in result.reason
    return _record_failure(source_id, result, reason=result.reason, dead=dead)


def record_stopped(source_id: int, reason: str) -> str:
    """The capture job was stopped (its time limit): record that as the failure, so the
    source does not stay ``pending``."""
    url = Source.objects.filter(pk=source_id).values_list("url", flat=True).first()
    if url is None:
        return "missing"
    result = FetchResult("failed", reason, url, url)
    return _record_failure(source_id, result, reason=reason, dead=False)


def _redirected_home(url: str, final_url: str) -> str:
    """A reason when a deep link now lands on its site's home page, else ""."""
    asked, landed = urlsplit(url), urlsplit(final_url)
    if asked.path.strip("/") and not landed.path.strip("/") and not landed.query:
        return f"failed: the page now redirects to the site's home page ({final_url})"
    return ""


def citing(source_id: int) -> Callable[[], QuerySet[Claim]]:
    """The claims whose basis includes the source (evaluated under the basis lock)."""
    return lambda: Claim.objects.filter(evidence__source_id=source_id)


def _record_failure(source_id: int, result: FetchResult, *, reason: str, dead: bool) -> str:
    cause = f"source #{source_id} {result.status}: {reason}"
    with status.basis_change(citing(source_id), cause=cause) as change:
        source = Source.objects.select_for_update(no_key=True).get(pk=source_id)
        # Only a page that was captured can die; one never captured has failed.
        dead = dead and source.captures.exists()
        source.last_checked_at = timezone.now()
        source.http_status = result.http_status
        source.final_url = result.final_url or ""
        source.fetch_state = (
            Source.FetchState.REFUSED if result.status == "refused" else Source.FetchState.FAILED
        )
        source.fetch_error = reason
        if dead:
            source.link_state = Source.LinkState.DEAD
        source._change_reason = reason[:100]
        source.save()
        outcome = "dead" if dead else result.status
        change.cause = f"source {source.url} {outcome}: {reason}"
    log.info("source %s not captured: %s", source_id, reason)
    return outcome


def _record_capture(source_id: int, result: FetchResult) -> str:
    digest, now = result.text_sha256, timezone.now()
    with status.basis_change(citing(source_id), cause=f"source {source_id} re-captured") as change:
        source = Source.objects.select_for_update(no_key=True).get(pk=source_id)
        # Compared with the last *fetched* capture: a text provided by hand (a paywalled
        # page's full text) stays the latest while the fetch keeps giving the same teaser.
        latest = source.captures.filter(provided_by_name="").order_by("-fetched_at", "-pk").first()
        unchanged = latest is not None and latest.text_sha256 == digest
        if unchanged and _nothing_new(source, result):
            # A duplicate delivery or a routine re-check: only the check time moves.
            Source.objects.filter(pk=source_id).update(last_checked_at=now)
            return "unchanged"
        if not unchanged:
            wire, credit = publishers.detect_wire(result.text)
            SourceCapture.objects.create(
                source=source,
                fetched_at=now,
                http_status=result.http_status,
                final_url=result.final_url,
                title=result.title[:500],
                text_sha256=digest,
                text_compressed=SourceCapture.compress(result.text),
                wire=wire,
                wire_credit=credit,
            )
        outcome = _apply_capture(source, result, latest=latest, unchanged=unchanged, now=now)
        change.cause = f"source {source.url} {outcome}"
        _check_quotes(source)
    return outcome


def provide_capture(
    source: Source, *, text: str, by: User, provided_as: str, title: str = ""
) -> SourceCapture:
    """Attach a source's content by hand (a paywalled, offline or blocked page): it
    becomes the latest capture, marked as provided by ``by``, hashed and quote-checked
    like a fetched one."""
    text = text.strip()
    if not text:
        raise ValueError("The content is empty: paste the source's text or upload its file.")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    wire, credit = publishers.detect_wire(text)
    now = timezone.now()
    cause = f"content of {source.url} provided by {by}"
    with status.basis_change(citing(source.pk), cause=cause, by=by):
        source = Source.objects.select_for_update(no_key=True).get(pk=source.pk)
        capture = SourceCapture.objects.create(
            source=source,
            fetched_at=now,
            title=title[:500],
            text_sha256=digest,
            text_compressed=SourceCapture.compress(text),
            provided_by=by,
            provided_by_name=str(by)[:150],
            provided_as=provided_as[:200],
            wire=wire,
            wire_credit=credit,
        )
        source.fetch_state, source.fetch_error = Source.FetchState.OK, ""
        source.text_sha256, source.fetched_at = digest, now
        source.title = source.title or title[:500]
        source._history_user = by
        source._change_reason = f"content provided by {by} ({provided_as})"[:100]
        source.save()
        _check_quotes(source)
    return capture


def recheck_quotes(source: Source, *, cause: str, by: User | None = None) -> None:
    """Quote-check every excerpt from the source against its latest capture, and
    re-judge the claims that cite it, in one locked basis change."""
    with status.basis_change(citing(source.pk), cause=cause, by=by):
        _check_quotes(source)


def _check_quotes(source: Source) -> None:
    """The quote checks alone: only inside a ``basis_change`` over ``citing(source)``."""
    capture = latest_capture(source)
    text = capture.text if capture else None
    for evidence in source.evidence.all():
        check_quote(evidence, text=text, capture=capture)


def _nothing_new(source: Source, result: FetchResult) -> bool:
    return (
        source.fetch_state == Source.FetchState.OK
        and source.link_state in (Source.LinkState.ALIVE, Source.LinkState.CHANGED)
        and source.http_status == result.http_status
        and source.final_url == result.final_url
    )


def _apply_capture(
    source: Source,
    result: FetchResult,
    *,
    latest: SourceCapture | None,
    unchanged: bool,
    now: datetime,
) -> str:
    """Update the source row after a successful fetch; return the outcome name."""
    if latest is None:
        outcome, link_state = "captured", Source.LinkState.ALIVE
    elif unchanged:
        # A change stays flagged until someone acknowledges it (``acknowledge_change``).
        outcome = "unchanged"
        changed = source.link_state == Source.LinkState.CHANGED
        link_state = Source.LinkState.CHANGED if changed else Source.LinkState.ALIVE
    else:
        outcome, link_state = "changed", Source.LinkState.CHANGED
    source.fetch_state, source.fetch_error = Source.FetchState.OK, result.note
    source.link_state = link_state
    source.http_status, source.final_url = result.http_status, result.final_url
    source.content_type = result.content_type[:100]
    source.title = source.title or result.title[:500]
    source.published_at = source.published_at or result.published
    source.text_sha256 = result.text_sha256
    source.fetched_at = source.last_checked_at = now
    source._change_reason = f"capture: {outcome}"
    source.save()
    return outcome


def acknowledge_change(source: Source, *, by: User) -> None:
    """Someone has read what changed: the source counts as alive again."""
    if source.link_state != Source.LinkState.CHANGED:
        return
    source.link_state = Source.LinkState.ALIVE
    source._history_user = by
    source._change_reason = "change acknowledged"
    source.save(update_fields=["link_state", "updated_at"])


# --- captured text and quotes -------------------------------------------------------------


def latest_capture(source: Source) -> SourceCapture | None:
    return source.captures.order_by("-fetched_at", "-pk").first()


def latest_text(source: Source) -> str | None:
    capture = latest_capture(source)
    return capture.text if capture else None


def check_quote(
    evidence: Evidence, *, text: str | None = None, capture: SourceCapture | None = None
) -> None:
    """Look for the evidence excerpt in the source's latest capture, and record the
    result (with why it was not found, when a passage came close) with the hash of the
    text it was checked against."""
    score: float | None = None
    matched, reason, checked_sha = "", "", ""
    if text is None:
        capture = latest_capture(evidence.source)
        text = capture.text if capture else None
    check: str
    if not evidence.excerpt.strip():
        check = Evidence.QuoteCheck.NO_EXCERPT
    elif text is None:
        check = Evidence.QuoteCheck.UNCHECKED
    else:
        result = match_quote(evidence.excerpt, text)
        check, score, matched, reason = result.result, result.score, result.matched, result.reason
    if text is not None:
        checked_sha = capture.text_sha256 if capture else hashlib.sha256(text.encode()).hexdigest()
    fields = ["quote_check", "quote_score", "quote_matched", "quote_sha256", "quote_reason"]
    after = (check, score, matched, checked_sha, reason)
    if tuple(getattr(evidence, name) for name in fields) == after:
        return
    for name, value in zip(fields, after, strict=True):
        setattr(evidence, name, value)
    label = Evidence.QuoteCheck(check).label.lower()
    evidence._change_reason = f"quote check: {label}" + (f" ({reason})" if reason else "")
    evidence.save(update_fields=fields)


def change_summary(source: Source) -> str:
    """What changed between the two latest captures ("" with fewer than two)."""
    newest = list(source.captures.order_by("-fetched_at", "-pk")[:2])
    if len(newest) < 2:
        return ""
    return diff_summary(newest[1].text, newest[0].text)


def diff_summary(old: str, new: str) -> str:
    """``"3 words changed; removed: '12 million' added: '15 million'"``, word by word."""
    before, after = old.split(), new.split()
    matcher = difflib.SequenceMatcher(None, before, after)
    count, removed, added = 0, [], []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        count += max(i2 - i1, j2 - j1)
        if i2 > i1:
            removed.append(" ".join(before[i1:i2]))
        if j2 > j1:
            added.append(" ".join(after[j1:j2]))
    if not count:
        return "only spacing changed"
    details = []
    if removed:
        details.append(f"removed: {_quoted(removed)}")
    if added:
        details.append(f"added: {_quoted(added)}")
    return f"{count} word{'' if count == 1 else 's'} changed; " + " ".join(details)


def _quoted(pieces: list[str]) -> str:
    first = pieces[0]
    shown = first if len(first) <= SUMMARY_CLIP else first[: SUMMARY_CLIP - 1] + "…"
    more = f" (and {len(pieces) - 1} more)" if len(pieces) > 1 else ""
    return f"'{shown}'{more}"


# --- link rot and drift -------------------------------------------------------------------


def due_for_recheck(*, older_than: timedelta | None = None) -> QuerySet[Source]:
    """Sources not checked within ``older_than`` (``WORKBENCH_RECHECK_AFTER_HOURS``).

    A refused re-check (content type, size, a redirect loop) is tried again on the same
    schedule: a page that refused once may die later, and only a person stops a source's
    checks (``stop_checks``)."""
    if older_than is None:
        hours = getattr(settings, "WORKBENCH_RECHECK_AFTER_HOURS", DEFAULT_RECHECK_AFTER_HOURS)
        older_than = timedelta(hours=hours)
    cutoff = timezone.now() - older_than
    return (
        Source.objects.filter(checks_stopped=False)
        .filter(Q(last_checked_at__isnull=True) | Q(last_checked_at__lt=cutoff))
        .order_by(F("last_checked_at").asc(nulls_first=True), "pk")
    )


def edit_source(*, source: Source, changes: dict[str, Any], by: User) -> None:
    """A person edits a source's details (publisher, kind, title) in the admin: only those
    fields are written, and the claims citing it are re-judged (its publisher decides
    whether it is independent of each article)."""
    with status.basis_change(citing(source.pk), cause="source edited", by=by) as change:
        fresh = Source.objects.select_for_update(no_key=True).get(pk=source.pk)
        changes = {k: v for k, v in changes.items() if getattr(fresh, k) != v}
        if not changes:
            return
        cause = change.cause = f"source {source.url}: {', '.join(sorted(changes))} edited by {by}"
        for name, value in changes.items():
            setattr(fresh, name, value)
        fresh._history_user = by
        fresh._change_reason = cause[:100]
        fresh.save(update_fields=[*sorted(changes), "updated_at"])


def stop_checks(source: Source, *, by: User, stop: bool = True) -> None:
    """A person stops (or resumes) a source's link checks."""
    source.checks_stopped = stop
    source._history_user = by
    source._change_reason = f"link checks {'stopped' if stop else 'resumed'} by {by}"
    source.save(update_fields=["checks_stopped", "updated_at"])


def recheck_due(*, older_than: timedelta | None = None, limit: int | None = None) -> Counter[str]:
    """Re-capture one batch of sources due for a check; count the outcomes."""
    if limit is None:
        limit = getattr(settings, "WORKBENCH_RECHECK_BATCH_SIZE", DEFAULT_RECHECK_BATCH_SIZE)
    due = list(due_for_recheck(older_than=older_than).values_list("pk", flat=True)[:limit])
    return Counter(capture(source_id) for source_id in due)
