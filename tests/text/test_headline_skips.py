"""The headline check skips what cannot match (``headline.check``: a figure no sentence
could carry, a sentence sharing no word with the heading, a heading without names, the
body's words folded once): it finds what the plain reading below finds, the check as it
was written before (issue 34), on generated headings and bodies."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from claims.ingest import headlines
from claims.nlp import blocks as blocks_mod
from claims.text import figures, headline
from claims.text.headline import HEADLINE, SUBHEADING, Heading, Mismatch, Sentence
from tests.text.test_headline import BODY

# --- The plain reading: every figure of every heading against every sentence -----------


def _figure_mismatch(
    heading: Heading, figure: figures.Figure, sentences: Sequence[Sentence], weights: dict
) -> Mismatch | None:
    carrying = []
    for sentence in sentences:
        same_kind = [f for f in figures.extract(sentence.text) if f.kind == figure.kind]
        if not same_kind:
            continue
        points = headline.score(heading.text, sentence, weights)
        if points > 0 and any(headline.agree(figure, f) for f in same_kind):
            return None
        beside = headline._carries(heading, figure, sentence, same_kind)
        if headline._bare(figure):
            enough = beside and points >= headline.MIN_COUNT_SCORE
        else:
            enough = beside or (
                points >= headline.MIN_SCORE and figure.kind not in headline.BESIDE_ONLY
            )
        if enough:
            carrying.append((points + beside, sentence, same_kind))
    if not carrying or any(headline.agree(figure, f) for _, _, found in carrying for f in found):
        return None
    _, best, found = max(carrying, key=lambda item: (item[0], -item[1].start))
    near = headline._near(heading.text, figure)
    stated = sorted(
        found,
        key=lambda f: (
            f.unit != figure.unit,
            not near & headline._near(best.text, f, common=True),
        ),
    )
    return Mismatch(heading.where, heading.text, headline.FIGURE, figure.text, stated[0].text,
                    best.text, best.start, best.end, best.claim)  # fmt: skip


def plain_check(headings: list[Heading], sentences: Sequence[Sentence]) -> list[Mismatch]:
    fold, words = headline.fold, headline._words
    body = [s for s in sentences if not any(headline.holds(s, h) for h in headings)]
    weighed = headline.weights(body)
    body_words = {fold(w) for s in body for w, _, _ in words(s.text)}
    lower = {fold(w) for s in body for w, _, _ in words(s.text) if w[:1].islower()}
    found: list[Mismatch] = []
    for heading in headings:
        for figure in figures.extract(heading.text):
            if headline.numbering(heading.text, figure):
                continue
            mismatch = _figure_mismatch(heading, figure, body, weighed)
            if mismatch is not None and mismatch not in found:
                found.append(mismatch)
        found += [
            m
            for m in headline._name_mismatches(heading, body, weighed, body_words, lower)
            if m not in found
        ]
    return found


# --- Generated headings and bodies -------------------------------------------------------

FIGURES = [
    "£48m", "£46m", "£46.4m", "£31,200", "12,000", "12", "432", "0", "2024", "15%", "45.7%",
    "46%", "two", "#1", "15 per cent", "7.6 million", "March 4", "4 March 2024", "1.",
    "Idea #1", "Step 3",
]  # fmt: skip
NOUNS = ["wing", "patients", "nurses", "cases", "beds", "jobs", "cost", "year", "Wing"]
NAMES = ["Osei", "Dr Amara Okafor", "Hannah Müller", "Leeds", "St Mary's", "Mr Osei", "Cuts"]
OTHER = [
    "the", "a", "to", "of", "in", "and", "says", "said", "will", "get", "new", "Says",
    "Hospital", ":", "-", "\u2013",
]  # fmt: skip
TOKEN = st.one_of(
    st.sampled_from([*FIGURES, *NOUNS, *NAMES, *OTHER]),
    st.builds("{} {}".format, st.sampled_from(FIGURES), st.sampled_from(NOUNS)),
    st.builds("{} {}".format, st.sampled_from(NOUNS), st.sampled_from(FIGURES)),
)
PHRASE = st.lists(TOKEN, min_size=1, max_size=7).map(" ".join)


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[Heading], list[Sentence]]:
    texts = draw(st.lists(PHRASE.map(lambda p: p + "."), max_size=6))
    if draw(st.booleans()):
        texts += draw(st.lists(st.sampled_from(BODY), max_size=5))
    sentences, at = [], 0
    for number, text in enumerate(texts):
        sentences.append(Sentence(text, at, at + len(text), claim=number or None))
        at += len(text) + 1
    headings = [
        Heading(
            draw(PHRASE),
            draw(st.sampled_from([HEADLINE, SUBHEADING])),
            draw(st.none() | st.integers(0, max(at, 1))),
        )
        for _ in range(draw(st.integers(0, 3)))
    ]
    return headings, sentences


@settings(max_examples=1500, deadline=None)
@given(cases())
def test_the_check_finds_what_the_plain_reading_finds(
    case: tuple[list[Heading], list[Sentence]],
) -> None:
    headings, sentences = case
    assert headline.check(headings, sentences) == plain_check(headings, sentences)


def test_the_examples_find_what_the_plain_reading_finds() -> None:
    sentences, at = [], 0
    for number, text in enumerate(BODY):
        sentences.append(Sentence(text, at, at + len(text), claim=100 + number))
        at += len(text) + 1
    for title in [
        "St Mary's hospital to get £48m cancer wing",
        "Cancer wing to treat 12,000 patients",
        "Osei says cancer wing will cost £46m",
        "Queue bench s0 0",
        "Nurses to earn £31,500 a year",
    ]:
        headings = [Heading(title, HEADLINE)]
        assert headline.check(headings, sentences) == plain_check(headings, sentences)
    assert headline.check([Heading("St Mary's hospital to get £48m cancer wing")], sentences)


def test_the_kept_split_of_a_text_is_its_split() -> None:
    """``headlines._blocks`` keeps a text's split for the next call (``without_headline``
    then ``headings`` in the extraction job); callers get their own list."""
    body = "Wing to cost £48m\n\nThe wing will cost £46m. It opens in May.\n\nCosts\n\nMore."
    for _ in range(2):
        found, blocks = headlines.headings("Wing to cost £48m", body)
        assert blocks == blocks_mod.split_blocks(body)
        blocks.clear()  # the caller's list: the kept split is untouched
    assert found[0] == Heading("Wing to cost £48m", HEADLINE, 0)
