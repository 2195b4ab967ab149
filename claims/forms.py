"""Every input goes through a form: new articles, edits, evidence, and the GET filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db.models import Q, QuerySet

from . import ingest
from .models import Article, Claim, Evidence, Source

ANY_YES_NO = [("", "Any"), ("true", "Yes"), ("false", "No")]


class ArticleForm(forms.Form):
    """A new article: pasted text, an uploaded file, or a URL for the worker to fetch."""

    title = forms.CharField(max_length=300, required=False)
    outlet = forms.CharField(max_length=200, required=False)
    url = forms.URLField(
        max_length=2000, required=False, label="Article URL", assume_scheme="https"
    )
    published_at = forms.DateField(
        required=False, label="Published", widget=forms.DateInput(attrs={"type": "date"})
    )
    text = forms.CharField(
        required=False,
        strip=False,
        label="Paste the text",
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    file = forms.FileField(required=False, label="or upload .txt, .md or .html")
    fetch_url = forms.URLField(
        max_length=2000, required=False, label="or fetch from a URL", assume_scheme="https"
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data.get("file")
        if not upload:
            return ""
        from django.conf import settings

        if upload.size > settings.WORKBENCH_MAX_ARTICLE_BYTES:
            limit = settings.WORKBENCH_MAX_ARTICLE_BYTES / 1_048_576
            raise forms.ValidationError(
                f"{upload.name} is {upload.size / 1_048_576:.1f} MB; the limit is {limit:.0f} MB."
            )
        try:
            return ingest.decode_upload(upload.name, upload.read())
        except ingest.ArticleRejected as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        given = [name for name in ("text", "file", "fetch_url") if data.get(name)]
        if len(given) != 1:
            raise forms.ValidationError("Give exactly one of: pasted text, a file, or a URL.")
        if data.get("text") or data.get("file"):
            try:
                data["text"] = ingest.check_text(data.get("text") or data["file"])
            except ingest.ArticleRejected as exc:
                raise forms.ValidationError(str(exc)) from None
        return data


class ArticleTextForm(forms.Form):
    text = forms.CharField(strip=False, widget=forms.Textarea(attrs={"rows": 24}))


class ArticleFilterForm(forms.Form):
    SORTS = {
        "-created": ("-created_at", "-pk"),
        "created": ("created_at", "pk"),
        "title": ("title", "pk"),
        "-title": ("-title", "-pk"),
        "-published": ("-published_at", "-pk"),
        "published": ("published_at", "pk"),
    }
    q = forms.CharField(required=False, label="Search")
    state = forms.ChoiceField(required=False, choices=[("", "Any state"), *Article.State.choices])
    outlet = forms.CharField(required=False)
    sort = forms.ChoiceField(required=False, choices=[(key, key) for key in SORTS])
    page = forms.IntegerField(required=False, min_value=1)

    def filter(self, queryset: QuerySet[Article]) -> QuerySet[Article]:
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("q"):
            queryset = queryset.filter(
                Q(title__icontains=data["q"]) | Q(outlet__icontains=data["q"])
            )
        if data.get("state"):
            queryset = queryset.filter(state=data["state"])
        if data.get("outlet"):
            queryset = queryset.filter(outlet__iexact=data["outlet"])
        return queryset.order_by(*self.SORTS[data.get("sort") or "-created"])


class ClaimFilterForm(forms.Form):
    SORTS = {
        "-score": ("-checkworthiness", "-id"),
        "score": ("checkworthiness", "id"),
        "-updated": ("-updated_at", "-id"),
        "article": ("article_id", "start", "id"),
    }
    q = forms.CharField(required=False, label="Search")
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Claim.Status.choices])
    contradicted = forms.NullBooleanField(required=False, widget=forms.Select(choices=ANY_YES_NO))
    hedged = forms.NullBooleanField(required=False, widget=forms.Select(choices=ANY_YES_NO))
    factuality = forms.ChoiceField(
        required=False, choices=[("", "Any factuality"), *Claim.Factuality.choices]
    )
    claim_type = forms.ChoiceField(required=False, choices=[("", "Any type"), *Claim.Type.choices])
    min_score = forms.FloatField(required=False, min_value=0, max_value=1)
    max_score = forms.FloatField(required=False, min_value=0, max_value=1)
    speaker = forms.CharField(required=False)
    article = forms.IntegerField(required=False, min_value=1)
    mine = forms.BooleanField(required=False, label="Assigned to me")
    no_evidence = forms.BooleanField(required=False, label="Has no evidence")
    has_match = forms.BooleanField(required=False, label="Seen before (has a match)")
    needs_review = forms.BooleanField(required=False, label="Confirmed on a dead or changed source")
    sort = forms.ChoiceField(required=False, choices=[(key, key) for key in SORTS])
    page = forms.IntegerField(required=False, min_value=1)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        low, high = data.get("min_score"), data.get("max_score")
        if low is not None and high is not None and low > high:
            raise forms.ValidationError("min_score must not be greater than max_score.")
        return data

    def filter(self, queryset: QuerySet[Claim], user: Any) -> QuerySet[Claim]:
        """Filter a queryset annotated by ``verification.with_flags``."""
        data = self.cleaned_data if self.is_valid() else {}
        names = ("status", "claim_type", "factuality")
        exact = {name: data[name] for name in names if data.get(name)}
        queryset = queryset.filter(**exact)
        if data.get("q"):
            queryset = queryset.filter(text__icontains=data["q"])
        if data.get("hedged") is not None:
            queryset = queryset.filter(hedged=data["hedged"])
        if data.get("contradicted") is not None:
            queryset = queryset.filter(contradicted=data["contradicted"])
        if data.get("min_score") is not None:
            queryset = queryset.filter(checkworthiness__gte=data["min_score"])
        if data.get("max_score") is not None:
            queryset = queryset.filter(checkworthiness__lte=data["max_score"])
        if data.get("speaker"):
            queryset = queryset.filter(speaker__icontains=data["speaker"])
        if data.get("article"):
            queryset = queryset.filter(article_id=data["article"])
        if data.get("mine"):
            queryset = queryset.filter(assignee=user)
        if data.get("no_evidence"):
            queryset = queryset.filter(evidence__isnull=True)
        if data.get("has_match"):
            queryset = queryset.filter(has_match=True)
        if data.get("needs_review"):
            queryset = queryset.filter(needs_review=True)
        return queryset.order_by(*self.SORTS[data.get("sort") or "-score"])


class BulkClaimForm(forms.Form):
    ACTIONS = [
        ("assign", "Assign to..."),
        ("confirm", "Confirm (where allowed)"),
        ("unconfirm", "Unconfirm"),
        ("export", "Export CSV"),
    ]
    action = forms.ChoiceField(choices=ACTIONS)
    ids = forms.ModelMultipleChoiceField(queryset=Claim.objects.all(), to_field_name="pk")
    assignee = forms.ModelChoiceField(queryset=User.objects.all(), required=False)
    note = forms.CharField(required=False, max_length=1000)


class StatusForm(forms.Form):
    action = forms.ChoiceField(choices=[("confirm", "Confirm"), ("unconfirm", "Unconfirm")])
    note = forms.CharField(required=False, max_length=1000, label="Why")


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        empty_label="Nobody",
    )


class EvidenceForm(forms.Form):
    source = forms.ModelChoiceField(
        queryset=Source.objects.all(), required=False, label="Existing source"
    )
    url = forms.URLField(
        max_length=2000, required=False, label="or a new source URL", assume_scheme="https"
    )
    kind = forms.ChoiceField(choices=Source.Kind.choices, initial=Source.Kind.NEWS, required=False)
    stance = forms.ChoiceField(choices=Evidence.Stance.choices)
    excerpt = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    note = forms.CharField(required=False, max_length=2000)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("source")) == bool(data.get("url")):
            raise forms.ValidationError("Pick an existing source or give a URL (one of the two).")
        return data


class SourceFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search")
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *Source.Kind.choices])
    fetch_state = forms.ChoiceField(
        required=False, choices=[("", "Any fetch state"), *Source.FetchState.choices]
    )
    link_state = forms.ChoiceField(
        required=False, choices=[("", "Any link state"), *Source.LinkState.choices]
    )
    page = forms.IntegerField(required=False, min_value=1)

    def filter(self, queryset: QuerySet[Source]) -> QuerySet[Source]:
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("q"):
            queryset = queryset.filter(
                Q(url__icontains=data["q"])
                | Q(title__icontains=data["q"])
                | Q(publisher__icontains=data["q"])
            )
        exact = {k: data[k] for k in ("kind", "fetch_state", "link_state") if data.get(k)}
        return queryset.filter(**exact).order_by("-created_at", "-pk")


class SplitForm(forms.Form):
    before = forms.CharField(max_length=500, label="Split before the words")


class SelectionForm(forms.Form):
    start = forms.IntegerField(min_value=0)
    end = forms.IntegerField(min_value=1)
