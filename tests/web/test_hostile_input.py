"""Hostile input gets a clear answer, never a 500, a stored script or a spreadsheet formula.

One section per finding of the audit (issue 13, section 2): memory that grows with what
is sent, http(s)-only URLs, CSV formula injection, out-of-range numbers and huge search
terms, the article size limit in every path, the evidence form keeping its input, NULs
and control characters, and the smaller items (inactive assignees, the export POST).
The import and capture tests run on PostgreSQL too when ``DATABASE_URL`` names one.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pypdf
import pytest
from django import forms as django_forms
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from claims import roles
from claims.api.forms import StoryForm
from claims.models import Article, Claim, ClaimMatch, Evidence, FactCheck, Source
from claims.publication import exports
from claims.sources import capture as sources
from claims.sources import fetching
from claims.web import forms as web_forms
from claims.web.tokens import TokenForm
from tests.conftest import PASSWORD
from tests.httpserver import LocalServer, local_server_fixture  # noqa: F401
from tests.support import login

HTMX = {"HTTP_HX_REQUEST": "true"}
MB = 1_048_576


def body(response: Any) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8")
    return response.content.decode("utf-8")


@pytest.fixture
def claim(make_article: Callable[..., Article]) -> Claim:
    return make_article().claims.order_by("start").first()


# --- 1. memory grows with what is sent, never claims x body -----------------------------

# The whole body selected as a column; ``SUBSTR("claims_article"."body", ...)`` (the
# confirmation rule reads the first and last few hundred characters for wire credits)
# does not load it.
BODY_COLUMN = re.compile(r'(?<![(])"claims_article"\."body"')


@pytest.fixture
def large_article(make_article: Callable[..., Article], support: Any) -> Article:
    """40 claims in an article whose text is padded to about 1 MB."""
    sentences = [f"Claim number {n} says the budget grew by {n} percent." for n in range(40)]
    article = make_article(sentences)
    padding = "\n" + "Filler text that is not a claim. " * 32_000
    Article.objects.filter(pk=article.pk).update(body=article.body + padding)
    for claim in article.claims.all()[:5]:
        support(claim, f"https://www.reuters.com/story-{claim.pk}", excerpt="budget grew")
    return article


def queries_loading_the_body(client: Client, url: str, **extra: Any) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
        content = body(response)
    loading = [q["sql"] for q in queries.captured_queries if BODY_COLUMN.search(q["sql"])]
    return len(loading), (response, content)


@pytest.mark.parametrize(
    "path",
    [
        "/articles/{pk}/export.csv",
        "/articles/{pk}/export.json",
        "/articles/{pk}/export.claimreview",
        "/api/articles/{pk}/",
        "/articles/{pk}/",
        "/articles/{pk}/?claim={claim}",
    ],
)
def test_an_article_with_many_claims_loads_its_text_at_most_once(
    client: Client, viewer: User, large_article: Article, path: str
) -> None:
    claim = large_article.claims.order_by("start").first()
    url = path.format(pk=large_article.pk, claim=claim.pk)
    loads, (response, _content) = queries_loading_the_body(login(client, viewer), url)
    assert response.status_code == 200
    assert loads <= 1


@pytest.mark.parametrize(
    "url",
    [
        "/claims/",
        "/api/claims/",
        "/claims/export.csv?article={pk}",
        "/claims/export.json?article={pk}",
        "/claims/export.claimreview?article={pk}",
    ],
)
def test_lists_and_exports_of_claims_never_load_the_article_text(
    client: Client, viewer: User, large_article: Article, url: str
) -> None:
    if "claimreview" in url:  # only decided claims are reviews
        large_article.claims.update(status=Claim.Status.CONFIRMED)
    loads, (response, content) = queries_loading_the_body(
        login(client, viewer), url.format(pk=large_article.pk)
    )
    assert response.status_code == 200
    assert "Claim number 39" in content
    assert loads == 0


def test_the_claim_panel_and_a_source_page_do_not_load_the_article_text(
    client: Client, viewer: User, large_article: Article
) -> None:
    claim = large_article.claims.filter(evidence__isnull=False).first()
    source = claim.evidence.first().source
    login(client, viewer)
    assert queries_loading_the_body(client, f"/claims/{claim.pk}/", **HTMX)[0] == 0
    assert queries_loading_the_body(client, f"/sources/{source.pk}/")[0] == 0


def test_the_csv_export_streams(client: Client, viewer: User, large_article: Article) -> None:
    response = login(client, viewer).get(f"/articles/{large_article.pk}/export.csv")
    assert response.streaming
    rows = list(csv.reader(io.StringIO(body(response))))
    assert len(rows) == 1 + 40  # the header, then one row per claim (one evidence each)


@pytest.mark.parametrize("fmt", ["json", "claimreview"])
def test_the_json_exports_stream_claim_by_claim_the_same_document(
    client: Client, viewer: User, large_article: Article, fmt: str
) -> None:
    large_article.claims.update(status=Claim.Status.CONFIRMED)  # every claim a review
    response = login(client, viewer).get(f"/articles/{large_article.pk}/export.{fmt}")

    assert response.streaming
    chunks = iter(response.streaming_content)
    first = next(chunks).decode()
    text = '"text": "Claim number' if fmt == "json" else '"claimReviewed": "Claim number'
    assert first.count(text) == 1  # the article and its first claim: one claim at a time
    streamed = first + b"".join(chunks).decode()
    whole = exports.article_json if fmt == "json" else exports.article_claimreview
    stored = Article.objects.get(pk=large_article.pk)
    assert streamed == exports.dumps(whole(stored, base_url="http://testserver"))
    assert len(json.loads(streamed)["claims" if fmt == "json" else "@graph"]) == 40


def test_the_json_export_reads_the_claims_in_chunks(
    client: Client, viewer: User, large_article: Article, monkeypatch: Any
) -> None:
    monkeypatch.setattr(exports, "CHUNK_SIZE", 10)
    with CaptureQueriesContext(connection) as queries:
        body(login(client, viewer).get(f"/articles/{large_article.pk}/export.json"))

    sql = [q["sql"] for q in queries.captured_queries]
    evidence_reads = [q for q in sql if q.startswith('SELECT "claims_evidence"')]
    assert len(evidence_reads) == 4  # prefetched for each chunk of 10 of the 40 claims


# --- 2. URLs are http(s) only -----------------------------------------------------------


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_factchecks_drops_a_javascript_url_and_says_so(db: Any, tmp_path: Path) -> None:
    archive = write(
        tmp_path,
        "checks.jsonl",
        json.dumps({"id": "x1", "text": "Claim one", "url": "javascript:alert(document.cookie)"})
        + "\n"
        + json.dumps({"id": "x2", "text": "Claim two", "url": "https://factcheck.example.org/2"}),
    )
    out, err = StringIO(), StringIO()
    call_command("import_factchecks", str(archive), stdout=out, stderr=err)
    assert "2 created" in out.getvalue()
    assert "javascript:alert" in err.getvalue() and "was dropped" in err.getvalue()
    assert FactCheck.objects.get(archive_id="x1").url == ""
    assert FactCheck.objects.get(archive_id="x2").url == "https://factcheck.example.org/2"


def test_a_stored_javascript_url_is_never_rendered_as_a_link(
    client: Client, viewer: User, claim: Claim, make_source: Any
) -> None:
    """Rows written before the validators (or around them) are shown, not linked."""
    check = FactCheck.objects.create(archive_id="old", text="Old", title="Old check")
    FactCheck.objects.filter(pk=check.pk).update(url="javascript:alert(1)")
    ClaimMatch.objects.create(claim=claim, factcheck=check, score=0.95)
    source = make_source("https://www.reuters.com/a")
    Source.objects.filter(pk=source.pk).update(url="javascript:alert(2)")
    Article.objects.filter(pk=claim.article_id).update(url="data:text/html,<script>x</script>")
    login(client, viewer)
    pages = [
        client.get(f"/claims/{claim.pk}/matches/").content.decode(),
        client.get(f"/sources/{source.pk}/").content.decode(),
        client.get(f"/articles/{claim.article_id}/").content.decode(),
    ]
    assert "Old check" in pages[0]
    for page in pages:
        assert 'href="javascript:' not in page
        assert 'href="data:' not in page


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "ftp://example.org/"])
def test_every_url_field_refuses_other_schemes(db: Any, url: str) -> None:
    for instance, field in [
        (Article(title="t", url=url), "url"),
        (Source(url=url), "url"),
        (FactCheck(archive_id="a", text="t", url=url), "url"),
    ]:
        with pytest.raises(ValidationError) as refused:
            instance.full_clean()
        assert field in refused.value.message_dict


def test_the_new_article_form_refuses_a_javascript_url(client: Client, editor: User) -> None:
    response = login(client, editor).post(
        "/articles/new/", {"text": "A sentence.", "url": "javascript:alert(1)"}
    )
    assert response.status_code == 200
    assert "Only http:// and https:// URLs are accepted, not javascript: URLs." in response.text
    assert not Article.objects.exists()


# --- 3. CSV formula injection -----------------------------------------------------------


@pytest.fixture
def formula_claim(make_article: Callable[..., Article], support: Any) -> Claim:
    claim = make_article(['=HYPERLINK("https://evil.example","click")']).claims.get()
    Claim.objects.filter(pk=claim.pk).update(speaker="+cmd|' /C calc'!A0")
    support(claim, "https://www.reuters.com/x", excerpt="@SUM(1+1)", note="n")
    Source.objects.filter(url="https://www.reuters.com/x").update(title="-2+3", publisher="\tx")
    return claim


def test_csv_cells_that_would_run_as_formulas_start_with_a_quote(
    client: Client, viewer: User, formula_claim: Claim
) -> None:
    response = login(client, viewer).get(f"/articles/{formula_claim.article_id}/export.csv")
    header, row = list(csv.reader(io.StringIO(body(response))))
    cells = dict(zip(header, row, strict=True))
    assert cells["claim_text"] == '\'=HYPERLINK("https://evil.example","click")'
    assert cells["speaker"] == "'+cmd|' /C calc'!A0"
    assert cells["excerpt"] == "'@SUM(1+1)"
    assert cells["source_title"] == "'-2+3"
    assert cells["source_publisher"] == "'\tx"
    assert cells["claim_id"] == str(formula_claim.pk)  # numbers and other cells unchanged
    assert cells["checkworthiness"] == "0.9"


def test_the_excel_variant_is_the_same_csv_behind_a_byte_order_mark(
    client: Client, viewer: User, formula_claim: Claim
) -> None:
    login(client, viewer)
    plain = body(client.get(f"/articles/{formula_claim.article_id}/export.csv"))
    excel = body(client.get(f"/articles/{formula_claim.article_id}/export.csv?excel=1"))
    assert not plain.startswith("\ufeff")
    assert excel == "\ufeff" + plain
    selected = body(client.get(f"/claims/export.csv?ids={formula_claim.pk}&excel=1"))
    assert selected.startswith("\ufeffclaim_id,") and "'=HYPERLINK" in selected


def test_the_bulk_export_neutralises_formulas_too(
    client: Client, viewer: User, formula_claim: Claim
) -> None:
    response = login(client, viewer).post(
        "/claims/", {"action": "export-excel", "ids": [formula_claim.pk]}
    )
    text = body(response)
    assert text.startswith("\ufeff")
    assert "'=HYPERLINK" in text


def test_the_export_command_neutralises_formulas(formula_claim: Claim) -> None:
    out = StringIO()
    call_command("export", article=formula_claim.article_id, fmt="csv", stdout=out)
    assert "'=HYPERLINK" in out.getvalue()


# --- 4. no 500s from input --------------------------------------------------------------

TOO_BIG = "9223372036854775808"  # 2**63: more than SQLite or PostgreSQL can hold
LONG = "a%" * 25_000  # 50,000 characters: "LIKE pattern too complex" on SQLite


@pytest.mark.parametrize(
    "url",
    [
        f"/api/claims/?article={TOO_BIG}",
        f"/api/evidence/?claim={TOO_BIG}",
        f"/api/evidence/?article={TOO_BIG}",
        f"/api/evidence/?source={TOO_BIG}",
        f"/api/claims/?page={TOO_BIG}",
        f"/claims/export.csv?ids={TOO_BIG}",
        f"/claims/export.json?article={TOO_BIG}",
        f"/api/claims/?q={LONG}",
        f"/api/articles/?q={LONG}",
        f"/api/sources/?q={LONG}",
    ],
)
def test_the_api_answers_out_of_range_numbers_and_huge_searches_with_400_json(
    client: Client, viewer: User, claim: Claim, url: str
) -> None:
    response = login(client, viewer).get(url)
    assert response.status_code == 400
    assert response.json()["detail"] == "Invalid parameters."
    assert response.json()["errors"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (f"/claims/?article={TOO_BIG}", "less than or equal to 9223372036854775807"),
        (f"/claims/?q={LONG}", "at most 200 characters"),
        (f"/claims/?speaker={LONG}", "at most 200 characters"),
        (f"/articles/?q={LONG}", "at most 200 characters"),
        (f"/sources/?q={LONG}", "at most 200 characters"),
    ],
)
def test_html_lists_answer_bad_filters_with_400_and_the_reason(
    client: Client, viewer: User, claim: Claim, url: str, message: str
) -> None:
    login(client, viewer)
    response = client.get(url)
    assert response.status_code == 400
    assert "These filters cannot be used" in response.text and message in response.text
    fragment = client.get(url, **HTMX)  # htmx swaps only 2xx: the fragment shows the reason
    assert fragment.status_code == 200 and message in fragment.text


def test_bulk_actions_refuse_ids_out_of_range(
    client: Client, fact_checker: User, claim: Claim
) -> None:
    response = login(client, fact_checker).post(
        "/claims/", {"action": "unconfirm", "ids": [TOO_BIG]}, follow=True
    )
    assert response.status_code == 200
    assert "Pick some claims" in response.text


# --- 5. the article size limit holds in every path --------------------------------------


def paste(size: int) -> str:
    return ("Word " * (size // 5 + 1))[:size]


def test_django_lets_a_full_size_article_through() -> None:
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE > 2 * settings.WORKBENCH_MAX_ARTICLE_BYTES


def test_a_paste_at_the_limit_is_saved_and_one_byte_over_is_refused_with_the_text_kept(
    client: Client, editor: User
) -> None:
    limit = settings.WORKBENCH_MAX_ARTICLE_BYTES
    login(client, editor)
    refused = client.post("/articles/new/", {"title": "Too long", "text": paste(limit + 1)})
    assert refused.status_code == 200
    assert "The article is too large" in refused.text
    assert f"the limit is {limit:,} bytes" in refused.text
    assert paste(limit + 1)[-50:] in refused.text  # the text is still in the form
    assert not Article.objects.exists()
    saved = client.post("/articles/new/", {"title": "Full", "text": paste(limit)})
    assert saved.status_code == 302
    assert len(Article.objects.get().body) == limit


def test_an_upload_at_the_limit_is_saved_and_one_byte_over_is_refused(
    client: Client, editor: User
) -> None:
    limit = settings.WORKBENCH_MAX_ARTICLE_BYTES
    login(client, editor)
    over = SimpleUploadedFile("big.txt", paste(limit + 1).encode())
    refused = client.post("/articles/new/", {"file": over})
    assert refused.status_code == 200 and "the limit is 5 MB" in refused.text
    under = SimpleUploadedFile("full.txt", paste(limit).encode())
    assert client.post("/articles/new/", {"file": under}).status_code == 302
    assert Article.objects.count() == 1


def test_an_edit_at_the_limit_is_saved_and_one_byte_over_is_refused_with_the_text_kept(
    client: Client, editor: User, claim: Claim
) -> None:
    limit = settings.WORKBENCH_MAX_ARTICLE_BYTES
    url = f"/articles/{claim.article_id}/edit/"
    login(client, editor)
    refused = client.post(url, {"text": paste(limit + 1), "basis": 1})
    assert refused.status_code == 200 and "The article is too large" in refused.text
    assert paste(limit + 1)[-50:] in refused.text
    assert client.post(url, {"text": paste(limit), "basis": 1}).status_code == 302
    assert len(Article.objects.get(pk=claim.article_id).body) == limit


def test_a_paste_over_even_djangos_cap_gets_the_form_and_the_reason(
    client: Client, editor: User, claim: Claim
) -> None:
    huge = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    login(client, editor)
    for url in ["/articles/new/", f"/articles/{claim.article_id}/edit/"]:
        response = client.post(url, {"text": huge})
        assert response.status_code == 400
        assert "far over the article limit of 5 MB" in response.text
        assert '<textarea name="text"' in response.text  # the form, ready for another try


# --- 6. the evidence form keeps its input ------------------------------------------------


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
def test_evidence_form_errors_are_shown_by_their_fields_and_the_input_is_kept(
    client: Client, fact_checker: User, claim: Claim, htmx: bool
) -> None:
    data = {
        "url": "https://www.reuters.com/world/story",
        "stance": "refutes",
        "kind": "wire",
        "excerpt": "The exact words <b>quoted</b> from the source",
        "note": "n" * 2001,
    }
    response = login(client, fact_checker).post(
        f"/claims/{claim.pk}/evidence/", data, **(HTMX if htmx else {})
    )
    html = response.text
    assert response.status_code == 200
    assert "Ensure this value has at most 2000 characters (it has 2001)." in html
    assert "The exact words &lt;b&gt;quoted&lt;/b&gt; from the source</textarea>" in html
    assert 'value="https://www.reuters.com/world/story"' in html
    assert 'value="refutes" checked' in html and 'value="wire" selected' in html
    assert 'value="' + "n" * 2001 + '"' in html
    assert not Evidence.objects.exists()
    if not htmx:  # the whole page, whose relative links still point at the article
        assert f'<base href="/articles/{claim.article_id}/">' in html


def test_a_bad_evidence_url_is_reported_next_to_the_field(
    client: Client, fact_checker: User, claim: Claim
) -> None:
    response = login(client, fact_checker).post(
        f"/claims/{claim.pk}/evidence/",
        {"url": "javascript:alert(1)", "stance": "supports", "excerpt": "kept"},
        **HTMX,
    )
    assert "not javascript: URLs" in response.text
    assert ">\nkept</textarea>" in response.text


# --- 7. NUL and control characters ------------------------------------------------------

SNEAKY_TITLE = "Budget\x00 report \u202egnp.exe\u2066 \x1b[31m\x85done"
CLEAN_TITLE = "Budget report gnp.exe [31m done"


@pytest.mark.django_db(transaction=True)
def test_import_factchecks_removes_nuls_and_controls(tmp_path: Path) -> None:
    """Runs on PostgreSQL too, which refuses NUL characters in text."""
    entry = {"id": "n\x001", "text": "Water\x00 cures\u202e all", "title": SNEAKY_TITLE}
    archive = write(tmp_path, "nul.jsonl", json.dumps(entry))
    call_command("import_factchecks", str(archive), stdout=StringIO())
    check = FactCheck.objects.get()
    assert check.archive_id == "n1"
    assert check.text == "Water cures\u202e all"  # multi-line text: only NULs go
    assert check.title == CLEAN_TITLE


@pytest.mark.django_db(transaction=True)
def test_a_captured_pdf_with_a_nul_in_its_title_is_stored_clean(
    local_server: LocalServer, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.WORKBENCH_FETCH_ALLOW_LOOPBACK = True
    monkeypatch.setattr(sources, "enqueue_capture", lambda source: None)
    writer = pypdf.PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Title": SNEAKY_TITLE})
    pdf = io.BytesIO()
    writer.write(pdf)
    url = local_server.add("/report.pdf", pdf.getvalue(), content_type="application/pdf")
    source = Source.objects.create(url=url, domain="127.0.0.1")
    assert sources.capture(source.pk) == "captured"
    source.refresh_from_db()
    assert source.captures.get().title == CLEAN_TITLE
    assert source.title == CLEAN_TITLE


def test_fetched_text_and_titles_are_cleaned() -> None:
    html = b"<html><head><title>A\xe2\x80\xae title\x00</title></head><body>x</body></html>"
    content = fetching.extract(html, "text/plain; charset=utf-8", "https://example.org/")
    assert "\x00" not in content.text
    pdf = io.BytesIO()
    writer = pypdf.PdfWriter()
    writer.add_blank_page(100, 100)
    writer.add_metadata({"/Title": SNEAKY_TITLE})
    writer.write(pdf)
    assert fetching.extract(pdf.getvalue(), "application/pdf", "").title == CLEAN_TITLE


def test_titles_and_outlets_lose_bidi_overrides_in_the_form_and_the_command(
    client: Client, editor: User, tmp_path: Path
) -> None:
    login(client, editor).post(
        "/articles/new/", {"title": SNEAKY_TITLE, "outlet": "Daily\u202e Ex", "text": "A b."}
    )
    article = Article.objects.get()
    assert (article.title, article.outlet) == (CLEAN_TITLE, "Daily Ex")
    story = write(tmp_path, "story.txt", "Some text.")
    call_command(
        "ingest", str(story), title="Cmd\u202e title\x07", user=editor.username, stdout=StringIO()
    )
    assert Article.objects.filter(title="Cmd title").exists()


def test_a_note_with_a_nul_is_stored_without_it(
    client: Client, fact_checker: User, claim: Claim, make_source: Any
) -> None:
    source = make_source("https://www.reuters.com/a")
    login(client, fact_checker).post(
        f"/claims/{claim.pk}/evidence/",
        {"source": source.pk, "stance": "supports", "note": "a\x00b", "excerpt": "c\x00d"},
        **HTMX,
    )
    evidence = Evidence.objects.get()
    assert (evidence.note, evidence.excerpt) == ("ab", "cd")


# --- 8. assignees, and the export POST for scripts --------------------------------------


@pytest.fixture
def retired(db: Any) -> User:
    user = User.objects.create_user("rita", password=PASSWORD, is_active=False)
    user.groups.add(Group.objects.get(name=roles.FACT_CHECKERS))
    return user


def test_claims_cannot_be_assigned_to_an_inactive_user_or_a_viewer(
    client: Client, fact_checker: User, viewer: User, retired: User, claim: Claim
) -> None:
    login(client, fact_checker)
    for user in (retired, viewer):
        response = client.post(
            "/claims/", {"action": "assign", "ids": [claim.pk], "assignee": user.pk}, follow=True
        )
        assert "Assign to an active fact-checker or editor." in response.text
        client.post(f"/claims/{claim.pk}/assign/", {"assignee": user.pk, "basis": ""}, **HTMX)
        claim.refresh_from_db()
        assert claim.assignee is None
    page = client.get(f"/articles/{claim.article_id}/?claim={claim.pk}").text
    assert ">fred</option>" in page
    assert ">rita</option>" not in page and ">vera</option>" not in page


def test_scripts_can_post_an_export_without_a_csrf_token(viewer: User, claim: Claim) -> None:
    client = Client(enforce_csrf_checks=True)
    login(client, viewer)
    response = client.post("/claims/export.csv", {"ids": [claim.pk]})
    assert response.status_code == 200
    assert claim.text in body(response)


# --- Text that cannot be stored -------------------------------------------------------

TEXT_FORMS = [
    web_forms.ArticleForm,
    web_forms.ArticleTextForm,
    web_forms.EvidenceForm,
    web_forms.CaptureForm,
    web_forms.ClaimFilterForm,
    web_forms.ArticleFilterForm,
    web_forms.SourceFilterForm,
    TokenForm,
    StoryForm,
]
TEXT_FIELDS = [
    (form, name)
    for form in TEXT_FORMS
    for name, field in form.base_fields.items()
    if isinstance(field, django_forms.CharField)
]


@pytest.mark.parametrize(("form_class", "name"), TEXT_FIELDS)
def test_every_text_field_refuses_a_lone_surrogate_naming_itself(
    db: Any, form_class: type[django_forms.Form], name: str
) -> None:
    form = form_class({name: "https://example.org/\ud800"})

    assert not form.is_valid()
    assert "U+D800" in " ".join(form.errors[name]), form.errors
