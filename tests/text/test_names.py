"""Speaker names: one article's variants resolve to one speaker; documents, figures and
reports are not speakers (``claims.text.names``, no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims.text import names
from claims.text.names import Mention

HEALTH_STORY = [
    Mention("Dr Amara Okafor", "PERSON", role="the medical director"),
    Mention("Dr Okafor", "PERSON"),
    Mention("Okafor", "PERSON"),
    Mention("Hannah Müller", "PERSON"),
    Mention("Ms Müller", ""),
    Mention("the Royal College", "ORG"),
    Mention("the college", ""),
    Mention("the board's own figures", ""),
    Mention("unconfirmed reports", ""),
    Mention("officials", ""),
]


def test_the_issues_health_story_has_four_speakers() -> None:
    speakers = names.resolve(HEALTH_STORY)
    distinct = {id(s): s for s in speakers.values()}.values()
    assert sorted(s.name for s in distinct) == [
        "Amara Okafor",
        "Hannah Müller",
        "Royal College",
        "officials",
    ]
    okafor = speakers["Okafor"]
    assert okafor is speakers["Dr Okafor"] is speakers["Dr Amara Okafor"]
    assert okafor.kind == names.PERSON and okafor.role == "the medical director"
    assert speakers["Ms Müller"] is speakers["Hannah Müller"]
    assert speakers["the college"] is speakers["the Royal College"]
    assert speakers["the college"].kind == names.ORGANISATION
    assert speakers["officials"].kind == names.GROUP


def test_documents_figures_and_reports_are_not_speakers() -> None:
    for name in ("the board's own figures", "unconfirmed reports", "a leaked memo",
                 "the Department's data", "the report", "he", "The study"):  # fmt: skip
        assert not names.is_speaker(name), name
    for name in ("officials", "the Royal College of Nursing", "Okafor", "residents"):
        assert names.is_speaker(name), name
    assert "unconfirmed reports" not in names.resolve(HEALTH_STORY)


def test_a_surname_shared_by_two_people_stays_apart() -> None:
    speakers = names.resolve(
        [Mention("John Smith", "PERSON"), Mention("Jane Smith", "PERSON"), Mention("Smith")]
    )
    assert speakers["John Smith"] is not speakers["Jane Smith"]
    assert speakers["Smith"] is not speakers["John Smith"]
    assert speakers["Smith"] is not speakers["Jane Smith"]


def test_the_college_joins_the_organisation_whose_head_noun_it_is() -> None:
    speakers = names.resolve(
        [Mention("the Royal College of Nursing", "ORG"), Mention("the college")]
    )
    assert speakers["the college"] is speakers["the Royal College of Nursing"]
    assert speakers["the college"].name == "Royal College of Nursing"


def test_keys_find_a_speaker_across_articles_only_by_distinctive_names() -> None:
    speakers = names.resolve(HEALTH_STORY)
    assert speakers["Okafor"].keys == ["amaraokafor"]
    assert speakers["the college"].keys == ["royalcollege"]
    assert speakers["officials"].keys == []
    assert names.key("Prof. Hannah MÜLLER") == names.key("Hannah Muller") == "hannahmuller"


FIRST = st.sampled_from(["Amara", "Hannah", "John", "Jane", "Li", "Sean"])
LAST = st.sampled_from(["Okafor", "Müller", "Smith", "O'Brien", "Nguyen"])
TITLE = st.sampled_from(["", "Dr ", "Ms ", "Mr ", "Prof ", "Sir ", "Dame ", "Rev "])


@st.composite
def person_mentions(draw: st.DrawFn) -> Mention:
    first, last, title = draw(FIRST), draw(LAST), draw(TITLE)
    shape = draw(st.sampled_from(["full", "titled", "surname"]))
    name = {"full": f"{title}{first} {last}", "titled": f"{title}{last}", "surname": last}[shape]
    return Mention(name, draw(st.sampled_from(["PERSON", ""])))


OTHERS = st.sampled_from(
    [Mention("the Royal College", "ORG"), Mention("the college"), Mention("officials"),
     Mention("the board's own figures"), Mention("NHS England", "ORG")]
)  # fmt: skip
MENTIONS = st.lists(st.one_of(person_mentions(), OTHERS), max_size=12)


def _grouping(speakers: dict[str, names.Speaker]) -> set[frozenset[str]]:
    return {frozenset(s.aliases) for s in speakers.values()}


@given(MENTIONS, st.randoms())
def test_the_grouping_does_not_depend_on_the_order(mentions: list[Mention], rnd) -> None:
    shuffled = list(mentions)
    rnd.shuffle(shuffled)
    first, second = names.resolve(mentions), names.resolve(shuffled)
    assert _grouping(first) == _grouping(second)
    assert {n: s.name for n, s in first.items()} == {n: s.name for n, s in second.items()}


@given(MENTIONS)
def test_resolving_the_resolved_names_again_changes_nothing(mentions: list[Mention]) -> None:
    speakers = names.resolve(mentions)
    label = {names.PERSON: "PERSON", names.ORGANISATION: "ORG", names.GROUP: ""}
    again = names.resolve(
        [Mention(alias, label[s.kind]) for s in speakers.values() for alias in s.aliases]
    )
    assert _grouping(again) == _grouping(speakers)


@given(MENTIONS)
def test_two_full_names_with_different_surnames_are_never_one_speaker(
    mentions: list[Mention],
) -> None:
    for speaker in names.resolve(mentions).values():
        full = [
            a for a in speaker.aliases if speaker.kind == names.PERSON and len(names.core(a)) >= 2
        ]
        assert len({names.surname(a) for a in full}) <= 1
        assert speaker.aliases and all(names.is_speaker(a) for a in speaker.aliases)


@given(MENTIONS)
def test_every_speaker_mention_resolves_and_non_speakers_do_not(mentions: list[Mention]) -> None:
    speakers = names.resolve(mentions)
    for mention in mentions:
        name = names.clean(mention.name)
        assert (name in speakers) == names.is_speaker(name)
        if name in speakers:
            assert name in speakers[name].aliases


def test_resolving_an_article_works_out_each_name_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each mention's key is worked out a fixed number of times, however many speakers
    the article has: an article of 4,500 mentions spent 9 minutes when every look-up
    scanned every name (the worker test's long article)."""
    calls = 0
    real = names.key

    def counting(name: str) -> str:
        nonlocal calls
        calls += 1
        return real(name)

    monkeypatch.setattr(names, "key", counting)
    mentions = [
        names.Mention(f"{first} {last}", "PERSON")
        for first in ("Amara", "Hannah", "Jon", "Li", "Sara")
        for last in (f"Okafor{i}" for i in range(200))
    ]
    resolved = names.resolve(mentions)
    assert len(resolved) == len(mentions)
    assert calls <= 2 * len(mentions)


NAMES_CACHED = (names.clean, names._words, names._core, names.key, names.is_speaker,
                names._kind, names.distinctive)  # fmt: skip
MESSY = st.builds(
    lambda m, before, after: Mention(f"{before}{m.name}{after}", m.label, m.role),
    st.one_of(person_mentions(), OTHERS),
    st.sampled_from(["", " ", "  \n", '"', "(", "\u201c"]),
    st.sampled_from(["", "'s", "\u2019s", ".", ",", " )", "\u201d"]),
)


@given(st.lists(st.one_of(person_mentions(), OTHERS, MESSY), max_size=12), st.randoms())
def test_the_caches_of_names_change_no_result(mentions: list[Mention], rnd) -> None:
    """``clean``, ``key``... are cached (issue 34): warm or cold, the speakers are the
    same, and ``words`` and ``core`` hand out lists of their own."""
    warm = names.resolve(mentions)
    for function in NAMES_CACHED:
        function.cache_clear()
    shuffled = list(mentions)
    rnd.shuffle(shuffled)
    assert names.resolve(shuffled) == warm == names.resolve(mentions)
    for mention in mentions:
        for function in (names.words, names.core):
            first = function(mention.name)
            first.append("x")
            assert function(mention.name) == first[:-1]
        assert names.clean(mention.name) == names.clean.__wrapped__(mention.name)
        assert names.key(mention.name) == names.key.__wrapped__(mention.name)
        for kind in (names.PERSON, names.ORGANISATION, names.GROUP):
            assert names.distinctive(mention.name, kind) == names.distinctive.__wrapped__(
                mention.name, kind
            )
