"""Claim memory: find earlier claims and fact-checks that say the same thing.

Two stages, both on the CPU with the base install:

1. **Retrieval**: a BM25 index (bm25s, sparse matrices) over stemmed, stop-word-free
   terms of every candidate text. Scoring a query touches only the posting lists of its
   terms, so one match against 100,000 archive claims takes milliseconds
   (``bench/matching.py``), and the top ``DEPTH`` candidates go on to stage 2.
2. **Re-ranking and calibration**: for each candidate a few features (BM25, the share
   of the query's and the candidate's term weight they have in common, rapidfuzz
   ``token_set_ratio`` and ``partial_ratio``, overlap of numbers and of capitalised
   names) go through a logistic model fitted on the CheckThat! 2020 task 2 train split
   (``scripts/eval_matching.py --fit``). Its output is a probability in 0..1 that the
   pair is a match, comparable across queries; the weights are a small JSON file,
   ``claims/data/matching.json``.

The engine (``Index``) is plain text in, plain data out, used by the ``match`` command
and the benchmark without a database. The workflows below tie it to the models:
importing fact-check archives, matching an article's claims after extraction (the
``claims.match_claims`` task), accepting and dismissing matches. In the app each worker
process keeps two indexes, one over the claims and one over the archive, each rebuilt
when its table changes (row count, newest id or newest ``updated_at``): editing a claim
does not rebuild the archive's index.

Thresholds (settings): a match scoring at least ``WORKBENCH_MATCH_HIGH`` is linked for
review automatically; one between ``WORKBENCH_MATCH_LOW`` and the high threshold is a
suggestion; claims of fewer than ``WORKBENCH_MATCH_MIN_WORDS`` words are never linked
automatically (at most suggested).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import bm25s
import numpy as np
import Stemmer
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from rapidfuzz import fuzz, utils

from . import status
from .cleaning import clean_line, clean_text, http_url_or_blank
from .models import Claim, ClaimMatch, ConfirmationRefused, Evidence, FactCheck, Source

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

log = logging.getLogger(__name__)

WEIGHTS_PATH = Path(__file__).resolve().parent / "data" / "matching.json"
DEPTH = 50  # candidates re-ranked per query
DEFAULT_HIGH = 0.9
DEFAULT_LOW = 0.4
DEFAULT_MIN_WORDS = 8
DEFAULT_TOP = 5

# --- Text: terms, numbers, names ------------------------------------------------------

_STOP_WORDS = """a about above after again against all am an and any are as at be because been
    before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself now of off on once only or other our ours ourselves
    out over own same she should so some such than that the their theirs them themselves then
    there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours yourself yourselves
    rt amp via"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
_URL = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/)\S+", re.IGNORECASE)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_WORD = re.compile(r"[^\W_]+(?:[.,][0-9]+)*", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w'-]+")


def clean(text: str) -> str:
    """The text without URLs, with hashtags and handles split into words."""
    text = _URL.sub(" ", text)
    text = re.sub(r"[#@](\w+)", lambda m: " " + _CAMEL.sub(" ", m.group(1)) + " ", text)
    return " ".join(text.split())


@cache
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def terms(text: str) -> list[str]:
    """Stemmed index terms: lower-cased words and numbers, stop words left out."""
    words = [w for w in _WORD.findall(clean(text).lower()) if w not in STOP_WORDS]
    return _stemmer().stemWords([w.replace(",", "") for w in words])


def numbers(text: str) -> set[str]:
    found = set()
    for number in _NUMBER.findall(_URL.sub(" ", text)):
        number = number.replace(",", "")
        found.add(number.rstrip("0").rstrip(".") if "." in number else number)
    return found


def names(text: str) -> set[str]:
    """Capitalised words not at the start of a sentence: a cheap stand-in for entities."""
    return {n.lower() for n in _NAME.findall(clean(text))}


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


# --- The engine -------------------------------------------------------------------------

FEATURES = [
    "bm25_log",  # log(1 + BM25)
    "query_cover",  # share of the query's idf weight found in the candidate
    "cand_cover",  # share of the candidate's idf weight found in the query
    "cover_f1",  # harmonic mean of the two
    "fuzz_set",  # rapidfuzz token_set_ratio / 100
    "fuzz_partial",  # rapidfuzz partial_ratio / 100 (the shorter text inside the longer)
    "numbers_shared",  # share of the candidate's numbers found in the query
    "numbers_clash",  # both have numbers, none in common
    "names_shared",  # share of the candidate's names found in the query
]


@dataclass(frozen=True)
class Hit:
    key: str
    score: float
    features: dict[str, float] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Calibration:
    """A logistic model over standardised features."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    meta: dict[str, Any] = field(default_factory=dict)

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        z = ((rows - self.mean) / self.scale) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def as_json(self) -> dict[str, Any]:
        return {
            "features": FEATURES,
            "mean": self.mean.round(6).tolist(),
            "scale": self.scale.round(6).tolist(),
            "weights": self.weights.round(6).tolist(),
            "bias": round(float(self.bias), 6),
            "meta": self.meta,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Calibration:
        if data.get("features") != FEATURES:
            raise ValueError("the weights file was fitted on other features; refit it")
        return cls(
            mean=np.array(data["mean"]),
            scale=np.array(data["scale"]),
            weights=np.array(data["weights"]),
            bias=float(data["bias"]),
            meta=data.get("meta", {}),
        )


@cache
def calibration() -> Calibration:
    return Calibration.from_json(json.loads(WEIGHTS_PATH.read_text(encoding="utf-8")))


class Index:
    """BM25 retrieval over candidate texts, then calibrated re-ranking.

    ``Index([(key, text), ...])``; ``index.search(text, top=5)`` gives ``Hit``s, best
    first, each with a probability-like score in 0..1.
    """

    def __init__(self, docs: Iterable[tuple[str, str]]) -> None:
        self.keys: list[str] = []
        self.texts: list[str] = []
        tokens: list[list[str]] = []
        for key, text in docs:
            self.keys.append(key)
            self.texts.append(text)
            tokens.append(terms(text))
        self.bm25 = bm25s.BM25(k1=1.2, b=0.75)
        self.idf: dict[str, float] = {}
        self.unseen_idf = math.log(1 + (len(tokens) + 0.5) / 0.5)  # a term no candidate has
        if self.keys:
            self.bm25.index(tokens, show_progress=False)
            self.idf = self._idf(len(tokens))

    def __len__(self) -> int:
        return len(self.keys)

    def _idf(self, n: int) -> dict[str, float]:
        indptr = np.asarray(self.bm25.scores["indptr"])
        df = np.diff(indptr)
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
        return {term: float(idf[i]) for term, i in self.bm25.vocab_dict.items() if i < len(idf)}

    def retrieve(self, query_terms: list[str], depth: int = DEPTH) -> list[tuple[int, float]]:
        """Stage 1: (position, BM25 score) of the best ``depth`` candidates."""
        known = [t for t in query_terms if t in self.idf]
        if not known or not self.keys:
            return []
        scores = self.bm25.get_scores(known)
        depth = min(depth, len(scores))
        top = np.argpartition(-scores, depth - 1)[:depth]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]

    def search(
        self,
        text: str,
        *,
        top: int = DEFAULT_TOP,
        depth: int = DEPTH,
        keep: Callable[[str], bool] | None = None,
        model: Calibration | None = None,
    ) -> list[Hit]:
        """The best ``top`` candidates for ``text`` (``keep(key)`` filters candidates)."""
        query_terms = terms(text)
        found = self.retrieve(query_terms, depth)
        if keep is not None:
            found = [(i, s) for i, s in found if keep(self.keys[i])]
        if not found:
            return []
        rows = [self.features(text, query_terms, i, s, found[0][1]) for i, s in found]
        model = model or calibration()
        probabilities = model.probabilities(np.array([list(r.values()) for r in rows]))
        hits = [
            Hit(self.keys[i], round(float(p), 4), row)
            for (i, _), p, row in zip(found, probabilities, rows, strict=True)
        ]
        hits.sort(key=lambda h: -h.score)
        return hits[:top]

    def features(
        self, text: str, query_terms: list[str], i: int, bm25: float, best: float
    ) -> dict[str, float]:
        """Stage 2 features of one (query, candidate) pair, in ``FEATURES`` order."""
        candidate = self.texts[i]
        q, c = set(query_terms), set(terms(candidate))
        shared = sum(self.idf[t] for t in q & c)
        q_weight = sum(self.idf.get(t, self.unseen_idf) for t in q) or 1.0
        c_weight = sum(self.idf[t] for t in c) or 1.0
        q_text, c_text = utils.default_process(clean(text)), utils.default_process(candidate)
        q_num, c_num = numbers(text), numbers(candidate)
        c_names = names(candidate)
        return {
            "bm25_log": math.log1p(bm25),
            "query_cover": shared / q_weight,
            "cand_cover": shared / c_weight,
            "cover_f1": 2 * shared / (q_weight + c_weight),
            "fuzz_set": fuzz.token_set_ratio(q_text, c_text) / 100,
            "fuzz_partial": fuzz.partial_ratio(q_text, c_text) / 100,
            "numbers_shared": len(q_num & c_num) / len(c_num) if c_num else 0.0,
            "numbers_clash": float(bool(q_num and c_num and not q_num & c_num)),
            "names_shared": len(names(text) & c_names) / len(c_names) if c_names else 0.0,
        }


# --- Fact-check archives ----------------------------------------------------------------


class ArchiveRejected(ValueError):
    """A fact-check file that cannot be read, with a message saying where and why."""


ARCHIVE_FIELDS = ("id", "text", "title", "url", "rating", "date", "publisher")


def read_archive(path: Path) -> list[dict[str, Any]]:
    """Entries of a fact-check file: ClaimReview JSON-LD (.json/.jsonld, or embedded in
    .html pages), JSON Lines (.jsonl/.ndjson) or CSV, as dicts of ``ARCHIVE_FIELDS``."""
    suffix = path.suffix.lower()
    if suffix not in {".jsonl", ".ndjson", ".csv", ".json", ".jsonld", ".html", ".htm"}:
        raise ArchiveRejected(
            f"Cannot read {suffix or 'extension-less'} files: use .jsonl, .csv, .json "
            "(ClaimReview JSON-LD) or .html pages with ClaimReview markup."
        )
    try:
        raw = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ArchiveRejected(f"Cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ArchiveRejected(f"{path.name} is not UTF-8 text (byte {exc.start}).") from None
    if suffix in {".jsonl", ".ndjson"}:
        entries = list(_jsonl_entries(raw, path.name))
    elif suffix == ".csv":
        entries = list(_csv_entries(raw, path.name))
    elif suffix in {".json", ".jsonld"}:
        entries = list(_jsonld_entries(_parse_json(raw, path.name), path.name))
    else:
        entries = list(_html_entries(raw, path.name))
    if not entries:
        raise ArchiveRejected(f"No fact-checks found in {path.name}.")
    return entries


def _parse_json(raw: str, where: str) -> Any:
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ArchiveRejected(f"{where}: not valid JSON ({exc.msg}, line {exc.lineno}).") from None


def _entry(data: dict[str, Any], where: str) -> dict[str, Any]:
    """One fact-check, cleaned: NULs removed from the text, controls and bidi overrides
    from the single-line fields, and a URL that is not http(s) dropped with a warning."""
    entry = {name: clean_line(str(data.get(name) or "")).strip() for name in ARCHIVE_FIELDS}
    entry["text"] = clean_text(str(data.get("text") or "")).strip()
    entry["id"] = entry["id"] or entry["url"]
    entry["warnings"] = []
    if entry["url"] and not http_url_or_blank(entry["url"]):
        entry["warnings"].append(
            f"{where}: the URL {entry['url'][:80]!r} was dropped (only http:// and https:// "
            "URLs are kept)."
        )
        entry["url"] = ""
    if not entry["id"]:
        raise ArchiveRejected(f"{where}: an entry needs an id or a url.")
    if not entry["text"]:
        raise ArchiveRejected(f"{where}: entry {entry['id']!r} has no text.")
    entry["date"] = _date(entry["date"], where)
    return entry


def _date(value: str, where: str) -> date | None:
    if not value:
        return None
    try:
        parsed = parse_date(value[:10]) or (parse_datetime(value) or None)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ArchiveRejected(f"{where}: cannot read the date {value!r} (use YYYY-MM-DD).")
    return parsed if isinstance(parsed, date) else parsed.date()


def _jsonl_entries(raw: str, name: str) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        data = _parse_json(line, f"{name} line {number}")
        if not isinstance(data, dict):
            raise ArchiveRejected(f"{name} line {number}: expected a JSON object.")
        yield _entry(data, f"{name} line {number}")


def _csv_entries(raw: str, name: str) -> Iterator[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(raw))
    missing = {"id", "text"} - set(reader.fieldnames or [])
    if missing - {"id"} or ("id" in missing and "url" not in (reader.fieldnames or [])):
        raise ArchiveRejected(f"{name}: the CSV needs the columns id (or url) and text.")
    for number, row in enumerate(reader, start=2):
        yield _entry(row, f"{name} line {number}")


def _html_entries(raw: str, name: str) -> Iterator[dict[str, Any]]:
    scripts = re.findall(
        r"<script[^>]*type=[\"']application/ld\+json[\"'][^>]*>(.*?)</script>",
        raw,
        flags=re.IGNORECASE | re.DOTALL,
    )
    for number, script in enumerate(scripts, start=1):
        yield from _jsonld_entries(_parse_json(script, f"{name} script {number}"), name)


def _jsonld_entries(data: Any, name: str) -> Iterator[dict[str, Any]]:
    """ClaimReview objects anywhere in the JSON (a list, an ``@graph``, nested); plain
    ``{"id", "text"}`` objects are read as JSON Lines entries would be."""
    if isinstance(data, list):
        for item in data:
            yield from _jsonld_entries(item, name)
    elif isinstance(data, dict):
        kinds = data.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if "ClaimReview" in kinds:
            yield _entry(_from_claimreview(data), f"{name}: ClaimReview")
        elif "text" in data and ("id" in data or "url" in data) and "@type" not in data:
            yield _entry(data, name)
        else:
            for value in data.values():
                if isinstance(value, list | dict):
                    yield from _jsonld_entries(value, name)


def _name(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        return str(value.get("name") or "")
    return str(value or "")


def _from_claimreview(review: dict[str, Any]) -> dict[str, Any]:
    rating = review.get("reviewRating") or {}
    if isinstance(rating, list):
        rating = rating[0] if rating else {}
    rating_text = rating.get("alternateName") or rating.get("ratingValue") or ""
    return {
        "id": review.get("identifier") or review.get("@id") or review.get("url"),
        "url": review.get("url"),
        "text": review.get("claimReviewed"),
        "title": review.get("headline") or review.get("name"),
        "rating": rating_text,
        "date": review.get("datePublished"),
        "publisher": _name(review.get("author")) or _name(review.get("publisher")),
    }


def import_factchecks(entries: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Create or update ``FactCheck`` rows keyed by archive id: re-importing the same
    archive updates entries in place and never duplicates them."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        for entry in entries:
            values = {
                "text": entry["text"],
                "title": entry["title"][:500],
                "url": entry["url"][:2000],
                "rating": entry["rating"][:200],
                "publisher": entry["publisher"][:200],
                "date": entry["date"],
            }
            existing = FactCheck.objects.filter(archive_id=entry["id"][:500]).first()
            if existing is None:
                FactCheck.objects.create(archive_id=entry["id"][:500], **values)
                counts["created"] += 1
            elif any(getattr(existing, k) != v for k, v in values.items()):
                FactCheck.objects.filter(pk=existing.pk).update(**values, updated_at=timezone.now())
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
    return counts


# --- Matching claims in the app ---------------------------------------------------------


def thresholds() -> tuple[float, float, int]:
    """(low, high, minimum words for an automatic link), from the settings."""
    return (
        getattr(settings, "WORKBENCH_MATCH_LOW", DEFAULT_LOW),
        getattr(settings, "WORKBENCH_MATCH_HIGH", DEFAULT_HIGH),
        getattr(settings, "WORKBENCH_MATCH_MIN_WORDS", DEFAULT_MIN_WORDS),
    )


@dataclass
class _Cached:
    version: tuple[Any, ...] = ()
    index: Index | None = None
    articles: dict[str, int] = field(default_factory=dict)


# Two indexes per process: the archive (large, changes on import) is not rebuilt when a
# claim is edited or confirmed, which bumps only the claims' version.
_claims = _Cached()
_archive = _Cached()


def _version(model: type[Claim] | type[FactCheck]) -> tuple[Any, ...]:
    """Changes whenever a candidate text of the model may have changed."""
    found = model.objects.aggregate(n=Count("pk"), last=Max("updated_at"), top=Max("pk"))
    return tuple(found.values())


def claims_index() -> _Cached:
    """The BM25 index over every live claim, with each claim key's article."""
    version = _version(Claim)
    if _claims.index is None or _claims.version != version:
        docs, articles = [], {}
        rows = Claim.objects.filter(orphaned=False).values_list("pk", "article_id", "text")
        for pk, article_id, text in rows.iterator(chunk_size=5000):
            docs.append((f"claim:{pk}", text))
            articles[f"claim:{pk}"] = article_id
        _claims.index, _claims.articles, _claims.version = Index(docs), articles, version
    return _claims


def archive_index() -> _Cached:
    """The BM25 index over the fact-check archive (claim reviewed and headline)."""
    version = _version(FactCheck)
    if _archive.index is None or _archive.version != version:
        rows = FactCheck.objects.values_list("pk", "text", "title").iterator(chunk_size=5000)
        _archive.index = Index((f"factcheck:{pk}", f"{t} {title}".strip()) for pk, t, title in rows)
        _archive.version = version
    return _archive


def state_for(score: float, text: str) -> str | None:
    """The state a new match with this score gets, or None below the suggestion level."""
    low, high, min_words = thresholds()
    if score < low:
        return None
    if score >= high and word_count(text) >= min_words:
        return ClaimMatch.State.LINKED
    return ClaimMatch.State.SUGGESTED


def match_claim(claim: Claim, *, top: int = DEFAULT_TOP) -> list[ClaimMatch]:
    """Find and record the matches of one claim among other articles' claims and the
    archive. Decided matches (accepted, dismissed) are left as they are; undecided ones
    are updated, and dropped when the claim no longer matches them."""
    claims = claims_index()

    def other_article(key: str) -> bool:
        return claims.articles.get(key) not in (None, claim.article_id)

    hits = claims.index.search(claim.text, top=top, keep=other_article)
    hits += archive_index().index.search(claim.text, top=top)
    hits = sorted(hits, key=lambda hit: -hit.score)[:top]
    found = []
    with transaction.atomic():
        for hit in hits:
            state = state_for(hit.score, claim.text)
            if state is not None:
                found.append(_record(claim, hit, state))
        stale = claim.matches.filter(state__in=ClaimMatch.UNDECIDED).exclude(
            pk__in=[m.pk for m in found]
        )
        for match in stale:
            match._change_reason = "no longer matches"
            match.delete()
    return found


def _record(claim: Claim, hit: Hit, state: str) -> ClaimMatch:
    kind, pk = hit.key.split(":")
    target = {"matched_claim_id": int(pk)} if kind == "claim" else {"factcheck_id": int(pk)}
    match = ClaimMatch.objects.filter(claim=claim, **target).first()
    if match is None:
        match = ClaimMatch(claim=claim, score=hit.score, state=state, **target)
        match._change_reason = f"found by matching (score {hit.score:.2f})"
        try:
            with transaction.atomic():
                match.save()
        except IntegrityError:  # a concurrent run recorded it first
            return ClaimMatch.objects.get(claim=claim, **target)
    elif match.is_undecided and (match.score, match.state) != (hit.score, state):
        match.score, match.state = hit.score, state
        match._change_reason = f"re-scored by matching ({hit.score:.2f})"
        match.save(update_fields=["score", "state", "updated_at"])
    return match


def match_article(article_id: int) -> str:
    """The body of ``claims.match_claims``: match every live claim of an article."""
    claims = list(Claim.objects.filter(article_id=article_id, orphaned=False))
    counts = {state: 0 for state in ClaimMatch.State.values}
    for claim in claims:
        for match in match_claim(claim):
            counts[match.state] += 1
    summary = ", ".join(f"{n} {state}" for state, n in counts.items() if n)
    return f"matched {len(claims)} claims: {summary or 'no matches'}"


def enqueue_matching(article_id: int) -> bool | None:
    """Send ``claims.match_claims`` once the current transaction commits. A broker that
    is down is logged, not raised: the claims are written; they are matched when the
    article is next extracted (the same fencing and catch as ``ingest.enqueue``)."""
    from kombu.exceptions import OperationalError

    from .tasks import match_claims

    outcome: dict[str, bool] = {}

    def send() -> None:
        try:
            match_claims.apply_async(args=[article_id])
            outcome["sent"] = True
        except (OperationalError, OSError) as exc:
            log.warning("broker unavailable, article %s not matched: %s", article_id, exc)
            outcome["sent"] = False

    transaction.on_commit(send)
    return outcome.get("sent")


def with_match_flag(queryset: QuerySet[Claim]) -> QuerySet[Claim]:
    """Annotate ``has_match``: the claim has a match that was not dismissed."""
    live = ClaimMatch.objects.filter(claim=OuterRef("pk")).exclude(state=ClaimMatch.State.DISMISSED)
    return queryset.annotate(has_match=Exists(live))


# --- Deciding on a match ----------------------------------------------------------------


@dataclass
class Outcome:
    """What accepting a match did, for the message shown to the fact-checker."""

    carried_over: int = 0
    factcheck: bool = False
    confirmed: bool = False
    refused: str = ""
    notes: list[str] = field(default_factory=list)

    def message(self) -> str:
        noun = "link" if self.carried_over == 1 else "links"
        if self.factcheck:
            linked = "its page is linked as context" if self.carried_over else "no page linked"
            parts = [f"Fact-check match accepted; {linked}."]
        else:
            parts = [f"Match accepted; {self.carried_over} evidence {noun} carried over."]
        parts += self.notes
        if self.confirmed:
            parts.append("The claim is now confirmed.")
        if self.refused:
            parts.append(f"Not confirmed: {self.refused}")
        return " ".join(parts)


def accept_match(
    *, match: ClaimMatch, by: AbstractBaseUser, confirm: bool = False, note: str = ""
) -> Outcome:
    """Accept a match: carry the matched claim's evidence over (or, for a fact-check,
    link its page as context), record the decision, and confirm the claim when asked
    and the earlier claim was confirmed. A refused confirmation is reported in the
    outcome; the acceptance stays."""
    outcome = Outcome(factcheck=match.factcheck_id is not None)
    claim = match.claim
    with transaction.atomic():
        if match.matched_claim_id:
            outcome.carried_over = _carry_over_evidence(match, by=by)
        else:
            outcome.carried_over = _link_factcheck(match, by=by, outcome=outcome)
        target = f"claim #{match.matched_claim_id}" if match.matched_claim_id else "fact-check"
        match.decide(
            ClaimMatch.State.ACCEPTED,
            by=by,
            reason=f"accepted ({target}); {outcome.carried_over} evidence carried over"
            + (f": {note}" if note else ""),
        )
    if confirm:
        earlier = match.matched_claim
        if earlier is None or earlier.status != Claim.Status.CONFIRMED:
            outcome.refused = "the matched claim is not confirmed."
            return outcome
        try:
            status.confirm(claim, by=by, note=note or f"as confirmed claim #{earlier.pk} (matched)")
            outcome.confirmed = True
        except ConfirmationRefused as exc:
            outcome.refused = str(exc)
    return outcome


def _carry_over_evidence(match: ClaimMatch, *, by: AbstractBaseUser) -> int:
    claim, earlier = match.claim, match.matched_claim
    linked = set(claim.evidence.values_list("source_id", flat=True))
    copied = 0
    for evidence in earlier.evidence.exclude(source_id__in=linked).order_by("added_at", "pk"):
        reason = f"carried over from claim #{earlier.pk}"
        copy = Evidence(
            claim=claim,
            source_id=evidence.source_id,
            stance=evidence.stance,
            excerpt=evidence.excerpt,
            quote_check=evidence.quote_check,
            quote_score=evidence.quote_score,
            quote_matched=evidence.quote_matched,
            quote_sha256=evidence.quote_sha256,
            note=f"{reason}: {evidence.note}" if evidence.note else reason,
            added_by=by,
        )
        copy._history_user = by
        copy._change_reason = reason
        copy.save()
        copied += 1
    return copied


def _link_factcheck(match: ClaimMatch, *, by: AbstractBaseUser, outcome: Outcome) -> int:
    from . import sources

    check = match.factcheck
    if not check.url:
        outcome.notes.append("The fact-check has no URL, so no source was linked.")
        return 0
    try:
        source = sources.source_for_url(check.url, kind=Source.Kind.OTHER, by=by)
    except ValueError as exc:
        outcome.notes.append(f"The fact-check URL could not be linked ({exc}).")
        return 0
    if match.claim.evidence.filter(source=source).exists():
        outcome.notes.append("The fact-check page was already linked.")
        return 0
    rating = f"rated “{check.rating}”" if check.rating else "no rating given"
    by_whom = f" by {check.publisher}" if check.publisher else ""
    evidence = Evidence(
        claim=match.claim,
        source=source,
        stance=Evidence.Stance.CONTEXT,
        note=f"fact-check{by_whom}: {rating}",
        added_by=by,
    )
    evidence._history_user = by
    evidence._change_reason = f"from accepted fact-check match #{match.pk}"
    try:
        with transaction.atomic():
            evidence.save()
    except IntegrityError:  # linked concurrently
        return 0
    return 1
