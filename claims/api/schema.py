"""The OpenAPI 3.1 document served at ``/api/schema/``, built from what the API runs on:
the query parameters from the forms ``claims/api/views.py`` binds (``forms.field_schema``
says what ``forms.bind`` accepts), the resources from the serialisers
(``claims/publication/serialisers.py``), the webhook events from ``webhooks.EVENTS``. A
field added to a form or a serialiser is in the document with it.
"""

from __future__ import annotations

import functools
from typing import Any

from django import forms

from claims.api import forms as api_forms
from claims.integrations import webhooks
from claims.publication import serialisers as s
from claims.web import forms as lists

Schema = dict[str, Any]

ERROR: Schema = {
    "type": "object",
    "description": "Every error: what went wrong, and the fields to blame (`{}` when none).",
    "required": ["detail", "errors"],
    "properties": {
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "By field (`__all__`: the request as a whole, or a field pair).",
            "additionalProperties": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["message", "code"],
                    "properties": {"message": {"type": "string"}, "code": {"type": "string"}},
                    "additionalProperties": False,
                },
            },
        },
    },
    "additionalProperties": False,
}

PARAMETER_NOTES = {
    "page": "A page number; past the last page the page is empty. Ignored with `cursor`.",
    "page_size": "Rows per page (default 50).",
    "cursor": "From a `next` or `previous` link: where to continue, in the order it was "
    "made in (`sort` and `page` are ignored with it). The API signs it; one it did not "
    "give out is a 400.",
    "q": "Words to search for.",
    "article": "An article id.",
    "claim": "A claim id.",
    "source": "A source id.",
    "min_score": "Lowest check-worthiness.",
    "max_score": "Highest check-worthiness (not below `min_score`).",
    "speaker": "Part of the speaker's name.",
    "outlet": "The outlet's name (exact, any case).",
    "external_id": "The story's id in the CMS that sent it (the write API).",
    "include": "`claims`: embed the article's claims (400 past the bound).",
    "excel": "The CSV behind a UTF-8 byte order mark, for Excel.",
    "ids": "Claim ids, comma-separated or the parameter repeated (at most 5,000).",
    "retry": "Put a failed article back in the queue (sending it again unchanged does too).",
}


def _sort_note(form: type[api_forms.ApiPage]) -> str:
    default = next(iter(form.ORDERS))
    note = f"The order (default `{default}`, which rows cannot move in)."
    if form.MOVING:
        moving = ", ".join(f"`{key}`" for key in form.MOVING)
        note += (
            f" {moving} order by a value that can change while you page: a row can then "
            "move past the cursor and be shown twice or not at all."
        )
    return note


def parameters(form_class: type[forms.Form]) -> list[Schema]:
    result = []
    for name, field in form_class.base_fields.items():
        parameter = {"name": name, "in": "query", "required": False}
        note = PARAMETER_NOTES.get(name, "")
        if name == "sort" and issubclass(form_class, api_forms.ApiPage):
            note = _sort_note(form_class)
        result.append(
            parameter | ({"description": note} if note else {}) | {"schema": _field(field)}
        )
    return result


def _field(field: forms.Field) -> Schema:
    if isinstance(field, api_forms.IdListField):
        return {"type": "string", "pattern": api_forms.ID_LIST}
    return api_forms.field_schema(field)


def _error_responses(*codes: int) -> dict[str, Schema]:
    texts = {
        400: "A parameter is invalid or unknown",
        401: "No credentials, or an unknown or revoked token",
        403: "The user lacks the permission",
        404: "No such object",
        413: "The request is too large",
    }
    return {
        str(code): {
            "description": texts[code],
            "content": {"application/json": {"schema": s.ref("Error")}},
        }
        for code in codes
    }


def _ok(schema: Schema, description: str = "OK", status: str = "200") -> dict[str, Schema]:
    return {
        status: {"description": description, "content": {"application/json": {"schema": schema}}}
    }


def _page(resource: str) -> Schema:
    link = {"type": ["string", "null"], "format": "uri"}
    return {
        "type": "object",
        "required": ["count", "next", "previous", "results"],
        "properties": {
            "count": {"type": "integer", "minimum": 0},
            "next": link,
            "previous": link,
            "results": {
                "type": "array",
                "maxItems": lists.MAX_PAGE_SIZE,
                "items": s.ref(resource),
            },
        },
        "additionalProperties": False,
    }


ID = {
    "name": "id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": lists.MAX_ID},
}


def _list(operation_id: str, summary: str, form: type[forms.Form], resource: str) -> Schema:
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": parameters(form),
            "responses": _ok(_page(resource)) | _error_responses(400, 401, 403),
        }
    }


def _detail(operation_id: str, summary: str, resource: str, form: type[forms.Form]) -> Schema:
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": [ID, *parameters(form)],
            "responses": _ok(s.ref(resource)) | _error_responses(400, 401, 403, 404),
        }
    }


def _story(*, json: bool) -> Schema:
    """The story a CMS posts: a JSON object (strings, or null for "left out"; ``retry``
    also a boolean), or a form-encoded body (strings only)."""
    fields = api_forms.StoryForm.base_fields
    properties = {name: _field(field) for name, field in fields.items()}
    properties["text"]["pattern"] = "^([^\\x00]*[^\\s\\x00][^\\x00]*)?$"
    properties["published_at"]["anyOf"].append({"maxLength": 0})
    if json:
        for name, schema in properties.items():
            if name != "external_id":
                schema["type"] = [schema["type"], "null"]
        properties["retry"] = {"anyOf": [{"type": ["boolean", "null"]}, properties["retry"]]}
    for name, note in (
        (
            "external_id",
            "The story's id in your CMS; with your token's user, it names the article.",
        ),
        (
            "text",
            "The story's plain text (not empty, no NUL characters). Give text, or url, or both.",
        ),
        (
            "url",
            "The story's public URL (http/https); fetched by the worker when no text is given.",
        ),
        ("published_at", "A date (midnight UTC) or an ISO 8601 date-time; kept as the instant."),
        ("retry", PARAMETER_NOTES["retry"]),
    ):
        properties[name]["description"] = note
    return {
        "type": "object",
        "description": "Give `text` or `url` (or both); null is the same as leaving a field out.",
        "required": ["external_id"],
        "properties": properties,
        "additionalProperties": False,
        "anyOf": [
            {"required": ["text"], "properties": {"text": {"type": "string", "minLength": 1}}},
            {"required": ["url"], "properties": {"url": {"type": "string", "minLength": 1}}},
        ],
    }


def _accepted() -> Schema:
    schema = s.API_ARTICLE.schema()
    schema["description"] += " `outcome`: what this request did."
    schema["properties"]["outcome"] = {
        "type": "string",
        "enum": ["created", "revised", "retried", "unchanged"],
    }
    schema["required"].append("outcome")
    return schema


def _write() -> Schema:
    accepted = s.ref("StoryAccepted")
    return {
        "operationId": "sendStory",
        "summary": "Send a story from the CMS (create, revise, retry, or nothing)",
        "description": (
            "Idempotent per (token owner, external_id): the first time, the article is created "
            "and queued for extraction; sent again with a different text, a new revision is made "
            "(claims re-anchor, confirmations whose wording is gone lapse); sent again unchanged, "
            "nothing changes, unless the article failed: then it is queued again (`retried`). "
            "Only tokens of Editors may write; a browser session cannot."
        ),
        "security": [{"bearerAuth": []}],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": s.ref("Story")},
                "application/x-www-form-urlencoded": {"schema": s.ref("StoryForm")},
            },
        },
        "responses": {
            "202": {
                "description": "Accepted: the article, its state, and what this request did.",
                "headers": {"Location": {"schema": {"type": "string", "format": "uri"}}},
                "content": {"application/json": {"schema": accepted}},
            }
        }
        | _error_responses(400, 401, 403, 413),
    }


FORMAT = {
    "name": "format",
    "in": "path",
    "required": True,
    "description": "csv (one row per evidence), json (the claims with their evidence) or "
    "claimreview (schema.org ClaimReview JSON-LD of the decided claims).",
    "schema": {"type": "string", "enum": list(api_forms.FORMATS)},
}


def _download(operation_id: str, summary: str, formats: list[str], params: list[Schema]) -> Schema:
    bodies = {
        api_forms.FORMATS[fmt][0].split(";")[0]: {
            "schema": {"type": "string"} if fmt == "csv" else {"type": "object"}
        }
        for fmt in formats
    }
    return {
        "operationId": operation_id,
        "summary": summary,
        "parameters": params,
        "responses": {
            "200": {"description": "The file (an attachment, streamed)", "content": bodies},
            "302": {"description": "No credentials, from a browser: the login page"},
        }
        | _error_responses(400, 401, 403, 404),
    }


def _downloads() -> dict[str, Schema]:
    formats = list(api_forms.FORMATS)
    claim_filters = parameters(api_forms.ClaimExportForm)
    form_body = {
        "type": "object",
        "properties": {p["name"]: p["schema"] for p in claim_filters},
        "additionalProperties": False,
    }
    post = _download(
        "exportClaimsPost",
        "The same, with the ids in a form body (no CSRF token needed)",
        formats,
        [FORMAT],
    )
    post["requestBody"] = {"content": {"application/x-www-form-urlencoded": {"schema": form_body}}}
    return {
        "/articles/{id}/export.{format}": {
            "get": _download(
                "exportArticle",
                "An article's claims in one format (`excel` only for csv)",
                formats,
                [ID, FORMAT, *parameters(api_forms.CsvOptionsForm)],
            )
        },
        "/claims/export.{format}": {
            "get": _download(
                "exportClaims",
                "Chosen claims (ids and/or the claim filters) in one format (`excel` only for csv)",
                formats,
                [FORMAT, *claim_filters],
            ),
            "post": post,
        },
        "/claims/{id}/claimreview.json": {
            "get": _download(
                "exportClaimReview",
                "One claim's ClaimReview (404 when it has no verdict to publish)",
                ["claimreview"],
                [ID],
            )
        },
    }


def _webhooks() -> dict[str, Schema]:
    headers: list[Schema] = [
        {
            "name": name,
            "in": "header",
            "required": True,
            "schema": {"type": "string"},
            "description": note,
        }
        for name, note in (
            (
                webhooks.ID_HEADER,
                "Standard Webhooks: the delivery id (UUID), the same on every retry of this "
                "delivery",
            ),
            (
                webhooks.TIMESTAMP_HEADER,
                "Standard Webhooks: the Unix time (seconds) of this attempt; refuse one more "
                "than 5 minutes from your clock",
            ),
            (
                webhooks.STANDARD_SIGNATURE_HEADER,
                'Standard Webhooks: v1,<base64 HMAC-SHA256 of "{webhook-id}.'
                '{webhook-timestamp}.{raw body}"> (key: the decoded bytes of a whsec_ secret, '
                "else its UTF-8 bytes); during a secret rotation one per secret, separated by "
                "spaces",
            ),
            (
                webhooks.SIGNATURE_HEADER,
                "sha256=<hex HMAC-SHA256 of the raw body with the subscriber's current "
                "secret> (kept for receivers written before; not replay-safe: prefer "
                "webhook-signature)",
            ),
            (webhooks.DELIVERY_HEADER, "The delivery id (UUID), the same on every retry"),
            (webhooks.EVENT_HEADER, "The event name"),
        )
    ]
    headers[1]["schema"]["pattern"] = "^[0-9]+$"
    summaries = {
        "article.extracted": "An article's claims were extracted (each revision).",
        "article.failed": "An article's extraction failed.",
        "claim.status_changed": "A claim was confirmed or unconfirmed, or its confirmation lapsed.",
        "claim.needs_rereview": "A confirmed claim's basis lapsed: it needs re-review.",
        "source.changed": "A source's captured text changed, or the page died.",
    }
    data = {
        "article.extracted": "ArticleEvent",
        "article.failed": "ArticleEvent",
        "claim.status_changed": "ClaimEvent",
        "claim.needs_rereview": "ClaimEvent",
        "source.changed": "SourceEvent",
    }
    result = {}
    for event in webhooks.EVENTS:
        body = {
            "allOf": [
                s.ref("Event"),
                {
                    "type": "object",
                    "properties": {"event": {"const": event}, "data": s.ref(data[event])},
                },
            ]
        }
        result[event] = {
            "post": {
                "summary": summaries[event],
                "parameters": headers,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": body}},
                },
                "responses": {
                    "200": {
                        "description": "Any 2xx answer is a delivery; anything else is retried "
                        "with exponential backoff (WORKBENCH_WEBHOOK_RETRY_HOURS)."
                    }
                },
            }
        }
    return result


def _event_schemas() -> dict[str, Schema]:
    nullable_string = {"type": ["string", "null"]}
    article = s.API_ARTICLE.schema()
    article["properties"]["error"] = {"type": "string", "description": "Why extraction failed."}
    article["required"].append("error")
    claim = s.CLAIM.schema()
    claim["properties"] |= {
        "article_api_url": {"type": "string", "format": "uri"},
        "previous_status": s.CLAIM.fields["status"].schema,
        "changed_by": nullable_string,
        "changed_at": {"type": ["string", "null"], "format": "date-time"},
        "note": {"type": "string"},
    }
    claim["required"] += ["article_api_url", "previous_status", "changed_by", "changed_at", "note"]
    source = {
        "type": "object",
        "required": [
            "id",
            "api_url",
            "url",
            "change",
            "link_state",
            "http_status",
            "error",
            "claims",
        ],
        "properties": {
            "id": {"type": "integer"},
            "api_url": {"type": "string", "format": "uri"},
            "url": {"type": "string", "format": "uri"},
            "change": {"type": "string", "enum": ["changed", "dead"]},
            "link_state": s.SOURCE.fields["link_state"].schema,
            "http_status": {"type": ["integer", "null"]},
            "error": {"type": "string"},
            "claims": {"type": "array", "items": {"type": "integer"}},
        },
        "additionalProperties": False,
    }
    wrap = lambda key, schema: {  # noqa: E731
        "type": "object",
        "required": [key],
        "properties": {key: schema},
        "additionalProperties": False,
    }
    return {
        "Event": {
            "type": "object",
            "required": ["event", "delivery", "sent_at", "data"],
            "properties": {
                "event": {"type": "string", "enum": list(webhooks.EVENTS)},
                "delivery": {"type": "string", "format": "uuid"},
                "sent_at": {"type": "string", "format": "date-time"},
                "data": {"type": "object"},
            },
        },
        "ArticleEvent": wrap("article", article),
        "ClaimEvent": wrap("claim", claim),
        "SourceEvent": wrap("source", source),
    }


@functools.cache
def document() -> Schema:
    """The whole OpenAPI document (built once per process)."""
    resources: list[s.Serialiser[Any]] = [
        s.API_ARTICLE,
        s.ARTICLE_DETAIL,
        s.CLAIM,
        s.CLAIM_DETAIL,
        s.SOURCE,
        s.SOURCE_DETAIL,
        s.EVIDENCE,
        s.SPEAKER,
    ]
    article_detail = s.ARTICLE_DETAIL.schema()
    article_detail["properties"]["claims"] = {"type": "array", "items": s.ref("Claim")}
    schemas = {serialiser.name: serialiser.schema() for serialiser in resources}
    schemas |= {"ArticleDetail": article_detail, "Readiness": s.READINESS, "Error": ERROR}
    schemas |= {"Story": _story(json=True), "StoryForm": _story(json=False)}
    schemas |= {"StoryAccepted": _accepted()} | _event_schemas()
    articles = _list(
        "listArticles", "List articles, newest first", api_forms.ArticleListForm, "Article"
    )
    articles["post"] = _write()
    paths = {
        "/api/articles/": articles,
        "/api/articles/{id}/": _detail(
            "getArticle", "An article with its text", "ArticleDetail", api_forms.ArticleDetailForm
        ),
        "/api/claims/": _list("listClaims", "List claims, by id", api_forms.ClaimListForm, "Claim"),
        "/api/claims/{id}/": _detail(
            "getClaim", "A claim with its evidence", "ClaimDetail", api_forms.NoParameters
        ),
        "/api/sources/": _list(
            "listSources", "List sources, by id", api_forms.SourceListForm, "Source"
        ),
        "/api/sources/{id}/": _detail(
            "getSource", "A source with its evidence", "SourceDetail", api_forms.NoParameters
        ),
        "/api/speakers/": _list(
            "listSpeakers", "List speaker records, by id", api_forms.SpeakerListForm, "Speaker"
        ),
        "/api/speakers/{id}/": _detail(
            "getSpeaker", "A speaker record", "Speaker", api_forms.NoParameters
        ),
        "/api/evidence/": _list(
            "listEvidence", "List evidence, by id", api_forms.EvidenceListForm, "Evidence"
        ),
        "/api/schema/": {
            "get": {
                "operationId": "getSchema",
                "summary": "This document",
                "responses": _ok({"type": "object"}) | _error_responses(400, 401, 403),
            }
        },
    } | _downloads()
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Claim verification workbench API",
            "version": "2.0.0",
            "description": (
                "Read the workbench's articles, claims, sources and evidence; send stories "
                "from a CMS (Editors' tokens); download exports; receive signed webhooks. "
                "Authenticate with a personal API token: `Authorization: Bearer <token>`. "
                "Every error under /api/ is JSON in one shape (`Error`); a parameter an "
                "operation does not take is a 400 naming it."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "webhooks": _webhooks(),
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token (wbt_...), acting with its user's role: "
                    "Viewers and Fact-checkers read; Editors also send stories.",
                }
            },
        },
    }
