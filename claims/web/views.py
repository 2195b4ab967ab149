"""The review workbench: function views, one per page or action, each serving the full
page and, for htmx requests, only the fragment it changes (django-template-partials).

Every view checks permissions itself, through the access helpers below: a client can
request any fragment directly. Non-htmx POSTs redirect (post/redirect/get).
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.core.paginator import Page
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.views import defaults
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from claims import jobs, team
from claims.confirmation import readiness
from claims.confirmation import service as status
from claims.confirmation.rule import Assessment
from claims.ingest import articles as ingest
from claims.matching import embeddings
from claims.models import (
    CORRECTABLE,
    Article,
    Claim,
    Confirmation,
    ConfirmationRefused,
    Evidence,
    ProvidedFile,
    Source,
    VerdictPage,
    with_light_article,
)
from claims.models import counts as article_counts
from claims.publication import exports
from claims.review import edits, history, speakers
from claims.review import evidence as verification
from claims.sources import capture as sources
from claims.sources import provided
from claims.text.diff import WordDiff, word_diff
from claims.text.plural import counted
from claims.web import highlight, paging
from claims.web.access import allows, get_article, get_claim, get_source, require, user_can
from claims.web.forms import (
    RECENT_PICKS,
    ArticleFilterForm,
    ArticleForm,
    ArticleTextForm,
    AssignForm,
    BulkClaimForm,
    CaptureForm,
    ClaimFilterForm,
    CorrectionForm,
    EvidenceForm,
    SelectionForm,
    SourceFilterForm,
    SplitForm,
    StanceForm,
    StatusForm,
    recent_sources,
)
from claims.web.panel import ArticleHeader, ClaimPanel, EvidenceLive
from claims.web.types import AuthenticatedHttpRequest, HtmxHttpRequest

# --- List helpers ----------------------------------------------------------------------


def paginate(request: HttpRequest, queryset: QuerySet[Any], per_page: int = 50) -> Page:
    """The page ``?page=`` of a list, its count capped (``paging.CappedPaginator``)."""
    return paging.paginate(queryset, request.GET.get("page"), per_page)


def list_status(request: HtmxHttpRequest, form: Any) -> int:
    """400 for a list asked with filters that cannot be used (the page shows why); htmx
    fragments answer 200 so that the error is swapped in."""
    return 400 if form.errors and not request.htmx else 200


# --- Articles ---------------------------------------------------------------------------


def articles_with_counts(queryset: QuerySet[Article]) -> QuerySet[Article]:
    """With ``n_<count>`` for the list's columns, the counts of ``ClaimQuerySet.counts``
    as stored (``counts.ArticleCounts``: a join, not a count per row)."""
    return queryset.select_related("assignee").annotate(
        **{f"n_{name}": article_counts.stored(name) for name in LIST_COUNTS}
    )


LIST_COUNTS = ("total", "worthy", "confirmed", "contradicted")


@login_required
@require_GET
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Where a person lands (after logging in, too): a fact-checker's is today's queue,
    everyone else's the article list."""
    if team.role_of(request.user) == "fact-checker":
        return redirect("todays-queue")
    return redirect("article-list")


@login_required
@require_GET
def article_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(request, "view_article")
    form = ArticleFilterForm(request.GET)
    if request.htmx and request.GET.get("picker"):  # the claims filter's article picker
        return article_options(form)
    listed = articles_with_counts(Article.objects.defer(*Article.TEXT_FIELDS, "search_text"))
    articles = form.filter(readiness.with_readiness(listed))
    context = {
        "form": form,
        "page": paginate(request, articles),
        "can": user_can(request),
    }
    template = (
        "claims/article_list.html#article-table" if request.htmx else "claims/article_list.html"
    )
    return render(request, template, context, status=list_status(request, form))


def article_options(form: ArticleFilterForm) -> HttpResponse:
    """``<option>``s of the articles whose title or outlet matches ``q``, the newest
    first (recent ones when nothing is typed), for the claims filter's article picker."""
    articles = form.filter(Article.objects.only("pk", "title")) if form.is_valid() else None
    options = [("", "Any article")]
    if articles is not None:
        options += [(str(a.pk), a.title) for a in articles[:RECENT_PICKS]]
    html = format_html_join("", '<option value="{}">{}</option>', options)
    return HttpResponse(html)


@login_required
@require_GET
def article_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    article = get_article(request, pk)
    context = article_page_context(request, article)
    if embeddings.refining(article):
        context |= {"refining": True, "shown": embeddings.worthy_key(article)}
    return render(request, "claims/article_detail.html", context)


def article_page_context(
    request: HttpRequest, article: Article, *, selected: Claim | None = None, **panel: Any
) -> dict[str, Any]:
    """The article page: text, claims, and the panel of ``selected`` (or of ``?claim=``),
    with ``panel`` overriding the panel's context (a bound form with its errors)."""
    show_all = request.GET.get("all") == "1"
    can = user_can(request)
    claims = list(
        article.claims.only(*ARTICLE_PAGE_FIELDS).with_flags().order_by("-checkworthiness", "start")
    )
    listed = sorted(
        (c for c in claims if show_all or c.check_worthy or c.orphaned or attention(c) < 2),
        key=attention,  # stable: within each rank, claims keep their order
    )
    selected = _selected_claim(request, claims, selected)
    context = {
        "article": article,
        "claims": listed,
        "hidden_count": len(claims) - len(listed),
        "show_all": show_all,
        "body_html": highlight.cached_body_html(article, claims),
        "orphans": [c for c in claims if c.orphaned],
        "selected": selected,
        "can": can,
        "header": ArticleHeader.build(article, can=can),
    } | counts_context(article, claims)
    if selected:
        context |= claim_panel_context(request, selected) | panel
    return context


def attention(claim: Claim) -> int:
    """Where the article page lists a claim: 0, first, its confirmation lapsed (needs
    re-review); 1, a source contradicts it; 2, the rest. The first two are listed even
    when they are not check-worthy."""
    if claim.status == Claim.Status.NEEDS_REREVIEW:
        return 0
    return 1 if claim.contradicted else 2


def counts_context(article: Article, claims: list[Claim] | None = None) -> dict[str, Any]:
    """The readiness box and the counters: one ``ClaimQuerySet.counts()`` for both, or
    the counts of ``claims`` (every claim of the article, loaded ``with_flags``)."""
    ready = readiness.of(article, claims)
    return {"readiness": ready, "counts": ready.counts}


# What the article page reads of each of its claims (the rows, the highlighted text,
# the counters): a 500-claim article loads these columns only, not the other JSON ones.
ARTICLE_PAGE_FIELDS = (
    "id", "article_id", "revision", "text", "start", "end", "occurrences",
    "checkworthiness", "check_worthy", "claim_type", "hedged", "hedge_cues", "factuality",
    "speaker", "attribution", "status", "status_note", "orphaned",
)  # fmt: skip


def _selected_claim(
    request: HttpRequest, claims: list[Claim], chosen: Claim | None
) -> Claim | None:
    """The claim whose panel is open, ``chosen`` or ``?claim=``, if it is one of
    ``claims``: loaded again whole, for the panel."""
    wanted = str(chosen.pk) if chosen else request.GET.get("claim", "")
    found = next((c for c in claims if str(c.pk) == wanted), None)
    if found is None:
        return None
    return Claim.objects.select_related("assignee").with_flags().get(pk=found.pk)


@login_required
@require_GET
def article_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The live job state: polled by htmx while the article is queued or processing."""
    article = get_article(request, pk)
    response = render(request, "claims/partials/article_state.html", {"article": article})
    if request.GET.get("was_active") and not article.is_active:
        response["HX-Trigger"] = "article-finished"
    return response


@login_required
@require_GET
def article_refinement(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Polled by the article page while the background pass refines its claims'
    check-worthiness (``embeddings.refining``); then says whether the check-worthy list
    changed since the page was drawn (``shown``: ``embeddings.worthy_key`` then). The page
    is not redrawn by itself: an editor may be typing in it."""
    article = get_article(request, pk)
    shown = request.GET.get("shown", "")[:12]
    refining = embeddings.refining(article)
    context = {
        "article": article,
        "refining": refining,
        "shown": shown,
        "changed": not refining and bool(shown) and shown != embeddings.worthy_key(article),
    }
    return render(request, "claims/partials/refinement.html", context)


@login_required
@require_POST
def article_retry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    article = get_article(request, pk, "change_article")
    if article.is_active:
        messages.info(request, "The article is already queued or being processed.")
    else:
        article.requeue(by=request.user, reason="retry requested")
        with jobs.unsent() as unsent:
            ingest.enqueue(article)
        if unsent:
            messages.warning(request, "Queued; processing starts when the job queue is back.")
        else:
            messages.success(request, "Extraction queued again.")
    if request.htmx:
        return render(request, "claims/partials/article_state.html", {"article": article})
    return redirect(article)


# --- Claims -----------------------------------------------------------------------------


def matching_claims(request: HttpRequest, form: ClaimFilterForm | None = None) -> QuerySet[Claim]:
    """The claims the list's filters (the query string) select."""
    form = form or ClaimFilterForm(request.GET)
    return form.filter(Claim.objects.select_related("assignee").with_light_article(), request.user)


@login_required
@require_http_methods(["GET", "POST"])
def claim_list(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    require(request, "view_claim")
    if request.method == "POST":
        return claim_bulk(request)
    form = ClaimFilterForm(request.GET)
    claims = matching_claims(request, form)
    context = {
        "form": form,
        "page": paginate(request, claims),
        "bulk": BulkClaimForm(),
        "can": user_can(request),
    }
    template = "claims/claim_list.html#claim-table" if request.htmx else "claims/claim_list.html"
    return render(request, template, context, status=list_status(request, form))


def claim_bulk(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    form = BulkClaimForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            what = {"ids": "Pick some claims: ", "action": "Pick an action: "}.get(field, "")
            messages.error(request, what + " ".join(map(str, errors)))
        return redirect(request.get_full_path())
    action, claims = form.cleaned_data["action"], form.cleaned_data["ids"]
    filters = ClaimFilterForm(request.GET)
    if form.cleaned_data["all_matching"]:
        claims = matching_claims(request, filters)
    if action in ("export", "export-excel"):
        from claims.api.views import export_claims_response

        scope = filters.cleaned_data if filters.is_valid() else {}
        stem = exports.claims_export_stem(scope, selected=not form.cleaned_data["all_matching"])
        excel = action == "export-excel"
        return export_claims_response(request, claims, "csv", excel=excel, stem=stem)
    require(request, "change_claim")
    note = form.cleaned_data["note"]
    confirmed = claims.filter(status=Claim.Status.CONFIRMED)
    if action == "confirm":
        done, refused = verification.confirm_many(claims, by=request.user, note=note)
        level = messages.WARNING if refused else messages.SUCCESS
        messages.add_message(request, level, bulk_confirm_result(done, refused))
        if request.htmx:
            return render(request, "claims/partials/messages.html")
    elif action == "unconfirm" and not note and confirmed.exists():
        messages.error(request, "Not unconfirmed: say why in the note (confirmed claims need it).")
    elif action == "unconfirm":
        done = list(claims)
        for claim in done:
            status.unconfirm(claim, by=request.user, note=note)
        messages.success(request, bulk_result("unconfirm", [("unconfirmed", done)]))
    else:
        done, to = list(claims), form.cleaned_data["assignee"]
        for claim in done:
            claim.assign(to=to, by=request.user)
        outcome = f"assigned to {to}" if to else "unassigned"
        messages.success(request, bulk_result("assign", [(outcome, done)]))
    return redirect(request.get_full_path())


def bulk_confirm_result(done: list[Claim], refused: list[tuple[Claim, str]]) -> SafeString:
    """What a bulk confirm did: the confirmed claims, then the refused ones grouped by
    why (most claims first), each claim linked."""
    by_reason: dict[str, list[Claim]] = {}
    for claim, why in refused:
        by_reason.setdefault(why, []).append(claim)
    groups = [("confirmed", done)] if done else []
    ranked = sorted(by_reason.items(), key=lambda item: -len(item[1]))
    groups += [(f"refused: {why}", claims) for why, claims in ranked]
    summary = f"{len(done)} confirmed, {len(refused)} refused"
    return bulk_result("confirm", groups, summary=summary)


def bulk_result(
    action: str, groups: list[tuple[str, list[Claim]]], *, summary: str = ""
) -> SafeString:
    """A bulk action's outcome, one item per outcome (a reason) with how many claims it
    concerns and a link to each of them."""
    total = sum(len(claims) for _, claims in groups)
    items = format_html_join(
        "",
        '<li class="bulk-group"><strong>{}</strong> ({})<ul>{}</ul></li>',
        (
            (
                outcome[:1].upper() + outcome[1:],
                counted(len(claims), "claim"),
                format_html_join(
                    "",
                    '<li><a href="{}">#{} “{}”</a></li>',
                    ((c.get_absolute_url(), c.pk, exports.short_text(c.text, 60)) for c in claims),
                ),
            )
            for outcome, claims in groups
        ),
    )
    return format_html(
        '<span>Bulk {}: {}.</span><ul class="bulk-result">{}</ul>',
        action,
        summary or f"{counted(total, 'claim')} {groups[0][0] if len(groups) == 1 else 'done'}",
        items,
    )


def claim_panel_context(request: HttpRequest, claim: Claim) -> dict[str, Any]:
    can = user_can(request)
    assessment = status.assess(claim)
    evidence = panel_evidence(claim, assessment)
    confirmation = claim.confirmations.select_related("confirmed_by").first()
    verdict_page = VerdictPage.objects.filter(claim=claim).first()
    published = verdict_page is not None and verdict_page.published
    return {
        "claim": claim,
        "evidence": evidence,
        "live": evidence_live(claim, evidence),
        "offer_capture": offer_capture(evidence, can=can),
        "history": history.claim_history(claim),
        "assessment": assessment,
        "confirmation": confirmation,
        "panel": ClaimPanel.build(
            claim,
            can=can,
            blocker=assessment.blocker,
            rereview_reason=history.lapse_explanation(claim),
        ),
        "unconfirm_open": False,
        "wording_change": wording_change(claim, confirmation),
        "published_url": request.build_absolute_uri(verdict_page.get_absolute_url())
        if verdict_page is not None and published
        else "",
        "status_form": StatusForm(claim=claim),
        "assign_form": AssignForm(initial={"assignee": claim.assignee_id}),
        "evidence_form": EvidenceForm(),
        "recent_sources": recent_sources,  # called by the template, when it offers them
        "stance_choices": Evidence.Stance.choices,
        "corrections": [CorrectionForm(claim=claim, field=name) for name in CORRECTABLE],
        "people": article_people(claim.article_id),
        "can": can,
        "verdict_page": verdict_page,
        "verdict_decided": exports.is_decided(claim),
    }


def panel_evidence(claim: Claim, assessment: Assessment) -> list[Evidence]:
    """The claim's evidence, each with its ``verdict`` under the rule."""
    evidence = list(claim.evidence.select_related("source", "added_by").order_by("added_at", "pk"))
    for item in evidence:
        item.verdict = assessment.verdicts.get(item.pk)
    return evidence


def evidence_live(claim: Claim, evidence: list[Evidence]) -> EvidenceLive:
    sources = {item.source_id for item in evidence}
    active = (ProvidedFile.State.PENDING, ProvidedFile.State.READING)
    reading = bool(sources) and (
        ProvidedFile.objects.filter(source_id__in=sources, state__in=active).exists()
    )
    return EvidenceLive.of(claim, evidence, reading=reading, now=timezone.now())


@login_required
@require_GET
def claim_evidence_live(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Polled by the claim panel while a source of its evidence is being captured (or a
    quote checked): the poller again (without its trigger once nothing is pending) and,
    when what the panel shows (``shown``: ``EvidenceLive.key``) changed, the evidence
    rows' states, the verdict line, the claim's badge and list row, the counters and the
    readiness, out of band. No form is redrawn: someone may be typing in it."""
    claim = get_claim(request, pk)
    assessment = status.assess(claim)
    evidence = panel_evidence(claim, assessment)
    live = evidence_live(claim, evidence)
    shown, shown_status = request.GET.get("shown", "")[:32], request.GET.get("status", "")[:32]
    context: dict[str, Any] = {
        "claim": claim,
        "live": live,
        "changed": shown != live.key,
        "status_changed": bool(shown_status) and shown_status != claim.status,
        "shown_status": shown_status or claim.status,
    }
    if context["changed"]:
        can = user_can(request)
        context |= {
            "oob": True,
            "selected": claim,
            "article": claim.article,
            "evidence": evidence,
            "assessment": assessment,
            "offer_capture": offer_capture(evidence, can=can),
            "panel": ClaimPanel.build(claim, can=can, blocker=assessment.blocker),
            "can": can,
        } | counts_context(claim.article)
    response = render(request, "claims/article_detail.html#evidence-live", context)
    if context["changed"]:
        changed = {"id": claim.pk, "status": claim.status, "contradicted": claim.contradicted}
        response["HX-Trigger"] = json.dumps({"claim-changed": changed})
    return response


def offer_capture(evidence: list[Evidence], *, can: dict[str, bool]) -> set[int]:
    """The evidence whose source's content the user is offered to provide by hand: a
    supporting source that does not count."""
    if not can["evidence"]:
        return set()
    return {
        item.pk
        for item in evidence
        if item.stance == Evidence.Stance.SUPPORTS and not (item.verdict and item.verdict.counts)
    }


def wording_change(claim: Claim, confirmation: Confirmation | None) -> WordDiff | None:
    """For a claim in needs re-review: its confirmed wording against its current one."""
    if claim.status != Claim.Status.NEEDS_REREVIEW or confirmation is None:
        return None
    diff = word_diff(confirmation.wording, claim.text)  # every word escaped there
    return WordDiff(mark_safe(diff.before), mark_safe(diff.after), changed=diff.changed)


def article_people(article_id: int) -> list[str]:
    """The people an article's claims name or quote: the speakers to pick from."""
    rows = Claim.objects.filter(article_id=article_id).values_list("speaker", "entities")
    names = set()
    for speaker, entities in rows:
        names.add(speaker)
        names.update(e.get("text", "") for e in entities or [] if e.get("label") == "PERSON")
    return sorted(name for name in names if name)


@login_required
@require_GET
def claim_panel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    claim = get_claim(request, pk)
    if not request.htmx:
        return redirect(claim.get_absolute_url())
    return render(request, "claims/article_detail.html#panel", claim_panel_context(request, claim))


def panel_response(
    request: HtmxHttpRequest, claim: Claim, *, action: str = "", **extra: Any
) -> HttpResponse:
    """After a change: the panel, with the claim's list row, the article's counters and
    the live region swapped out of band; an event tells the page to recolour highlights.
    The change's messages are shown next to the control of ``action`` and announced."""
    if not request.htmx:
        return redirect(claim.get_absolute_url())
    claim = get_claim(request, claim.pk)
    context = claim_panel_context(request, claim) | extra
    context |= {"oob": True, "selected": claim, "article": claim.article}
    context |= counts_context(claim.article)
    context |= {"result_for": action, "results": list(messages.get_messages(request))}
    context["corrections_open"] = action.startswith("correct-")
    response = render(request, "claims/article_detail.html#panel-with-oob", context)
    changed = {"id": claim.pk, "status": claim.status, "contradicted": claim.contradicted}
    response["HX-Trigger"] = json.dumps({"claim-changed": changed})
    return response


@login_required
@require_POST
def claim_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    claim = get_claim(request, pk, "change_claim")
    form = StatusForm(request.POST, claim=claim)
    if not form.is_valid():
        errors = [str(error) for field in form.errors.values() for error in field]
        messages.error(request, "Not changed: " + " ".join(errors))
        return status_form_again(request, claim, form)
    note = form.cleaned_data["note"]
    if form.cleaned_data["action"] == "unconfirm":
        status.unconfirm(claim, by=request.user, note=note)
        messages.success(request, "Claim marked unconfirmed.")
    elif claim.status == Claim.Status.CONFIRMED:  # no second record, the note kept
        messages.info(request, "This claim is already confirmed; nothing changed.")
    else:
        try:
            status.confirm(claim, by=request.user, note=note)
            messages.success(request, "Claim confirmed.")
        except ConfirmationRefused as exc:
            messages.error(request, str(exc))
    return panel_response(request, claim, action="status")


def status_form_again(
    request: AuthenticatedHttpRequest, claim: Claim, form: StatusForm
) -> HttpResponse:
    """The status form with its errors and input (200): in the panel for htmx, else on
    the article page served at the form's URL."""
    again = {"status_form": form, "unconfirm_open": True}
    if request.htmx:
        return panel_response(request, claim, action="status", **again)
    article = get_article(request, claim.article_id)
    context = article_page_context(request, article, selected=claim, **again)
    context["page_base"] = article.get_absolute_url()
    return render(request, "claims/article_detail.html", context)


@login_required
@require_POST
def claim_assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    claim = get_claim(request, pk, "change_claim")
    form = AssignForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            edits.assign_claim(
                claim=claim, to=data["assignee"], by=request.user, basis=data["basis"]
            )
            messages.success(request, f"Assigned to {data['assignee'] or 'nobody'}.")
        except edits.StaleEdit as exc:
            messages.error(request, str(exc))
    else:
        errors = [str(error) for field in form.errors.values() for error in field]
        messages.error(request, " ".join(errors or ["Pick a reviewer."]))
    return panel_response(request, claim, action="assign")


@login_required
@require_POST
def claim_correct(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Correct a machine label (speaker, claim type, check-worthy...) with a reason."""
    claim = get_claim(request, pk, "change_claim")
    form = CorrectionForm(request.POST, claim=claim)
    if not form.is_valid():
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        messages.error(request, "Not corrected: " + " ".join(errors))
        forms = [form if name == form.name else CorrectionForm(claim=claim, field=name)
                 for name in CORRECTABLE]  # fmt: skip
        return panel_response(request, claim, action=f"correct-{form.name}", corrections=forms)
    field, value = form.cleaned_data["field"], form.cleaned_data["value"]
    record = form.cleaned_data.get("record")
    if record is not None and record.pk != claim.speaker_record_id:  # picked from the records
        data = form.cleaned_data
        try:
            claim = speakers.pick_speaker(claim=claim, speaker=record, by=request.user,
                                          reason=data["reason"], basis=data["basis"],
                                          record_basis=data["record_basis"])  # fmt: skip
            messages.success(request, f"The speaker is now {record.name} (record #{record.pk}).")
        except edits.StaleEdit as exc:
            messages.error(request, str(exc))
            claim.refresh_from_db()
        return panel_response(request, claim, action=f"correct-{field}")
    if getattr(claim, field) == value:
        messages.info(request, f"The {CORRECTABLE[field]} is already {claim.label_of(field)}.")
        return panel_response(request, claim, action=f"correct-{field}")
    try:
        claim = edits.correct_claim(
            claim=claim,
            field=field,
            value=value,
            by=request.user,
            reason=form.cleaned_data["reason"],
            basis=form.cleaned_data["basis"],
        )
        messages.success(request, f"The {CORRECTABLE[field]} is now {claim.label_of(field)}.")
    except edits.StaleEdit as exc:
        messages.error(request, str(exc))
    return panel_response(request, claim, action=f"correct-{field}")


@login_required
@require_POST
def evidence_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    claim = get_claim(request, pk, "add_evidence")
    form = EvidenceForm(request.POST)
    if form.is_valid():
        try:
            verification.add_evidence(claim=claim, by=request.user, **form.cleaned_data)
        except (verification.EvidenceRejected, ValueError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Evidence added.")
            return panel_response(request, claim, action="evidence")
    if not request.htmx:  # the whole page again, the form with its errors and input
        article = get_article(request, claim.article_id)
        context = article_page_context(request, article, selected=claim, evidence_form=form)
        # Served at the form's URL: the page's relative links (``?claim=``) resolve
        # against the article's own address.
        context["page_base"] = article.get_absolute_url()
        return render(request, "claims/article_detail.html", context)
    return panel_response(request, claim, action="evidence", evidence_form=form)


@login_required
@require_POST
def evidence_stance(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require(request, "change_evidence")
    evidence = get_object_or_404(Evidence.objects.select_related("claim", "source"), pk=pk)
    form = StanceForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            verification.change_stance(
                evidence=evidence, stance=data["stance"], by=request.user, basis=data["basis"]
            )
            messages.success(request, f"Evidence now marked “{evidence.get_stance_display()}”.")
        except verification.StaleEvidence as exc:
            messages.error(request, str(exc))
    else:
        errors = form.errors.get("basis") or ["Pick supports, refutes or context."]
        messages.error(request, " ".join(map(str, errors)))
    return panel_response(request, evidence.claim, action="stance", result_evidence=evidence.pk)


@login_required
@require_POST
def evidence_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require(request, "delete_evidence")
    evidence = get_object_or_404(Evidence.objects.select_related("claim"), pk=pk)
    claim = evidence.claim
    verification.remove_evidence(evidence=evidence, by=request.user)
    messages.success(request, "Evidence removed.")
    return panel_response(request, claim, action="evidence")


def after_claim_edit(request: HtmxHttpRequest, url: str) -> HttpResponse:
    """Splits, merges and new claims change the whole text: reload the article page."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@login_required
@require_POST
def claim_split(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    claim = get_claim(request, pk, "add_claim")
    form = SplitForm(request.POST)
    try:
        if not form.is_valid():
            raise edits.ClaimEditRejected("Type the words where the second part begins.")
        edits.split_claim(claim=claim, before=form.cleaned_data["before"], by=request.user)
        messages.success(request, "Claim split in two.")
    except edits.ClaimEditRejected as exc:
        messages.error(request, str(exc))
    return after_claim_edit(request, claim.get_absolute_url())


@login_required
@require_POST
def claim_merge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    claim = get_claim(request, pk, "add_claim")
    try:
        edits.merge_with_next(claim=claim, by=request.user)
        messages.success(request, "Merged with the following claim.")
    except edits.ClaimEditRejected as exc:
        messages.error(request, str(exc))
    return after_claim_edit(request, claim.get_absolute_url())


@login_required
@require_POST
def claim_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    article = get_article(request, pk, "add_claim")
    form = SelectionForm(request.POST)
    url = article.get_absolute_url()
    try:
        if not form.is_valid():
            raise edits.ClaimEditRejected("Select some text of the article first.")
        claim = edits.create_claim(article=article, by=request.user, **form.cleaned_data)
        messages.success(request, "Claim created from the selection.")
        url = claim.get_absolute_url()
    except edits.ClaimEditRejected as exc:
        messages.error(request, str(exc))
    return after_claim_edit(request, url)


# --- Sources ----------------------------------------------------------------------------


@login_required
@require_GET
def source_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(request, "view_source")
    form = SourceFilterForm(request.GET)
    sources = form.filter(Source.objects.annotate(n_evidence=Count("evidence")))
    if request.htmx and request.GET.get("picker"):  # the evidence form's source picker
        typed = form.is_valid() and form.cleaned_data.get("q")
        picks = sources[:RECENT_PICKS] if typed else recent_sources()
        return render(request, "claims/source_list.html#source-options", {"page": picks})
    context = {
        "form": form,
        "page": paginate(request, sources),
    }
    template = "claims/source_list.html#source-table" if request.htmx else "claims/source_list.html"
    return render(request, template, context, status=list_status(request, form))


@login_required
@require_GET
def source_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    source = get_source(request, pk)
    evidence = with_light_article(source.evidence.select_related("added_by"), "claim__article")
    evidence = evidence.order_by("-added_at")
    captures = list(source.captures.order_by("-fetched_at", "-pk").defer("text_compressed"))
    uploads = list(source.provided_files.defer("data")[:5])
    latest = captures[0] if captures else None
    context = {
        "source": source,
        "evidence": evidence,
        "captures": captures,
        # The content people gave by hand is what evidence counts against: say so, and
        # not "Captured (HTTP 200)" from a fetch it replaced.
        "provided": latest
        if latest and latest.provided_by_name and source.fetch_state == Source.FetchState.OK
        else None,
        "uploads": uploads,
        "reading": any(upload.is_active for upload in uploads),
        "capture_form": CaptureForm(),
        "can": user_can(request),
    }
    # Polled by htmx while an uploaded file is being read (the card stops polling when done).
    template = "claims/source_detail.html#source-card" if request.htmx else None
    return render(request, template or "claims/source_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def source_capture(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Provide a source's content by hand (paywall, offline, blocked): upload or paste."""
    source = get_source(request, pk)
    require(request, "add_sourcecapture")
    form = CaptureForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            done = _provide(source, form.cleaned_data, request.user)
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, done)
            return redirect(source)
    return render(request, "claims/source_capture.html", {"source": source, "form": form})


def _provide(source: Source, data: dict[str, Any], user: Any) -> str:
    """Save the content provided by hand, or queue a PDF or HTML file to be read in the
    background; the message for the person. ``ValueError`` when it cannot be read."""
    upload, title = data["file"], data["title"]
    if upload and provided.reads_in_background(upload.name):
        with jobs.unsent() as unsent:
            provided.submit_file(source, name=upload.name, data=upload.read(), title=title, by=user)
        if unsent:
            return f"{upload.name} is kept: it will be read when the job queue is back."
        return f"Reading {upload.name}… This page shows the capture when it is done."
    if upload:
        content = provided.read_provided_file(upload.name, upload.read())
        text, provided_as = content.text, provided.described(upload.name, content.note)
        title = title or content.title
    else:
        text, note = provided.cut(data["text"])
        provided_as = provided.described("pasted text", note)
    sources.provide_capture(source, text=text, title=title, by=user, provided_as=provided_as)
    return "Content saved as a capture provided by you; quotes re-checked."


# --- Requests over Django's size cap --------------------------------------------------------


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler400``: a paste or edit larger than even Django's request cap (see
    ``DATA_UPLOAD_MAX_MEMORY_SIZE``) gets its form again with the reason, not a bare 400.
    The text itself could not be read, so it cannot be shown again."""
    form_page = _article_form_page(request) if isinstance(exception, RequestDataTooBig) else None
    if form_page is None:
        return defaults.bad_request(request, exception)
    size = int(request.META.get("CONTENT_LENGTH") or 0) / 1_048_576
    limit = settings.WORKBENCH_MAX_ARTICLE_BYTES / 1_048_576
    reason = (
        f"What you sent is {size:.1f} MB, far over the article limit of {limit:.0f} MB, so it "
        "was not read and cannot be shown again: shorten the text, or split it into articles."
    )
    template, context = form_page
    return render(request, template, context | {"too_large": reason}, status=400)


def _article_form_page(request: HttpRequest) -> tuple[str, dict[str, Any]] | None:
    """The new-article or edit page for ``request``'s URL, if the user may use it."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    if not getattr(request.user, "is_authenticated", False):
        return None
    if match.url_name == "article-new" and allows(request, "add_article"):
        return "claims/article_new.html", {"form": ArticleForm()}
    if match.url_name == "article-edit" and allows(request, "change_article"):
        article = Article.objects.filter(pk=match.kwargs["pk"]).first()
        if article is not None:
            form = ArticleTextForm(initial={"text": article.body, "basis": article.revision})
            return "claims/article_edit.html", {"article": article, "form": form}
    return None
