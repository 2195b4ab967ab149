"""The API's input: its list forms (the HTML lists' filter forms, plus the API's own
order and paging rules), the story form of the write API, and the one step that binds
query strings and bodies to them (``bind``).

``bind`` is strict where the HTML forms are forgiving, so that the OpenAPI document
(``claims/api/schema.py``, built from these same fields by ``field_schema``) says exactly
what is accepted: a parameter the form does not have is an error naming it; a length is
counted on the value as sent, before cleaning; a number is digits (``5``, not ``5.0``);
an empty value is "any" only where the parameter's enum lists ``""`` (or for free text).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, TypeVar, cast

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Field, Model, QuerySet
from django.utils.dateparse import parse_datetime

from claims.ingest import articles as ingest
from claims.models import Article, Claim, ClaimQuerySet, Evidence, Source, Speaker
from claims.web import forms as lists
from claims.web.fields import HttpURLField, LineField, StorableCharField
from claims.web.speakers import SpeakerFilterForm

INTEGER = re.compile(r"-?[0-9]+\Z")
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?\Z")
# A value that survives ``clean_line`` and ``strip``: something besides white space,
# control characters and bidirectional overrides.
SOMETHING = r"[^\s\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
# Django's URL syntax (``URLValidator``, which ``HttpURLField`` runs), for http(s) only.
# An IPv6 literal host is refused (Django checks its form apart from the pattern; no
# story is published at one). Control characters and bidirectional overrides (which the
# field removes before validating) are refused outright: what is checked is what was sent.
URL_PATTERN = "(?i)^https?://" + (
    re.compile(URLValidator.regex)
    .pattern.split("://", 1)[1]
    .replace("\\Z", "$")
    .replace("|\\[[0-9a-f:.]+\\]", "")
    .replace("[^\\s", "[^\\s" + SOMETHING[4:-1])
)
# Claim ids in one ``ids`` value: comma-separated, spaces allowed around them.
ID = "[1-9][0-9]{0,17}"
ID_LIST = f"^ *(?:{ID} *(?:, *{ID} *)*)?$"


class StrictBooleanField(forms.TypedChoiceField):
    """A flag: ``true``/``1`` or ``false``/``0`` (empty for off); nothing else."""

    def __init__(self, **kwargs: Any) -> None:
        choices = [("", ""), ("true", "true"), ("false", "false"), ("1", "1"), ("0", "0")]
        super().__init__(
            choices=choices,
            coerce=lambda v: v in ("true", "1"),
            empty_value=False,  # type: ignore[arg-type]  # the stubs allow str only
            **kwargs,
        )


class InstantField(forms.DateTimeField):
    """A date (the start of that day, UTC) or an ISO 8601 date-time with its offset; kept
    as the instant (aware, in UTC)."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value.strip()):
            value = value.strip() + "T00:00:00Z"
        try:
            parsed = parse_datetime(value.strip()) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if isinstance(value, str) and value.strip() and parsed is None:
            raise forms.ValidationError(
                "Give a date (YYYY-MM-DD) or an ISO 8601 date-time.", code="invalid"
            )
        return super().to_python(parsed if parsed is not None else value)


# --- Lists ------------------------------------------------------------------------------


CURSOR_SALT = "claims.api.cursor"
CURSOR_FORMAT = "cursor"  # its name in the OpenAPI document: opaque, signed


def _exact(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value  # to the microsecond


def encode_cursor(ordering: tuple[str, ...], direction: str, values: list[Any]) -> str:
    """A signed cursor: continue ``after`` (or ``before``) the row whose sort key in
    ``ordering`` is ``values``."""
    payload = {"o": list(ordering), "d": direction, "k": [_exact(v) for v in values]}
    return signing.dumps(payload, salt=CURSOR_SALT)


class ApiPage(lists.PageForm):
    """The API's paging: ``sort`` chooses one of ``ORDERS`` (the first is the default);
    ``cursor`` (from a ``next``/``previous`` link, signed) says where to continue and in
    which order, so it wins over ``page`` and ``sort``."""

    MODEL: type[Model]
    ORDERS: dict[str, tuple[str, ...]] = {}
    MOVING: tuple[str, ...] = ()  # orders by a value that can change during a walk

    def clean(self) -> dict[str, Any]:
        if self.cleaned_data.get("cursor"):
            self.cleaned_data["page"] = None  # the cursor says where to continue
        # ``PageForm``'s checks (it sets ``cursor_text``), not the list's: in the API,
        # ``min_score`` above ``max_score`` is a range with no claims, not an error.
        lists.PageForm.clean(self)
        data = self.cleaned_data
        if data["cursor_text"]:
            data["cursor"] = self._decode(data["cursor_text"])
        return data

    def _decode(self, text: str) -> tuple[str, tuple[str, ...], list[Any]] | None:
        """(direction, ordering, key values) of a cursor this API signed for this list."""
        try:
            payload = signing.loads(text, salt=CURSOR_SALT)
            ordering, direction = tuple(payload["o"]), payload["d"]
            if ordering not in self.ORDERS.values() or direction not in ("after", "before"):
                raise ValueError
            keys = []
            for name, value in zip(ordering, payload["k"], strict=True):
                field = self.MODEL._meta.get_field(name.lstrip("-"))
                if not isinstance(field, Field):  # a relation's other side: not a sort key
                    raise ValueError
                keys.append(field.to_python(value))
            if any(key is None for key in keys):
                raise ValueError
        except (signing.BadSignature, ValueError, TypeError, KeyError, ValidationError):
            message = "This cursor is not one the API gave out; start again without it."
            self.add_error("cursor", forms.ValidationError(message, code="invalid"))
            return None
        return direction, ordering, keys

    def ordering(self) -> tuple[str, ...]:
        if self.cleaned_data.get("cursor"):
            return self.cleaned_data["cursor"][1]
        return self.ORDERS[self.cleaned_data.get("sort") or next(iter(self.ORDERS))]


def _sort(form: type[ApiPage]) -> forms.ChoiceField:
    return forms.ChoiceField(
        required=False, choices=[("", ""), *[(key, key) for key in form.ORDERS]]
    )


class ArticleListForm(ApiPage, lists.ArticleFilterForm):
    MODEL = Article
    ORDERS = {
        "-created": ("-created_at", "-id"),
        "created": ("created_at", "id"),
        "-id": ("-id",),
        "id": ("id",),
        "title": ("title", "id"),
        "-title": ("-title", "-id"),
    }
    SORTS = lists.ArticleFilterForm.SORTS | ORDERS
    MOVING = ("title", "-title")
    external_id = LineField(max_length=200, required=False)

    def filter(self, queryset: QuerySet[Article]) -> QuerySet[Article]:
        queryset = super().filter(queryset)
        if self.is_valid() and self.cleaned_data["external_id"]:
            queryset = queryset.filter(external__external_id=self.cleaned_data["external_id"])
        return queryset


class ClaimListForm(ApiPage, lists.ClaimFilterForm):
    MODEL = Claim
    ORDERS = {
        "id": ("id",),
        "-id": ("-id",),
        "-created": ("-created_at", "-id"),
        "-checkworthiness": ("-checkworthiness", "-id"),
        "checkworthiness": ("checkworthiness", "id"),
        "-updated": ("-updated_at", "-id"),
        "article": ("article_id", "start", "id"),
    }
    SORTS = lists.ClaimFilterForm.SORTS | ORDERS
    MOVING = ("-checkworthiness", "checkworthiness", "-updated", "article")
    article = lists.IdField(required=False)  # type: ignore[assignment]  # a key, not a picker
    mine = StrictBooleanField(required=False)  # type: ignore[assignment]  # strict
    open = StrictBooleanField(required=False)  # type: ignore[assignment]  # strict
    no_evidence = StrictBooleanField(required=False)  # type: ignore[assignment]  # strict
    has_match = StrictBooleanField(required=False)  # type: ignore[assignment]  # strict
    needs_review = StrictBooleanField(required=False)  # type: ignore[assignment]  # strict
    new = StrictBooleanField(required=False)  # type: ignore[assignment]  # strict


class SourceListForm(ApiPage, lists.SourceFilterForm):
    MODEL = Source
    ORDERS = {"id": ("id",), "-id": ("-id",)}


class SpeakerListForm(ApiPage, SpeakerFilterForm):
    MODEL = Speaker
    ORDERS = {"id": ("id",), "-id": ("-id",)}


class EvidenceListForm(ApiPage):
    MODEL = Evidence
    ORDERS = {"id": ("id",), "-id": ("-id",)}
    claim = lists.IdField(required=False)
    article = lists.IdField(required=False)
    source = lists.IdField(required=False)
    stance = forms.ChoiceField(choices=[("", ""), *Evidence.Stance.choices], required=False)

    def filter(self, queryset: QuerySet[Evidence]) -> QuerySet[Evidence]:
        data = self.cleaned_data
        lookups = {
            "claim_id": data["claim"],
            "claim__article_id": data["article"],
            "source_id": data["source"],
            "stance": data["stance"] or None,
        }
        return queryset.filter(**{k: v for k, v in lookups.items() if v is not None})


for _form in (ArticleListForm, ClaimListForm, SourceListForm, SpeakerListForm, EvidenceListForm):
    _form.base_fields["sort"] = _sort(_form)


class ArticleDetailForm(forms.Form):
    """``?include=claims``: the claims in the article, up to ``INCLUDE_CLAIMS_MAX``."""

    include = forms.ChoiceField(choices=[("", ""), ("claims", "claims")], required=False)


class NoParameters(forms.Form):
    pass


FORMATS = {
    # format: (content type, file extension)
    "csv": ("text/csv; charset=utf-8", "csv"),
    "json": ("application/json", "json"),
    "claimreview": ("application/ld+json", "jsonld"),
}
MAX_IDS = 5000  # ids one export may select (keeps the SQL parameter list bounded)


# --- The downloads ---------------------------------------------------------------------


class IdListField(forms.Field):
    """Primary keys from ``?ids=1,2,3`` and/or repeated ``ids`` fields."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Iterable[str] | None) -> list[int]:
        items = list(value or [])
        if not all(re.fullmatch(ID_LIST, item) for item in items):
            raise forms.ValidationError(
                "Give claim ids as whole numbers (1 to 18 digits), separated by commas.",
                code="invalid",
            )
        parts = [p.strip() for item in items for p in item.split(",") if p.strip()]
        if len(parts) > MAX_IDS:
            raise forms.ValidationError(f"Give at most {MAX_IDS} ids.", code="max_ids")
        return [int(part) for part in parts]


class CsvOptionsForm(forms.Form):
    """``?excel=1``: the CSV behind a UTF-8 byte order mark, for Excel."""

    excel = StrictBooleanField(required=False)


class ClaimExportForm(ClaimListForm, CsvOptionsForm):
    """The claim list's filters (no paging: a download has every claim), ``ids``, and
    ``excel``."""

    page = page_size = cursor = sort = None  # type: ignore[assignment]
    ids = IdListField(required=False)

    def filter(self, queryset: ClaimQuerySet, user: Any = None) -> ClaimQuerySet:
        queryset = super().filter(queryset, user)
        if self.cleaned_data["ids"]:
            queryset = queryset.filter(pk__in=self.cleaned_data["ids"])
        return queryset


# --- The write API ----------------------------------------------------------------------


class StoryForm(forms.Form):
    """``POST /api/articles/``: a story with its text, or a URL for the worker to fetch."""

    external_id = LineField(max_length=200)
    title = LineField(max_length=300, required=False)
    outlet = LineField(max_length=200, required=False)
    url = HttpURLField(required=False)
    published_at = InstantField(required=False)
    text = StorableCharField(required=False, strip=False)
    retry = StrictBooleanField(required=False)

    def clean_external_id(self) -> str:
        value = self.cleaned_data["external_id"].strip()
        if not value:
            raise forms.ValidationError("Give the story's id in your CMS.", code="required")
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("text") and not data.get("url"):
            raise forms.ValidationError(
                "Give the story's text, or its url to fetch it from.", code="required"
            )
        if data.get("text"):
            try:
                data["text"] = ingest.check_text(data["text"])
            except ingest.ArticleRejected as exc:
                self.add_error("text", forms.ValidationError(str(exc), code="invalid"))
        return data


# --- Binding ----------------------------------------------------------------------------


def _strict_error(field: forms.Field, raw: str) -> forms.ValidationError | None:
    """What ``bind`` refuses before the form sees ``raw``: what the schema says."""
    limit = getattr(field, "max_length", None)
    if limit is not None and len(raw) > limit:
        return forms.ValidationError(
            f"Give at most {limit} characters (this has {len(raw)}).", code="max_length"
        )
    if isinstance(field, forms.ChoiceField):
        return None
    if isinstance(field, HttpURLField) and raw and not re.search(URL_PATTERN, raw):
        return forms.ValidationError("Give an http:// or https:// URL.", code="invalid")
    if isinstance(field, forms.FloatField):  # before IntegerField: a FloatField is one
        return None if NUMBER.match(raw) else forms.ValidationError("Give a number.", "invalid")
    if isinstance(field, forms.IntegerField) and not INTEGER.match(raw):
        return forms.ValidationError("Give a whole number.", code="invalid")
    return None


F = TypeVar("F", bound=forms.Form)


def bind(form_class: type[F], data: Mapping[str, Any]) -> F:
    """``form_class`` bound to ``data`` (a QueryDict or a dict) and validated, with
    ``bind``'s strict rules: unknown names, and values the schema does not allow, are
    errors of the form like any other."""
    form = form_class(data)
    form.is_valid()
    for name in data:
        field = form.fields.get(name)
        if field is None:
            known = ", ".join(sorted(form.fields)) or "no parameters"
            unknown = forms.ValidationError(
                f"Unknown parameter {name!r}; this takes {known}.", code="unknown"
            )
            form.errors[name] = form.error_class(unknown.error_list)
        elif isinstance(raw := data.get(name), str) and (refused := _strict_error(field, raw)):
            form.errors.pop(name, None)
            form.add_error(name, refused)
    return form


# --- What the OpenAPI document says of each field ---------------------------------------


def field_schema(field: forms.Field) -> dict[str, Any]:
    """The JSON Schema of what ``bind`` accepts for ``field`` (as a query string value or
    a string in a body): the same rules, written down."""
    schema: dict[str, Any]
    if isinstance(field, forms.ChoiceField):
        choices = cast(Iterable[tuple[Any, Any]], field.choices)
        schema = {"type": "string", "enum": [str(value) for value, _ in choices]}
    elif isinstance(field, forms.FloatField):  # before IntegerField: a FloatField is one
        schema = {"type": "number"}
    elif isinstance(field, forms.IntegerField):
        schema = {"type": "integer"}
    elif isinstance(field, InstantField):
        schema = {"type": "string", "anyOf": [{"format": "date"}, {"format": "date-time"}]}
    elif isinstance(field, HttpURLField):
        schema = {"type": "string", "pattern": URL_PATTERN}
    elif field is lists.PageForm.base_fields["cursor"] or getattr(field, "is_cursor", False):
        schema = {"type": "string", "format": CURSOR_FORMAT}
    else:
        schema = {"type": "string"}
    bounds = {
        "minimum": getattr(field, "min_value", None),
        "maximum": getattr(field, "max_value", None),
        "maxLength": getattr(field, "max_length", None),
    }
    schema |= {key: value for key, value in bounds.items() if value is not None}
    if field.required and schema["type"] == "string" and "enum" not in schema:
        schema["pattern"] = SOMETHING
    if field.help_text:
        schema["description"] = str(field.help_text)
    return schema
