"""Claim types, check-worthiness and entities on small texts."""

from __future__ import annotations

import json

import pytest

from claims.nlp import PIPELINE_VERSION, extract
from claims.nlp.checkworthiness import DEFAULT_MODEL_PATH
from claims.nlp.claim_types import CLAIM_TYPES
from tests.nlp.helpers import only_claim

TYPES = [
    ("Unemployment fell to 5.1 percent last year.", "quantity"),
    ("The deficit reached $500 billion in 2009.", "quantity"),
    ("Kerry said the talks had failed.", "statement"),
    ("We will cut taxes for the middle class.", "prediction"),
    ("NATO ministers will convene in Brussels next week.", "prediction"),
    ("I think we have seen a deterioration of values.", "opinion"),
    ("We should stop this war.", "opinion"),
    ("Militants seized the town of Tal Afar.", "event"),
    ("Thank you very much.", "other"),
]


@pytest.mark.parametrize(("text", "expected"), TYPES)
def test_claim_type_rules(text: str, expected: str) -> None:
    assert only_claim(text).claim_type == expected


def test_claim_types_use_only_the_documented_strings(seed_result) -> None:
    assert {c.claim_type for c in seed_result.claims} <= set(CLAIM_TYPES)


def test_checkworthiness_ranks_a_statistic_above_small_talk() -> None:
    figure = only_claim("Unemployment fell to 5.1 percent last year.")
    thanks = only_claim("Thank you very much.")
    assert 0.0 <= thanks.checkworthiness < figure.checkworthiness <= 1.0
    assert figure.check_worthy and not thanks.check_worthy


def test_threshold_parameter_decides_check_worthy() -> None:
    text = "Unemployment fell to 5.1 percent last year."
    assert not extract(text, threshold=1.01).claims[0].check_worthy
    assert extract(text, threshold=0.0).claims[0].check_worthy


def test_the_stored_model_is_small_portable_json() -> None:
    assert DEFAULT_MODEL_PATH.stat().st_size < 5_000_000
    data = json.loads(DEFAULT_MODEL_PATH.read_text(encoding="utf-8"))
    assert len(data["features"]) == len(data["weights"]) > 1000
    assert 0.0 < data["threshold"] < 1.0


def test_entities_come_from_the_model() -> None:
    claim = only_claim("John Kerry visited Baghdad on June 23 with 300 advisers from the Pentagon.")
    labels = {(e.text, e.label) for e in claim.entities}
    assert ("John Kerry", "PERSON") in labels
    assert ("Baghdad", "GPE") in labels
    assert any(label == "DATE" for _, label in labels)
    assert any(label == "CARDINAL" for _, label in labels)


def test_to_dict_follows_the_json_contract(seed_result) -> None:
    data = seed_result.to_dict()
    assert set(data) == {"pipeline", "claims", "dropped"}
    assert data["pipeline"]["version"] == PIPELINE_VERSION
    claim = data["claims"][2]
    assert set(claim) == {
        "text",
        "start",
        "end",
        "prefix",
        "suffix",
        "checkworthiness",
        "check_worthy",
        "claim_type",
        "hedged",
        "hedge_cues",
        "attribution",
        "entities",
        "occurrences",
        "factuality",
        "factuality_cues",
        "attributions",
        "standalone",
    }
    assert claim["attributions"][0] == claim["attribution"]
    assert claim["factuality"] == "asserted"
    assert set(claim["attribution"]) == {
        "speaker",
        "speaker_start",
        "speaker_end",
        "mention",
        "cue",
        "cue_start",
        "cue_end",
        "content_start",
        "content_end",
    }
    assert claim["occurrences"] == [[393, 537], [1997, 2141]]
    assert set(data["dropped"][0]) == {"text", "start", "end", "reason"}
    json.dumps(data)
