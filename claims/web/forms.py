"""Every input goes through a form: new articles, edits, evidence, and the GET filters.

One filter form per list serves the HTML page, its htmx fragment and the JSON API
(``ArticleFilterForm``, ``ClaimFilterForm``, ``SourceFilterForm``): the same parameter
means the same thing everywhere. The API orders its pages by a fixed key (for its
cursors) and ignores ``sort``; the pages ignore ``page_size`` and ``cursor``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils.choices import CallableChoiceIterator

from claims import roles
from claims.confirmation.readiness import VERDICTS, with_readiness
from claims.ingest import articles as ingest
from claims.models import (
    CORRECTABLE,
    Article,
    Claim,
    ClaimCounts,
    ClaimQuerySet,
    Evidence,
    Publisher,
    Source,
    Speaker,
)
from claims.models.search import search_tokens, text_matches
from claims.review import edits
from claims.review import queue as todays_queue
from claims.web.fields import HttpURLField, LineField, StorableCharField, TextField

ANY_YES_NO = [("", "Any"), ("true", "Yes"), ("false", "No")]
MAX_ID = 2**63 - 1  # the largest key SQLite and PostgreSQL (bigint) can hold
SEARCH_MAX_LENGTH = settings.WORKBENCH_SEARCH_MAX_LENGTH
EXCERPT_MAX_LENGTH = 10_000  # characters quoted from a source in one evidence
MAX_PAGE_SIZE = 200  # rows in one page of the API
# The last page number a list accepts: its offset (page x page size) stays far inside the
# 64 bits PostgreSQL and SQLite hold, and no list comes near it.
MAX_PAGE = 1_000_000_000


class IdField(forms.IntegerField):
    """A primary key from a form or query string: a whole number the database can hold."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


class PageNumberField(forms.IntegerField):
    """A page number, from 1 to ``MAX_PAGE``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=MAX_PAGE, **kwargs)
        message = f"Pages run from 1 to {MAX_PAGE:,}."
        self.error_messages |= {"min_value": message, "max_value": message}


class SearchField(LineField):
    """A search term, at most ``WORKBENCH_SEARCH_MAX_LENGTH`` characters."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=SEARCH_MAX_LENGTH, required=False, **kwargs)


def reviewers() -> QuerySet[User]:
    """Active users whose role may review claims: the only ones claims are assigned to."""
    groups = [roles.EDITORS, roles.FACT_CHECKERS]
    active = User.objects.filter(is_active=True)
    return active.filter(Q(groups__name__in=groups) | Q(is_superuser=True)).distinct()


class ClaimIdsField(forms.ModelMultipleChoiceField):
    """Checked claims by primary key; keys the database cannot hold are refused first."""

    def _check_values(self, value: Any) -> QuerySet[Claim]:
        for pk in value or []:
            text = str(pk)
            if not (text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": text[:40]},
                )
        return super()._check_values(value)  # type: ignore[misc]  # private: not in django-stubs


class YesNoFilter(forms.TypedChoiceField):
    """A yes/no filter: ``true``/``1`` or ``false``/``0``, empty for either; anything else
    is an error (a script's typo must not silently list everything). Its widget offers
    "Any", "Yes" and "No" only: ``1`` and ``0`` are accepted (and in the API's schema),
    not shown."""

    def __init__(self, **kwargs: Any) -> None:
        choices = [*ANY_YES_NO, ("1", "1"), ("0", "0")]
        super().__init__(
            choices=choices,
            coerce=lambda value: value in ("true", "1"),
            empty_value=None,
            required=False,
            **kwargs,
        )
        # Setting a field's choices sets its widget's too: the page offers the words.
        self.widget.choices = ANY_YES_NO


NULLABLE_SORTS = {"published_at", "assignee__username"}  # empty values sort last


def _ordered(name: str, *, descending: bool) -> str | OrderBy:
    """``name`` in one direction; a nullable field with its empty values last either way
    (a plain field stays a plain name, so that its index serves the order)."""
    if name in NULLABLE_SORTS:
        field = F(name)
        return field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)
    return f"-{name}" if descending else name


def both_ways(sorts: dict[str, tuple[str, ...]]) -> dict[str, tuple[Any, ...]]:
    """``{"title": ("title", "pk")}`` and its reverse ``"-title"``: each key sorted by its
    fields, then by key (a stable order between pages)."""
    found: dict[str, tuple[Any, ...]] = {}
    for key, fields in sorts.items():
        found[key] = tuple(_ordered(name, descending=False) for name in fields)
        found[f"-{key}"] = tuple(_ordered(name, descending=True) for name in fields)
    return found


class PageForm(forms.Form):
    """Which page of a list: ``page`` (a page number), or, in the API, ``cursor`` (from
    a ``next``/``previous`` link); and the API's ``page_size``."""

    page = PageNumberField(required=False)
    page_size = forms.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, required=False)
    cursor = StorableCharField(required=False, max_length=1000, strip=True)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        # Decoded by ``api.paginated``, which knows the list's sort key.
        data["cursor_text"], data["cursor"] = data.get("cursor") or "", None
        if data["cursor_text"] and data.get("page"):
            raise forms.ValidationError("Give a cursor or a page number, not both.")
        return data


def one_time_key() -> str:
    return uuid.uuid4().hex


class BasisField(StorableCharField):
    """The version an edit form was based on (hidden): the revision, or the value it
    showed. The services refuse a save whose basis is no longer current; a form sent
    without one (a page from before this field) is refused too. "" is a basis."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, strip=False, max_length=300, widget=forms.HiddenInput,
                         **kwargs)  # fmt: skip

    def clean(self, value: Any) -> Any:
        if value is None:
            raise forms.ValidationError("This form is out of date: reload the page.")
        return super().clean(value)


class ArticleForm(forms.Form):
    """A new article: pasted text, an uploaded file, or a URL for the worker to fetch.
    ``submission_key`` is the form's one-time key: a second send of the same form (back,
    then save again) opens the article the first made. ``save_duplicate``: the person saw
    that an article of the last 30 days has this text, and saves it anyway."""

    title = LineField(max_length=300, required=False)
    outlet = LineField(max_length=200, required=False)
    url = HttpURLField(required=False, label="Article URL")
    published_at = forms.DateField(
        required=False, label="Published", widget=forms.DateInput(attrs={"type": "date"})
    )
    text = StorableCharField(
        required=False,
        strip=False,
        label="Paste the text",
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    file = forms.FileField(required=False, label="or upload .txt, .md or .html")
    fetch_url = HttpURLField(required=False, label="or fetch from a URL")
    # Kept across "back" by workbench.js (in the history entry's state); without
    # JavaScript a second send of the same text is still caught by the duplicate check.
    submission_key = StorableCharField(
        required=False, max_length=64, initial=one_time_key, widget=forms.HiddenInput
    )
    save_duplicate = forms.BooleanField(required=False)

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
        super().clean()
        data = self.cleaned_data
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
    """A new revision's text; ``basis`` is the revision it was edited from."""

    text = StorableCharField(strip=False, widget=forms.Textarea(attrs={"rows": 24}))
    basis = forms.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        widget=forms.HiddenInput,
        error_messages={"required": "This form is out of date: reload the page."},
    )


class RetryForm(forms.Form):
    """A failed article's second chance: another URL to fetch, or its text pasted."""

    fetch_url = HttpURLField(required=False, label="Fetch from another URL")
    text = StorableCharField(
        required=False,
        strip=False,
        label="or paste the text",
        widget=forms.Textarea(attrs={"rows": 10}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if bool(data.get("fetch_url")) == bool((data.get("text") or "").strip()):
            raise forms.ValidationError("Give another URL or paste the text (one of the two).")
        return data


class ArticleFilterForm(PageForm):
    """The articles list's filters and sorts. Its column sorts read the annotations of
    ``views.articles_with_counts`` and ``readiness.with_readiness``
    (``ANNOTATED_SORTS``): only the HTML list offers them."""

    SORTS: dict[str, tuple[Any, ...]] = both_ways(
        {
            "created": ("created_at", "pk"),
            "title": ("title", "pk"),
            "published": ("published_at", "pk"),
            "outlet": ("outlet", "pk"),
            "state": ("state", "pk"),
            "assignee": ("assignee__username", "pk"),
            "claims": ("n_total", "pk"),
            "worthy": ("n_worthy", "pk"),
            "confirmed_count": ("n_confirmed", "pk"),
            "contradicted_count": ("n_contradicted", "pk"),
            "readiness": ("readiness", "pk"),
        }
    )
    DEFAULT_SORT = "-created"
    ANNOTATED_SORTS = {"claims", "worthy", "confirmed_count", "contradicted_count", "readiness"}
    # The column headers that sort (``{% sort_header form key %}``), by sort key.
    SORT_LABELS = {
        "title": "Title",
        "outlet": "Outlet",
        "published": "Published",
        "state": "Job",
        "claims": "Claims",
        "worthy": "Check-worthy",
        "confirmed_count": "Confirmed",
        "contradicted_count": "Contradicted",
        "readiness": "Readiness",
        "assignee": "Assignee",
    }
    q = SearchField(label="Search")
    state = forms.ChoiceField(required=False, choices=[("", "Any state"), *Article.State.choices])
    outlet = SearchField()
    readiness = forms.ChoiceField(required=False, choices=[("", "Any verdict"), *VERDICTS])
    archived = forms.TypedChoiceField(
        required=False,
        choices=[("", "Not archived"), ("false", "Not archived"), ("true", "Archived")],
        coerce=lambda value: value == "true",
        empty_value=None,
    )
    sort = forms.ChoiceField(required=False, choices=[(key, key) for key in SORTS])

    def filter(self, queryset: QuerySet[Article]) -> QuerySet[Article]:
        """The articles that pass the filters; archived ones only when asked for."""
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        queryset = queryset.filter(archived_at__isnull=not data.get("archived"))
        if data.get("q"):
            queryset = queryset.filter(search_text__matches=data["q"])
        if data.get("state"):
            queryset = queryset.filter(state=data["state"])
        if data.get("outlet"):
            queryset = queryset.filter(outlet__iexact=data["outlet"])
        if data.get("readiness"):
            queryset = with_readiness(queryset).filter(Q(readiness=data["readiness"]))
        sort = data.get("sort") or self.DEFAULT_SORT
        if sort.lstrip("-") in self.ANNOTATED_SORTS and not queryset.query.annotations:
            sort = "-created"  # a queryset without the list's counts (the API's)
        return queryset.order_by(*self.SORTS[sort])


class ArticlePickerField(IdField):
    """``?article=<id>``, picked by title: a select of recent articles (the chosen one
    first), which the search box beside it refills (``article_list`` with ``picker``)."""

    widget = forms.Select

    def choices_for(self, value: Any) -> list[tuple[str, str]]:
        recent = Article.objects.filter(archived_at__isnull=True).order_by("-created_at", "-pk")
        articles = list(recent.only("pk", "title")[:RECENT_PICKS])
        if str(value or "").isdigit() and 0 < int(value) <= MAX_ID:
            chosen = Article.objects.filter(pk=int(value)).only("pk", "title").first()
            if chosen is not None:
                articles = [chosen, *(a for a in articles if a.pk != chosen.pk)]
        return [("", "Any article"), *((str(a.pk), a.title) for a in articles)]


RECENT_PICKS = 20  # articles or sources a picker offers before anything is typed


# What each of ``ClaimCounts`` counts, in words (the claim list's "Counted as" filter).
COUNTED = [
    ("total", "In the text"),
    ("worthy", "Check-worthy"),
    ("confirmed", "Confirmed"),
    ("contradicted", "Contradicted"),
    ("undecided", "Neither confirmed nor contradicted"),
    ("unconfirmed", "Unconfirmed"),
    ("rereview", "Needs re-review"),
    ("open", "Check-worthy, not reviewed"),
    ("hedged", "Hedged, left in the text"),
    ("unverified", "Unverified reports left in the text"),
]


class ClaimFilterForm(PageForm):
    SORTS: dict[str, tuple[Any, ...]] = {
        "-score": ("-checkworthiness", "-id"),
        "score": ("checkworthiness", "id"),
        "-updated": ("-updated_at", "-id"),
        "updated": ("updated_at", "id"),
        "article": ("article_id", "start", "id"),
        "-article": ("-article_id", "-start", "-id"),
    } | both_ways(
        {
            "text": ("text", "id"),
            "status": ("status", "id"),
            "type": ("claim_type", "id"),
            "speaker": ("speaker", "id"),
            "assignee": ("assignee__username", "id"),
        }
    )
    DEFAULT_SORT = "-score"
    SORT_LABELS = {
        "score": "Score",
        "text": "Claim",
        "status": "Status",
        "type": "Type",
        "speaker": "Speaker",
        "article": "Article",
        "assignee": "Assignee",
    }
    q = SearchField(label="Search")
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Claim.Status.choices])
    contradicted = YesNoFilter()
    hedged = YesNoFilter()
    factuality = forms.ChoiceField(
        required=False, choices=[("", "Any factuality"), *Claim.Factuality.choices]
    )
    claim_type = forms.ChoiceField(required=False, choices=[("", "Any type"), *Claim.Type.choices])
    min_score = forms.FloatField(required=False, min_value=0, max_value=1)
    max_score = forms.FloatField(required=False, min_value=0, max_value=1)
    speaker = SearchField()
    speaker_id = IdField(required=False, label="Speaker record")
    article = ArticlePickerField(required=False)
    outlet = SearchField(label="Outlet (exactly)")
    assignee = IdField(required=False, label="Assignee (user id)")
    mine = forms.BooleanField(required=False, label="Assigned to me")
    open = forms.BooleanField(required=False, label="Not confirmed yet")
    no_evidence = forms.BooleanField(required=False, label="Has no evidence")
    has_match = forms.BooleanField(required=False, label="Seen before (has a match)")
    needs_review = forms.BooleanField(required=False, label="Confirmed on a dead or changed source")
    # The claims an article page's counter or readiness reason counts (``ClaimCounts``),
    # and the new claims of today's queue: those pages link here (issue 31).
    count = forms.ChoiceField(required=False, choices=[("", "Any"), *COUNTED], label="Counted as")
    new = forms.BooleanField(required=False, label="New in today's queue")
    sort = forms.ChoiceField(required=False, choices=[(key, key) for key in SORTS])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["article"]
        if isinstance(field, ArticlePickerField):  # read when the widget is drawn
            value = self["article"].value()
            field.widget.choices = CallableChoiceIterator(lambda: field.choices_for(value))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        low, high = data.get("min_score"), data.get("max_score")
        if low is not None and high is not None and low > high:
            raise forms.ValidationError("min_score must not be greater than max_score.")
        return data

    def filter(self, queryset: ClaimQuerySet, user: Any) -> ClaimQuerySet:
        """The claims of ``queryset`` that pass the filters, sorted, with the list flags
        (``ClaimQuerySet.with_flags``)."""
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        names = ("status", "claim_type", "factuality")
        exact = {name: data[name] for name in names if data.get(name)}
        queryset = queryset.with_flags().filter(**exact)
        if not data.get("article"):  # an archived article's claims are listed only with it
            queryset = queryset.filter(article__archived_at__isnull=True)
        if data.get("q"):
            queryset = queryset.search(data["q"])
        if data.get("hedged") is not None:
            queryset = queryset.filter(hedged=data["hedged"])
        if data.get("contradicted") is not None:
            queryset = queryset.filter(Q(contradicted=data["contradicted"]))
        if data.get("min_score") is not None:
            queryset = queryset.filter(checkworthiness__gte=data["min_score"])
        if data.get("max_score") is not None:
            queryset = queryset.filter(checkworthiness__lte=data["max_score"])
        if data.get("speaker"):
            queryset = queryset.filter(speaker__ufcontains=data["speaker"])
        if data.get("speaker_id"):
            queryset = queryset.filter(speaker_record_id=data["speaker_id"])
        if data.get("article"):
            queryset = queryset.filter(article_id=data["article"])
        if data.get("outlet"):
            queryset = queryset.filter(article__outlet=data["outlet"])
        if data.get("assignee"):
            queryset = queryset.filter(assignee_id=data["assignee"])
        if data.get("mine"):
            queryset = queryset.filter(assignee=user)
        if data.get("open"):
            queryset = queryset.exclude(status=Claim.Status.CONFIRMED)
        if data.get("no_evidence"):
            queryset = queryset.filter(evidence__isnull=True)
        if data.get("has_match"):
            queryset = queryset.filter(Q(has_match=True))
        if data.get("needs_review"):
            queryset = queryset.filter(Q(needs_review=True))
        if data.get("count"):
            queryset = queryset.in_text().filter(ClaimCounts.conditions()[data["count"]])
        if data.get("new"):
            queryset = todays_queue.new_claims(queryset)
        return queryset.order_by(*self.SORTS[data.get("sort") or self.DEFAULT_SORT])


class BulkClaimForm(forms.Form):
    ACTIONS = [
        ("assign", "Assign to..."),
        ("confirm", "Confirm (where allowed)"),
        ("unconfirm", "Unconfirm"),
        ("export", "Export CSV"),
        ("export-excel", "Export CSV for Excel"),
    ]
    action = forms.ChoiceField(choices=ACTIONS)
    ids = ClaimIdsField(queryset=Claim.objects.all(), to_field_name="pk", required=False)
    all_matching = forms.BooleanField(
        required=False, label="Every claim matching the filters, not only the checked ones"
    )
    assignee = forms.ModelChoiceField(
        queryset=reviewers(),
        required=False,
        error_messages={"invalid_choice": "Assign to an active fact-checker or editor."},
    )
    note = TextField(required=False, max_length=1000)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("all_matching") and not data.get("ids") and "ids" not in self.errors:
            self.add_error("ids", "Check some claims, or choose every claim matching the filters.")
        return data


class StatusForm(forms.Form):
    """Confirm or unconfirm ``claim``. Unconfirming a confirmed claim needs a reason."""

    action = forms.ChoiceField(choices=[("confirm", "Confirm"), ("unconfirm", "Unconfirm")])
    note = TextField(required=False, max_length=1000, label="Why (kept in the history)")

    def __init__(self, data: Any = None, *, claim: Claim) -> None:
        super().__init__(data, auto_id=f"status-%s-{claim.pk}", label_suffix="")
        self.claim = claim
        if claim.status == Claim.Status.CONFIRMED:
            self.fields["note"].label = "Why unconfirm it? (required, kept in the history)"
            self.fields["note"].widget.attrs |= {"required": True, "data-focus": True}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        confirmed = self.claim.status == Claim.Status.CONFIRMED
        if data.get("action") == "unconfirm" and confirmed and not data.get("note", "").strip():
            self.add_error("note", "Say why you unconfirm this confirmed claim.")
        return data


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        queryset=reviewers().order_by("username"),
        required=False,
        empty_label="Nobody",
        error_messages={"invalid_choice": "Assign to an active fact-checker or editor."},
    )
    basis = BasisField()  # the assignee's key the form showed ("" for nobody)


def _yes_no(value: str) -> bool:
    return value == "True"


class CorrectionForm(forms.Form):
    """A reviewer's correction of one machine label (``models.CORRECTABLE``), with a
    reason. ``field`` picks the label; the ``value`` widget is that label's own."""

    VALUES: dict[str, Callable[[], forms.Field]] = {
        "speaker": lambda: LineField(
            max_length=200,
            required=False,
            label="Speaker",
            help_text="Pick one of the article's people or type a name; empty for nobody.",
        ),
        "claim_type": lambda: forms.ChoiceField(choices=Claim.Type.choices, label="Claim type"),
        "factuality": lambda: forms.ChoiceField(
            choices=Claim.Factuality.choices, label="Factuality"
        ),
        "check_worthy": lambda: forms.TypedChoiceField(
            choices=[("True", "Yes"), ("False", "No")], coerce=_yes_no, label="Check-worthy"
        ),
    }
    field = forms.ChoiceField(choices=[(name, name) for name in CORRECTABLE])
    reason = TextField(max_length=1000, label="Reason (kept in the history)")
    basis = BasisField()  # the value the form showed (``edits.basis_of``)

    def __init__(self, data: Any = None, *, claim: Claim, field: str = "") -> None:
        name = field or (data.get("field", "") if data is not None else "")
        initial = {"field": name, "value": getattr(claim, name, "")}
        if name in CORRECTABLE:
            initial["basis"] = edits.basis_of(claim, name)
        super().__init__(data, initial=initial, auto_id=f"correct-{claim.pk}-{name}-%s")
        self.fields["field"].widget = forms.HiddenInput()
        make = self.VALUES.get(name)
        if make is not None:
            self.fields["value"] = make()
            self.order_fields(["field", "value", "reason", "basis"])
        if name == "speaker":  # the article's people, offered by the panel's <datalist>
            self.fields["value"].widget.attrs["list"] = f"people-{claim.pk}"
            self.fields["record"] = forms.ModelChoiceField(
                queryset=Speaker.objects.filter(
                    Q(claims__article_id=claim.article_id) | Q(pk=claim.speaker_record_id)
                ).distinct(),
                required=False,
                label="or pick a speaker record",
                initial=claim.speaker_record_id,
            )
            # the record the form showed (``speakers.record_basis_of``); a pick needs it
            self.fields["record_basis"] = forms.CharField(
                required=False, max_length=20, widget=forms.HiddenInput,
                initial="" if claim.speaker_record_id is None else str(claim.speaker_record_id),
            )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("record") is not None and "record_basis" not in self.data:
            raise forms.ValidationError("This form is out of date: reload the page.")
        return data

    @property
    def name(self) -> str:
        return str(self["field"].value())


class EvidenceForm(forms.Form):
    source = forms.ModelChoiceField(
        queryset=Source.objects.all(), required=False, label="Existing source"
    )
    url = HttpURLField(required=False, label="or a new source URL")
    kind = forms.ChoiceField(choices=Source.Kind.choices, initial=Source.Kind.NEWS, required=False)
    stance = forms.ChoiceField(choices=Evidence.Stance.choices)
    excerpt = TextField(
        required=False, max_length=EXCERPT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )
    note = TextField(required=False, max_length=2000)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if bool(data.get("source")) == bool(data.get("url")):
            raise forms.ValidationError("Pick an existing source or give a URL (one of the two).")
        return data


class StanceForm(forms.Form):
    stance = forms.ChoiceField(choices=Evidence.Stance.choices)
    basis = BasisField()  # the stance the form showed


class CaptureForm(forms.Form):
    """A source's content provided by hand: a file (PDF, HTML, text) or pasted text."""

    file = forms.FileField(
        required=False, label="Upload the page (PDF, HTML or text)",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.html,.htm,.txt,.md"}),
    )  # fmt: skip
    text = StorableCharField(
        required=False, label="or paste its text", widget=forms.Textarea(attrs={"rows": 6})
    )
    title = StorableCharField(required=False, max_length=500)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        upload, text = data.get("file"), (data.get("text") or "").strip()
        if bool(upload) == bool(text):
            raise forms.ValidationError("Upload a file or paste the text (one of the two).")
        if upload and upload.size > settings.WORKBENCH_FETCH_MAX_BYTES:
            limit = settings.WORKBENCH_FETCH_MAX_BYTES / 1_048_576
            raise forms.ValidationError(f"The file is larger than {limit:.0f} MB.")
        return data


class SourceFilterForm(PageForm):
    q = SearchField(label="Search")
    domain = LineField(max_length=253, required=False)
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *Source.Kind.choices])
    fetch_state = forms.ChoiceField(
        required=False, choices=[("", "Any fetch state"), *Source.FetchState.choices]
    )
    link_state = forms.ChoiceField(
        required=False, choices=[("", "Any link state"), *Source.LinkState.choices]
    )

    def filter(self, queryset: QuerySet[Source]) -> QuerySet[Source]:
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        if data.get("q"):
            named = Q(domain__in=named_domains(data["q"])) & ~Q(domain="")
            queryset = queryset.filter(Q(search_text__matches=data["q"]) | named)
        if data.get("domain"):
            queryset = queryset.filter(domain__iexact=data["domain"])
        exact = {k: data[k] for k in ("kind", "fetch_state", "link_state") if data.get(k)}
        return queryset.filter(**exact).order_by("-created_at", "-pk")


def named_domains(term: str) -> set[str]:
    """The domains of the publishers (``Publisher``, with its domains) and the article
    outlets whose name matches ``term`` the way search does (``search.text_matches``):
    a source on one of them is found by that name (``guardian`` finds theguardian.com)."""
    found: set[str] = set()
    for name, domain in Publisher.objects.values_list("name", "domains__domain"):
        if domain and text_matches(search_tokens(name), term):
            found.add(domain)
    outlets = Article.objects.exclude(outlet="").exclude(outlet_domain="")
    for name, domain in outlets.values_list("outlet", "outlet_domain").distinct():
        if text_matches(search_tokens(name), term):
            found.add(domain)
    return found


def recent_sources(limit: int = RECENT_PICKS) -> list[Source]:
    """What the evidence form's source picker offers before anything is typed: the
    sources of the latest evidence, then the newest sources."""
    latest = Evidence.objects.order_by("-pk").values_list("source_id", flat=True)[: limit * 4]
    keys = list(dict.fromkeys(latest))[:limit]
    used = Source.objects.in_bulk(keys)
    sources = [used[key] for key in keys if key in used]
    if len(sources) < limit:
        newest = Source.objects.exclude(pk__in=keys).order_by("-created_at", "-pk")
        sources += list(newest[: limit - len(sources)])
    return sources


class SplitForm(forms.Form):
    before = TextField(max_length=500, label="Split before the words")


class SelectionForm(forms.Form):
    start = forms.IntegerField(min_value=0, max_value=MAX_ID)
    end = forms.IntegerField(min_value=1, max_value=MAX_ID)
