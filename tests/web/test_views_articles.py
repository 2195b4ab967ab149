"""Article pages: list, new, detail, live state, retry, edit."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.models import Article
from tests.support import login

HTMX = {"HTTP_HX_REQUEST": "true"}


# --- /articles/ -------------------------------------------------------------------------


def test_the_article_list_shows_articles_with_their_claim_counts(client, viewer, make_article):
    article = make_article(title="Budget vote")
    response = login(client, viewer).get("/articles/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Budget vote" in html
    assert f'id="article-{article.pk}"' in html
    assert "New article" not in html  # a viewer cannot add


def test_the_article_list_fragment_is_only_the_table(client, viewer, make_article):
    make_article(title="Budget vote")
    response = login(client, viewer).get("/articles/?q=budget", **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="article-table">')
    assert "<html" not in html


def test_the_article_list_searches_and_filters(client, viewer, make_article):
    make_article(title="Budget vote")
    make_article(title="Storm damage", state=Article.State.FAILED)
    html = login(client, viewer).get("/articles/?q=storm").content.decode()
    assert "Storm damage" in html and "Budget vote" not in html
    html = client.get("/articles/?state=done").content.decode()
    assert "Budget vote" in html and "Storm damage" not in html


def test_the_article_list_refuses_an_outsider(client, outsider):
    assert login(client, outsider).get("/articles/").status_code == 403


def test_the_article_list_refuses_post(client, viewer):
    assert login(client, viewer).post("/articles/").status_code == 405


def test_the_article_list_query_count_does_not_grow_with_rows(
    client, viewer, make_article, django_assert_max_num_queries
):
    login(client, viewer)
    make_article()
    with django_assert_max_num_queries(8) as few:
        client.get("/articles/")
    for _ in range(30):
        make_article()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/articles/")


# --- /articles/new/ ---------------------------------------------------------------------


def test_an_editor_pastes_an_article_and_it_is_saved_and_queued(
    client, editor, django_capture_on_commit_callbacks
):
    login(client, editor)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            "/articles/new/",
            {"title": "Pasted", "outlet": "Example", "text": "The council met on Monday."},
        )
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url()
    assert article.state == Article.State.QUEUED
    assert article.created_by == editor
    assert len(callbacks) == 1


def test_an_uploaded_html_file_is_reduced_to_its_main_text(client, editor):
    html = (
        "<html><body><nav>Home | World | Sport</nav><article><h1>Vote</h1>"
        "<p>The council approved the budget of 4.2 million dollars on Monday after a "
        "long debate about the new bridge and the harbour.</p></article></body></html>"
    )
    upload = SimpleUploadedFile("story.html", html.encode(), content_type="text/html")
    login(client, editor).post("/articles/new/", {"title": "Up", "file": upload})
    article = Article.objects.get()
    assert "approved the budget" in article.body
    assert "<p>" not in article.body
    assert article.origin == Article.Origin.UPLOAD


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "x"}, "Give exactly one of"),
        ({"title": "x", "text": "   "}, "The article is empty"),
        ({"title": "x", "text": "a", "fetch_url": "https://example.org/"}, "exactly one"),
    ],
)
def test_the_new_article_form_explains_what_is_wrong(client, editor, data, message):
    response = login(client, editor).post("/articles/new/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Article.objects.exists()


def test_a_binary_upload_is_refused_before_it_reaches_the_worker(client, editor):
    upload = SimpleUploadedFile("story.txt", b"\x00\x01\x02\xff" * 100)
    response = login(client, editor).post("/articles/new/", {"title": "x", "file": upload})
    assert "binary" in response.content.decode()
    assert not Article.objects.exists()


def test_an_upload_over_the_limit_is_refused_with_its_size(client, editor, settings):
    settings.WORKBENCH_MAX_ARTICLE_BYTES = 1024 * 1024
    upload = SimpleUploadedFile("big.txt", b"word " * 500_000)
    response = login(client, editor).post("/articles/new/", {"title": "x", "file": upload})
    assert "2.4 MB; the limit is 1 MB" in response.content.decode()
    assert not Article.objects.exists()


def test_a_fact_checker_cannot_add_articles(client, fact_checker):
    login(client, fact_checker)
    assert client.get("/articles/new/").status_code == 403
    assert client.post("/articles/new/", {"text": "x"}).status_code == 403


def test_a_viewer_cannot_add_articles(client, viewer):
    assert login(client, viewer).post("/articles/new/", {"text": "x"}).status_code == 403
    assert not Article.objects.exists()


def test_the_new_article_page_requires_login(client, db):
    response = client.get("/articles/new/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- /articles/<id>/ --------------------------------------------------------------------


def test_the_article_page_highlights_every_claim_in_place(client, viewer, make_article):
    article = make_article()
    html = login(client, viewer).get(article.get_absolute_url()).content.decode()
    for claim in article.claims.all():
        assert f'data-claim="{claim.pk}">{claim.text}</mark>' in html
        assert f'id="claim-{claim.pk}"' in html


def test_the_article_text_is_escaped_not_rendered(client, viewer, make_article):
    article = make_article(["Officials said <script>alert(1)</script> was <b>found</b>."])
    html = login(client, viewer).get(article.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_viewer_sees_no_review_controls(client, viewer, make_article):
    article = make_article()
    claim = article.claims.first()
    html = login(client, viewer).get(f"{article.get_absolute_url()}?claim={claim.pk}")
    html = html.content.decode()
    assert 'id="panel"' in html
    assert "Confirm</button>" not in html
    assert "Add evidence" not in html
    assert "Edit text" not in html


def test_a_fact_checker_sees_the_panel_with_the_reason_it_cannot_confirm(
    client, fact_checker, make_article
):
    article = make_article()
    claim = article.claims.first()
    html = login(client, fact_checker).get(f"{article.get_absolute_url()}?claim={claim.pk}")
    html = html.content.decode()
    assert "Confirm</button>" in html
    assert "needs 1 more supporting source from another publisher" in html


def test_low_scoring_sentences_are_hidden_until_asked_for(client, viewer, make_article):
    article = make_article()
    low = article.claims.last()
    low.check_worthy = False
    low.save()
    login(client, viewer)
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'id="claim-{low.pk}"' not in html
    html = client.get(article.get_absolute_url() + "?all=1").content.decode()
    assert f'id="claim-{low.pk}"' in html


def test_the_article_page_refuses_an_outsider(client, outsider, make_article):
    article = make_article()
    assert login(client, outsider).get(article.get_absolute_url()).status_code == 403


def test_the_article_page_query_count_does_not_grow_with_claims(
    client, viewer, make_article, django_assert_max_num_queries
):
    login(client, viewer)
    few = make_article([f"Claim number {i} says the council spent {i} dollars." for i in range(3)])
    many = make_article(
        [f"Claim number {i} says the council spent {i} dollars." for i in range(60)]
    )
    with django_assert_max_num_queries(12) as counted:
        client.get(few.get_absolute_url())
    with django_assert_max_num_queries(len(counted.captured_queries)):
        client.get(many.get_absolute_url())


# --- live state, retry, edit -------------------------------------------------------------


def test_the_state_fragment_polls_while_active_and_stops_when_done(client, viewer, make_article):
    article = make_article(state=Article.State.PROCESSING, progress_done=3, progress_total=4)
    login(client, viewer)
    html = client.get(f"/articles/{article.pk}/status/", **HTMX).content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert "Processing 75%: block 3 of 4" in html
    Article.objects.filter(pk=article.pk).update(state=Article.State.DONE)
    response = client.get(f"/articles/{article.pk}/status/?was_active=1", **HTMX)
    assert "every 2s" not in response.content.decode()
    assert response["HX-Trigger"] == "article-finished"


def test_a_failed_article_shows_its_error_and_an_editor_can_retry(
    client, editor, make_article, django_capture_on_commit_callbacks
):
    article = make_article(state=Article.State.FAILED, error="Could not fetch: HTTP 404")
    login(client, editor)
    assert "Could not fetch: HTTP 404" in client.get(article.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"/articles/{article.pk}/retry/")
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.state == Article.State.QUEUED
    assert article.error == ""
    assert len(callbacks) == 1


def test_a_viewer_cannot_retry(client, viewer, make_article):
    article = make_article(state=Article.State.FAILED)
    assert login(client, viewer).post(f"/articles/{article.pk}/retry/").status_code == 403
    article.refresh_from_db()
    assert article.state == Article.State.FAILED


def test_retry_refuses_get(client, editor, make_article):
    article = make_article()
    assert login(client, editor).get(f"/articles/{article.pk}/retry/").status_code == 405


def test_editing_the_text_makes_a_new_revision(
    client, editor, make_article, django_capture_on_commit_callbacks
):
    article = make_article()
    login(client, editor)
    assert client.get(f"/articles/{article.pk}/edit/").status_code == 200
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            f"/articles/{article.pk}/edit/", {"text": article.body + " More.", "basis": 1}
        )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.revision == 2
    assert article.revisions.count() == 2
    assert article.state == Article.State.QUEUED


def test_an_unchanged_edit_is_refused_with_a_message(client, editor, make_article):
    article = make_article()
    response = login(client, editor).post(
        f"/articles/{article.pk}/edit/", {"text": article.body, "basis": 1}
    )
    assert response.status_code == 200
    assert "unchanged" in response.content.decode()


def test_a_fact_checker_cannot_edit_the_text(client, fact_checker, make_article):
    article = make_article()
    login(client, fact_checker)
    assert client.post(f"/articles/{article.pk}/edit/", {"text": "new"}).status_code == 403
