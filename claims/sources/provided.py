"""Content provided by hand for a source: a file read on a budget, or pasted text.

- ``read_provided_file`` reads an upload the way a fetched page of its type is read. A
  PDF or HTML file is read in a subprocess under the ``WORKBENCH_PARSE_*`` limits, and a
  PDF over ``WORKBENCH_PDF_MAX_PAGES`` pages or ``WORKBENCH_PDF_MAX_STREAM_MB`` of content
  is refused before it is read (``reader``); text is cut at
  ``WORKBENCH_CAPTURE_MAX_CHARS``, and the note says so.
- ``submit_file`` keeps a PDF or HTML upload as a ``ProvidedFile`` and queues
  ``claims.read_provided_file``; ``read_pending`` (the job) claims the row, reads it and
  saves the capture (``capture.provide_capture``) or records why it could not;
  ``requeue_waiting`` (beat) sends it again for an upload the broker or a worker lost.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from claims import jobs
from claims.models import ProvidedFile, Source
from claims.sources import reader
from claims.sources.capture import provide_capture
from claims.sources.fetching import Extracted, decode_text

if TYPE_CHECKING:
    from django.contrib.auth.models import User

SUFFIXES = {"pdf", "html", "htm", "txt", "md"}
# Read in a job, in a subprocess on a budget; text files are cheap and read at once.
BACKGROUND_KINDS = {"pdf": "pdf", "html": "html", "htm": "html"}
# A row left ``reading`` this long after the wall-clock limit lost its worker.
STALE_AFTER = timedelta(seconds=60)


def _suffix(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def limits() -> reader.Limits:
    return reader.Limits(
        cpu_seconds=settings.WORKBENCH_PARSE_CPU_SECONDS,
        memory_mb=settings.WORKBENCH_PARSE_MEMORY_MB,
        wall_seconds=settings.WORKBENCH_PARSE_WALL_SECONDS,
        max_pages=settings.WORKBENCH_PDF_MAX_PAGES,
        max_stream_bytes=settings.WORKBENCH_PDF_MAX_STREAM_MB * reader.MEGABYTE,
        max_chars=settings.WORKBENCH_CAPTURE_MAX_CHARS,
    )


def check_readable(name: str) -> None:
    """``ValueError`` when a file of this type cannot be read at all."""
    suffix = _suffix(name)
    if suffix not in SUFFIXES:
        raise ValueError(f"Cannot read .{suffix or '?'} files: upload a PDF, HTML or text file.")


def reads_in_background(name: str) -> bool:
    return _suffix(name) in BACKGROUND_KINDS


def read_provided_file(name: str, data: bytes) -> Extracted:
    """Text, title and note (the text was cut) of a file a person uploaded as a source's
    content; ``ValueError`` saying why it cannot be read."""
    check_readable(name)
    kind = BACKGROUND_KINDS.get(_suffix(name))
    if kind is not None:
        try:
            extracted = reader.read_in_subprocess(kind, data, limits())
        except ValueError as exc:
            raise ValueError(f"{name} was not read: {exc}.") from None
    else:
        if b"\x00" in data:
            raise ValueError(f"{name} looks like a binary file, not text.")
        text, note = cut(decode_text(data, None))
        extracted = Extracted(text=text, note=note)
    if not extracted.text.strip():
        raise ValueError(f"No text could be read from {name}: {extracted.note or 'it is empty'}.")
    return extracted


def cut(text: str) -> tuple[str, str]:
    """Text cut at ``WORKBENCH_CAPTURE_MAX_CHARS``, and the note saying so."""
    return reader.cut(text, settings.WORKBENCH_CAPTURE_MAX_CHARS)


def described(provided_as: str, note: str) -> str:
    """What a capture was provided as, with the note of what was done to its text (read
    text has a note only when it was cut): "report.pdf, cut at 2,000,000 characters"."""
    return f"{provided_as[:160]}, {note}" if note else provided_as


# --- the job -----------------------------------------------------------------------------


def submit_file(source: Source, *, name: str, data: bytes, title: str, by: User) -> ProvidedFile:
    """Keep an upload to read in the background, and queue the job after commit."""
    check_readable(name)
    pending = ProvidedFile.objects.create(
        source=source, name=name[:200], data=data, size=len(data), title=title[:500],
        provided_by=by,
    )  # fmt: skip
    enqueue_read(pending.pk)
    return pending


def enqueue_read(provided_id: int) -> None:
    """The one sender of ``claims.read_provided_file``: once the current transaction
    commits (at once outside one). A broker that is down is logged (``jobs.unsent()``
    sees it); the upload waits for ``requeue_waiting``."""
    jobs.send_on_commit(
        "claims.read_provided_file",
        args=[provided_id],
        if_down=f"provided file {provided_id} waits to be read",
    )


def claim(provided_id: int) -> bool:
    """Take the row for this job: waiting, or left reading by a lost worker."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.WORKBENCH_PARSE_WALL_SECONDS) - STALE_AFTER
    waiting = Q(state=ProvidedFile.State.PENDING)
    lost = Q(state=ProvidedFile.State.READING, started_at__lt=stale)
    rows = ProvidedFile.objects.filter(waiting | lost, pk=provided_id)
    return rows.update(state=ProvidedFile.State.READING, started_at=now) == 1


def read_pending(provided_id: int) -> str:
    """Read a waiting upload (outside any transaction) and save it as the source's
    capture, or record why it could not be. Returns ``done``, ``failed`` or ``skipped``
    (another job has it, or it is finished)."""
    if not claim(provided_id):
        return "skipped"
    pending = ProvidedFile.objects.select_related("source", "provided_by").get(pk=provided_id)
    if pending.provided_by is None:
        return _finish(pending, error="the person who uploaded it no longer has an account")
    try:
        content = read_provided_file(pending.name, bytes(pending.data))
        with transaction.atomic():
            provide_capture(
                pending.source, text=content.text, by=pending.provided_by,
                provided_as=described(pending.name, content.note),
                title=pending.title or content.title,
            )  # fmt: skip
            return _finish(pending, note=content.note)
    except ValueError as exc:
        return _finish(pending, error=str(exc))


def give_up(provided_id: int, reason: str) -> None:
    """The job was stopped (its time limit): the upload failed, with the reason."""
    ProvidedFile.objects.filter(pk=provided_id, state=ProvidedFile.State.READING).update(
        state=ProvidedFile.State.FAILED, error=reason, data=b"", finished_at=timezone.now()
    )


def requeue_waiting() -> list[int]:
    """Send the job again for uploads still waiting, or left reading by a lost worker,
    well after the wall-clock limit (the broker was down, a worker died). A job sent
    twice reads the file once: the second finds the row taken (``claim``)."""
    stale = timezone.now() - timedelta(seconds=settings.WORKBENCH_PARSE_WALL_SECONDS) - STALE_AFTER
    waiting = ProvidedFile.objects.filter(
        Q(state=ProvidedFile.State.PENDING, created_at__lt=stale)
        | Q(state=ProvidedFile.State.READING, started_at__lt=stale)
    )
    sent = []
    for pk in waiting.values_list("pk", flat=True):
        with jobs.unsent() as unsent:  # beat runs this outside a transaction: sent at once
            enqueue_read(pk)
        if not unsent:
            sent.append(pk)
    return sent


def _finish(pending: ProvidedFile, *, error: str = "", note: str = "") -> str:
    state = ProvidedFile.State.FAILED if error else ProvidedFile.State.DONE
    ProvidedFile.objects.filter(pk=pending.pk).update(
        state=state, error=error, note=note[:200], data=b"", finished_at=timezone.now()
    )
    return str(state)
