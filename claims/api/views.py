"""The read-only JSON API and the export downloads.

Every endpoint needs a user with the ``claims.view_claim`` permission (Viewers,
Fact-checkers and Editors have it), logged in by session or, for scripts, by a personal
API token (``Authorization: Bearer <token>``, see ``claims/integrations/tokens.py``). Without
credentials, or with a wrong or revoked token, the API answers 401 JSON; the downloads
redirect a browser without credentials to the login page instead. HTTP Basic is not
accepted: it would cost a password hash on every request, outside the login lockout.
Users without the permission get 403. The API only answers GET (405 otherwise), except
``POST /api/articles/``, the write API (Editors' tokens only, see ``stories.py``); list
filters are validated by a Form and bad values give 400 with the form errors.

Lists are paginated in a stable order ending with the primary key: ``{"count", "next",
"previous", "results"}``, ``page_size`` at most ``MAX_PAGE_SIZE``. ``next`` and
``previous`` carry an opaque ``cursor`` (the sort key and id of the row to continue
from), so a client following them sees every row once even while rows are added;
``?page=N`` still starts at a page number (at most ``MAX_PAGE``: a larger one is a 400).

Nothing an article holds is embedded without a bound: its detail links to its claims,
paged (``claims_url``), and includes them (``?include=claims``) only up to
``WORKBENCH_API_INCLUDE_CLAIMS_MAX``; the downloads stream claim by claim.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db.models import Field, Model, Q, QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.urls import path, reverse
from django.utils.text import slugify
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from claims.confirmation import readiness
from claims.ingest import articles as ingest
from claims.ingest import stories
from claims.integrations import tokens
from claims.models import Article, Claim, ClaimQuerySet, Evidence, Source
from claims.publication import exports
from claims.text.cleaning import unencodable
from claims.web import access
from claims.web import forms as lists
from claims.web.fields import HttpURLField, LineField, StorableCharField
from claims.web.types import AuthenticatedHttpRequest

View = Callable[..., HttpResponseBase]
_Response = TypeVar("_Response", bound=HttpResponseBase)

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = lists.MAX_PAGE_SIZE
MAX_IDS = 5000  # ids one export may select (keeps the SQL parameter list bounded)
READ_PERMISSION = "view_claim"  # codenames of app ``claims``, for ``access.require``
WRITE_PERMISSION = "add_article"  # Editors
REALM = 'Bearer realm="Claim workbench"'

FORMATS = {
    # format: (content type, file extension)
    "csv": ("text/csv; charset=utf-8", "csv"),
    "json": ("application/json", "json"),
    "claimreview": ("application/ld+json", "jsonld"),
}


# --- Authentication ---------------------------------------------------------------------


def _authorization(request: HttpRequest) -> tuple[str, str] | None:
    """The ``Authorization`` header as (scheme in lower case, credentials), if sent."""
    scheme, _, credentials = request.META.get("HTTP_AUTHORIZATION", "").strip().partition(" ")
    return (scheme.lower(), credentials.strip()) if scheme else None


def _error(status: int, detail: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"detail": detail, **extra}, status=status)


def _unauthorized(sent: tuple[str, str] | None) -> JsonResponse:
    if sent is None:
        detail, challenge = "Authentication required: log in, or send an API token.", REALM
    elif sent[0] == "bearer":
        detail = "The API token is not valid: it is unknown, revoked, or its user is inactive."
        challenge = f'{REALM}, error="invalid_token"'
    else:
        detail = "Send a personal API token as 'Authorization: Bearer <token>'."
        challenge = REALM
    response = _error(401, detail)
    response["WWW-Authenticate"] = challenge
    return response


def api_auth(*, redirect_anonymous: bool = False) -> Callable[[View], View]:
    """Session or API token (``Bearer``) authentication, the read permission, and JSON
    403/404. A token acts with its user's permissions.

    ``redirect_anonymous`` sends a request without any credentials to the login page
    (downloads clicked in a browser); otherwise it gets 401 with ``WWW-Authenticate``.
    """

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                sent = _authorization(request)
                if sent is None and redirect_anonymous:
                    return redirect_to_login(request.get_full_path())
                user = tokens.user_for(sent[1]) if sent and sent[0] == "bearer" else None
                if user is None:
                    return _unauthorized(sent)
                request.user = user
            try:
                access.require(request, READ_PERMISSION)
                return view(request, *args, **kwargs)
            except PermissionDenied:
                return _error(403, "You do not have permission to read claims.")
            except Http404:
                return _error(404, "Not found.")

        return wrapped

    return decorator


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


# --- Filter forms -----------------------------------------------------------------------


class IdListField(forms.Field):
    """Primary keys from ``?ids=1,2,3`` and/or repeated ``ids`` fields."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Iterable[str] | None) -> list[int]:
        parts = [p.strip() for item in value or [] for p in item.split(",") if p.strip()]
        if len(parts) > MAX_IDS:
            raise forms.ValidationError(f"Give at most {MAX_IDS} ids.", code="max_ids")
        if not all(part.isascii() and part.isdigit() for part in parts):
            raise forms.ValidationError("Give claim ids as whole numbers.", code="invalid")
        if any(len(part) > 19 or not 0 < int(part) <= lists.MAX_ID for part in parts):
            raise forms.ValidationError(
                f"Claim ids run from 1 to {lists.MAX_ID}.", code="out_of_range"
            )
        return [int(part) for part in parts]


class CsvOptionsForm(forms.Form):
    """``?excel=1``: the CSV behind a UTF-8 byte order mark, for Excel."""

    excel = lists.YesNoFilter()


class ClaimExportForm(lists.ClaimFilterForm, CsvOptionsForm):
    ids = IdListField(required=False)

    def filter(self, queryset: ClaimQuerySet, user: Any = None) -> ClaimQuerySet:
        queryset = super().filter(queryset, user)
        if self.cleaned_data["ids"]:
            queryset = queryset.filter(pk__in=self.cleaned_data["ids"])
        return queryset


class EvidenceFilterForm(lists.PageForm):
    claim = lists.IdField(required=False)
    article = lists.IdField(required=False)
    source = lists.IdField(required=False)
    stance = forms.ChoiceField(choices=Evidence.Stance.choices, required=False)

    def filter(self, queryset: QuerySet[Evidence]) -> QuerySet[Evidence]:
        data = self.cleaned_data
        lookups = {
            "claim_id": data["claim"],
            "claim__article_id": data["article"],
            "source_id": data["source"],
            "stance": data["stance"] or None,
        }
        return queryset.filter(**{k: v for k, v in lookups.items() if v is not None}).order_by("id")


# --- Pagination -------------------------------------------------------------------------
# Keyset ("cursor") paging: a link carries the sort key and id of the row it continues
# from, so rows added or removed meanwhile never shift a page (no row is repeated or
# skipped, as page numbers would). ``?page=N`` still gives the N-th page of the moment;
# its links are cursors too.

ARTICLE_ORDER = ("-created_at", "-id")
CLAIM_ORDER = ("-checkworthiness", "id")
BY_ID = ("id",)


class CursorError(ValueError):
    pass


def _exact(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()  # to the microsecond (DjangoJSONEncoder keeps milliseconds)
    raise TypeError(f"cannot put {type(value).__name__} in a cursor")


def encode_cursor(direction: str, values: list[Any]) -> str:
    raw = json.dumps({"d": direction, "k": values}, default=_exact, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, model: type[Model], ordering: tuple[str, ...]) -> tuple[str, list]:
    """(direction, key values) from a cursor; ``CursorError`` for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = parse_json(raw)
        direction, values = data["d"], data["k"]
        if direction not in ("after", "before") or len(values) != len(ordering):
            raise ValueError
        keys = []
        for name, value in zip(ordering, values, strict=True):
            field = model._meta.get_field(name.lstrip("-"))
            if not isinstance(field, Field):  # a relation's other side: not a sort key
                raise ValueError
            keys.append(field.to_python(value))
        if any(key is None for key in keys):
            raise ValueError
    except (ValueError, TypeError, KeyError, AttributeError, ValidationError):
        raise CursorError(
            "This cursor is not one the API gave out; start again without it."
        ) from None
    return direction, keys


def _beyond(ordering: tuple[str, ...], keys: list[Any], *, before: bool) -> Q:
    """Rows after the row with sort ``keys`` in ``ordering`` (before it, if ``before``)."""
    condition = Q()
    for index, field in enumerate(ordering):
        name, descending = field.lstrip("-"), field.startswith("-")
        operator = "lt" if descending != before else "gt"
        step = Q(**{f"{name}__{operator}": keys[index]})
        for earlier, key in zip(ordering[:index], keys, strict=False):
            step &= Q(**{earlier.lstrip("-"): key})
        condition |= step
    return condition


def _reversed(ordering: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(name[1:] if name.startswith("-") else "-" + name for name in ordering)


def _key(item: Model, ordering: tuple[str, ...]) -> list[Any]:
    return [getattr(item, name.lstrip("-")) for name in ordering]


def _link(request: HttpRequest, direction: str, keys: list[Any]) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query["cursor"] = encode_cursor(direction, keys)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def _window(
    form: lists.PageForm, queryset: QuerySet, ordering: tuple[str, ...], size: int
) -> tuple[list[Any], bool, bool]:
    """The rows of this page, whether rows follow it, and whether rows precede it."""
    cursor, page = form.cleaned_data["cursor"], form.cleaned_data["page"] or 1
    ordered = queryset.order_by(*ordering)
    if cursor and cursor[0] == "before":
        keys = cursor[1]
        rows = list(queryset.filter(_beyond(ordering, keys, before=True))
                    .order_by(*_reversed(ordering))[: size + 1])  # fmt: skip
        earlier = len(rows) > size
        return rows[:size][::-1], True, earlier
    if cursor:
        rows = list(ordered.filter(_beyond(ordering, cursor[1], before=False))[: size + 1])
        return rows[:size], len(rows) > size, True
    offset = (page - 1) * size
    rows = list(ordered[offset : offset + size + 1])
    return rows[:size], len(rows) > size, page > 1


def paginated(
    request: HttpRequest,
    form: lists.PageForm,
    queryset: QuerySet,
    serialize: Callable[[Any], dict],
    ordering: tuple[str, ...] = BY_ID,
) -> JsonResponse:
    """One page of ``queryset`` in ``ordering`` (which ends with ``id``) as ``{count,
    next, previous, results}``; ``next`` and ``previous`` are cursor links."""
    size = form.cleaned_data["page_size"] or DEFAULT_PAGE_SIZE
    if form.cleaned_data["cursor_text"]:
        try:
            form.cleaned_data["cursor"] = decode_cursor(
                form.cleaned_data["cursor_text"], queryset.model, ordering
            )
        except CursorError as error:
            return _error(400, "Invalid parameters.", errors={"cursor": [{"message": str(error)}]})
    rows, later, earlier = _window(form, queryset, ordering, size)
    count = queryset.count()
    if not rows and (form.cleaned_data["page"] or 1) > 1:
        return _error(404, "That page is empty.", count=count)
    if rows and form.cleaned_data["cursor"] and not earlier:
        earlier = queryset.filter(_beyond(ordering, _key(rows[0], ordering), before=True)).exists()
    if rows and form.cleaned_data["cursor"] and form.cleaned_data["cursor"][0] == "before":
        later = queryset.filter(_beyond(ordering, _key(rows[-1], ordering), before=False)).exists()
    return JsonResponse(
        {
            "count": count,
            "next": _link(request, "after", _key(rows[-1], ordering)) if rows and later else None,
            "previous": (
                _link(request, "before", _key(rows[0], ordering)) if rows and earlier else None
            ),
            "results": [serialize(item) for item in rows],
        },
        json_dumps_params={"ensure_ascii": False},
    )


def _invalid(form: forms.Form) -> JsonResponse:
    return _error(400, "Invalid parameters.", errors=form.errors.get_json_data())


def _json(data: dict[str, Any]) -> JsonResponse:
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


# --- API views --------------------------------------------------------------------------


@csrf_exempt  # read-only: any other method gets 405, not a CSRF 403
@api_auth()
@require_http_methods(["GET"])
def article_list(request: HttpRequest) -> HttpResponse:
    form = lists.ArticleFilterForm(request.GET)
    if not form.is_valid():
        return _invalid(form)
    base_url = _base_url(request)
    articles = readiness.with_readiness(form.filter(Article.objects.all()), counts=True)
    return paginated(request, form, articles, lambda a: _article(a, base_url), ARTICLE_ORDER)


def _article(article: Article, base_url: str, **options: Any) -> dict[str, Any]:
    """An article as the API shows it: its fields and its readiness for publication."""
    data = exports.article_data(article, base_url=base_url, **options)
    return data | {"readiness": readiness.of(article).as_json()}


class ArticleDetailForm(forms.Form):
    """``?include=claims``: the claims in the article, up to ``INCLUDE_CLAIMS_MAX``."""

    include = forms.ChoiceField(choices=[("", ""), ("claims", "claims")], required=False)


def _claims_url(article: Article, base_url: str) -> str:
    return f"{base_url}{reverse('api-claim-list')}?{urlencode({'article': article.pk})}"


@csrf_exempt  # read-only: any other method gets 405, not a CSRF 403
@api_auth()
@require_http_methods(["GET"])
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The article with its text; its claims are paged at ``claims_url``, or included
    (``?include=claims``) when there are at most ``WORKBENCH_API_INCLUDE_CLAIMS_MAX``."""
    article = access.get_article(request, pk)
    form = ArticleDetailForm(request.GET)
    if not form.is_valid():
        return _invalid(form)
    base_url = _base_url(request)
    data = _article(article, base_url, body=True) | {"claims_url": _claims_url(article, base_url)}
    if form.cleaned_data["include"] == "claims":
        bound, claims = settings.WORKBENCH_API_INCLUDE_CLAIMS_MAX, exports.article_claims(article)
        count = claims.count()
        if count > bound:
            detail = (
                f"This article has {count:,} claims, more than the {bound:,} that "
                f"include=claims gives: page through them at {data['claims_url']}"
            )
            return _error(400, detail, limit=bound, claims_url=data["claims_url"])
        data["claims"] = [exports.claim_data(c, base_url=base_url) for c in claims.for_export()]
    return _json(data)


@csrf_exempt  # read-only: any other method gets 405, not a CSRF 403
@api_auth()
@require_http_methods(["GET"])
def claim_list(request: HttpRequest) -> HttpResponse:
    form = lists.ClaimFilterForm(request.GET)
    if not form.is_valid():
        return _invalid(form)
    base_url = _base_url(request)
    claims = form.filter(Claim.objects.with_light_article(), request.user).with_public_slug()
    serialize = functools.partial(exports.claim_data, base_url=base_url)
    return paginated(request, form, claims, serialize, CLAIM_ORDER)


@csrf_exempt  # read-only: any other method gets 405, not a CSRF 403
@api_auth()
@require_http_methods(["GET"])
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = access.get_exported_claim(request, pk)
    return _json(exports.claim_data(claim, base_url=_base_url(request), evidence=True))


@csrf_exempt  # read-only: any other method gets 405, not a CSRF 403
@api_auth()
@require_http_methods(["GET"])
def source_list(request: HttpRequest) -> HttpResponse:
    form = lists.SourceFilterForm(request.GET)
    if not form.is_valid():
        return _invalid(form)
    base_url = _base_url(request)
    sources = form.filter(Source.objects.all())
    return paginated(request, form, sources, lambda s: exports.source_data(s, base_url=base_url))


@csrf_exempt  # read-only: any other method gets 405, not a CSRF 403
@api_auth()
@require_http_methods(["GET"])
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    source = access.get_source(request, pk)
    base_url = _base_url(request)
    data = exports.source_data(source, base_url=base_url)
    evidence = source.evidence.select_related("added_by").order_by("id")
    data["evidence"] = [
        {
            "id": item.pk,
            "claim": item.claim_id,
            "claim_api_url": exports.api_url("api-claim-detail", item.claim_id, base_url),
            "stance": item.stance,
            "excerpt": item.excerpt,
            "quote_check": item.quote_check,
        }
        for item in evidence
    ]
    return _json(data)


@csrf_exempt  # read-only: any other method gets 405, not a CSRF 403
@api_auth()
@require_http_methods(["GET"])
def evidence_list(request: HttpRequest) -> HttpResponse:
    form = EvidenceFilterForm(request.GET)
    if not form.is_valid():
        return _invalid(form)
    base_url = _base_url(request)
    evidence = form.filter(Evidence.objects.select_related("source", "added_by"))
    return paginated(request, form, evidence, lambda e: exports.evidence_data(e, base_url=base_url))


# --- The write API: stories from a CMS --------------------------------------------------


class IsoDateField(forms.DateField):
    """A date, also given as the start of an ISO 8601 date-time (``2025-03-05T10:00Z``)."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and len(value) > 10 and value[10:11] in ("T", " "):
            value = value[:10]
        return super().to_python(value)


class StoryForm(forms.Form):
    """``POST /api/articles/``: a story with its text, or a URL for the worker to fetch."""

    external_id = LineField(max_length=200)
    title = LineField(max_length=300, required=False)
    outlet = LineField(max_length=200, required=False)
    url = HttpURLField(required=False)
    published_at = IsoDateField(required=False, input_formats=["%Y-%m-%d"])
    text = StorableCharField(required=False, strip=False)

    def clean_external_id(self) -> str:
        value = self.cleaned_data["external_id"].strip()
        if not value:
            raise forms.ValidationError("Give the story's id in your CMS.", code="required")
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("text") and not data.get("url"):
            raise forms.ValidationError("Give the story's text, or its url to fetch it from.")
        if data.get("text"):
            try:
                data["text"] = ingest.check_text(data["text"])
            except ingest.ArticleRejected as exc:
                self.add_error("text", str(exc))
        return data


class TooDeep(ValueError):
    pass


JSON_MAX_DEPTH = 32  # arrays and objects inside one another in a request body
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def parse_json(body: bytes, max_depth: int = JSON_MAX_DEPTH) -> Any:
    """A UTF-8 JSON body, refused (``TooDeep``) when nested deeper than ``max_depth``
    before the parser recurses into it; ``ValueError`` when it is not JSON."""
    text = body.decode("utf-8")
    depth = 0
    for bracket in _JSON_BRACKET.finditer(_JSON_STRING.sub("", text)):
        depth += 1 if bracket[0] in "[{" else -1
        if depth > max_depth:
            raise TooDeep(f"JSON nested deeper than {max_depth} levels.")
    return json.loads(text or "null")


def _story_fields(request: HttpRequest) -> dict[str, Any] | JsonResponse:
    """The posted fields: a JSON object of strings, or a form-encoded body."""
    try:
        if request.content_type != "application/json":
            fields = request.POST.dict()
        else:
            fields = parse_json(request.body)
    except RequestDataTooBig:
        return _error(413, "The request is too large.")
    except TooDeep as error:
        return _error(400, str(error))
    except (UnicodeDecodeError, ValueError):
        return _error(400, "The body is not valid JSON.")
    if not isinstance(fields, dict):
        return _error(400, "Send a JSON object.")
    wrong = sorted(k for k, v in fields.items() if v is not None and not isinstance(v, str))
    if wrong:
        return _error(400, "Give every field as a string.", fields=wrong)
    unstorable = {
        k: [{"message": reason, "code": "unencodable"}]
        for k, v in fields.items()
        if (reason := unencodable(k) or unencodable(v or ""))
    }
    if unstorable:
        names = ", ".join(sorted(unstorable))
        return _error(400, f"Text that cannot be stored in: {names}.", errors=unstorable)
    return {k: v for k, v in fields.items() if v is not None}


def write_auth(view: View) -> View:
    """Writes take an API token only (no session: no CSRF to forge), of an Editor."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        sent = _authorization(request)
        user = tokens.user_for(sent[1]) if sent and sent[0] == "bearer" else None
        if user is None:
            return _unauthorized(sent)
        request.user = user
        try:
            access.require(request, WRITE_PERMISSION)
        except PermissionDenied:
            return _error(403, "Only the tokens of Editors may send articles.")
        return view(request, *args, **kwargs)

    return wrapped


@write_auth
def article_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Create or revise the article of a CMS story; 202 with its API URL and state."""
    fields = _story_fields(request)
    if isinstance(fields, JsonResponse):
        return fields
    form = StoryForm(fields)
    if not form.is_valid():
        return _invalid(form)
    try:
        received = stories.receive(owner=request.user, **form.cleaned_data)
    except ingest.ArticleRejected as exc:
        return _error(400, str(exc))
    article = readiness.with_readiness(Article.objects.filter(pk=received.article.pk)).get()
    data = _article(article, _base_url(request)) | {
        "external_id": form.cleaned_data["external_id"],
        "outcome": received.outcome,
    }
    response = JsonResponse(data, status=202, json_dumps_params={"ensure_ascii": False})
    response["Location"] = data["api_url"]
    return response


@csrf_exempt  # token-only writes: a browser session cannot POST here
@require_http_methods(["GET", "POST"])
def articles(request: HttpRequest) -> HttpResponseBase:
    """``/api/articles/``: GET lists (session or token), POST sends a story (token)."""
    return article_create(request) if request.method == "POST" else article_list(request)


SCHEMA_PATH = Path(__file__).resolve().parents[1] / "data" / "openapi.json"


@csrf_exempt  # read-only: any other method gets 405, not a CSRF 403
@api_auth()
@require_http_methods(["GET"])
def schema(request: HttpRequest) -> HttpResponse:
    """The OpenAPI 3.1 description of the API (``claims/data/openapi.json``)."""
    return HttpResponse(SCHEMA_PATH.read_bytes(), content_type="application/json")


# --- Downloads --------------------------------------------------------------------------


def _attachment(response: _Response, filename: str) -> _Response:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _download(chunks: Iterable[str], fmt: str, stem: str) -> StreamingHttpResponse:
    content_type, extension = FORMATS[fmt]
    response = StreamingHttpResponse(chunks, content_type=content_type)
    return _attachment(response, f"{stem}.{extension}")


def _article_chunks(article: Article, fmt: str, base_url: str, excel: bool) -> Iterable[str]:
    if fmt == "csv":
        return exports.article_csv(article, base_url=base_url, excel=excel)
    if fmt == "json":
        return exports.article_json_chunks(article, base_url=base_url)
    return exports.article_claimreview_chunks(article, base_url=base_url)


@api_auth(redirect_anonymous=True)
@require_http_methods(["GET"])
def export_article(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    article = access.get_article(request, pk)
    if fmt not in FORMATS:
        raise Http404(f"Unknown export format {fmt!r}.")
    options = CsvOptionsForm(request.GET)
    if not options.is_valid():
        return _invalid(options)
    excel = bool(options.cleaned_data["excel"])
    stem = f"article-{article.pk}-{slugify(article.title)[:50]}".rstrip("-")
    if fmt == "claimreview":
        stem += "-claimreview"
    return _download(_article_chunks(article, fmt, _base_url(request), excel), fmt, stem)


@api_auth(redirect_anonymous=True)
@require_http_methods(["GET"])
def export_claim_claimreview(request: HttpRequest, pk: int) -> HttpResponse:
    claim = access.get_exported_claim(request, pk)
    if not exports.is_decided(claim):
        detail = (
            f"Claim {claim.pk} is {exports.verdict(claim).lower()}: only confirmed or "
            "contradicted claims are published as ClaimReview."
        )
        return _error(404, detail, verdict=exports.verdict(claim))
    document = exports.claimreview(claim, base_url=_base_url(request))
    response = HttpResponse(exports.dumps(document), content_type=FORMATS["claimreview"][0])
    return _attachment(response, f"claim-{claim.pk}-claimreview.json")


CLAIM_WRITERS: dict[str, Callable[..., Iterable[str]]] = {
    "csv": exports.claims_csv,
    "json": exports.claims_json_chunks,
    "claimreview": exports.claimreview_chunks,
}


def export_claims_response(
    request: HttpRequest, claims: QuerySet[Claim], fmt: str, *, excel: bool = False
) -> StreamingHttpResponse:
    """A streamed download of ``claims`` (the caller has checked the read permission)."""
    claims = claims.order_by("article", "start", "pk")
    options = {"excel": excel} if fmt == "csv" else {}
    chunks = CLAIM_WRITERS[fmt](claims, base_url=_base_url(request), **options)
    return _download(chunks, fmt, "claims")


@csrf_exempt  # read-only: scripts POST long id lists without a CSRF token; nothing changes
@api_auth(redirect_anonymous=True)
@require_http_methods(["GET", "POST"])
def export_claims_view(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """Selected claims (``ids``) and/or the claim list's filters, in any export format."""
    form = ClaimExportForm(request.POST if request.method == "POST" else request.GET)
    if fmt not in FORMATS:
        raise Http404(f"Unknown export format {fmt!r}.")
    if not form.is_valid():
        return _invalid(form)
    claims = form.filter(Claim.objects.all(), request.user)
    return export_claims_response(request, claims, fmt, excel=bool(form.cleaned_data["excel"]))


urlpatterns = [
    path("api/articles/", articles, name="api-article-list"),
    path("api/schema/", schema, name="api-schema"),
    path("api/articles/<int:pk>/", article_detail, name="api-article-detail"),
    path("api/claims/", claim_list, name="api-claim-list"),
    path("api/claims/<int:pk>/", claim_detail, name="api-claim-detail"),
    path("api/sources/", source_list, name="api-source-list"),
    path("api/sources/<int:pk>/", source_detail, name="api-source-detail"),
    path("api/evidence/", evidence_list, name="api-evidence-list"),
    path("articles/<int:pk>/export.<str:fmt>", export_article, name="export-article"),
    path("claims/<int:pk>/claimreview.json", export_claim_claimreview, name="export-claim"),
    path("claims/export.<str:fmt>", export_claims_view, name="export-claims"),
]
