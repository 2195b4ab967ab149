"""One source per page, publishers from registered domains, and independence.

Nothing here fetches: captures are queued on commit, and these tests never commit.
"""

from __future__ import annotations

from typing import Any

import pytest

from claims.confirmation import service as status
from claims.models import Claim, ConfirmationRefused, Evidence, Source
from claims.review import evidence as verification
from claims.sources import capture as sources
from tests.conftest import capture


@pytest.fixture
def claim(make_article: Any) -> Claim:
    return make_article().claims.first()


def supported_by(claim: Claim, by: Any, *urls: str) -> list[Evidence]:
    """Evidence quoting the claim from each URL, each source captured with that text."""
    linked = []
    for url in urls:
        evidence = verification.add_evidence(
            claim=claim, by=by, stance=Evidence.Stance.SUPPORTS, url=url, kind="news",
            excerpt=claim.text,
        )  # fmt: skip
        capture(evidence.source, f"Reported: {claim.text}")
        sources.recheck_quotes(evidence.source, cause="captured")
        evidence.refresh_from_db()
        linked.append(evidence)
    return linked


# --- canonical URLs ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    [
        "https://www.reuters.com/world/story?id=7",
        "HTTPS://WWW.Reuters.com:443/world/story?id=7#comments",
        "https://www.reuters.com/world/story?utm_source=twitter&id=7&fbclid=abc",
        "  https://www.reuters.com./world/story?id=7  ",
    ],
)
def test_the_same_page_added_twice_is_one_source(editor: Any, spelling: str) -> None:
    first = sources.source_for_url(
        "https://www.reuters.com/world/story?id=7", kind="news", by=editor
    )
    again = sources.source_for_url(spelling, kind="wire", by=editor)
    assert again.pk == first.pk
    assert Source.objects.count() == 1
    assert first.url == "https://www.reuters.com/world/story?id=7"


def test_different_pages_are_different_sources(editor: Any) -> None:
    a = sources.source_for_url("https://www.reuters.com/world/a", kind="news", by=editor)
    b = sources.source_for_url("https://www.reuters.com/world/b", kind="news", by=editor)
    c = sources.source_for_url("https://www.reuters.com/world/a?page=2", kind="news", by=editor)
    assert len({a.pk, b.pk, c.pk}) == 3


def test_a_new_source_takes_its_publisher_from_the_registered_domain(editor: Any) -> None:
    source = sources.source_for_url("https://news.bbc.co.uk/1/hi/uk.stm", kind="news", by=editor)
    assert source.publisher == "bbc.co.uk" and source.domain == "bbc.co.uk"
    assert source.kind == "news" and source.created_by == editor
    assert source.fetch_state == Source.FetchState.PENDING


def test_a_publisher_corrected_by_hand_survives_adding_the_url_again(editor: Any) -> None:
    source = sources.source_for_url("https://news.bbc.co.uk/1/hi/uk.stm", kind="news", by=editor)
    Source.objects.filter(pk=source.pk).update(publisher="BBC News")
    again = sources.source_for_url("https://news.bbc.co.uk/1/hi/uk.stm", kind="news", by=editor)
    assert again.publisher == "BBC News"


def test_a_non_web_url_is_rejected(editor: Any) -> None:
    with pytest.raises(ValueError, match="only http and https"):
        sources.source_for_url("ftp://example.org/file", kind="news", by=editor)


# --- independence across publishers ---------------------------------------------------------


def test_two_pages_of_one_publisher_count_once(
    claim: Claim, fact_checker: Any, settings: Any
) -> None:
    settings.WORKBENCH_CONFIRMATIONS_REQUIRED = 2
    supported_by(claim, fact_checker, "https://www.reuters.com/a", "https://www.reuters.com/b")
    assert list(status.assess(claim).publishers) == ["Reuters"]
    with pytest.raises(ConfirmationRefused, match="needs 1 more supporting source"):
        status.confirm(claim, by=fact_checker)


def test_subdomains_of_one_outlet_are_one_publisher(
    claim: Claim, fact_checker: Any, settings: Any
) -> None:
    settings.WORKBENCH_CONFIRMATIONS_REQUIRED = 2
    edition, www = supported_by(
        claim, fact_checker, "https://edition.cnn.com/2024/story", "https://www.cnn.com/2024/story"
    )
    assert edition.source != www.source
    assert edition.source.publisher == www.source.publisher == "cnn.com"
    assert list(status.assess(claim).publishers) == ["CNN"]
    assert status.assess(claim).blocker.startswith("needs 1 more supporting source")


def test_two_publishers_meet_a_rule_of_two(claim: Claim, fact_checker: Any, settings: Any) -> None:
    settings.WORKBENCH_CONFIRMATIONS_REQUIRED = 2
    supported_by(claim, fact_checker, "https://edition.cnn.com/story", "https://apnews.com/x")
    status.confirm(claim, by=fact_checker)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.CONFIRMED


def test_the_articles_own_outlet_domain_is_excluded_even_from_a_subdomain(
    claim: Claim, fact_checker: Any
) -> None:
    assert claim.article.outlet_domain == "dailyexample.com"
    supported_by(claim, fact_checker, "https://archive.dailyexample.com/2023/older-story")
    assert list(status.assess(claim).publishers) == []
    with pytest.raises(ConfirmationRefused, match="own publisher does not count"):
        status.confirm(claim, by=fact_checker)
    supported_by(claim, fact_checker, "https://www.reuters.com/world/confirmation")
    status.confirm(claim, by=fact_checker)
    assert claim.status == Claim.Status.CONFIRMED


def test_a_publisher_renamed_by_hand_to_the_outlet_no_longer_counts(
    claim: Claim, fact_checker: Any
) -> None:
    (evidence,) = supported_by(claim, fact_checker, "https://syndication.partner.net/story")
    assert list(status.assess(claim).publishers) == ["partner.net"]
    Source.objects.filter(pk=evidence.source.pk).update(publisher="Daily Example")
    assert list(status.assess(claim).publishers) == []


# --- the change summary -----------------------------------------------------------------------


def test_the_change_summary_counts_words_and_quotes_what_went_and_came() -> None:
    old = "The council approved 12 million euros on Tuesday."
    new = "The council approved 15 million euros on Wednesday after a long debate."
    assert sources.diff_summary(old, new) == (
        "6 words changed; removed: '12' (and 1 more) added: '15' (and 1 more)"
    )


def test_the_change_summary_clips_long_passages_and_notices_spacing_only() -> None:
    long = " ".join(f"word{i}" for i in range(40))
    summary = sources.diff_summary("Intro.", f"Intro. {long}")
    assert summary.startswith("40 words changed; added: 'word0 word1")
    assert summary.endswith("…'")
    assert sources.diff_summary("a  b\nc", "a b c") == "only spacing changed"
