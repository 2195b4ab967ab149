from __future__ import annotations

import pytest

from claims.nlp import extract
from claims.text.normalising import for_duplicates
from tests.nlp.helpers import assert_offsets_true

TEXTS = [
    "  Leading spaces.  Kerry said the talks had failed.\n\n\n  Trailing spaces.   ",
    "Curly \u201cquotes\u201d and \u2019apostrophes\u2019 stay as they are, the minister said.",
    "Emoji \U0001f600 before a claim: unemployment fell to 5.1 percent in 2014.",
    "Windows line ends.\r\nThe army retook the town.\r\n\r\nADVERTISEMENT\r\n"
    "The army retook the town.",
    "Tabs\tand\u00a0non-breaking\u2009spaces: the refinery may have been seized.",
    "Combining accents: Mu\u0308ller said the cafe\u0301 closed in May 2014.",
    "A wrapped paragraph that goes on\nand on across a line break.\nNext one.",
    "Ce texte est en fran\u00e7ais. Le ministre a d\u00e9clar\u00e9 que 40 personnes sont mortes.",
    "\u4e2d\u6587\u6587\u672c\u3002\u4ed6\u8bf4\u4e86\u3002 Then English: Kerry said so.",
]


@pytest.mark.parametrize("text", TEXTS)
def test_every_span_indexes_the_original_text(text: str) -> None:
    assert_offsets_true(text, extract(text))


def test_a_repeated_sentence_inside_other_text_is_an_occurrence() -> None:
    text = "The army retook the town. It was a big day.\nLater it rained. The army retook the town."
    result = extract(text)
    first = next(c for c in result.claims if c.text == "The army retook the town.")
    assert len(first.occurrences) == 2
    start, end = first.occurrences[1]
    assert text[start:end] == "The army retook the town."
    assert sum(c.text.lower().endswith("the army retook the town.") for c in result.claims) == 1


def test_repeats_match_after_normalising_quotes_whitespace_and_case() -> None:
    text = (
        "Maliki\u2019s  government \u201cfailed\u201d, he said.\n"
        'MALIKI\'S government "failed", he said.'
    )
    result = extract(text)
    assert len(result.claims) == 1
    assert len(result.claims[0].occurrences) == 2
    assert_offsets_true(text, result)


def test_a_whole_article_pasted_twice_has_occurrences_in_the_second_copy() -> None:
    article = "The dam broke on Monday.\nOfficials said 12 people died.\nRescue work continues."
    text = article + "\n\n" + article
    result = extract(text)
    assert len(result.claims) == 3
    offset = len(article) + 2
    for claim in result.claims:
        assert claim.occurrences == [
            (claim.start, claim.end),
            (claim.start + offset, claim.end + offset),
        ]
    assert [d.reason for d in result.dropped] == ["duplicate"] * 3


def test_fingerprint_folds_whitespace_quotes_and_case() -> None:
    assert for_duplicates("  Maliki\u2019s \u201cplan\u201d\n IS ") == 'maliki\'s "plan" is'


def test_progress_reports_every_block() -> None:
    seen: list[tuple[int, int]] = []
    extract(
        "One.\nTwo.\nAdvertisement\nOne.", progress=lambda done, total: seen.append((done, total))
    )
    assert seen == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]  # the total comes first
