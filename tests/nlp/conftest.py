"""Shared helpers for the NLP tests: the real model, loaded once per session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from spacy.language import Language

from claims.nlp import Extraction, extract, get_nlp

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture(scope="session")
def nlp() -> Language:
    return get_nlp()


@pytest.fixture(scope="session")
def seed_text() -> str:
    return (FIXTURES / "seed_article.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_gold() -> dict:
    return json.loads((FIXTURES / "seed_article.gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seed_result(seed_text: str, nlp: Language) -> Extraction:
    return extract(seed_text)
