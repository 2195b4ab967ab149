"""Articles in and changed: the new-article form, the text editor, a failed article's
second chance (another URL or pasted text), and the archive.

- New article: the form carries a one-time key, so sending it twice (back, then save
  again) opens the article the first send made; a pasted text identical to an article
  of the last 30 days is shown with a link to it, and saved only if the person insists.
- Edit: the form carries the revision it was edited from. When someone saved another
  revision since, nothing is saved: the page shows the newer revision beside the
  person's text, the differences marked, and the editor, now based on the newer
  revision, holds their text: merged with the newer revision when the two edits touch
  different words (``text.merge.merge3``), as they typed it otherwise. They check (or
  merge) and save again.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from claims import jobs
from claims.ingest import articles as ingest
from claims.models import Article
from claims.text.diff import word_diff
from claims.text.merge import merge3
from claims.web.access import get_article, require
from claims.web.forms import ArticleForm, ArticleTextForm, RetryForm
from claims.web.types import AuthenticatedHttpRequest


def _queued_message(request: AuthenticatedHttpRequest, unsent: list[Any], done: str) -> None:
    if unsent:
        messages.warning(
            request,
            "The article is saved, but the job queue is unavailable right now: "
            "processing will start when the queue is back.",
        )
    else:
        messages.success(request, done)


@login_required
@require_http_methods(["GET", "POST"])
def article_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(request, "add_article")
    form = ArticleForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return render(request, "claims/article_new.html", {"form": form})
    data = form.cleaned_data
    earlier = ingest.submitted(data["submission_key"])
    if earlier is not None:
        messages.info(request, "This form was already sent: here is the article it created.")
        return redirect(earlier)
    pasted = data["text"] if not request.FILES else ""
    duplicate = ingest.duplicate_of(pasted) if pasted else None
    if duplicate is not None and not data["save_duplicate"]:
        return render(request, "claims/article_new.html", {"form": form, "duplicate": duplicate})
    with jobs.unsent() as unsent:
        article, _ = ingest.submit_once(
            key=data["submission_key"],
            title=data["title"],
            outlet=data["outlet"],
            url=data["url"],
            published_at=data["published_at"],
            text=data["text"] or "",
            fetch_url=data["fetch_url"],
            origin=Article.Origin.UPLOAD if request.FILES else Article.Origin.PASTE,
            by=request.user,
        )
    _queued_message(request, unsent, "The article is saved and queued for extraction.")
    return redirect(article)


def edit_form(article: Article) -> ArticleTextForm:
    return ArticleTextForm(initial={"text": article.body, "basis": article.revision})


@login_required
@require_http_methods(["GET", "POST"])
def article_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    article = get_article(request, pk, "change_article")
    if request.method != "POST":
        return render(
            request, "claims/article_edit.html", {"article": article, "form": edit_form(article)}
        )
    form = ArticleTextForm(request.POST)
    if form.is_valid():
        text, basis = form.cleaned_data["text"], form.cleaned_data["basis"]
        try:
            ingest.revise_article(article=article, text=text, by=request.user, basis=basis)
        except ingest.StaleRevision as exc:
            return _conflict(request, article, text, exc)
        except ingest.ArticleRejected as exc:
            form.add_error("text", str(exc))
        else:
            messages.success(request, "New revision saved; claims are being re-anchored.")
            return redirect(article)
    return render(request, "claims/article_edit.html", {"article": article, "form": form})


def _conflict(
    request: HttpRequest, article: Article, text: str, stale: ingest.StaleRevision
) -> HttpResponse:
    """The editor again, based on the newer revision, with the person's text in it and
    the newer revision beside it, the differences marked (200: nothing was saved)."""
    article.refresh_from_db()
    revisions = article.revisions.select_related("created_by")
    newer = revisions.get(number=stale.current)
    base = revisions.filter(number=stale.basis).values_list("body", flat=True).first()
    merged = merge3(base, text, newer.body) if base is not None else None
    if merged == newer.body:  # nothing of theirs left to add: their text is the newer one
        merged = None
    editing = merged if merged is not None else text
    form = ArticleTextForm(initial={"text": editing, "basis": newer.number})
    conflict = {"stale": stale, "newer": newer, "merged": merged is not None}
    conflict["diff"] = word_diff(newer.body, editing)
    context = {"article": article, "form": form, "conflict": conflict}
    return render(request, "claims/article_edit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def article_retry_with(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A failed article, again: fetch another URL, or take the text pasted by hand."""
    article = get_article(request, pk, "change_article")
    if article.state != Article.State.FAILED:
        messages.info(request, "Only a failed article can be retried with another URL or text.")
        return redirect(article)
    form = RetryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with jobs.unsent() as unsent:
                ingest.retry_failed(
                    article=article, by=request.user, url=data["fetch_url"], text=data["text"]
                )
        except ingest.ArticleRejected as exc:
            form.add_error(None, str(exc))
        else:
            _queued_message(request, unsent, "New revision saved and queued for extraction.")
            return redirect(article)
    return render(request, "claims/article_retry.html", {"article": article, "form": form})


class ArchiveForm(forms.Form):
    archive = forms.TypedChoiceField(choices=[("1", "Archive"), ("0", "Bring back")],
                                     coerce=lambda value: value == "1")  # fmt: skip


@login_required
@require_POST
def article_archive(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Archive an article (hidden from the lists, kept with its records), or bring it back."""
    article = get_article(request, pk, "delete_article")
    form = ArchiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose to archive or to bring back.")
    elif ingest.archive_article(
        article=article, by=request.user, archived=form.cleaned_data["archive"]
    ):
        if form.cleaned_data["archive"]:
            messages.success(request, "Archived: hidden from the lists, kept with its records.")
        else:
            messages.success(request, "Brought back from the archive.")
    return redirect(article)
