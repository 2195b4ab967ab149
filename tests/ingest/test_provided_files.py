"""A source's content uploaded by hand: PDF and HTML files are read in a job, in a
subprocess on a budget; a bomb fails the job with the reason and captures nothing
(issue 35, item 3)."""

from __future__ import annotations

import zlib
from datetime import timedelta
from typing import Any

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from claims.models import ProvidedFile, Source
from claims.sources import provided, reader
from claims.tasks import read_provided_file
from tests.support import minimal_pdf
from workbench.celery import app

HTMX = {"HTTP_HX_REQUEST": "true"}
MEASLES = "Officials reported 467,000 cases of measles in the region last year."


def bomb_pdf(pages: int, size: int = 5 * 1024 * 1024) -> bytes:
    """A small PDF whose ``pages`` pages all draw one content stream that decompresses to
    ``size`` bytes of drawing operators (the audit's 18 kB CPU bomb)."""
    operators = b"BT /F1 12 Tf 72 720 Td (x) Tj ET\n"
    packed = zlib.compress(operators * (size // len(operators)), 9)
    kids = b" ".join(b"%d 0 R" % (4 + i) for i in range(pages))
    font = b"<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>"
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources %s " % font
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(packed), packed),
        *[page + b"/Contents 3 0 R >>" for _ in range(pages)],
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


@pytest.fixture
def source(make_source: Any) -> Source:
    return make_source("https://www.ft.com/paywalled-report")


@pytest.fixture
def uploader(client: Client, fact_checker: Any) -> Client:
    client.force_login(fact_checker)
    return client


def upload(client: Client, source: Source, name: str, data: bytes, **extra: Any) -> Any:
    files = {"file": SimpleUploadedFile(name, data), **extra}
    return client.post(f"/sources/{source.pk}/capture/", files, follow=True)


def read_job(source: Source) -> tuple[str, ProvidedFile]:
    """Run the job for the source's latest upload (as a worker would), and reload it."""
    pending = source.provided_files.first()
    outcome = read_provided_file.run(pending.pk)
    return outcome, ProvidedFile.objects.get(pk=pending.pk)


# --- the request answers at once -----------------------------------------------------------


def test_a_pdf_upload_answers_at_once_and_is_read_by_a_job_not_the_request(
    uploader: Client,
    source: Source,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    read: list[str] = []
    monkeypatch.setattr(reader, "read_in_subprocess", lambda kind, *args: read.append(kind))
    sent: list[tuple[str, list[int]]] = []
    monkeypatch.setattr(
        app, "send_task", lambda name, args, kwargs, **opts: sent.append((name, args))
    )
    pdf = bomb_pdf(3)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(uploader, source, "bomb.pdf", pdf)
    assert response.status_code == 200
    assert "Reading bomb.pdf…" in response.text
    assert read == []  # nothing was parsed in the request
    pending = source.provided_files.get()
    assert pending.state == ProvidedFile.State.PENDING
    assert bytes(pending.data) == pdf and pending.size == len(pdf)
    assert sent == [("claims.read_provided_file", [pending.pk])]
    assert not source.captures.exists()


def test_a_pdf_cpu_bomb_fails_the_job_with_the_budget_reason_and_captures_nothing(
    uploader: Client, source: Source, settings: Any
) -> None:
    settings.WORKBENCH_PARSE_CPU_SECONDS = 1
    upload(uploader, source, "bomb.pdf", bomb_pdf(3))
    outcome, pending = read_job(source)
    assert outcome == "failed"
    assert pending.state == ProvidedFile.State.FAILED
    assert pending.error == "bomb.pdf was not read: the PDF took more than 1 s to read."
    assert bytes(pending.data) == b""  # the bytes go once the file is read
    assert not source.captures.exists()
    assert Source.objects.get(pk=source.pk).fetch_state == Source.FetchState.PENDING
    assert read_provided_file.run(pending.pk) == "skipped"  # a second delivery does nothing


def test_a_pdf_that_outlasts_the_wall_clock_limit_fails_with_that_reason(
    uploader: Client, source: Source, settings: Any
) -> None:
    settings.WORKBENCH_PARSE_WALL_SECONDS = 1
    upload(uploader, source, "bomb.pdf", bomb_pdf(3))
    outcome, pending = read_job(source)
    assert outcome == "failed"
    assert pending.error == "bomb.pdf was not read: the PDF took more than 1 s to read."
    assert not source.captures.exists()


def test_a_pdf_that_needs_more_memory_than_its_budget_fails_with_that_reason(
    uploader: Client, source: Source, settings: Any
) -> None:
    settings.WORKBENCH_PARSE_MEMORY_MB = 100
    upload(uploader, source, "bomb.pdf", bomb_pdf(1))
    outcome, pending = read_job(source)
    assert outcome == "failed"
    assert pending.error == "bomb.pdf was not read: the PDF needs more than 100 MB to read."
    assert not source.captures.exists()


def test_a_pdf_whose_pages_decompress_past_the_bound_is_refused_before_it_is_read(
    uploader: Client, source: Source
) -> None:
    upload(uploader, source, "bomb.pdf", bomb_pdf(50))  # 18 kB; 50 pages x 5 MB of content
    outcome, pending = read_job(source)
    assert outcome == "failed"
    assert pending.error == (
        "bomb.pdf was not read: the PDF's pages decompress to more than 50 MB of content."
    )
    assert not source.captures.exists()


def test_a_pdf_with_more_pages_than_the_bound_is_refused(
    uploader: Client, source: Source, settings: Any
) -> None:
    settings.WORKBENCH_PDF_MAX_PAGES = 2
    upload(uploader, source, "long.pdf", bomb_pdf(3, size=1000))
    outcome, pending = read_job(source)
    assert outcome == "failed"
    assert (
        pending.error
        == "long.pdf was not read: the PDF has 3 pages, more than the 2 that are read."
    )
    assert not source.captures.exists()


# --- normal files -------------------------------------------------------------------------


def test_a_small_pdf_ends_captured_by_the_job(
    uploader: Client, source: Source, fact_checker: Any
) -> None:
    upload(uploader, source, "report.pdf", minimal_pdf(MEASLES), title="Measles report")
    outcome, pending = read_job(source)
    assert outcome == "done"
    assert pending.state == ProvidedFile.State.DONE and pending.error == ""
    capture = source.captures.get()
    assert capture.text == MEASLES
    assert capture.provided_by == fact_checker and capture.provided_as == "report.pdf"
    assert capture.title == "Measles report"
    assert Source.objects.get(pk=source.pk).fetch_state == Source.FetchState.OK
    assert read_provided_file.run(pending.pk) == "skipped"
    assert source.captures.count() == 1


def test_an_html_file_without_text_fails_the_job_with_the_reason(
    uploader: Client, source: Source
) -> None:
    upload(uploader, source, "empty.html", b"<html><body></body></html>")
    outcome, pending = read_job(source)
    assert outcome == "failed"
    assert pending.error.startswith("No text could be read from empty.html")
    assert not source.captures.exists()


def test_text_files_and_pasted_text_are_saved_at_once(uploader: Client, source: Source) -> None:
    upload(uploader, source, "notes.txt", MEASLES.encode())
    assert source.captures.get().provided_as == "notes.txt"
    assert not source.provided_files.exists()


def test_unreadable_types_and_binary_text_are_refused_in_the_request(
    uploader: Client, source: Source
) -> None:
    refused = upload(uploader, source, "photo.png", b"\x89PNG\r\n\x1a\n....")
    assert "Cannot read .png files: upload a PDF, HTML or text file." in refused.text
    binary = upload(uploader, source, "notes.txt", b"abc\x00def")
    assert "notes.txt looks like a binary file, not text." in binary.text
    assert not source.provided_files.exists() and not source.captures.exists()


def test_text_longer_than_the_limit_is_cut_and_the_capture_says_so(
    uploader: Client, source: Source, settings: Any
) -> None:
    settings.WORKBENCH_CAPTURE_MAX_CHARS = 30
    upload(uploader, source, "report.pdf", minimal_pdf(MEASLES))
    outcome, pending = read_job(source)
    assert outcome == "done" and pending.note == "cut at 30 characters"
    capture = source.captures.get()
    assert capture.text == MEASLES[:30].strip()
    assert capture.provided_as == "report.pdf, cut at 30 characters"
    uploader.post(f"/sources/{source.pk}/capture/", {"text": MEASLES})
    pasted = source.captures.order_by("-pk").first()
    assert pasted.provided_as == "pasted text, cut at 30 characters"
    assert len(pasted.text) <= 30


# --- the source page follows the upload ---------------------------------------------------


def test_the_source_page_shows_the_upload_being_read_and_stops_polling_when_done(
    uploader: Client, source: Source
) -> None:
    upload(uploader, source, "report.pdf", minimal_pdf(MEASLES))
    page = uploader.get(f"/sources/{source.pk}/").text
    assert "Reading report.pdf…" in page
    assert 'hx-trigger="every 2s"' in page
    fragment = uploader.get(f"/sources/{source.pk}/", **HTMX).text
    assert fragment.lstrip().startswith(f'<section class="card" id="source-{source.pk}"')
    assert "<html" not in fragment and 'hx-trigger="every 2s"' in fragment
    read_job(source)
    done = uploader.get(f"/sources/{source.pk}/", **HTMX).text
    assert "hx-trigger" not in done
    assert "Read" in done and "provided by fred (report.pdf)" in done


def test_the_source_page_shows_why_an_upload_failed(
    uploader: Client, source: Source, settings: Any
) -> None:
    settings.WORKBENCH_PDF_MAX_PAGES = 2
    upload(uploader, source, "long.pdf", bomb_pdf(3, size=1000))
    read_job(source)
    page = uploader.get(f"/sources/{source.pk}/").text
    assert "Could not be read" in page
    assert "long.pdf was not read: the PDF has 3 pages" in page
    assert "hx-trigger" not in page


def test_a_viewer_cannot_upload(client: Client, viewer: Any, source: Source) -> None:
    client.force_login(viewer)
    files = {"file": SimpleUploadedFile("report.pdf", minimal_pdf(MEASLES))}
    assert client.post(f"/sources/{source.pk}/capture/", files).status_code == 403
    assert not source.provided_files.exists()


# --- nothing is left waiting -----------------------------------------------------------------


def test_an_upload_whose_job_was_lost_is_sent_again_by_the_sweeper(
    uploader: Client,
    source: Source,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    upload(uploader, source, "lost.pdf", minimal_pdf(MEASLES))  # its job never ran
    upload(uploader, source, "new.pdf", minimal_pdf(MEASLES))
    lost, _recent = source.provided_files.order_by("pk")
    ProvidedFile.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(hours=1))
    sent: list[tuple[str, list[int]]] = []
    monkeypatch.setattr(
        app, "send_task", lambda name, args, kwargs, **opts: sent.append((name, args))
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert provided.requeue_waiting() == [lost.pk]
    assert sent == [("claims.read_provided_file", [lost.pk])]
    assert read_provided_file.run(lost.pk) == "done"
    assert provided.requeue_waiting() == []


def test_a_job_stopped_at_its_time_limit_marks_the_upload_failed(
    uploader: Client, source: Source, monkeypatch: pytest.MonkeyPatch
) -> None:
    upload(uploader, source, "slow.pdf", minimal_pdf(MEASLES))

    def stopped(*args: Any) -> None:
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(reader, "read_in_subprocess", stopped)
    outcome, pending = read_job(source)
    assert outcome == "failed: time limit"
    assert pending.state == ProvidedFile.State.FAILED
    assert "took longer than 120 s" in pending.error
