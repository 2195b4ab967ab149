"""Articles in, claims out: submission, the extraction job's body, revisions, the sweeper.

The article row is the truth about a job. It is saved before its message is sent; the
worker claims it with a conditional UPDATE (queued -> processing, counting the attempt),
runs the pipeline outside any transaction, and writes the claims and the final state in
one transaction *fenced* by that attempt number: if the sweeper handed the article to
another worker meanwhile, the stale attempt writes nothing. Redelivered or duplicated
messages therefore never create a second set of claims.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from claims import jobs, nlp
from claims.confirmation import service as status
from claims.ingest import copying, headlines, speakers
from claims.integrations import webhooks
from claims.models import Article, ArticleRevision, Claim, ClaimEvent, EventKind
from claims.models.events import event, record_many
from claims.nlp import Extraction, InputRefused
from claims.sources.publishers import registered_domain
from claims.text import anchoring, normalising
from claims.text.cleaning import clean_line, is_http_url

if TYPE_CHECKING:
    from django.contrib.auth.models import User

log = logging.getLogger(__name__)


class ArticleRejected(ValueError):
    """Input that cannot become an article, with a message for the person who sent it."""


SKIPPED = "skipped: not queued (already done, in progress, or superseded)"


class StaleAttempt(Exception):
    """Another attempt owns the article now; this one must not write."""


# --- Submission -------------------------------------------------------------------------


def check_text(text: str) -> str:
    """The text as it will be stored (``\n`` line endings, NFC: ``normalising.for_storage``), or
    ``ArticleRejected`` saying why not. Every way in (paste, upload, edit, URL fetch,
    ``manage.py ingest``) passes here."""
    if "\x00" in text:
        raise ArticleRejected("The text contains NUL bytes: is it a binary file?")
    text = normalising.for_storage(text)
    if not text.strip():
        raise ArticleRejected("The article is empty.")
    size = len(text.encode("utf-8"))
    limit = settings.WORKBENCH_MAX_ARTICLE_BYTES
    if size > limit:
        raise ArticleRejected(
            f"The article is too large: {size:,} bytes ({size / 1_048_576:.1f} MB); the limit "
            f"is {limit:,} bytes ({limit / 1_048_576:g} MB). Shorten it or split it in parts."
        )
    return text


def decode_upload(name: str, data: bytes) -> str:
    """Text of an uploaded .txt, .md or .html file (HTML reduced to its main text)."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in {"txt", "md", "html", "htm"}:
        raise ArticleRejected(f"Cannot read .{suffix or '?'} files: upload .txt, .md or .html.")
    if b"\x00" in data:
        raise ArticleRejected(f"{name} looks like a binary file, not text.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleRejected(
            f"{name} is not UTF-8 text (byte {exc.start} cannot be read); save it as UTF-8."
        ) from None
    if suffix in {"html", "htm"}:
        text = nlp.extract_main_text(text)
        if not text.strip():
            raise ArticleRejected(f"No article text was found in {name}.")
    return text


def submit_article(
    *,
    title: str,
    by: User | None,
    text: str = "",
    fetch_url: str = "",
    outlet: str = "",
    url: str = "",
    published_at: date | datetime | None = None,
    origin: str = Article.Origin.PASTE,
) -> Article:
    """Save a new article and queue its extraction (after commit). A job the broker
    refuses leaves the article queued for the sweeper; ``jobs.unsent()`` tells."""
    if fetch_url:
        origin, url = Article.Origin.URL, url or fetch_url
    else:
        text = check_text(text)
    if url and not is_http_url(url):
        raise ArticleRejected(f"Only http:// and https:// URLs are accepted, not {url[:80]!r}.")
    title, outlet = clean_line(title).strip(), clean_line(outlet).strip()
    with transaction.atomic():
        article = Article.objects.create(
            title=title or _title_from(text, url),
            outlet=outlet,
            outlet_domain=registered_domain(url),
            url=url,
            published_at=as_instant(published_at),
            origin=origin,
            body=text,
            created_by=by,
        )
        ArticleRevision.objects.create(article=article, number=1, body=text, created_by=by)
    enqueue(article)
    return article


def as_instant(value: date | datetime | None) -> datetime | None:
    """When a story was published, as an aware instant: a bare date (a form's, a feed's)
    is midnight UTC of that day; a naive date-time is taken as UTC."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        return datetime.combine(value, datetime.min.time(), tzinfo=UTC)
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)


def _title_from(text: str, url: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else url
    return clean_line(first[:120]).strip() or "Untitled article"


def enqueue(article: Article) -> None:
    """Send the extraction job once the current transaction commits. A broker that is
    down is logged (``jobs.unsent()`` sees it): the saved article stays queued and the
    sweeper sends it again later."""
    jobs.send_on_commit(
        "claims.extract_claims",
        args=[article.pk, article.revision],
        if_down=f"article {article.pk} stays queued for the sweeper",
    )


# --- The extraction job -----------------------------------------------------------------


@dataclass
class Attempt:
    article_id: int
    revision: int
    number: int

    def owns(self) -> Any:
        """A queryset of the article, empty unless this attempt still owns it."""
        return Article.objects.filter(
            pk=self.article_id,
            revision=self.revision,
            state=Article.State.PROCESSING,
            attempts=self.number,
        )


def claim_job(article_id: int, revision: int) -> Attempt | None:
    """Take the article (queued -> processing); None when it is not ours to process.

    One ``UPDATE … RETURNING`` (PostgreSQL; SQLite from 3.35): every job runs it, and
    the ORM's update, a read of the attempt's number and their transaction cost the
    job more CPU than the statement costs the database. Elsewhere, the ORM's two."""
    now = timezone.now()
    if not connection.features.can_return_columns_from_insert:
        with transaction.atomic():
            taken = Article.objects.filter(
                pk=article_id, revision=revision, state=Article.State.QUEUED
            ).update(
                state=Article.State.PROCESSING, attempts=F("attempts") + 1, started_at=now,
                progress_done=0, progress_total=0, error="",
            )  # fmt: skip
            if taken != 1:
                return None
            number = Article.objects.values_list("attempts", flat=True).get(pk=article_id)
        return Attempt(article_id, revision, number)
    started = connection.ops.adapt_datetimefield_value(now)
    params = [Article.State.PROCESSING, started, article_id, revision, Article.State.QUEUED]
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL, params)
        row = cursor.fetchone()
    return None if row is None else Attempt(article_id, revision, row[0])


_CLAIM_SQL = (
    f"UPDATE {Article._meta.db_table} SET state = %s, attempts = attempts + 1, "
    "started_at = %s, progress_done = 0, progress_total = 0, error = '' "
    "WHERE id = %s AND revision = %s AND state = %s RETURNING attempts"
)


def run_extraction(article_id: int, revision: int) -> str:
    """The body of ``claims.extract_claims``. Returns what happened, for the log."""
    attempt = claim_job(article_id, revision)
    if attempt is None:
        return SKIPPED
    return process(attempt)


def process(attempt: Attempt) -> str:
    """Fetch (URL articles), extract and write the claims of a claimed article."""
    article = Article.objects.get(pk=attempt.article_id)
    try:
        if article.origin == Article.Origin.URL and not article.body:
            text = fetch_article_text(article, attempt)
        else:
            text = article.body
        extraction = _extract(text, progress=_progress_writer(attempt))
        with transaction.atomic():
            owned = attempt.owns().select_for_update(no_key=True).values_list("title", "body")
            current = owned.first()  # the title as it is now (it may have been edited)
            if current is None:
                raise StaleAttempt
            title, text = current
            extraction = headlines.without_headline(extraction, title, text)
            written = write_claims(article, extraction, text=text)
            attempt.owns().update(
                headline_mismatches=headlines.mismatches_of(
                    title, text, article.revision, written.claims
                ),
                state=Article.State.DONE,
                finished_at=timezone.now(),
                progress_done=F("progress_total"),  # the last block's write is left to this
                dropped=[_plain(item) for item in extraction.dropped],
                pipeline_version=extraction.pipeline_version,
            )
            webhooks.article_event("article.extracted", attempt.article_id)  # on commit
    except (ArticleRejected, InputRefused) as exc:
        mark_failed(attempt, str(exc))
        return f"failed: {exc}"
    except StaleAttempt:
        return "discarded: another attempt took over the article"
    jobs.send_on_commit(
        "claims.match_claims",
        args=[attempt.article_id],
        if_down=f"article {attempt.article_id} not matched until it is extracted again",
    )
    return (
        f"done: {written.created} new claims, {written.kept} carried over, "
        f"{written.orphaned} orphaned"
    )


def _extract(text: str, *, progress: Callable[[int, int], None]) -> Extraction:
    return nlp.extract(  # spaCy is loaded here, on the first extraction
        text,
        model=settings.WORKBENCH_SPACY_MODEL,
        threshold=settings.WORKBENCH_CHECKWORTHY_THRESHOLD,
        progress=progress,
    )


def _progress_writer(attempt: Attempt) -> Callable[[int, int], None]:
    """At most one UPDATE (one commit) per half second; none for the last block, which
    the final UPDATE to *done* records (a short article costs one progress write)."""
    last = [0.0]

    def write(done: int, total: int) -> None:
        now = time.monotonic()
        if (done == total and done > 0) or now - last[0] < 0.5:
            return
        last[0] = now
        attempt.owns().update(progress_done=min(done, total), progress_total=total)

    return write


def fetch_article_text(article: Article, attempt: Attempt) -> str:
    """Fetch a URL article's page through the safe fetcher and store its main text."""
    from claims.sources.fetching import safe_fetch

    result = safe_fetch(article.url)
    if result.status != "ok":
        raise ArticleRejected(f"Could not fetch {article.url}: {result.reason}")
    text = check_text(result.text) if result.text.strip() else ""
    if not text:
        raise ArticleRejected(f"No article text was found at {result.final_url}.")
    with transaction.atomic():
        if not attempt.owns().exists():
            raise StaleAttempt
        fetched_title = clean_line(result.title or "").strip()[:300]
        title = article.title if article.title != article.url else (fetched_title or article.title)
        Article.objects.filter(pk=article.pk).update(body=text, title=title)
        ArticleRevision.objects.filter(article=article, number=article.revision).update(body=text)
    return text


def mark_failed(attempt: Attempt, message: str) -> None:
    now = timezone.now()
    if attempt.owns().update(state=Article.State.FAILED, error=message, finished_at=now):
        webhooks.article_event("article.failed", attempt.article_id)  # on commit


def release(attempt: Attempt) -> None:
    """Hand the article back to the queue (before a retry of a transient failure)."""
    attempt.owns().update(state=Article.State.QUEUED, queued_at=timezone.now())


# --- Writing claims: new ones, carried-over ones, orphans ---------------------------------


@dataclass(frozen=True)
class Written:
    created: int
    kept: int  # carried over
    orphaned: int
    claims: list[Claim]  # all the article's claims, as written


def write_claims(article: Article, extraction: Extraction, *, text: str | None = None) -> Written:
    """Re-anchor earlier claims in the current text (``text``: the article's, read when
    not given), then add the new ones, and link all to their speaker records.

    Nothing is deleted. The article's claims are locked first and re-judged after
    (``basis_change``): a claim confirmed or unconfirmed meanwhile keeps that status,
    and each changed claim is saved once, with only the fields the pipeline owns and
    the reason in its history. New claims are written with their speaker record.
    """
    if text is None:
        text = Article.objects.values_list("body", flat=True).get(pk=article.pk)
    cause = f"claims re-anchored in revision {article.revision}"
    with status.basis_change(article.claims.all(), cause=cause) as change:
        live = sorted(
            (c for c in change.claims.values() if not c.orphaned), key=lambda c: (c.start, c.pk)
        )
        dirty: dict[int, set[str]] = {}
        events: list[ClaimEvent] = []
        reasons = _reanchor(live, text, article.revision, dirty, events)
        carried = len(reasons)
        live = [claim for claim in live if not claim.orphaned]
        # Claims shaped by hand (split, merged, created from a selection) keep their shape:
        # the pipeline neither re-analyses them nor adds a claim over the same words.
        shaped = [c for c in live if c.origin != Claim.Origin.EXTRACTED]
        by_anchor = {(c.start, c.end): c for c in live if c.origin == Claim.Origin.EXTRACTED}
        created = []
        for item in extraction.claims:
            if any(c.start < item.end and item.start < c.end for c in shaped):
                continue
            claim = by_anchor.pop((item.start, item.end), None) or _overlapping(by_anchor, item)
            fields = _claim_fields(item) | {"pipeline_version": extraction.pipeline_version}
            if claim is None:
                created.append(Claim(article=article, revision=article.revision, **fields))
            else:
                changed = _update(claim, fields)
                if changed:
                    dirty.setdefault(claim.pk, set()).update(changed)
                    reasons[claim.pk] = reasons.get(claim.pk, "") + "re-analysed by the pipeline"
        for claim in live:
            if claim.pk in reasons:
                claim._change_reason = reasons[claim.pk].rstrip("; ")
                claim.save(update_fields=sorted(dirty.get(claim.pk, set()) | {"updated_at"}))
        relinked = speakers.link_claims([*change.claims.values(), *created])
        Claim.objects.bulk_update(relinked, ["speaker_record"], batch_size=500)
        extracted = f"extracted from revision {article.revision}"
        created = copying.create_with_history(created, reason=extracted)
        events += [
            event(claim, EventKind.EXTRACTED, sentence=extracted, revision=article.revision,
                  start=claim.start, end=claim.end)
            for claim in created
        ]  # fmt: skip
        record_many(events)  # one INSERT for the revision's extracted, moved and lost claims
    orphaned = sum(1 for item in events if item.kind == EventKind.ORPHANED)
    claims = [*change.claims.values(), *created]
    return Written(len(created), carried - orphaned, orphaned, claims)


def _plain(record: Any) -> dict[str, Any]:
    """A flat record of ``claims.nlp`` (str, int, float fields) as a dict: what
    ``dataclasses.asdict`` gives, without its recursive deep copy of every value."""
    return dict(vars(record))


def _claim_fields(item: Any) -> dict[str, Any]:
    attribution = item.attribution
    return {
        "sentence_index": item.sentence_index,
        "text": item.text,
        "start": item.start,
        "end": item.end,
        "prefix": anchoring.clip_prefix(item.prefix),
        "suffix": anchoring.clip_suffix(item.suffix),
        "occurrences": [list(pair) for pair in item.occurrences],
        "checkworthiness": min(1.0, max(0.0, item.checkworthiness)),
        "check_worthy": item.check_worthy,
        "checkworthiness_model": "",
        "claim_type": item.claim_type,
        "hedged": item.hedged,
        "hedge_cues": [_plain(cue) for cue in item.hedge_cues],
        "speaker": attribution.speaker[:200] if attribution else "",
        "attribution": _plain(attribution) if attribution else None,
        "entities": [_plain(entity) for entity in item.entities],
        "factuality": item.factuality,
        "factuality_cues": [_plain(cue) for cue in item.factuality_cues],
        "attributions": [_plain(a) for a in item.attributions],
        "standalone": item.standalone,
    }


# Set by the background refinement (``claims.embeddings``), from the claim's text alone.
REFINED_FIELDS = ("checkworthiness", "check_worthy", "checkworthiness_model")


def _update(claim: Claim, fields: dict[str, Any]) -> set[str]:
    """Set the fields that differ, except those a person corrected, and the refined
    check-worthiness of a claim whose text is unchanged; the names of those set."""
    kept = set(claim.corrected_fields)
    if claim.checkworthiness_model and claim.text == fields["text"]:
        kept.update(REFINED_FIELDS)
    changed = {
        name: value
        for name, value in fields.items()
        if name not in kept and getattr(claim, name) != value
    }
    for name, value in changed.items():
        setattr(claim, name, value)
    return set(changed)


def _overlapping(by_anchor: dict[tuple[int, int], Claim], item: Any) -> Claim | None:
    """A carried-over claim that covers mostly the same characters as ``item``."""
    for (start, end), claim in by_anchor.items():
        overlap = min(end, item.end) - max(start, item.start)
        if overlap > 0.8 * max(end - start, item.end - item.start):
            del by_anchor[(start, end)]
            return claim
    return None


def _reanchor(
    claims: Iterable[Claim],
    text: str,
    revision: int,
    dirty: dict[int, set[str]],
    events: list[ClaimEvent],
) -> dict[int, str]:
    """Move claims of earlier revisions to where their text is now (unsaved; the fields
    set are added to ``dirty``), or mark them orphaned (saved); their events are added
    to ``events`` (unsaved). Returns the history reason for each claim it touched."""
    reasons = {}
    claims = list(claims)
    taken = {(c.start, c.end) for c in claims if c.revision == revision}
    for claim in claims:
        if claim.revision == revision:
            continue
        anchor = anchoring.find(
            text, claim.text, prefix=claim.prefix, suffix=claim.suffix, hint=claim.start
        )
        if anchor is not None and (anchor.start, anchor.end) in taken:
            anchor = None  # another claim already stands on exactly these words
        if anchor is None:
            claim.orphaned = True
            reasons[claim.pk] = f"orphaned: text not found in revision {revision}"
            claim._change_reason = reasons[claim.pk].rstrip("; ")
            claim.save(update_fields=["orphaned", "updated_at"])
            events.append(event(claim, EventKind.ORPHANED, sentence=reasons[claim.pk],
                                revision=revision, old_revision=claim.revision,
                                old_start=claim.start, old_end=claim.end))  # fmt: skip
            continue
        taken.add((anchor.start, anchor.end))
        old: dict[str, Any] = {
            "old_revision": claim.revision,
            "old_start": claim.start,
            "old_end": claim.end,
        }
        claim.start, claim.end, claim.revision = anchor.start, anchor.end, revision
        claim.text = text[anchor.start : anchor.end]
        claim.prefix, claim.suffix = anchoring.context(text, anchor.start, anchor.end)
        dirty.setdefault(claim.pk, set()).update(
            {"start", "end", "revision", "text", "prefix", "suffix"}
        )
        how = "exactly" if anchor.exact else "approximately"
        reasons[claim.pk] = f"re-anchored {how} in revision {revision}; "
        events.append(event(claim, EventKind.REANCHORED, sentence=reasons[claim.pk][:-2],
                            revision=revision, start=anchor.start, end=anchor.end,
                            exact=anchor.exact, **old))  # fmt: skip
    return reasons


# --- Revisions ----------------------------------------------------------------------------


class StaleRevision(ArticleRejected):
    """The edit was based on an older revision than the article's current one."""

    def __init__(self, basis: int, current: int) -> None:
        super().__init__(
            f"Not saved: this edit was based on revision {basis}, but someone saved revision "
            f"{current} since. Compare the two, merge the changes you want to keep, and save "
            f"again."
        )
        self.basis, self.current = basis, current


def revise_article(
    *, article: Article, text: str, by: User | None, basis: int | None = None
) -> None:
    """Store a new revision of the text and queue its extraction (claims re-anchor then).

    ``basis`` is the revision the edit was made on: when another revision was saved
    since, nothing is saved and ``StaleRevision`` says so (compared under the article's
    row lock, so of two edits of the same revision exactly one is saved).

    The article's claims are locked and re-judged with the new text: a confirmed claim
    whose words are gone lapses at once, not only when the worker re-anchors it, so no
    export shows it confirmed in between, and no confirm can slip in between."""
    text = check_text(text)
    if text == article.body and (basis is None or basis == article.revision):
        raise ArticleRejected("The text is unchanged.")
    with transaction.atomic():
        article = Article.objects.select_for_update(no_key=True).get(pk=article.pk)
        if basis is not None and basis != article.revision:
            raise StaleRevision(basis, article.revision)
        if text == article.body:
            raise ArticleRejected("The text is unchanged.")
        cause = f"text edited (revision {article.revision + 1})"
        with status.basis_change(article.claims.all(), cause=cause, by=by):
            article.revision += 1
            article.body = text
            ArticleRevision.objects.create(
                article=article, number=article.revision, body=text, created_by=by
            )
            # the headline check reads the new text (no history row: requeue saves one)
            Article.objects.filter(pk=article.pk).update(revision=article.revision, body=text)
            article.headline_mismatches = headlines.mismatches(article.pk, parsed=False)
            article.requeue(by=by, reason=f"text edited: revision {article.revision}")
    enqueue(article)


def edit_details(*, article: Article, changes: dict[str, Any], by: User) -> None:
    """A person edits an article's details (title, outlet, URL, date) in the admin: only
    those fields are written, and its claims are re-judged (the outlet and URL say who
    published it, so which sources are independent of it)."""
    with transaction.atomic():
        fresh = Article.objects.select_for_update(no_key=True).get(pk=article.pk)
        changes = {k: v for k, v in changes.items() if getattr(fresh, k) != v}
        if not changes:
            return
        cause = f"the article's {' and '.join(sorted(changes))} changed in the admin"
        with status.basis_change(fresh.claims.all(), cause=cause, by=by):
            for name, value in changes.items():
                setattr(fresh, name, value)
            fields = [*sorted(changes), "updated_at"]
            if "title" in changes:  # the headline check compares the title with the text
                Article.objects.filter(pk=fresh.pk).update(title=fresh.title)
                done = fresh.state == Article.State.DONE
                fresh.headline_mismatches = headlines.mismatches(fresh.pk, parsed=done)
                fields.append("headline_mismatches")
            fresh._history_user = by
            fresh._change_reason = cause
            fresh.save(update_fields=fields)


# --- The sweeper --------------------------------------------------------------------------


def requeue_stuck(*, older_than: timedelta | None = None) -> list[int]:
    """Re-send articles left queued, or processing, for longer than the timeout.

    Safe when the article is in fact still being processed: the stale attempt's writes
    are fenced off, and the new attempt does the whole job once.
    """
    if older_than is None:
        older_than = timedelta(seconds=settings.WORKBENCH_STUCK_AFTER_SECONDS)
    cutoff = timezone.now() - older_than
    stuck = Article.objects.filter(
        Q(state=Article.State.QUEUED, queued_at__lte=cutoff)
        | Q(state=Article.State.PROCESSING, started_at__lte=cutoff)
    ).values_list("pk", "state", "attempts")
    requeued = []
    for pk, state, attempts in stuck:
        updated = Article.objects.filter(pk=pk, state=state, attempts=attempts).update(
            state=Article.State.QUEUED, queued_at=timezone.now()
        )
        if updated == 1:
            with jobs.unsent() as unsent:
                enqueue(Article.objects.get(pk=pk))
            if not unsent:
                requeued.append(pk)
    return requeued


# --- No duplicates, no dead ends ------------------------------------------------------------

DUPLICATE_WINDOW = timedelta(days=30)


def submitted(key: str) -> Article | None:
    """The article a form with the one-time ``key`` created, if it was sent before."""
    return Article.objects.filter(submission_key=key).first() if key else None


def submit_once(*, key: str, by: User | None, **fields: Any) -> tuple[Article, bool]:
    """``submit_article`` for a form carrying a one-time ``key``: the first send creates
    the article (True), a second send of the same form opens it (False). Two sends at
    once cannot both create one: the key is unique, and the loser's article and job are
    rolled back."""
    earlier = submitted(key)
    if earlier is not None:
        return earlier, False
    try:
        with transaction.atomic():
            article = submit_article(by=by, **fields)
            if key:
                Article.objects.filter(pk=article.pk).update(submission_key=key)
    except IntegrityError:
        return Article.objects.get(submission_key=key), False
    return article, True


def duplicate_of(text: str, *, now: datetime | None = None) -> Article | None:
    """The newest article (not archived) of the last 30 days whose text is ``text``
    (as stored, give or take the white space around it)."""
    since = (now or timezone.now()) - DUPLICATE_WINDOW
    recent = Article.objects.filter(created_at__gte=since, archived_at__isnull=True)
    text = normalising.for_storage(text)
    same = {text, text.strip(), text.strip() + "\n"}
    return recent.filter(body__in=same).defer(*Article.TEXT_FIELDS).first()


def retry_failed(*, article: Article, by: User, url: str = "", text: str = "") -> Article:
    """Give a failed article another URL to fetch, or its text pasted by hand: a new
    revision is recorded and its extraction queued (after commit)."""
    if bool(url) == bool(text):
        raise ArticleRejected("Give another URL or paste the text (one of the two).")
    if url and not is_http_url(url):
        raise ArticleRejected(f"Only http:// and https:// URLs are accepted, not {url[:80]!r}.")
    text = check_text(text) if text else ""
    with transaction.atomic():
        article = Article.objects.select_for_update(no_key=True).get(pk=article.pk)
        if article.state != Article.State.FAILED:
            raise ArticleRejected("Only a failed article can be retried with new input.")
        how = f"fetch {url}" if url else "pasted text"
        cause = f"retried with {how} (revision {article.revision + 1})"
        with status.basis_change(article.claims.all(), cause=cause, by=by):
            article.revision += 1
            article.body = text
            if url:
                article.url, article.outlet_domain = url, registered_domain(url)
            article.origin = Article.Origin.URL if url else Article.Origin.PASTE
            ArticleRevision.objects.create(
                article=article, number=article.revision, body=text, created_by=by
            )
            article.headline_mismatches = []  # compared again when the new input is read
            article.requeue(by=by, reason=cause)
    enqueue(article)
    return article


def archive_article(*, article: Article, by: User, archived: bool = True) -> bool:
    """Hide an article from the lists (``archived=False`` brings it back); it is kept,
    with its claims, records and history. False when it already was."""
    with transaction.atomic():
        fresh = Article.objects.select_for_update(no_key=True).get(pk=article.pk)
        if (fresh.archived_at is not None) == archived:
            return False
        fresh.archived_at = timezone.now() if archived else None
        fresh._history_user = by
        fresh._change_reason = "archived" if archived else "brought back from the archive"
        fresh.save(update_fields=["archived_at", "updated_at"])
    article.archived_at = fresh.archived_at
    return True
