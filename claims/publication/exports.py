"""Exports of claims: schema.org ClaimReview (JSON-LD), CSV and JSON.

Pure functions over model instances and querysets; the views in ``claims/api/views.py`` and
``manage.py export`` only choose the claims and write the result.

URLs: every builder takes ``base_url`` (scheme and host, no trailing slash, e.g.
``https://workbench.example.org``) that is put in front of the site paths. Views pass the
request's own; without one (``manage.py export``, the verdict pages) it is the
``WORKBENCH_BASE_URL`` setting (``site()``), so no URL is ever relative.

ClaimReview: only decided claims are reviews (``decided``/``is_decided``: confirmed now,
or contradicted by refuting evidence); unconfirmed and needs-re-review claims are left
out. One ``ClaimReview`` object per claim (``claimreview``); for an article, a JSON-LD
document ``{"@context": "https://schema.org", "@graph": [ClaimReview, ...]}``
(``article_claimreview``). ``url`` is the public verdict page when the claim's is
published (``claims/publication/verdicts.py``), else the claim's workbench page; ``@id`` is ``url``
+ ``#claimreview``. The verdict is ``reviewRating.name`` and ``alternateName`` with a
numeric ``ratingValue`` on a 1-3 scale (``worstRating`` 1, ``bestRating`` 3):
1 = Contradicted (the claim has refuting evidence; this wins over its status),
3 = Confirmed (only while the claim's status is confirmed now); 2 (Unconfirmed, Needs
re-review) is what ``verdict`` calls the rest, which are not published. The claim's
``appearance`` and ``firstAppearance`` are the article (its URL and outlet), its
``author`` the resolved speaker; the review's ``author`` and ``publisher`` the newsroom
of the settings.

CSV: one row per evidence of each claim; a claim with no evidence gives one row whose
evidence columns are empty. Columns: ``CSV_COLUMNS``. Lists (hedge cues) are joined
with ``"; "``; booleans are ``true``/``false``; dates ISO 8601. UTF-8, no BOM, quoting
by the ``csv`` module (RFC 4180 style, ``\\r\\n`` line ends). A text cell that begins
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'`` (OWASP's
rule against formula injection: a spreadsheet shows it as text, never runs it). The
Excel variant (``excel=True``) is the same file behind a UTF-8 byte order mark, which
Excel needs to read UTF-8.

JSON: the same serialisers as the read-only API and the webhooks
(``claims/publication/serialisers.py``); an article export is the article with its body and
every claim with its evidence. Every export is written claim by claim from an iterator
over the claims (``*_chunks``, ``dumps_chunks``), so its memory does not grow with their
number; ``article_json`` and ``article_claimreview`` build the same documents whole.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.text import slugify

from claims.models import Article, Claim, ClaimQuerySet, ClaimVerdict, Confirmation, Evidence
from claims.publication.serialisers import (
    ARTICLE_BODY,
    CLAIM_DETAIL,
    CLAIM_REVIEW,
    claim_page_url,
    iso,
    public_path_of,
    selectors,
    site,
)

__all__ = ["public_path_of", "selectors", "site"]  # their home is serialisers

SCHEMA_CONTEXT = "https://schema.org"
WORST_RATING = 1
BEST_RATING = 3
RATINGS = {"Contradicted": 1, "Unconfirmed": 2, "Needs re-review": 2, "Confirmed": 3}
SHORT_CLAIM_LENGTH = 75  # a claim this long or longer also gets a short ``name``
CHUNK_SIZE = 500

CSV_COLUMNS = [
    "claim_id",
    "claim_url",
    "article_id",
    "article_title",
    "article_url",
    "revision",
    "start",
    "end",
    "claim_text",
    "status",
    "contradicted",
    "checkworthiness",
    "check_worthy",
    "claim_type",
    "hedged",
    "hedge_cues",
    "speaker",
    "orphaned",
    # the claim's review (serialisers.CLAIM_REVIEW)
    *CLAIM_REVIEW.fields,
    "evidence_id",
    "evidence_stance",
    "source_url",
    "source_title",
    "source_publisher",
    "excerpt",
    "quote_check",
    "added_by",
    "added_at",
]


# --- File names -------------------------------------------------------------------------


def _slug(value: str) -> str:
    return slugify(value.replace("_", "-"))


# The claim list's filters named in an export's file name, in this order: (parameter,
# how its value reads). Filters not named here (a search, a score range) read "filtered".
SCOPE_NAMES: list[tuple[str, Any]] = [
    ("article", lambda v: f"article-{v}"),
    ("status", lambda v: _slug(v)),
    ("contradicted", lambda v: "contradicted" if v else "not-contradicted"),
    ("needs_review", lambda v: "needs-review"),
    ("hedged", lambda v: "hedged" if v else "not-hedged"),
    ("factuality", lambda v: _slug(v)),
    ("claim_type", lambda v: _slug(v)),
    ("mine", lambda v: "assigned-to-me"),
    ("open", lambda v: "open"),
    ("assignee", lambda v: f"assignee-{v}"),
    ("speaker_id", lambda v: f"speaker-{v}"),
    ("outlet", lambda v: "outlet-" + slugify(v)[:40]),
    ("no_evidence", lambda v: "no-evidence"),
    ("has_match", lambda v: "seen-before"),
]
UNNAMED_FILTERS = ("q", "speaker", "min_score", "max_score")


def claims_export_stem(
    filters: Mapping[str, Any], *, selected: bool = False, on: date | None = None
) -> str:
    """An export's file name (without extension) after its scope and the day:
    ``claims-article-42-2026-12-06``, ``claims-confirmed-2026-12-06``,
    ``claims-selected-2026-12-06`` (checked claims), ``claims-all-2026-12-06``."""
    parts = ["selected"] if selected else []
    parts += [name(filters[key]) for key, name in SCOPE_NAMES if filters.get(key) not in NO_VALUE]
    if any(filters.get(key) not in NO_VALUE for key in UNNAMED_FILTERS):
        parts.append("filtered")
    day = (on or timezone.localdate()).isoformat()
    return "-".join(["claims", *(parts or ["all"]), day])


NO_VALUE: tuple[Any, ...] = (None, "", False, [])


# --- Querysets --------------------------------------------------------------------------


def iterate(queryset: ClaimQuerySet) -> Iterator[Claim]:
    """Stream claims chunk by chunk, with relations prefetched per chunk."""
    return queryset.for_export().iterator(chunk_size=CHUNK_SIZE)


def article_claims(article: Article) -> ClaimQuerySet:
    return Claim.objects.filter(article=article).order_by("start", "pk")


# --- Small shared pieces ----------------------------------------------------------------


def verdict(claim: Claim) -> str:
    """The ClaimReview rating's name: ``Contradicted``, ``Confirmed`` (the verdict,
    ``Claim.get_verdict``), or, for an undecided claim, ``Needs re-review`` or
    ``Unconfirmed`` by its status."""
    decided = claim.get_verdict()
    if decided != ClaimVerdict.UNDECIDED:
        return decided.label
    if claim.status == Claim.Status.NEEDS_REREVIEW:
        return "Needs re-review"
    return "Unconfirmed"


def short_text(text: str, limit: int = SHORT_CLAIM_LENGTH - 1) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "…"


def hedge_cue_texts(claim: Claim) -> list[str]:
    return [cue["text"] if isinstance(cue, dict) else str(cue) for cue in claim.hedge_cues or []]


# --- ClaimReview (JSON-LD) --------------------------------------------------------------

DECIDED = ("Confirmed", "Contradicted")  # the verdicts published as reviews
ORGANIZATION_LABELS = {"ORG", "NORP", "GPE", "FAC"}  # speakers that are not people


def decided(queryset: ClaimQuerySet) -> ClaimQuerySet:
    """The claims among ``queryset`` that have a verdict to publish: confirmed now, or
    contradicted (refuting evidence). Unconfirmed and needs-re-review claims are not
    reviews."""
    refuting = Evidence.objects.filter(claim=OuterRef("pk"), stance=Evidence.Stance.REFUTES)
    return queryset.filter(Q(status=Claim.Status.CONFIRMED) | Exists(refuting))


def is_decided(claim: Claim) -> bool:
    return verdict(claim) in DECIDED


def _organization(name: str, url: str = "") -> dict[str, Any]:
    organization = {"@type": "Organization", "name": name}
    if url:
        organization["url"] = url
    return organization


def _article_work(article: Article) -> dict[str, Any]:
    """The article the claim appears in, as a ``CreativeWork`` (its URL and outlet)."""
    work: dict[str, Any] = {"@type": "CreativeWork", "headline": article.title}
    if article.url:
        work["url"] = article.url
    if article.outlet:
        work["publisher"] = _organization(article.outlet)
    if article.published_at:
        work["datePublished"] = article.published_at.date().isoformat()
    return work


def published(claim: Claim) -> tuple[str, str]:
    """``(claimReviewed, speaker)`` as published. A confirmed claim is published as its
    latest confirmation record holds it, never from fields that may have changed since
    (such a change lapses the claim; until then, and after, the record is what stood)."""
    if claim.status == Claim.Status.CONFIRMED:
        record = _published_record(claim)
        if record is not None:
            return record["standalone"] or record["wording"], record["speaker"]
    return claim.standalone or claim.text, claim.speaker


def _published_record(claim: Claim) -> dict[str, str] | None:
    wording = getattr(claim, "confirmed_wording", None)
    if wording is not None:
        return {
            "wording": wording,
            "standalone": claim.confirmed_standalone or "",
            "speaker": claim.confirmed_speaker or "",
        }
    record = Confirmation.latest_for(claim.pk)
    if record is None:
        return None
    return {"wording": record.wording, "standalone": record.standalone, "speaker": record.speaker}


def speaker_node(claim: Claim) -> dict[str, Any] | None:
    """The published speaker as a ``Person``, or an ``Organization`` when the pipeline
    tagged that name as one (ORG, NORP, GPE, FAC); None when unattributed."""
    name = " ".join(published(claim)[1].split())
    if not name:
        return None
    labels = {
        entity.get("label")
        for entity in claim.entities or []
        if isinstance(entity, dict) and " ".join(str(entity.get("text", "")).split()) == name
    }
    kind = "Organization" if labels & ORGANIZATION_LABELS and "PERSON" not in labels else "Person"
    return {"@type": kind, "name": name}


def _item_reviewed(claim: Claim) -> dict[str, Any]:
    article = claim.article
    appearance = _article_work(article)
    item: dict[str, Any] = {
        "@type": "Claim",
        "appearance": appearance,
        "firstAppearance": appearance,
    }
    author = speaker_node(claim)
    if author:
        item["author"] = author
    if article.published_at:
        item["datePublished"] = article.published_at.date().isoformat()
    return item


def _rating(claim: Claim) -> dict[str, Any]:
    name = verdict(claim)
    return {
        "@type": "Rating",
        "ratingValue": RATINGS[name],
        "bestRating": BEST_RATING,
        "worstRating": WORST_RATING,
        "name": name,
        "alternateName": name,
    }


def newsroom(base_url: str | None = None) -> dict[str, Any]:
    """The organisation publishing the reviews (settings ``WORKBENCH_NEWSROOM_*``). Its
    URL defaults to the workbench's own (``WORKBENCH_BASE_URL``); then a document built
    on another ``base_url`` (``export --base-url``) names that one, like every other URL
    in it."""
    url = settings.WORKBENCH_NEWSROOM_URL
    if base_url and url == settings.WORKBENCH_BASE_URL.rstrip("/") + "/":
        url = site(base_url) + "/"
    return _organization(settings.WORKBENCH_NEWSROOM_NAME, url)


def review_url(claim: Claim, base_url: str | None = None) -> str:
    """Where the review can be read: its public verdict page when published, else the
    claim in the workbench (which needs a login)."""
    path = public_path_of(claim)
    return site(base_url) + path if path else claim_page_url(claim, base_url)


def claimreview(
    claim: Claim, *, base_url: str | None = None, context: bool = True
) -> dict[str, Any]:
    """One schema.org ``ClaimReview`` for ``claim`` (``context=False`` inside a ``@graph``).

    Callers publish only decided claims (``is_decided``/``decided``)."""
    url = review_url(claim, base_url)
    reviewed_at = claim.status_changed_at or claim.updated_at
    review: dict[str, Any] = {"@context": SCHEMA_CONTEXT} if context else {}
    review |= {
        "@type": "ClaimReview",
        "@id": url + "#claimreview",
        "url": url,
        "claimReviewed": published(claim)[0],
        "reviewRating": _rating(claim),
        "itemReviewed": _item_reviewed(claim),
        "author": newsroom(base_url),
        "publisher": newsroom(base_url),
        "datePublished": reviewed_at.date().isoformat(),
    }
    if len(claim.text) >= SHORT_CLAIM_LENGTH:
        review["name"] = short_text(claim.text)
    return review


def claimreview_graph(claims: Iterable[Claim], *, base_url: str | None = None) -> dict[str, Any]:
    """A JSON-LD document whose ``@graph`` holds one ClaimReview per decided claim."""
    graph = [
        claimreview(claim, base_url=base_url, context=False)
        for claim in claims
        if is_decided(claim)
    ]
    return {"@context": SCHEMA_CONTEXT, "@graph": graph}


def article_claimreview(article: Article, *, base_url: str | None = None) -> dict[str, Any]:
    return claimreview_graph(iterate(decided(article_claims(article))), base_url=base_url)


def article_claimreview_chunks(article: Article, *, base_url: str | None = None) -> Iterator[str]:
    """``dumps(article_claimreview(article))``, written claim by claim."""
    reviews = (
        claimreview(claim, base_url=base_url, context=False)
        for claim in iterate(decided(article_claims(article)))
        if is_decided(claim)
    )
    return dumps_chunks({"@context": SCHEMA_CONTEXT}, "@graph", reviews)


# --- JSON (shared with the API) ---------------------------------------------------------


def article_json(article: Article, *, base_url: str | None = None) -> dict[str, Any]:
    """The article with its body and every claim with its evidence."""
    data = ARTICLE_BODY.data(article, base_url=base_url)
    claims = iterate(article_claims(article))
    data["claims"] = [CLAIM_DETAIL.data(c, base_url=base_url) for c in claims]
    return data


def article_json_chunks(article: Article, *, base_url: str | None = None) -> Iterator[str]:
    """``dumps(article_json(article))``, written claim by claim: memory stays flat
    however many claims the article has."""
    data = ARTICLE_BODY.data(article, base_url=base_url)
    claims = (CLAIM_DETAIL.data(c, base_url=base_url) for c in iterate(article_claims(article)))
    return dumps_chunks(data, "claims", claims)


def claims_json_chunks(queryset: ClaimQuerySet, *, base_url: str | None = None) -> Iterator[str]:
    """A JSON document ``{"claims": [...]}`` written piece by piece, for streaming."""
    yield '{"claims": ['
    for index, claim in enumerate(iterate(queryset)):
        item = json.dumps(CLAIM_DETAIL.data(claim, base_url=base_url), ensure_ascii=False)
        yield ("\n" if index == 0 else ",\n") + item
    yield "\n]}\n"


def claimreview_chunks(queryset: ClaimQuerySet, *, base_url: str | None = None) -> Iterator[str]:
    """The same document as ``claimreview_graph``, written piece by piece."""
    yield '{"@context": "https://schema.org", "@graph": ['
    for index, claim in enumerate(iterate(decided(queryset))):
        item = json.dumps(claimreview(claim, base_url=base_url, context=False), ensure_ascii=False)
        yield ("\n" if index == 0 else ",\n") + item
    yield "\n]}\n"


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def dumps_chunks(data: dict[str, Any], key: str, items: Iterable[Any]) -> Iterator[str]:
    """``dumps(data | {key: list(items)})`` piece by piece, one item at a time (``key``
    comes last). JSON's indentation is only its line breaks (a line break inside a string
    is written ``\\n``), so an item nested two levels down is the item dumped alone with
    every line break indented by two levels."""
    head, _, tail = dumps(data | {key: [None]}).rpartition("null")
    nested = "\n" + " " * 4
    first = True
    for item in items:
        yield (head if first else "," + nested) + dumps(item)[:-1].replace("\n", nested)
        first = False
    yield tail if not first else dumps(data | {key: []})


# --- CSV --------------------------------------------------------------------------------


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _claim_columns(claim: Claim, base_url: str | None) -> list[Any]:
    article = claim.article
    return [
        claim.pk,
        claim_page_url(claim, base_url),
        article.pk,
        article.title,
        article.url,
        claim.revision,
        claim.start,
        claim.end,
        claim.text,
        claim.status,
        _flag(claim.is_contradicted),
        claim.checkworthiness,
        _flag(claim.check_worthy),
        claim.claim_type,
        _flag(claim.hedged),
        "; ".join(hedge_cue_texts(claim)),
        claim.speaker,
        _flag(claim.orphaned),
        *_csv_values(CLAIM_REVIEW.data(claim, base_url=base_url)),
    ]


def _csv_values(data: dict[str, Any]) -> list[Any]:
    """A serialiser's values as CSV cells: ``None`` is an empty cell."""
    return ["" if value is None else value for value in data.values()]


def _evidence_columns(evidence: Evidence | None) -> list[Any]:
    if evidence is None:
        return [""] * 9
    source = evidence.source
    return [
        evidence.pk,
        evidence.stance,
        source.url,
        source.title,
        source.publisher or source.domain,
        evidence.excerpt,
        evidence.quote_check,
        evidence.added_by.get_username() if evidence.added_by else "",
        iso(evidence.added_at),
    ]


def claims_csv_rows(queryset: ClaimQuerySet, *, base_url: str | None = None) -> Iterator[list[Any]]:
    """The header, then one row per evidence (one row for a claim without evidence)."""
    yield CSV_COLUMNS
    for claim in iterate(queryset):
        columns = _claim_columns(claim, base_url)
        rows: list[Evidence | None] = [*claim.evidence.all()] or [None]
        for evidence in rows:
            yield columns + _evidence_columns(evidence)


class _Echo:
    """A file-like object whose ``write`` returns the line instead of storing it."""

    def write(self, value: str) -> str:
        return value


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def neutralise(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula, made text: ``'=1+1``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_lines(rows: Iterable[list[Any]], *, excel: bool = False) -> Iterator[str]:
    """Each row as one CSV-encoded line, for streaming; formula-like cells neutralised."""
    writer = csv.writer(_Echo())
    if excel:
        yield BOM
    for row in rows:
        yield writer.writerow([neutralise(value) for value in row])


def claims_csv(
    queryset: ClaimQuerySet, *, base_url: str | None = None, excel: bool = False
) -> Iterator[str]:
    return csv_lines(claims_csv_rows(queryset, base_url=base_url), excel=excel)


def article_csv(
    article: Article, *, base_url: str | None = None, excel: bool = False
) -> Iterator[str]:
    return claims_csv(article_claims(article), base_url=base_url, excel=excel)
