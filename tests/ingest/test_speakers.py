"""Extraction links each claim to a speaker record: a health story's name variants
resolve to one record, records are shared across articles by distinctive names, and
documents, figures and reports get none (the real pipeline, no stubs)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.ingest import articles as ingest
from claims.ingest import speakers
from claims.models import Article, Claim, Speaker
from claims.review import edits
from claims.tasks import extract_claims

STORY = (Path(__file__).parents[1] / "fixtures" / "health_story.txt").read_text(encoding="utf-8")
pytestmark = pytest.mark.django_db


def extracted(editor, text: str = STORY, title: str = "Waiting lists") -> Article:
    article = ingest.submit_article(text=text, by=editor, title=title)
    assert extract_claims.run(article.pk, article.revision).startswith("done")
    return article


def records_by_speaker(article: Article) -> dict[str, Speaker | None]:
    claims = article.claims.select_related("speaker_record").exclude(speaker="")
    return {claim.speaker: claim.speaker_record for claim in claims}


def test_a_health_storys_name_variants_resolve_to_one_record_each(editor):
    found = records_by_speaker(extracted(editor))
    okafor = found["Amara Okafor"]
    assert okafor is not None and okafor == found["Dr Okafor"]
    assert okafor.name == "Amara Okafor" and okafor.kind == Speaker.Kind.PERSON
    assert okafor.role == "medical director"  # "The medical director said ..."
    assert {"Amara Okafor", "Dr Okafor"} <= {a.name for a in okafor.aliases.all()}
    assert found["Ms Müller"] == found["Hannah Müller"] is not None
    college = found["The college"]
    assert college == found["The Royal College of Anaesthetists"] is not None
    assert college.kind == Speaker.Kind.ORGANISATION
    assert found["Officials"] is not None and found["Officials"].kind == Speaker.Kind.GROUP
    assert found["the board's own figures"] is None
    assert found["Unconfirmed reports"] is None
    assert Speaker.objects.count() == 4


def test_records_are_shared_across_articles_by_full_name_not_by_surname(editor):
    first = records_by_speaker(extracted(editor))
    later = extracted(
        editor,
        "Amara Okafor said on Monday that 200 operations were cancelled in May.\n\n"
        "In another town, Okafor said the bridge would reopen in 2027.",
        title="Later",
    )
    again = records_by_speaker(later)
    assert again["Amara Okafor"] == first["Amara Okafor"]
    alone = extracted(editor, "Okafor said the bridge would reopen in 2027.", title="Bridge")
    assert records_by_speaker(alone)["Okafor"] not in (None, first["Amara Okafor"])


def test_re_extraction_keeps_the_links_and_makes_no_new_records(editor):
    article = extracted(editor)
    before = records_by_speaker(article)
    count = Speaker.objects.count()
    assert speakers.link_article(article.pk) == 0
    assert records_by_speaker(article) == before
    assert Speaker.objects.count() == count


def test_linking_existing_claims_afresh_gives_the_same_grouping(editor):
    """What the data migration does for claims extracted before records existed."""
    article = extracted(editor)
    before = {name: r.name if r else None for name, r in records_by_speaker(article).items()}
    Claim.objects.update(speaker_record=None)
    Speaker.objects.all().delete()
    assert speakers.link_articles([article.pk]) == 9  # all but the figures and reports
    after = {name: r.name if r else None for name, r in records_by_speaker(article).items()}
    assert after == before


def test_a_typed_speaker_correction_moves_the_claim_to_that_speakers_record(editor):
    article = extracted(editor)
    found = records_by_speaker(article)
    claim = article.claims.get(speaker="Dr Okafor")
    edits.correct_claim(claim=claim, field="speaker", value="Hannah Müller", by=editor)
    claim.refresh_from_db()
    assert claim.speaker_record == found["Hannah Müller"]
    edits.correct_claim(claim=claim, field="speaker", value="Chidi Obi", by=editor)
    claim.refresh_from_db()
    assert claim.speaker_record is not None and claim.speaker_record.name == "Chidi Obi"
    assert "Chidi Obi" not in found["Hannah Müller"].aliases.values_list("name", flat=True)


def test_linking_takes_as_many_queries_for_twelve_speakers_as_for_two(make_article):
    def queries(people: list[str]) -> int:
        article = make_article(
            [f"{name} said {n} beds were empty." for n, name in enumerate(people)]
        )
        for claim, name in zip(article.claims.order_by("start"), people, strict=True):
            Claim.objects.filter(pk=claim.pk).update(speaker=name)
        with CaptureQueriesContext(connection) as done:
            assert speakers.link_article(article.pk) == len(people)
        return len(done.captured_queries)

    few = queries(["Amara Okafor", "Hannah Müller"])
    many = queries([f"{first} {last}" for first in ("Ana", "Ben", "Cy") for last in "WXYZ"])
    assert many == few
