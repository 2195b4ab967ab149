"""The confirmation rule on plain facts: evidence must say what the claim says (issue 28,
items 3, 4 and 5). No database: ``EvidenceFacts`` are built by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from claims.confirmation import rule
from claims.confirmation.rule import EvidenceFacts, PublisherFacts

ARTICLE = PublisherFacts("Daily Example", frozenset({"dailyexample.com"}))
WHO = PublisherFacts("who.int", frozenset({"who.int"}))
CLAIM = "The council spent £46 million on the new bridge in 2024."
EXCERPT = "the council spent £46 million on the new bridge"


def facts(excerpt: str = EXCERPT, **fields: object) -> EvidenceFacts:
    values: dict[str, object] = {
        "evidence_id": 1,
        "stance": rule.SUPPORTS,
        "excerpt": excerpt,
        "publisher": WHO,
        "captured": True,
        "capture_sha256": "a" * 64,
        "captured_at": datetime(2025, 6, 5, 9, 0),
        "quote_check": "found",
        "quote_sha256": "a" * 64,
        "quote_score": 100.0,
    }
    values.update(fields)
    return EvidenceFacts(**values)  # type: ignore[arg-type]


def judge(evidence: EvidenceFacts, claim_text: str = CLAIM) -> rule.EvidenceVerdict:
    return rule.judge_evidence(evidence, ARTICLE, claim_text=claim_text)


def test_evidence_whose_figures_match_the_claim_counts() -> None:
    assert judge(facts()).counts


def test_evidence_whose_figures_differ_from_the_claims_does_not_count() -> None:
    verdict = judge(facts("the council spent £48 million on the new bridge"))
    assert not verdict.counts
    assert (
        verdict.reason == "figures differ: the claim says £46 million, the excerpt says £48 million"
    )


def test_an_excerpt_without_figures_of_that_kind_is_not_refused_for_its_figures() -> None:
    assert judge(facts("the council paid for the new bridge over the river")).counts
    assert judge(facts("the new bridge opened to traffic on 12 March 2024")).counts


def test_without_the_claims_wording_the_figures_are_not_compared() -> None:
    assert rule.judge_evidence(facts("they spent £48 million on it"), ARTICLE).counts


def test_a_short_excerpt_never_counts_whatever_the_stored_quote_check_says() -> None:
    for excerpt in ("e", "£46 million", "spent £46 million"):
        verdict = judge(facts(excerpt, quote_check="found"))
        assert not verdict.counts
        assert verdict.reason == "the excerpt is too short to check: at least 4 words"


def test_a_quote_not_found_says_why_when_the_check_said() -> None:
    reason = "the source says 'were not reported' where the excerpt says 'were reported'"
    verdict = judge(facts(quote_check="not_found", quote_reason=reason))
    assert verdict.reason == f"excerpt not found in the capture of 5 Jun 2025: {reason}"


def assess(evidence: list[EvidenceFacts], claim_text: str = CLAIM) -> rule.Assessment:
    return rule.assess(evidence, article=ARTICLE, required=1, claim_text=claim_text)


def test_a_claim_whose_only_evidence_differs_in_its_figures_cannot_be_confirmed() -> None:
    assessment = assess([facts("the council spent £48 million on the new bridge")])
    assert not assessment.satisfied
    assert "figures differ: the claim says £46 million, the excerpt says £48 million" in (
        assessment.blocker
    )
    assert assessment.blocker.endswith(
        "; evidence from who.int does not count (figures differ: the claim says £46 million, "
        "the excerpt says £48 million)"
    )


def test_the_old_callers_of_assess_still_work() -> None:
    assessment = rule.assess([facts()], article=ARTICLE, required=1)
    assert assessment.satisfied and assessment.blocker == ""


# --- lapse_reason names what took the evidence from under a confirmation --------------------

BASIS = [{"evidence": 1, "publisher": "who.int", "url": "https://www.who.int/a"}]


def test_an_edit_to_the_figure_names_the_evidence_that_no_longer_counts() -> None:
    edited = CLAIM.replace("£46 million", "£45 million")
    assessment = assess([facts()], claim_text=edited)
    reason = rule.lapse_reason(assessment, confirmed_wording=CLAIM, wording=edited, basis=BASIS)
    assert reason == (
        "the claim's wording changed since it was confirmed; evidence from who.int no longer "
        "counts (figures differ: the claim says £45 million, the excerpt says £46 million)"
    )


def test_a_recheck_that_finds_the_opposite_names_it() -> None:
    said = "the source says 'were not reported' where the excerpt says 'were reported'"
    assessment = assess([facts(quote_check="not_found", quote_reason=said)])
    reason = rule.lapse_reason(assessment, confirmed_wording=CLAIM, wording=CLAIM, basis=BASIS)
    assert reason.startswith(
        f"evidence from who.int no longer counts (excerpt not found in the capture of "
        f"5 Jun 2025: {said}); needs 1 more supporting source"
    )
    assert reason.count(said) == 1, "named once, not again among the blockers"


def test_a_short_excerpt_in_the_basis_is_named_when_it_lapses() -> None:
    assessment = assess([facts("e")])
    reason = rule.lapse_reason(assessment, confirmed_wording=CLAIM, wording=CLAIM, basis=BASIS)
    assert reason.startswith(
        "evidence from who.int no longer counts (the excerpt is too short to check: at least "
        "4 words)"
    )


# --- Properties ------------------------------------------------------------------------------


@given(st.text(max_size=120))
def test_evidence_quoting_the_claim_itself_never_has_differing_figures(text: str) -> None:
    verdict = judge(replace(facts(), excerpt=text), claim_text=text)
    assert not verdict.reason.startswith("figures differ")
