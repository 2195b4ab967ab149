"""Issue 32, the headline check on stored articles: a headline (or sub-heading) whose
figure differs from the body sentence carrying the same fact is flagged on the article
page and holds the story in readiness; the flag is recomputed on every extraction,
revision and title edit, so a correction clears it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from claims.confirmation import readiness
from claims.confirmation import service as status
from claims.ingest import articles as ingest
from claims.models import Article
from claims.tasks import extract_claims
from tests.support import login

pytestmark = pytest.mark.django_db

STORY = (Path(__file__).parents[1] / "fixtures" / "headline_story.txt").read_text(encoding="utf-8")
TITLE = "St Mary's hospital to get £48m cancer wing"
FLAG = "the headline says £48m; the body says £46m"


def extracted(editor: User, text: str = STORY, title: str = TITLE) -> Article:
    article = ingest.submit_article(title=title, text=text, by=editor)
    extract_claims.run(article.pk, article.revision)
    article.refresh_from_db()
    return article


def flags(article: Article) -> list[str]:
    article.refresh_from_db()
    return [flag["message"] for flag in article.headline_mismatches]


def sql_verdict(article: Article) -> str:
    return readiness.with_readiness(Article.objects.filter(pk=article.pk)).get().readiness


def test_the_example_headline_is_flagged_with_the_claim_that_says_otherwise(editor) -> None:
    article = extracted(editor)

    (flag,) = article.headline_mismatches
    assert flag["message"] == FLAG
    assert (flag["where"], flag["said"], flag["body"]) == ("headline", "£48m", "£46m")
    claim = article.claims.get(pk=flag["claim"])
    assert claim.text.startswith("A new cancer wing at St Mary's hospital in Leeds")
    assert "£46m" in claim.text
    ready = readiness.of(article)
    assert ready.verdict == sql_verdict(article) == "needs_work"
    assert FLAG in ready.reasons


def test_a_headline_that_matches_its_body_is_not_flagged(editor) -> None:
    text = STORY.replace("£48m", "£46m")
    article = extracted(editor, text=text, title=TITLE.replace("£48m", "£46m"))
    assert article.headline_mismatches == []
    assert not [r for r in readiness.of(article).reasons if "headline says" in r]


def test_a_body_line_heading_is_a_headline_too(editor) -> None:
    article = extracted(editor, title="Cancer wing for Leeds")
    assert flags(article) == [FLAG]
    (flag,) = article.headline_mismatches
    assert flag["heading"] == TITLE and flag["where"] == "headline"


def test_a_sub_heading_is_checked(editor) -> None:
    text = STORY.replace("Opposition doubts", "Cost up 20 per cent").replace("£48m", "£46m")
    article = extracted(editor, text=text, title=TITLE.replace("£48m", "£46m"))
    assert flags(article) == ["the sub-heading says 20 per cent; the body says 15 per cent"]


def test_a_correction_of_the_body_clears_the_flag_at_once_and_after_extraction(editor) -> None:
    article = extracted(editor)
    assert flags(article) == [FLAG]

    ingest.revise_article(article=article, text=STORY.replace("£46m", "£48m"), by=editor)

    assert flags(article) == []  # recomputed with the revision, before re-extraction
    extract_claims.run(article.pk, article.revision)
    assert flags(article) == []
    assert Article.objects.get(pk=article.pk).state == Article.State.DONE


def test_a_revision_that_introduces_a_mismatch_is_flagged_at_once(editor) -> None:
    text = STORY.replace("£48m", "£46m")
    article = extracted(editor, text=text, title=TITLE.replace("£48m", "£46m"))

    ingest.revise_article(article=article, text=text.replace("cost £46m", "cost £44m"), by=editor)

    assert flags(article) == ["the headline says £46m; the body says £44m"]
    extract_claims.run(article.pk, article.revision)
    assert flags(article) == ["the headline says £46m; the body says £44m"]


def test_a_title_edit_is_checked_again(editor, make_article, support, fact_checker) -> None:
    article = make_article()
    for claim in article.claims.all():
        support(claim, url=f"https://apnews.com/article/{claim.pk}")
        status.confirm(claim, by=fact_checker)
    assert readiness.of(article).verdict == sql_verdict(article) == "ready"

    ingest.edit_details(article=article, changes={"title": "Council approves $5.2m budget"},
                        by=editor)  # fmt: skip

    article.refresh_from_db()
    message = "the headline says $5.2m; the body says 4.2 million dollars"
    assert [flag["message"] for flag in article.headline_mismatches] == [message]
    assert readiness.of(article).verdict == sql_verdict(article) == "needs_work"
    assert readiness.of(article).reasons[0] == message
    filtered = readiness.with_readiness(Article.objects.all()).filter(readiness="needs_work")
    assert list(filtered) == [article]

    ingest.edit_details(article=article, changes={"title": "Council approves $4.2m budget"},
                        by=editor)  # fmt: skip

    article.refresh_from_db()
    assert article.headline_mismatches == []
    assert readiness.of(article).verdict == sql_verdict(article) == "ready"


def test_the_article_page_and_report_show_the_flag(
    client: Client, editor: User, viewer: User
) -> None:
    article = extracted(editor)
    login(client, viewer)

    page = client.get(article.get_absolute_url()).content.decode()

    assert 'id="headline-check"' in page
    assert "The headline says £48m; the body says £46m." in page
    assert f'href="?claim={article.headline_mismatches[0]["claim"]}"' in page
    assert f'<li><a href="#headline-check">{FLAG}</a></li>' in page  # a readiness reason
    report = client.get(f"/articles/{article.pk}/report/").content.decode()
    assert "The headline says £48m; the body says £46m." in report


def test_an_article_without_mismatch_shows_no_block(
    client: Client, make_article: Callable[..., Article], viewer: User
) -> None:
    article = make_article()
    login(client, viewer)
    assert 'id="headline-check"' not in client.get(article.get_absolute_url()).content.decode()


def test_the_waiting_list_story_raises_no_flag(editor) -> None:
    text = (Path(__file__).parents[1] / "fixtures" / "health_story.txt").read_text("utf-8")
    assert (
        extracted(editor, text=text, title="Waiting lists hit 7.6 million").headline_mismatches
        == []
    )
    wrong = extracted(editor, text=text, title="Waiting lists hit 7.9 million")
    assert flags(wrong) == ["the headline says 7.9 million; the body says 7.6 million"]


def test_the_title_as_the_first_line_is_the_headline_not_a_claim(editor) -> None:
    article = extracted(editor)
    assert not article.claims.filter(text=TITLE).exists()
    assert {"text": TITLE, "start": 0, "end": len(TITLE), "reason": "heading"} in article.dropped
    assert article.claims.order_by("sentence_index").first().text.startswith("A new cancer wing")
    other = extracted(editor, title="Cancer wing for Leeds")  # the first line is not the title
    assert other.claims.filter(text=TITLE).exists()


def test_a_one_line_text_or_a_first_sentence_is_always_read(editor) -> None:
    line = "St Mary's hospital to get £46m cancer wing"
    assert extracted(editor, text=line, title=line).claims.filter(text=line).exists()
    sentence = "The hospital will get a £46m cancer wing."
    text = f"{sentence}\n\nThe board said so on Tuesday."
    assert extracted(editor, text=text, title=sentence).claims.filter(text=sentence).exists()
