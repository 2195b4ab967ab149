"""Small helpers shared by the NLP tests."""

from __future__ import annotations

from claims.nlp import Claim, Extraction, extract


def only_claim(text: str) -> Claim:
    """The single claim extracted from ``text`` (fails if there is not exactly one)."""
    claims = extract(text).claims
    assert len(claims) == 1, [c.text for c in claims]
    return claims[0]


def assert_offsets_true(text: str, result: Extraction) -> None:
    """Every span of ``result`` indexes ``text``: ``text[start:end] == span text``."""
    for claim in result.claims:
        assert text[claim.start : claim.end] == claim.text
        assert text[max(0, claim.start - 32) : claim.start] == claim.prefix
        assert text[claim.end : claim.end + 32] == claim.suffix
        for cue in claim.hedge_cues:
            assert text[cue.start : cue.end] == cue.text
            assert claim.start <= cue.start <= cue.end <= claim.end
        for entity in claim.entities:
            assert text[entity.start : entity.end] == entity.text
        if claim.attribution is not None:
            a = claim.attribution
            assert text[a.speaker_start : a.speaker_end] == a.mention
            assert text[a.cue_start : a.cue_end] == a.cue
            if a.content_start is not None:
                assert claim.start <= a.content_start < a.content_end <= claim.end
        assert claim.occurrences[0] == (claim.start, claim.end)
        assert claim.occurrences == sorted(claim.occurrences)
        for start, end in claim.occurrences:
            assert _same(text[start:end], claim.text)
    for item in result.dropped:
        assert text[item.start : item.end] == item.text


def _same(a: str, b: str) -> bool:
    from claims.text.normalising import for_duplicates

    return for_duplicates(a) == for_duplicates(b)
