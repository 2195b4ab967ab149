"""The JSON API and the export downloads.

Every endpoint needs a user with the ``claims.view_claim`` permission (Viewers,
Fact-checkers and Editors have it), logged in by session or, for scripts, by a personal
API token (``Authorization: Bearer <token>``, see ``claims/integrations/tokens.py``). Without
credentials, or with a wrong or revoked token, the API answers 401; the downloads
redirect a browser without credentials to the login page instead. HTTP Basic is not
accepted: it would cost a password hash on every request, outside the login lockout.
Users without the permission get 403. ``POST /api/articles/`` is the write API (Editors'
tokens only, see ``claims/ingest/stories.py``).

Every answer under ``/api/`` is JSON, errors included, in one shape:
``{"detail": "...", "errors": {field: [{"message", "code"}]}}`` (``errors`` is ``{}``
when no field is to blame): 400 for a parameter the form refuses or does not know, 404
for an unknown URL or object, 405 (with ``Allow``) for a method the URL does not take.
```HEAD`` is ``GET`` without the body; ``OPTIONS`` answers 204 with ``Allow``. The
downloads (outside ``/api/``) answer the same way, except that a browser without a
session (it asks for HTML) is sent to the login page.

Lists are paged in an order rows cannot move in by default (creation, or id), ``sort``
chooses another; ``next`` and ``previous`` carry a signed ``cursor`` (the sort key and id
of the row to continue from), so a client following them sees every row once even while
rows are added; one the API did not give out is a 400. ``?page=N`` starts at a page
number (at most ``MAX_PAGE``; past the end, the page is empty).

The OpenAPI document at ``/api/schema/`` is built from these forms and the serialisers
(``claims/api/schema.py``).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db.models import Model, Q, QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.http.multipartparser import MultiPartParserError
from django.http.response import HttpResponseBase
from django.urls import Resolver404, path, resolve
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.csrf import csrf_exempt

from claims.confirmation import readiness
from claims.ingest import articles as ingest
from claims.ingest import stories
from claims.integrations import tokens
from claims.models import Article, Claim, ClaimQuerySet, Evidence, Source
from claims.publication import exports, serialisers
from claims.text.cleaning import unencodable
from claims.web import access
from claims.web import forms as lists
from claims.web.types import AuthenticatedHttpRequest

from . import forms as api_forms
from .forms import bind
from .schema import document

View = Callable[..., HttpResponseBase]
_Response = TypeVar("_Response", bound=HttpResponseBase)

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = lists.MAX_PAGE_SIZE
READ_PERMISSION = "view_claim"  # codenames of app ``claims``, for ``access.require``
WRITE_PERMISSION = "add_article"  # Editors
REALM = 'Bearer realm="Claim workbench"'

FORMATS = api_forms.FORMATS


# --- Answers ----------------------------------------------------------------------------


def error(
    status: int, detail: str, errors: dict[str, list[dict[str, str]]] | None = None
) -> JsonResponse:
    """The one error shape: ``{"detail", "errors": {field: [{"message", "code"}]}}``
    (ASCII JSON: a field name a client sent may hold a lone surrogate)."""
    return JsonResponse({"detail": detail, "errors": errors or {}}, status=status)


def _invalid(form: forms.Form) -> JsonResponse:
    errors = {
        name: [{"message": item["message"], "code": item["code"] or "invalid"} for item in items]
        for name, items in form.errors.get_json_data().items()
    }
    return error(400, "Invalid parameters.", errors)


def _json(data: dict[str, Any], status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def endpoint(**handlers: View) -> View:
    """One URL's view: ``handlers`` by method (``GET=..., POST=...``). ``HEAD`` is
    ``GET``; ``OPTIONS`` is 204 with ``Allow``; any other method a JSON 405. Keys larger
    than the database holds are a 404, like any other unknown object."""
    allowed = sorted({*handlers, "OPTIONS"} | ({"HEAD"} if "GET" in handlers else set()))

    @csrf_exempt  # no session writes: POST here takes a token (or changes nothing)
    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
        elif handler := handlers.get("GET" if request.method == "HEAD" else request.method or ""):
            if "pk" in kwargs:
                kwargs["pk"] = _key_or_none(kwargs["pk"])
                if kwargs["pk"] is None:
                    return error(404, "Not found.")
            return handler(request, *args, **kwargs)
        else:
            response = error(
                405, f"{request.method} is not allowed here; use {', '.join(allowed)}."
            )
        response["Allow"] = ", ".join(allowed)
        return response

    view.allowed_methods = allowed  # type: ignore[attr-defined]
    return view


def _key_or_none(text: str) -> int | None:
    """A primary key from a URL: a whole number the database can hold, else None."""
    if not (text.isascii() and text.isdigit() and len(text) <= 19):
        return None
    return int(text) if 0 < int(text) <= lists.MAX_ID else None


def not_found(request: HttpRequest) -> HttpResponse:
    """Any other ``/api/`` URL: JSON 404, or the URL with a slash when that one exists."""
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.url_name != "api-not-found":
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(
                request.path + "/" + ("?" + query if query else "")
            )
    return error(404, f"There is nothing at {request.path[:200]}; see /api/schema/.")


# --- Authentication ---------------------------------------------------------------------


def _authorization(request: HttpRequest) -> tuple[str, str] | None:
    """The ``Authorization`` header as (scheme in lower case, credentials), if sent."""
    scheme, _, credentials = request.META.get("HTTP_AUTHORIZATION", "").strip().partition(" ")
    return (scheme.lower(), credentials.strip()) if scheme else None


def _unauthorized(sent: tuple[str, str] | None) -> JsonResponse:
    if sent is None:
        detail, challenge = "Authentication required: log in, or send an API token.", REALM
    elif sent[0] == "bearer":
        detail = "The API token is not valid: it is unknown, revoked, or its user is inactive."
        challenge = f'{REALM}, error="invalid_token"'
    else:
        detail = "Send a personal API token as 'Authorization: Bearer <token>'."
        challenge = REALM
    response = error(401, detail)
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
                if sent is None and redirect_anonymous and _browser(request):
                    return redirect_to_login(request.get_full_path())
                user = tokens.user_for(sent[1]) if sent and sent[0] == "bearer" else None
                if user is None:
                    return _unauthorized(sent)
                request.user = user
            try:
                access.require(request, READ_PERMISSION)
                return view(request, *args, **kwargs)
            except PermissionDenied:
                return error(403, "You do not have permission to read claims.")
            except Http404:
                return error(404, "Not found.")

        return wrapped

    return decorator


def _browser(request: HttpRequest) -> bool:
    """A browser navigating (it asks for HTML by name), not a script."""
    return "text/html" in request.META.get("HTTP_ACCEPT", "")


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


# --- Pagination -------------------------------------------------------------------------
# Keyset ("cursor") paging: a link carries the sort key and id of the row it continues
# from, so rows added or removed meanwhile never shift a page (no row is repeated or
# skipped, as page numbers would). The cursor is signed: the API reads back only what it
# gave out. ``?page=N`` gives the N-th page of the moment; its links are cursors too.


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


def _link(request: HttpRequest, ordering: tuple[str, ...], direction: str, item: Model) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query["cursor"] = api_forms.encode_cursor(ordering, direction, _key(item, ordering))
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def _window(
    form: api_forms.ApiPage, queryset: QuerySet, ordering: tuple[str, ...], size: int
) -> tuple[list[Any], bool, bool]:
    """The rows of this page, whether rows follow it, and whether rows precede it."""
    cursor, page = form.cleaned_data["cursor"], form.cleaned_data.get("page") or 1
    if cursor and cursor[0] == "before":
        beyond = queryset.filter(_beyond(ordering, cursor[2], before=True))
        rows = list(beyond.order_by(*_reversed(ordering))[: size + 1])
        return rows[:size][::-1], True, len(rows) > size
    if cursor:
        beyond = queryset.filter(_beyond(ordering, cursor[2], before=False))
        rows = list(beyond.order_by(*ordering)[: size + 1])
        return rows[:size], len(rows) > size, True
    offset = (page - 1) * size  # at most MAX_PAGE x MAX_PAGE_SIZE: far inside 64 bits
    rows = list(queryset.order_by(*ordering)[offset : offset + size + 1])
    return rows[:size], len(rows) > size, page > 1 and bool(rows)


def paginated(
    request: HttpRequest,
    form: api_forms.ApiPage,
    queryset: QuerySet,
    serialiser: serialisers.Serialiser[Any],
) -> JsonResponse:
    """One page of ``queryset`` in the form's order as ``{count, next, previous,
    results}``; ``next`` and ``previous`` are cursor links."""
    ordering = form.ordering()
    size = form.cleaned_data["page_size"] or DEFAULT_PAGE_SIZE
    rows, later, earlier = _window(form, queryset, ordering, size)
    cursor = form.cleaned_data["cursor"]
    if rows and cursor and not earlier:
        earlier = queryset.filter(_beyond(ordering, _key(rows[0], ordering), before=True)).exists()
    if rows and cursor and cursor[0] == "before":
        later = queryset.filter(_beyond(ordering, _key(rows[-1], ordering), before=False)).exists()
    base_url = _base_url(request)
    return _json(
        {
            "count": queryset.count(),
            "next": _link(request, ordering, "after", rows[-1]) if rows and later else None,
            "previous": _link(request, ordering, "before", rows[0]) if rows and earlier else None,
            "results": [serialiser.data(item, base_url=base_url) for item in rows],
        }
    )


# --- API views --------------------------------------------------------------------------


@api_auth()
def article_list(request: HttpRequest) -> HttpResponse:
    form = bind(api_forms.ArticleListForm, request.GET)
    if not form.is_valid():
        return _invalid(form)
    articles = form.filter(Article.objects.select_related("external").defer(*Article.TEXT_FIELDS))
    articles = readiness.with_readiness(articles, counts=True)
    return paginated(request, form, articles, serialisers.API_ARTICLE)


@api_auth()
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The article with its text; its claims are paged at ``claims_url``, or included
    (``?include=claims``) when there are at most ``WORKBENCH_API_INCLUDE_CLAIMS_MAX``."""
    article = access.get_article(request, pk)
    form = bind(api_forms.ArticleDetailForm, request.GET)
    if not form.is_valid():
        return _invalid(form)
    base_url = _base_url(request)
    data = serialisers.ARTICLE_DETAIL.data(article, base_url=base_url)
    if form.cleaned_data["include"] == "claims":
        bound, claims = settings.WORKBENCH_API_INCLUDE_CLAIMS_MAX, exports.article_claims(article)
        count = claims.count()
        if count > bound:
            detail = (
                f"This article has {count:,} claims, more than the {bound:,} that "
                f"include=claims gives: page through them at {data['claims_url']}"
            )
            return error(400, detail, {"include": [{"message": detail, "code": "max_claims"}]})
        data["claims"] = [serialisers.CLAIM.data(c, base_url=base_url) for c in claims.for_export()]
    return _json(data)


@api_auth()
def claim_list(request: HttpRequest) -> HttpResponse:
    form = bind(api_forms.ClaimListForm, request.GET)
    if not form.is_valid():
        return _invalid(form)
    claims = form.filter(Claim.objects.with_light_article(), request.user).with_public_slug()
    return paginated(request, form, claims, serialisers.CLAIM)


def _no_parameters(request: HttpRequest) -> JsonResponse | None:
    form = bind(api_forms.NoParameters, request.GET)
    return None if form.is_valid() else _invalid(form)


@api_auth()
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = access.get_exported_claim(request, pk)
    refused = _no_parameters(request)
    return refused or _json(serialisers.CLAIM_DETAIL.data(claim, base_url=_base_url(request)))


@api_auth()
def source_list(request: HttpRequest) -> HttpResponse:
    form = bind(api_forms.SourceListForm, request.GET)
    if not form.is_valid():
        return _invalid(form)
    return paginated(request, form, form.filter(Source.objects.all()), serialisers.SOURCE)


@api_auth()
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    source = access.get_source(request, pk)
    refused = _no_parameters(request)
    return refused or _json(serialisers.SOURCE_DETAIL.data(source, base_url=_base_url(request)))


@api_auth()
def evidence_list(request: HttpRequest) -> HttpResponse:
    form = bind(api_forms.EvidenceListForm, request.GET)
    if not form.is_valid():
        return _invalid(form)
    evidence = form.filter(Evidence.objects.select_related("source", "added_by"))
    return paginated(request, form, evidence, serialisers.EVIDENCE)


# --- The write API: stories from a CMS --------------------------------------------------


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


def _field_errors(names: Iterable[str], message: str, code: str) -> dict[str, list[dict[str, str]]]:
    return {name: [{"message": message, "code": code}] for name in sorted(names)}


def _story_fields(request: HttpRequest) -> dict[str, Any] | JsonResponse:
    """The posted fields: a JSON object of strings (``retry`` also a boolean; null is
    the same as leaving a field out), or a form-encoded body."""
    try:
        if request.content_type != "application/json":
            fields = request.POST.dict()
        else:
            fields = parse_json(request.body)
    except RequestDataTooBig:
        return error(413, "The request is too large.")
    except MultiPartParserError:
        return error(400, "The multipart body cannot be read: send JSON or a form.")
    except TooDeep as problem:
        return error(400, str(problem))
    except (UnicodeDecodeError, ValueError):
        return error(400, "The body is not valid JSON.")
    if not isinstance(fields, dict):
        return error(400, "Send a JSON object.")
    if isinstance(fields.get("retry"), bool):
        fields["retry"] = "true" if fields["retry"] else "false"
    wrong = [k for k, v in fields.items() if v is not None and not isinstance(v, str)]
    if wrong:
        return error(
            400, "Give every field as a string.", _field_errors(wrong, "Give a string.", "invalid")
        )
    unstorable = {
        k: [{"message": reason, "code": "unencodable"}]
        for k, v in fields.items()
        if (reason := unencodable(k) or unencodable(v or ""))
    }
    if unstorable:
        names = ", ".join(sorted(unstorable))
        return error(400, f"Text that cannot be stored in: {names}.", unstorable)
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
            return error(403, "Only the tokens of Editors may send articles.")
        return view(request, *args, **kwargs)

    return wrapped


@write_auth
def article_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Create, revise or retry the article of a CMS story; 202 with the article."""
    fields = _story_fields(request)
    if isinstance(fields, JsonResponse):
        return fields
    form = bind(api_forms.StoryForm, fields)
    if not form.is_valid():
        return _invalid(form)
    try:
        received = stories.receive(owner=request.user, **form.cleaned_data)
    except ingest.ArticleRejected as exc:
        return error(400, str(exc))
    article = readiness.with_readiness(
        Article.objects.select_related("external").filter(pk=received.article.pk)
    ).get()
    data = serialisers.API_ARTICLE.data(article, base_url=_base_url(request))
    response = _json(data | {"outcome": received.outcome}, status=202)
    response["Location"] = data["api_url"]
    return response


@api_auth()
def schema(request: HttpRequest) -> HttpResponse:
    """The OpenAPI 3.1 description of the API, built from its forms and serialisers."""
    refused = _no_parameters(request)
    return refused or _json(document())


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
def export_article(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    article = access.get_article(request, pk)
    if fmt not in FORMATS:
        raise Http404(f"Unknown export format {fmt!r}.")
    options = bind(api_forms.CsvOptionsForm, request.GET)
    if not options.is_valid():
        return _invalid(options)
    excel = bool(options.cleaned_data["excel"])
    stem = f"article-{article.pk}-{slugify(article.title)[:50]}".rstrip("-")
    stem += f"-{timezone.localdate().isoformat()}"
    if fmt == "claimreview":
        stem += "-claimreview"
    return _download(_article_chunks(article, fmt, _base_url(request), excel), fmt, stem)


@api_auth(redirect_anonymous=True)
def export_claim_claimreview(request: HttpRequest, pk: int) -> HttpResponse:
    claim = access.get_exported_claim(request, pk)
    if not exports.is_decided(claim):
        detail = (
            f"Claim {claim.pk} is {exports.verdict(claim).lower()}: only confirmed or "
            "contradicted claims are published as ClaimReview."
        )
        return error(404, detail)
    document = exports.claimreview(claim, base_url=_base_url(request))
    response = HttpResponse(exports.dumps(document), content_type=FORMATS["claimreview"][0])
    return _attachment(response, f"claim-{claim.pk}-claimreview.json")


CLAIM_WRITERS: dict[str, Callable[..., Iterable[str]]] = {
    "csv": exports.claims_csv,
    "json": exports.claims_json_chunks,
    "claimreview": exports.claimreview_chunks,
}


def export_claims_response(
    request: HttpRequest,
    claims: ClaimQuerySet,
    fmt: str,
    *,
    excel: bool = False,
    stem: str = "",
) -> StreamingHttpResponse:
    """A streamed download of ``claims`` (the caller has checked the read permission),
    named ``stem`` (``exports.claims_export_stem``: its scope and the day)."""
    claims = claims.order_by("article", "start", "pk")
    options = {"excel": excel} if fmt == "csv" else {}
    chunks = CLAIM_WRITERS[fmt](claims, base_url=_base_url(request), **options)
    return _download(chunks, fmt, stem or exports.claims_export_stem({}))


@api_auth(redirect_anonymous=True)
def export_claims_view(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """Selected claims (``ids``) and/or the claim list's filters, in any export format."""
    try:
        data = request.POST if request.method == "POST" else request.GET
    except MultiPartParserError:
        return error(400, "The multipart body cannot be read: send a form.")
    form = bind(api_forms.ClaimExportForm, data)
    if fmt not in FORMATS:
        raise Http404(f"Unknown export format {fmt!r}.")
    if not form.is_valid():
        return _invalid(form)
    claims = form.filter(Claim.objects.all(), request.user)
    chosen = form.cleaned_data
    stem = exports.claims_export_stem(chosen, selected=bool(chosen["ids"]))
    return export_claims_response(request, claims, fmt, excel=bool(chosen["excel"]), stem=stem)


urlpatterns = [
    path("api/articles/", endpoint(GET=article_list, POST=article_create), name="api-article-list"),
    path("api/schema/", endpoint(GET=schema), name="api-schema"),
    path("api/articles/<str:pk>/", endpoint(GET=article_detail), name="api-article-detail"),
    path("api/claims/", endpoint(GET=claim_list), name="api-claim-list"),
    path("api/claims/<str:pk>/", endpoint(GET=claim_detail), name="api-claim-detail"),
    path("api/sources/", endpoint(GET=source_list), name="api-source-list"),
    path("api/sources/<str:pk>/", endpoint(GET=source_detail), name="api-source-detail"),
    path("api/evidence/", endpoint(GET=evidence_list), name="api-evidence-list"),
    path("articles/<str:pk>/export.<str:fmt>", endpoint(GET=export_article), name="export-article"),
    path(
        "claims/<str:pk>/claimreview.json",
        endpoint(GET=export_claim_claimreview),
        name="export-claim",
    ),
    path(
        "claims/export.<str:fmt>",
        endpoint(GET=export_claims_view, POST=export_claims_view),
        name="export-claims",
    ),
]
