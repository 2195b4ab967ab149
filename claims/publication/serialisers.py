"""One serialiser per resource (article, claim, source, evidence) for every consumer:
the JSON API, the JSON and CSV exports and the webhook payloads.

A serialiser is a list of fields, each with its JSON Schema and how to read it from the
object: ``CLAIM.data(claim, base_url=...)`` gives the dictionary and ``CLAIM.schema()``
its JSON Schema, which the OpenAPI document (``claims/api/schema.py``) is built from. The
document and the answers therefore come from the same definition and cannot drift.

URLs are absolute: each serialiser takes ``base_url`` (scheme and host, no trailing
slash), else ``WORKBENCH_BASE_URL`` (``site``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from claims.confirmation import readiness
from claims.models import (
    Article,
    Claim,
    ClaimVerdict,
    Evidence,
    ExternalStory,
    Source,
    Speaker,
    VerdictPage,
)
from claims.text import anchoring

T = TypeVar("T")
Schema = dict[str, Any]


# --- Small shared pieces ----------------------------------------------------------------


def site(base_url: str | None = None) -> str:
    """``base_url`` (a request's own origin), or ``WORKBENCH_BASE_URL``: never relative."""
    return (base_url or settings.WORKBENCH_BASE_URL).rstrip("/")


def api_url(name: str, pk: int, base_url: str | None = None) -> str:
    return site(base_url) + reverse(name, args=[pk])


def claim_page_url(claim: Claim, base_url: str | None = None) -> str:
    return site(base_url) + claim.get_absolute_url()


def iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def public_path_of(claim: Claim) -> str:
    """The public verdict page's path when the claim's verdict is published, else ""."""
    if hasattr(claim, "public_slug"):
        slug = claim.public_slug
    else:
        page = VerdictPage.objects.filter(claim_id=claim.pk, published=True).first()
        slug = page.slug if page else None
    return reverse("verdict-public", args=[slug]) if slug else ""


def selectors(claim: Claim) -> list[dict[str, Any]]:
    """W3C Web Annotation selectors anchoring the claim in its article revision."""
    return [
        {"type": "TextPositionSelector", "start": claim.start, "end": claim.end},
        {
            "type": "TextQuoteSelector",
            "exact": claim.text,
            "prefix": anchoring.clip_prefix(claim.prefix),
            "suffix": anchoring.clip_suffix(claim.suffix),
        },
    ]


# --- JSON Schema pieces -----------------------------------------------------------------


def _string(description: str = "", **more: Any) -> Schema:
    return {"type": "string", **more} | ({"description": description} if description else {})


def _nullable(schema: Schema) -> Schema:
    return schema | {"type": [schema["type"], "null"]}


def _enum(choices: Any, description: str = "") -> Schema:
    return _string(description, enum=[value for value, _ in choices])


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


INTEGER: Schema = {"type": "integer"}
BOOLEAN: Schema = {"type": "boolean"}
URL = _string(format="uri")
DATE_TIME = _string(format="date-time")
OPTIONAL_DATE_TIME = _nullable(DATE_TIME)
OBJECTS: Schema = {"type": "array", "items": {"type": "object"}}


@dataclass(frozen=True)
class Field(Generic[T]):
    schema: Schema
    read: Callable[[T, str], Any]  # (object, site) -> the JSON value
    required: bool = True


@dataclass(frozen=True)
class Serialiser(Generic[T]):
    """An object's JSON form and its JSON Schema, from one list of fields."""

    name: str
    description: str
    fields: dict[str, Field[T]] = field(default_factory=dict)

    def data(self, item: T, *, base_url: str | None = None) -> dict[str, Any]:
        origin = site(base_url)
        return {name: spec.read(item, origin) for name, spec in self.fields.items()}

    def schema(self) -> Schema:
        return {
            "type": "object",
            "description": self.description,
            "required": [name for name, spec in self.fields.items() if spec.required],
            "properties": {name: spec.schema for name, spec in self.fields.items()},
            "additionalProperties": False,
        }

    def extend(self, name: str, description: str, **more: Field[T]) -> Serialiser[T]:
        return Serialiser(name, description, self.fields | more)


# --- Sources and evidence ---------------------------------------------------------------

SOURCE: Serialiser[Source] = Serialiser(
    "Source",
    "A source: a page, document or dataset that evidence quotes.",
    {
        "id": Field(INTEGER, lambda s, o: s.pk),
        "api_url": Field(URL, lambda s, o: api_url("api-source-detail", s.pk, o)),
        "url": Field(URL, lambda s, o: s.url),
        "title": Field(_string(maxLength=500), lambda s, o: s.title),
        "publisher": Field(_string(maxLength=200), lambda s, o: s.publisher),
        "domain": Field(_string(maxLength=253), lambda s, o: s.domain),
        "kind": Field(_enum(Source.Kind.choices), lambda s, o: s.kind),
        "published_at": Field(_nullable(_string(format="date")), lambda s, o: iso(s.published_at)),
        "fetch_state": Field(_enum(Source.FetchState.choices), lambda s, o: s.fetch_state),
        "link_state": Field(_enum(Source.LinkState.choices), lambda s, o: s.link_state),
        "fetched_at": Field(OPTIONAL_DATE_TIME, lambda s, o: iso(s.fetched_at)),
    },
)

EVIDENCE: Serialiser[Evidence] = Serialiser(
    "Evidence",
    "A source quoted for or against a claim.",
    {
        "id": Field(INTEGER, lambda e, o: e.pk),
        "claim": Field(INTEGER, lambda e, o: e.claim_id),
        "claim_api_url": Field(URL, lambda e, o: api_url("api-claim-detail", e.claim_id, o)),
        "stance": Field(_enum(Evidence.Stance.choices), lambda e, o: e.stance),
        "source": Field(ref("Source"), lambda e, o: SOURCE.data(e.source, base_url=o)),
        "excerpt": Field(_string("The words quoted from the source."), lambda e, o: e.excerpt),
        "quote_check": Field(
            _string("Whether the excerpt was found in the captured source."),
            lambda e, o: e.quote_check,
        ),
        "note": Field(_string(), lambda e, o: e.note),
        "added_by": Field(
            _nullable(_string("The username of who added it.")),
            lambda e, o: e.added_by.get_username() if e.added_by else None,
        ),
        "added_at": Field(DATE_TIME, lambda e, o: iso(e.added_at)),
    },
)

SOURCE_DETAIL = SOURCE.extend(
    "SourceDetail",
    "A source with the evidence quoting it.",
    evidence=Field(
        {"type": "array", "items": ref("Evidence")},
        lambda s, o: [
            EVIDENCE.data(item, base_url=o)
            for item in s.evidence.select_related("source", "added_by").order_by("id")
        ],
    ),
)


# --- Claims -----------------------------------------------------------------------------

SELECTOR: Schema = {
    "type": "object",
    "description": (
        "A W3C Web Annotation target: the article's API URL and two selectors, a "
        "TextPositionSelector (Unicode code point offsets into the text of `revision`) and "
        "a TextQuoteSelector (`prefix` and `suffix` at most 32 UTF-16 code units)."
    ),
    "required": ["source", "selector"],
    "properties": {
        "source": URL,
        "selector": {
            "type": "array",
            "minItems": 2,
            "maxItems": 2,
            "items": {
                "type": "object",
                "required": ["type"],
                "properties": {
                    "type": _string(enum=["TextPositionSelector", "TextQuoteSelector"]),
                    "start": INTEGER,
                    "end": INTEGER,
                    "exact": _string(),
                    "prefix": _string(),
                    "suffix": _string(),
                },
            },
        },
    },
}


def _verdict_page_url(claim: Claim, origin: str) -> str | None:
    path = public_path_of(claim)
    return origin + path if path else None


CLAIM: Serialiser[Claim] = Serialiser(
    "Claim",
    "A claim found in an article, with its review state and the pipeline's analysis.",
    {
        "id": Field(INTEGER, lambda c, o: c.pk),
        "api_url": Field(URL, lambda c, o: api_url("api-claim-detail", c.pk, o)),
        "page_url": Field(URL, lambda c, o: claim_page_url(c, o)),
        "article": Field(INTEGER, lambda c, o: c.article_id),
        "revision": Field(
            INTEGER | {"description": "The article revision the offsets index."},
            lambda c, o: c.revision,
        ),
        "text": Field(_string(), lambda c, o: c.text),
        "target": Field(
            SELECTOR,
            lambda c, o: {
                "source": api_url("api-article-detail", c.article_id, o),
                "selector": selectors(c),
            },
        ),
        "status": Field(_enum(Claim.Status.choices), lambda c, o: c.status),
        "contradicted": Field(
            {"type": "boolean", "description": "Some evidence refutes the claim."},
            lambda c, o: c.get_verdict() == ClaimVerdict.CONTRADICTED,
        ),
        "verdict": Field(
            _enum(
                ClaimVerdict.choices,
                "Refuting evidence wins (contradicted, whatever the status); else a claim "
                "confirmed now is confirmed; anything else is undecided.",
            ),
            lambda c, o: c.get_verdict().value,
        ),
        "status_changed_at": Field(OPTIONAL_DATE_TIME, lambda c, o: iso(c.status_changed_at)),
        "checkworthiness": Field(
            {"type": "number", "minimum": 0, "maximum": 1}, lambda c, o: c.checkworthiness
        ),
        "check_worthy": Field(BOOLEAN, lambda c, o: c.check_worthy),
        "checkworthiness_model": Field(
            _string("Empty for the extraction's first score, the model once refined."),
            lambda c, o: c.checkworthiness_model,
        ),
        "claim_type": Field(_enum(Claim.Type.choices), lambda c, o: c.claim_type),
        "hedged": Field(BOOLEAN, lambda c, o: c.hedged),
        "hedge_cues": Field(
            {"type": "array", "items": {"type": ["object", "string"]}}, lambda c, o: c.hedge_cues
        ),
        "factuality": Field(_enum(Claim.Factuality.choices), lambda c, o: c.factuality),
        "factuality_cues": Field(
            {"type": "array", "items": {"type": ["object", "string"]}},
            lambda c, o: c.factuality_cues,
        ),
        "attribution": Field({"type": ["object", "null"]}, lambda c, o: c.attribution),
        "attributions": Field(OBJECTS, lambda c, o: c.attributions),
        "standalone": Field(
            _string("The claim rewritten to read alone."), lambda c, o: c.standalone
        ),
        "speaker": Field(_string(maxLength=200), lambda c, o: c.speaker),
        "speaker_id": Field(
            {"type": ["integer", "null"], "description": "The speaker record, if linked."},
            lambda c, o: c.speaker_record_id,
        ),
        "entities": Field(OBJECTS, lambda c, o: c.entities),
        "occurrences": Field(
            {
                "type": "array",
                "description": "[start, end] of each place the sentence occurs.",
                "items": {"type": "array", "items": INTEGER},
            },
            lambda c, o: c.occurrences,
        ),
        "orphaned": Field(BOOLEAN, lambda c, o: c.orphaned),
        "verdict_page_url": Field(_nullable(URL), _verdict_page_url),
    },
)


def _confirmed(claim: Claim) -> bool:
    """Confirmed now, with its record read (``ClaimQuerySet.with_confirmation_record``)."""
    return claim.status == Claim.Status.CONFIRMED and claim.record_confirmed_at is not None


def counting_sources(claim: Claim) -> int | None:
    """How many sources count toward the claim's confirmation: the distinct sources of
    the evidence its confirmation record counted; ``None`` when it is not confirmed."""
    if not _confirmed(claim):
        return None
    return len({item.get("source") for item in claim.record_basis or []})


# A claim's review: who confirmed it, when, why, whom it is assigned to, and how many
# sources its confirmation counted. The CSV exports carry these columns; the fields read
# the annotations of ``ClaimQuerySet.with_confirmation_record`` (``for_export``).
CLAIM_REVIEW: Serialiser[Claim] = Serialiser(
    "ClaimReviewState",
    "Who confirmed a claim, when and why (empty unless it is confirmed now), its "
    "assignee, and the sources its confirmation counted.",
    {
        "confirmed_by": Field(
            _nullable(_string("The username of who confirmed it.")),
            lambda c, o: c.record_confirmed_by if _confirmed(c) else None,
        ),
        "confirmed_at": Field(
            OPTIONAL_DATE_TIME, lambda c, o: iso(c.record_confirmed_at) if _confirmed(c) else None
        ),
        "note": Field(
            _nullable(_string("The confirmation's note.")),
            lambda c, o: c.record_note if _confirmed(c) else None,
        ),
        "assignee": Field(
            _nullable(_string("The username of the assignee.")),
            lambda c, o: c.assignee.get_username() if c.assignee else None,
        ),
        "counting_sources": Field(
            {
                "type": ["integer", "null"],
                "description": "Sources counted toward its confirmation (null: not confirmed).",
            },
            lambda c, o: counting_sources(c),
        ),
    },
)

CLAIM_DETAIL = CLAIM.extend(
    "ClaimDetail",
    "A claim with its evidence.",
    evidence=Field(
        {"type": "array", "items": ref("Evidence")},
        lambda c, o: [EVIDENCE.data(e, base_url=o) for e in c.evidence.all()],
    ),
)


# --- Articles ---------------------------------------------------------------------------

ARTICLE: Serialiser[Article] = Serialiser(
    "ArticleBase",
    "An article's fields, as the exports carry them.",
    {
        "id": Field(INTEGER, lambda a, o: a.pk),
        "api_url": Field(URL, lambda a, o: api_url("api-article-detail", a.pk, o)),
        "page_url": Field(URL, lambda a, o: o + a.get_absolute_url()),
        "title": Field(_string(maxLength=300), lambda a, o: a.title),
        "outlet": Field(_string(maxLength=200), lambda a, o: a.outlet),
        "outlet_domain": Field(_string(), lambda a, o: a.outlet_domain),
        "url": Field(_string("The story's public URL, or empty."), lambda a, o: a.url),
        "published_at": Field(
            _nullable(_string(format="date-time")), lambda a, o: iso(a.published_at)
        ),
        "state": Field(_enum(Article.State.choices), lambda a, o: a.state),
        "revision": Field(INTEGER | {"minimum": 1}, lambda a, o: a.revision),
        "created_at": Field(DATE_TIME, lambda a, o: iso(a.created_at)),
        "updated_at": Field(DATE_TIME, lambda a, o: iso(a.updated_at)),
    },
)

ARTICLE_BODY = ARTICLE.extend(
    "ArticleExport",
    "An article with its text, as the JSON export carries it.",
    body=Field(_string("The current revision's text."), lambda a, o: a.body),
)

READINESS: Schema = {
    "type": "object",
    "description": (
        "blocked: a claim is contradicted or needs re-review; needs_work: extraction not "
        "done, or a check-worthy claim not confirmed yet; ready: neither."
    ),
    "required": ["verdict", "reasons"],
    "properties": {
        "verdict": _enum(readiness.VERDICTS),
        "reasons": {"type": "array", "items": _string()},
    },
    "additionalProperties": False,
}


def external_id(article: Article) -> str | None:
    """The CMS's id of the story this article came from (the write API), else None."""
    try:
        return article.external.external_id
    except ExternalStory.DoesNotExist:
        return None


API_ARTICLE = ARTICLE.extend(
    "Article",
    "An article as the API lists it: its fields, its readiness for publication and, when "
    "it came through the write API, the CMS's `external_id`.",
    external_id=Field(
        _nullable(_string("The story's id in the CMS that sent it.")),
        lambda a, o: external_id(a),
    ),
    readiness=Field(ref("Readiness"), lambda a, o: readiness.of(a).as_json()),
)

ARTICLE_DETAIL = API_ARTICLE.extend(
    "ArticleDetail",
    "An article with its text and the URL of its claims, paged.",
    body=ARTICLE_BODY.fields["body"],
    claims_url=Field(
        URL,
        lambda a, o: f"{o}{reverse('api-claim-list')}?{urlencode({'article': a.pk})}",
    ),
)


# --- Speakers ---------------------------------------------------------------------------

SPEAKER: Serialiser[Speaker] = Serialiser(
    "Speaker",
    "A speaker record: who said the claims linked to it, with its names and aliases.",
    {
        "id": Field(INTEGER, lambda s, o: s.pk),
        "name": Field(_string(maxLength=200), lambda s, o: s.name),
        "aliases": Field({"type": "array", "items": _string()}, lambda s, o: s.alias_names),
        "kind": Field(_enum(Speaker.Kind.choices), lambda s, o: s.kind),
        "role": Field(_string("Role or title as stated."), lambda s, o: s.role),
        "wikidata_id": Field(_nullable(_string()), lambda s, o: s.wikidata_id or None),
        "claims": Field(
            INTEGER | {"description": "How many claims are linked to it."},
            lambda s, o: s.claim_count,
        ),
        "claims_url": Field(
            URL, lambda s, o: f"{o}{reverse('api-claim-list')}?{urlencode({'speaker_id': s.pk})}"
        ),
        "url": Field(URL, lambda s, o: o + s.get_absolute_url()),
    },
)
