"""The desk's pages: today's queue, the printable verification report, and the feeds.

Included from ``claims/web/urls.py``. The readiness verdict itself is ``readiness.py``.
The queue's sections are sets of the claims list's filters (``claims/review/queue.py``),
each linking to that list; its bulk assignment is the claim list's bulk action
(``views.claim_bulk``), so it has the same rules (only reviewers are offered, the history
records who assigned).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from claims.confirmation import audit, readiness
from claims.models import Claim, Confirmation, Evidence, Feed
from claims.review import queue
from claims.web.access import get_article, require, user_can
from claims.web.forms import BulkClaimForm, ClaimFilterForm, PageNumberField
from claims.web.types import AuthenticatedHttpRequest
from claims.web.views import claim_bulk, matching_claims, paginate

QUEUE_HOURS = queue.QUEUE_HOURS
SECTION_ROWS = 10  # claims shown in a section above the new ones; its link lists them all


# --- Today's queue ---------------------------------------------------------------------------


class QueueForm(forms.Form):
    page = PageNumberField(required=False)


class QueueAssignForm(BulkClaimForm):
    """The claim list's bulk form, set to assign."""

    action = forms.ChoiceField(
        choices=[("assign", "Assign")], initial="assign", widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["note"].widget.attrs["placeholder"] = "Why (for the history)"


@dataclass(frozen=True)
class QueueSection:
    """A section of the queue as shown: its claims (the first ``SECTION_ROWS``), how
    many there are, and the claims list that shows exactly them."""

    key: str
    title: str
    help: str
    count: int
    rows: list[tuple[Claim, queue.Lapse | None]]  # a claim, and why it lapsed
    url: str


def section_claims(request: HttpRequest, section: queue.Section) -> QuerySet[Claim]:
    """The claims the claims list shows for ``section``'s filters."""
    return matching_claims(request, ClaimFilterForm(section.query))


def section_url(section: queue.Section) -> str:
    return f"{reverse('claim-list')}?{urlencode(section.query)}"


def queue_sections(
    request: AuthenticatedHttpRequest, *, can: dict[str, bool]
) -> list[QueueSection]:
    """The sections above the new claims: needs re-review (with each lapse's cause),
    contradicted, and, for a reviewer, what is assigned to them."""
    shown = []
    for section in queue.SECTIONS:
        if section.key == "new" or (section.key == "mine" and not can["review"]):
            continue
        claims = section_claims(request, section)
        rows = list(claims[:SECTION_ROWS])
        lapses = queue.lapses(rows)
        count = len(rows) if len(rows) < SECTION_ROWS else claims.count()
        shown.append(
            QueueSection(
                section.key,
                section.title,
                section.help,
                count,
                [(claim, lapses.get(claim.pk)) for claim in rows],
                section_url(section),
            )
        )
    return shown


def queue_claims(request: AuthenticatedHttpRequest) -> QuerySet[Claim]:
    """The new claims (the claims list's ``new`` filter): the most check-worthy first,
    then the newest stories."""
    new = next(section for section in queue.SECTIONS if section.key == "new")
    claims = section_claims(request, new)
    return claims.order_by("-checkworthiness", "-article__created_at", "-article_id", "start")


@login_required
@require_http_methods(["GET", "POST"])
def todays_queue(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    require(request, "view_claim")
    if request.method == "POST":
        return claim_bulk(request)  # assign: checks change_claim, redirects back here
    form = QueueForm(request.GET)
    can = user_can(request)
    page = paginate(request, queue_claims(request) if form.is_valid() else Claim.objects.none())
    new = next(section for section in queue.SECTIONS if section.key == "new")
    context = {
        "form": form,
        "sections": queue_sections(request, can=can),
        "new": new,
        "new_url": section_url(new),
        "page": page,
        "bulk": QueueAssignForm(auto_id="bulk_%s"),
        "can": can,
        "hours": QUEUE_HOURS,
        "audit": audit.last_run(),
    }
    return render(request, "claims/queue.html", context, status=400 if form.errors else 200)


# --- The verification report ---------------------------------------------------------------


def report_claims(article: Any) -> list[Claim]:
    """The claims a report lists: check-worthy ones, and any other that was reviewed or
    has evidence; with evidence, sources and the last confirmation."""
    evidence = Evidence.objects.select_related("source", "added_by").order_by("added_at", "pk")
    confirmations = Confirmation.objects.select_related("confirmed_by")
    claims = (
        article.claims.filter(orphaned=False)
        .with_flags()
        .select_related("status_changed_by", "assignee")
        .prefetch_related(
            Prefetch("evidence", queryset=evidence, to_attr="evidence_list"),
            Prefetch("confirmations", queryset=confirmations, to_attr="confirmation_list"),
        )
    ).order_by("start", "pk")
    listed = [
        claim
        for claim in claims
        if claim.check_worthy or claim.evidence_list or claim.status != Claim.Status.UNCONFIRMED
    ]
    for claim in listed:  # a claim no longer confirmed says when it last was
        last = claim.confirmation_list[0] if claim.confirmation_list else None
        claim.earlier_confirmation = None if claim.status == Claim.Status.CONFIRMED else last
    return listed


@login_required
@require_GET
def article_report(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The printable verification report of one article, for the editor in charge."""
    article = get_article(request, pk)
    require(request, "view_claim")
    context = {
        "article": article,
        "readiness": readiness.of(article),
        "claims": report_claims(article),
        "printed_at": timezone.now(),
    }
    return render(request, "claims/article_report.html", context)


# --- Feeds -----------------------------------------------------------------------------------


@login_required
@require_GET
def feed_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(request, "view_feed")
    form = QueueForm(request.GET)
    feeds = (
        Feed.objects.annotate(n_items=Count("items")) if form.is_valid() else Feed.objects.none()
    )
    return render(request, "claims/feed_list.html", {"page": paginate(request, feeds)})


@login_required
@require_GET
def feed_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require(request, "view_feed")
    feed = get_object_or_404(Feed, pk=pk)
    items = feed.items.select_related("article").order_by("-first_seen_at", "-pk")[:100]
    return render(request, "claims/feed_detail.html", {"feed": feed, "items": items})


urlpatterns = [
    path("queue/", todays_queue, name="todays-queue"),
    path("articles/<int:pk>/report/", article_report, name="article-report"),
    path("feeds/", feed_list, name="feed-list"),
    path("feeds/<int:pk>/", feed_detail, name="feed-detail"),
]
