"""Speaker records in the UI (issue 32): ``/speakers/`` (the list, with claim counts) and
``/speakers/<id>/`` (a speaker's claims across stories with their verdicts and counts,
the record's history, and for editors: edit names and aliases, merge, split)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from claims.models import Claim, Speaker
from claims.review import speakers as editing
from claims.review.speakers import claim_count_text
from claims.web.access import require
from claims.web.fields import LineField, StorableCharField
from claims.web.forms import PageForm, SearchField
from claims.web.types import AuthenticatedHttpRequest
from claims.web.views import list_status, paginate

# --- Forms --------------------------------------------------------------------------------


class SpeakerFilterForm(PageForm):
    q = SearchField(label="Search names and aliases")
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *Speaker.Kind.choices])

    def filter(self, queryset: QuerySet[Speaker]) -> QuerySet[Speaker]:
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        if data.get("q"):
            named = Q(name__ufcontains=data["q"]) | Q(aliases__name__ufcontains=data["q"])
            queryset = queryset.filter(pk__in=Speaker.objects.filter(named).values("pk"))
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        return queryset.order_by(F("claim_count").desc(), "name", "pk")


class SpeakerEditForm(forms.Form):
    name = LineField(max_length=200)
    kind = forms.ChoiceField(choices=Speaker.Kind.choices)
    role = LineField(max_length=200, required=False, label="Role or title as stated")
    wikidata_id = forms.RegexField(
        regex=r"^Q[1-9][0-9]*$",
        required=False,
        max_length=20,
        label="Wikidata id",
        error_messages={"invalid": "A Wikidata id looks like Q42."},
    )
    aliases = StorableCharField(
        required=False,
        max_length=20000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One name per line: every way articles name this speaker.",
    )

    def alias_list(self) -> list[str]:
        lines = self.cleaned_data["aliases"].splitlines()
        return [" ".join(line.split())[:200] for line in lines if line.strip()]


class SpeakerMergeForm(forms.Form):
    other = forms.ModelChoiceField(
        queryset=Speaker.objects.none(), label="Merge this record into it", empty_label="—"
    )

    def __init__(self, *args: Any, speaker: Speaker, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "merge-%s")
        super().__init__(*args, **kwargs)
        field = self.fields["other"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Speaker.objects.current().exclude(pk=speaker.pk)


class SpeakerSplitForm(forms.Form):
    aliases = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple, label="Names that are someone else"
    )
    name = LineField(max_length=200, required=False, label="The new record's name")

    def __init__(self, *args: Any, speaker: Speaker, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "split-%s")
        super().__init__(*args, **kwargs)
        names = speaker.aliases.values_list("name", flat=True)
        field = self.fields["aliases"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(name, name) for name in names]


# --- Views --------------------------------------------------------------------------------


def get_speaker(request: AuthenticatedHttpRequest, pk: int, codename: str) -> Speaker:
    require(request, codename)
    return get_object_or_404(Speaker, pk=pk)


@login_required
@require_GET
def speaker_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(request, "view_speaker")
    form = SpeakerFilterForm(request.GET)
    speakers = form.filter(Speaker.objects.current().with_claim_count())
    context = {"form": form, "page": paginate(request, speakers)}
    template = (
        "claims/speaker_list.html#speaker-table" if request.htmx else "claims/speaker_list.html"
    )
    return render(request, template, context, status=list_status(request, form))


@login_required
@require_GET
def speaker_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    speaker = get_speaker(request, pk, "view_speaker")
    if speaker.merged_into_id:
        return redirect("speaker-detail", speaker.merged_into_id)
    return render(request, "claims/speaker_detail.html", detail_context(request, speaker))


def detail_context(request: AuthenticatedHttpRequest, speaker: Speaker, **forms: Any) -> dict:
    claims = Claim.objects.filter(speaker_record=speaker)
    listed = claims.with_light_article().with_verdict().order_by("-article__created_at", "start")
    can_edit = request.user.has_perm("claims.change_speaker")
    initial = {"name": speaker.name, "kind": speaker.kind, "role": speaker.role,
               "wikidata_id": speaker.wikidata_id,
               "aliases": "\n".join(speaker.aliases.values_list("name", flat=True))}  # fmt: skip
    return {
        "speaker": speaker,
        "counts": claims.counts(),
        "page": paginate(request, listed),
        "history": speaker.history.select_related("history_user").order_by("-history_date")[:50],
        "can_edit": can_edit,
        "edit_form": forms.get("edit") or SpeakerEditForm(initial=initial),
        "merge_form": forms.get("merge") or SpeakerMergeForm(speaker=speaker),
        "split_form": forms.get("split") or SpeakerSplitForm(speaker=speaker),
    }


@login_required
@require_POST
def speaker_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    speaker = get_speaker(request, pk, "change_speaker")
    form = SpeakerEditForm(request.POST)
    if not form.is_valid():
        return render(
            request, "claims/speaker_detail.html", detail_context(request, speaker, edit=form)
        )
    data = form.cleaned_data
    changes = editing.edit_speaker(speaker=speaker, name=data["name"], kind=data["kind"],
                                   role=data["role"], wikidata_id=data["wikidata_id"],
                                   aliases=form.alias_list(), by=request.user)  # fmt: skip
    messages.success(request, "Saved: " + "; ".join(changes) if changes else "Nothing changed.")
    return redirect(speaker)


@login_required
@require_POST
def speaker_merge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Merge another record into this one."""
    speaker = get_speaker(request, pk, "change_speaker")
    form = SpeakerMergeForm(request.POST, speaker=speaker)
    if not form.is_valid():
        return render(
            request, "claims/speaker_detail.html", detail_context(request, speaker, merge=form)
        )
    other = form.cleaned_data["other"]
    try:
        moved = editing.merge_speakers(keep=speaker, others=[other], by=request.user)
    except editing.SpeakerEditRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"Merged {other.name} into {speaker.name}: {claim_count_text(moved)} moved."
        )
    return redirect(speaker)


@login_required
@require_POST
def speaker_split(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Split some names (and their claims) off into a new record."""
    speaker = get_speaker(request, pk, "change_speaker")
    form = SpeakerSplitForm(request.POST, speaker=speaker)
    if not form.is_valid():
        return render(
            request, "claims/speaker_detail.html", detail_context(request, speaker, split=form)
        )
    try:
        new = editing.split_speaker(speaker=speaker, aliases=form.cleaned_data["aliases"],
                                    name=form.cleaned_data["name"], by=request.user)  # fmt: skip
    except editing.SpeakerEditRefused as exc:
        messages.error(request, str(exc))
        return redirect(speaker)
    messages.success(request, f"Split off {new.name}.")
    return redirect(new)


urlpatterns = [
    path("speakers/", speaker_list, name="speaker-list"),
    path("speakers/<int:pk>/", speaker_detail, name="speaker-detail"),
    path("speakers/<int:pk>/edit/", speaker_edit, name="speaker-edit"),
    path("speakers/<int:pk>/merge/", speaker_merge, name="speaker-merge"),
    path("speakers/<int:pk>/split/", speaker_split, name="speaker-split"),
]
