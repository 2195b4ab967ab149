"""The sample article against its hand-written gold (tests/fixtures/seed_article.gold.json)."""

from __future__ import annotations

from claims.nlp import Claim, Extraction
from tests.nlp.helpers import assert_offsets_true


def _covering(result: Extraction, start: int, end: int) -> list[Claim]:
    return [c for c in result.claims if start <= c.start and c.end <= end]


def _gold(gold: dict, claim_id: str) -> dict:
    return next(c for c in gold["claims"] if c["id"] == claim_id)


def test_eleven_distinct_claims_cover_the_eleven_gold_sentences(seed_result, seed_gold) -> None:
    assert len(seed_result.claims) == seed_gold["expect"]["distinct_claims"] == 11
    for gold in seed_gold["claims"]:
        assert _covering(seed_result, gold["start"], gold["end"]), gold["id"]
    first_copies = [(g["start"], g["end"]) for g in seed_gold["claims"]]
    for claim in seed_result.claims:
        assert any(s <= claim.start and claim.end <= e for s, e in first_copies), claim.text


def test_repeated_lines_are_occurrences_at_the_gold_offsets(seed_result, seed_gold) -> None:
    for gold in seed_gold["claims"]:
        (claim,) = _covering(seed_result, gold["start"], gold["end"])
        assert [list(o) for o in claim.occurrences] == gold["occurrences"], gold["id"]


def test_also_read_is_dropped_as_boilerplate(seed_result, seed_gold) -> None:
    (expected,) = seed_gold["boilerplate"]
    boilerplate = [d for d in seed_result.dropped if d.reason == "boilerplate"]
    assert [(d.start, d.end, d.text) for d in boilerplate] == [
        (expected["start"], expected["end"], expected["text"])
    ]


def test_repeated_blocks_are_listed_as_duplicates(seed_result) -> None:
    duplicates = [d for d in seed_result.dropped if d.reason == "duplicate"]
    assert len(duplicates) == 10


def test_s5_is_hedged_by_unconfirmed(seed_result, seed_gold) -> None:
    gold = _gold(seed_gold, "S5")
    (claim,) = _covering(seed_result, gold["start"], gold["end"])
    assert claim.hedged
    assert any(c.start <= 722 and c.end >= 733 for c in claim.hedge_cues)  # "unconfirmed"
    assert any("unconfirmed" in c.text for c in claim.hedge_cues)


def test_s4_s6_s11_are_not_hedged(seed_result, seed_gold) -> None:
    for claim_id in ("S4", "S6", "S11"):
        gold = _gold(seed_gold, claim_id)
        (claim,) = _covering(seed_result, gold["start"], gold["end"])
        assert not claim.hedged, claim_id


def test_s3_s8_s9_are_attributed_to_kerry(seed_result, seed_gold, seed_text) -> None:
    for claim_id in ("S3", "S8", "S9"):
        gold = _gold(seed_gold, claim_id)
        (claim,) = _covering(seed_result, gold["start"], gold["end"])
        assert claim.attribution is not None, claim_id
        assert "Kerry" in claim.attribution.speaker, claim_id
        assert claim.attribution.cue == gold["cue"]
    s9 = _covering(seed_result, *(_gold(seed_gold, "S9")[k] for k in ("start", "end")))[0]
    assert s9.attribution.mention == "He"
    assert seed_text[s9.attribution.speaker_start : s9.attribution.speaker_end] == "He"


def test_every_offset_in_the_article_is_true(seed_result, seed_text) -> None:
    assert_offsets_true(seed_text, seed_result)


def test_claims_are_in_article_order_with_their_index(seed_result) -> None:
    assert [c.sentence_index for c in seed_result.claims] == list(range(11))
    assert [c.start for c in seed_result.claims] == sorted(c.start for c in seed_result.claims)


def test_every_claim_has_its_gold_factuality(seed_result, seed_gold) -> None:
    for gold in seed_gold["claims"]:
        (claim,) = _covering(seed_result, gold["start"], gold["end"])
        assert claim.factuality == gold["factuality"], gold["id"]
        hedging = gold["factuality"] in {"hedged", "unverified_report", "conditional", "question"}
        assert claim.hedged == hedging, gold["id"]


def test_s5_is_an_unverified_report_on_unconfirmed_reports(seed_result, seed_gold) -> None:
    gold = _gold(seed_gold, "S5")
    (claim,) = _covering(seed_result, gold["start"], gold["end"])
    assert [c.text for c in claim.factuality_cues] == ["unconfirmed reports"]


def test_s1_is_predicted_on_will_and_not_hedged(seed_result, seed_gold) -> None:
    gold = _gold(seed_gold, "S1")
    (claim,) = _covering(seed_result, gold["start"], gold["end"])
    assert [c.text for c in claim.factuality_cues] == [gold["factuality_cue"]]
    assert not claim.hedged and claim.hedge_cues == []


def test_the_united_states_is_not_the_speaker_of_has_pledged(seed_result, seed_gold) -> None:
    gold = _gold(seed_gold, "S10")
    (claim,) = _covering(seed_result, gold["start"], gold["end"])
    assert all(a.mention != "The United States" for a in claim.attributions)


def test_s9_reads_alone_with_kerry_for_he(seed_result, seed_gold) -> None:
    gold = _gold(seed_gold, "S9")
    (claim,) = _covering(seed_result, gold["start"], gold["end"])
    assert claim.standalone == "John Kerry" + claim.text[len("He") :]
