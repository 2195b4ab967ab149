"""Issue 31, item 7: no silent duplicates, no dead ends. The new-article form's one-time
key makes a second send open the first article; a pasted text identical to a recent
article warns and links to it (the editor may still save it); a failed article is
retried with another URL or pasted text (a new revision); editors archive articles
(hidden from the lists, kept), and one with confirmation records is never deleted, in
the admin either; the readiness line is English in every state."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from claims.confirmation import readiness
from claims.confirmation import service as status
from claims.ingest import articles as ingest
from claims.models import Article, ArticleRevision, Claim
from claims.tasks import extract_claims

TEXT = "The council approved a budget of 4.2 million dollars on Monday."


def key_of(page: str) -> str:
    found = re.search(r'type="hidden" name="submission_key" value="([0-9a-f]{32})"', page)
    assert found, "the form carries no one-time key"
    return found.group(1)


@pytest.fixture
def editor_client(client: Client, editor: User) -> Client:
    client.force_login(editor)
    return client


# --- One-time key ---------------------------------------------------------------------


def test_sending_the_same_new_article_form_twice_opens_the_first_article(
    editor_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    """Back after creating an article, then Save again: the same form, the same key."""
    key = key_of(editor_client.get("/articles/new/").text)
    data = {"title": "Budget", "text": TEXT, "submission_key": key}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = editor_client.post("/articles/new/", data)
        again = editor_client.post("/articles/new/", data, follow=True)

    article = Article.objects.get()
    assert first["Location"] == again.redirect_chain[0][0] == article.get_absolute_url()
    assert "This form was already sent: here is the article it created." in again.text
    assert len(callbacks) == 1  # one extraction job


def test_each_new_form_has_its_own_key(editor_client: Client) -> None:
    assert key_of(editor_client.get("/articles/new/").text) != key_of(
        editor_client.get("/articles/new/").text
    )


# --- Identical text -------------------------------------------------------------------


def test_a_text_identical_to_a_recent_article_warns_links_and_can_still_be_saved(
    editor_client: Client, make_article: Callable[..., Article]
) -> None:
    earlier = make_article([TEXT], title="Council budget")
    data = {"title": "Again", "text": TEXT + "\n", "submission_key": "a" * 32}

    warned = editor_client.post("/articles/new/", data)

    assert warned.status_code == 200
    assert f'<a href="{earlier.get_absolute_url()}">“Council budget”</a>' in warned.text
    assert TEXT in warned.text.split("<textarea")[1]  # the input is kept
    assert Article.objects.count() == 1
    saved = editor_client.post("/articles/new/", data | {"save_duplicate": "on"})
    assert saved.status_code == 302 and Article.objects.count() == 2


@pytest.mark.parametrize("why", ["older than 30 days", "archived"])
def test_no_warning_for_an_old_or_archived_article(
    editor_client: Client, editor: User, make_article: Callable[..., Article], why: str
) -> None:
    earlier = make_article([TEXT])
    if why == "archived":
        ingest.archive_article(article=earlier, by=editor)
    else:
        Article.objects.filter(pk=earlier.pk).update(created_at=timezone.now() - timedelta(31))

    response = editor_client.post("/articles/new/", {"text": TEXT, "submission_key": "b" * 32})

    assert response.status_code == 302 and Article.objects.count() == 2


# --- Retry a failed article with new input ---------------------------------------------


@pytest.fixture
def failed(editor: User) -> Article:
    url = "https://www.dailyexample.com/gone"
    article = Article.objects.create(
        title=url, url=url, origin=Article.Origin.URL, state=Article.State.FAILED,
        error=f"Could not fetch {url}: HTTP 404", created_by=editor,
    )  # fmt: skip
    ArticleRevision.objects.create(article=article, number=1, body="", created_by=editor)
    return article


def test_the_failed_article_offers_a_retry_with_new_input(
    editor_client: Client, failed: Article
) -> None:
    page = editor_client.get(failed.get_absolute_url()).text
    assert f'href="/articles/{failed.pk}/retry-with/"' in page
    assert "claim extraction failed: retry it, with another URL or pasted text" in page


def test_a_failed_article_retried_with_pasted_text_gets_a_revision_and_its_claims(
    editor_client: Client, editor: User, failed: Article, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(f"/articles/{failed.pk}/retry-with/", {"text": TEXT})

    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.revision, failed.state, failed.origin) == (2, "queued", "paste")
    revision = failed.revisions.get(number=2)
    assert (revision.body, revision.created_by) == (TEXT, editor)
    extract_claims.run(failed.pk, 2)
    assert Article.objects.get(pk=failed.pk).state == Article.State.DONE
    assert Claim.objects.filter(article=failed, text__contains="4.2 million").exists()


def test_a_failed_article_retried_with_another_url_fetches_that(
    editor_client: Client, failed: Article, django_capture_on_commit_callbacks: Any
) -> None:
    url = "https://www.otherpaper.co.uk/council-budget"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        editor_client.post(f"/articles/{failed.pk}/retry-with/", {"fetch_url": url})

    failed.refresh_from_db()
    assert (failed.url, failed.outlet_domain, failed.revision) == (url, "otherpaper.co.uk", 2)
    assert failed.state == Article.State.QUEUED and failed.error == "" and failed.body == ""
    assert failed.revisions.filter(number=2, body="").exists()
    assert len(callbacks) == 1


@pytest.mark.parametrize(
    "data", [{}, {"text": TEXT, "fetch_url": "https://a.example/x"}, {"fetch_url": "ftp://x/"}]
)
def test_a_retry_needs_exactly_one_valid_input(
    editor_client: Client, failed: Article, data: dict[str, str]
) -> None:
    response = editor_client.post(f"/articles/{failed.pk}/retry-with/", data)
    assert response.status_code == 200 and 'class="errors' in response.text
    assert Article.objects.get(pk=failed.pk).revision == 1


def test_only_a_failed_article_is_retried_with_new_input(
    editor_client: Client, editor: User, make_article: Callable[..., Article]
) -> None:
    done = make_article()
    response = editor_client.post(f"/articles/{done.pk}/retry-with/", {"text": TEXT}, follow=True)
    assert "Only a failed article can be retried" in response.text
    with pytest.raises(ingest.ArticleRejected, match="Only a failed article"):
        ingest.retry_failed(article=done, by=editor, text=TEXT)
    assert Article.objects.get(pk=done.pk).revision == 1


def test_a_viewer_cannot_retry_with_new_input(
    client: Client, viewer: User, failed: Article
) -> None:
    client.force_login(viewer)
    assert client.post(f"/articles/{failed.pk}/retry-with/", {"text": TEXT}).status_code == 403
    assert Article.objects.get(pk=failed.pk).state == Article.State.FAILED


# --- Archive ----------------------------------------------------------------------------


def test_an_archived_article_leaves_the_lists_and_can_be_brought_back(
    editor_client: Client, make_article: Callable[..., Article]
) -> None:
    article = make_article(title="Old story")
    editor_client.post(f"/articles/{article.pk}/archive/", {"archive": "1"})

    assert "Old story" not in editor_client.get("/articles/").text
    assert "Old story" in editor_client.get("/articles/?archived=true").text
    assert "Old story" not in editor_client.get("/articles/?archived=false").text
    listed = editor_client.get("/api/articles/").json()["results"]
    assert article.pk not in [row["id"] for row in listed]  # the API's list too
    assert article.claims.first().text not in editor_client.get("/claims/").text
    detail = editor_client.get(article.get_absolute_url()).text
    assert 'id="archived"' in detail and "Bring back from the archive" in detail
    last = Article.history.filter(id=article.pk).first()
    assert last.history_change_reason == "archived"

    editor_client.post(f"/articles/{article.pk}/archive/", {"archive": "0"})
    assert "Old story" in editor_client.get("/articles/").text


def test_a_fact_checker_cannot_archive(
    client: Client, fact_checker: User, make_article: Callable[..., Article]
) -> None:
    article = make_article()
    client.force_login(fact_checker)
    assert client.post(f"/articles/{article.pk}/archive/", {"archive": "1"}).status_code == 403
    assert Article.objects.get(pk=article.pk).archived_at is None


def test_the_admin_never_deletes_an_article_with_confirmation_records(
    client: Client,
    fact_checker: User,
    make_article: Callable[..., Article],
    support: Any,
) -> None:
    confirmed, plain = make_article(title="Confirmed"), make_article(title="Plain")
    claim = confirmed.claims.order_by("start").first()
    support(claim, "https://www.reuters.com/world/budget")
    status.confirm(claim, by=fact_checker)
    status.unconfirm(claim, by=fact_checker, note="second thoughts")  # the record stays
    boss = User.objects.create_superuser("boss", "boss@example.org", "x")
    client.force_login(boss)

    assert client.get(f"/admin/claims/article/{confirmed.pk}/delete/").status_code == 403
    assert (
        client.post(f"/admin/claims/article/{confirmed.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    changelist = client.get("/admin/claims/article/").text
    assert "delete_selected" not in changelist and 'value="archive"' in changelist
    client.post(
        "/admin/claims/article/",
        {"action": "archive", "_selected_action": [confirmed.pk]},
    )
    assert Article.objects.get(pk=confirmed.pk).archived_at is not None
    assert (
        client.post(f"/admin/claims/article/{plain.pk}/delete/", {"post": "yes"}).status_code == 302
    )
    assert not Article.objects.filter(pk=plain.pk).exists()


# --- The readiness line ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "sentence"),
    [
        ("queued", "its claims are waiting to be extracted"),
        ("processing", "its claims are being extracted"),
        ("failed", "claim extraction failed: retry it, with another URL or pasted text"),
    ],
)
def test_the_readiness_line_says_where_extraction_is_in_english(
    make_article: Callable[..., Article], state: str, sentence: str
) -> None:
    reasons = readiness.of(make_article(state=state)).reasons
    assert sentence in reasons
    assert not any("extraction is" in reason for reason in reasons)


def test_a_done_article_has_no_extraction_sentence(make_article: Callable[..., Article]) -> None:
    assert set(readiness.EXTRACTION_NOT_DONE) == set(Article.State.values) - {"done"}
    assert not any("extract" in r for r in readiness.of(make_article()).reasons)
