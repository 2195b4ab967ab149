"""Issue 35, item 3, in a real browser with a real worker: a fact-checker uploads a PDF
as a source's content; the form answers at once ("Reading report.pdf…"), and the source
page, polling a small fragment, shows the capture when the worker has read the file,
then stops polling."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from claims.models import ProvidedFile, Source
from tests.support import minimal_pdf

pytestmark = pytest.mark.browser

MEASLES = "Officials reported 467,000 cases of measles in the region last year."


def test_an_uploaded_pdf_is_read_by_the_worker_and_the_page_updates(
    page: Page,
    fact_checker: User,
    make_source: Callable[..., Source],
    log_in,
    worker,
    tmp_path: Path,
) -> None:
    source = make_source("https://www.ft.com/paywalled-report")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(minimal_pdf(MEASLES))
    log_in(page, fact_checker)
    page.goto(f"/sources/{source.pk}/capture/")
    page.set_input_files("#id_file", str(pdf))
    page.get_by_role("button", name="Save as a capture").click()
    page.wait_for_url(f"**/sources/{source.pk}/")
    expect(page.get_by_text("Reading report.pdf… This page shows the capture")).to_be_visible()
    card = page.locator(f"#source-{source.pk}")
    expect(card.get_by_text("provided by fred (report.pdf)")).to_be_visible(timeout=60_000)
    expect(card).not_to_have_attribute("hx-trigger", "every 2s")
    assert ProvidedFile.objects.get(source=source).state == ProvidedFile.State.DONE
    assert Source.objects.get(pk=source.pk).captures.get().text == MEASLES
