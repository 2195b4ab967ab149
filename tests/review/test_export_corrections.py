"""``manage.py export_corrections --format jsonl|csv [--since DATE]``: editors' corrections
of the machine's labels, read back from the claims' history, for training and audit."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from claims.models import Article, Claim

SENTENCES = [
    "The council approved a budget of 4.2 million dollars on Monday.",
    "The mayor said the new bridge will open in 2027.",
    "It was a lovely day for a walk by the river.",
]


def export(*args: str) -> str:
    out = io.StringIO()
    call_command("export_corrections", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def corrected(make_article: Callable[..., Article], fact_checker: User) -> dict[str, Claim]:
    article = make_article(SENTENCES)
    budget, bridge, walk = Claim.objects.filter(article=article).order_by("start")
    walk.correct("check_worthy", False, by=fact_checker, reason="small talk")
    bridge.correct("speaker", "Jane Doe", by=fact_checker, reason="the mayor is Jane Doe")
    bridge.correct("speaker", "John Roe", by=fact_checker, reason="no, the deputy")
    bridge.correct("factuality", "predicted", by=fact_checker, reason="a plan")
    budget.status_note = "not a correction"
    budget.save()
    return {"budget": budget, "bridge": bridge, "walk": walk}


def test_each_correction_is_one_json_line_with_before_after_who_and_when(
    corrected: dict[str, Claim],
) -> None:
    records = [json.loads(line) for line in export("--format", "jsonl").splitlines()]

    walk, bridge = corrected["walk"], corrected["bridge"]
    by_claim = [(r["claim_id"], r["field"], r["before"], r["after"]) for r in records]
    assert by_claim == [
        (bridge.pk, "speaker", "", "Jane Doe"),
        (bridge.pk, "speaker", "Jane Doe", "John Roe"),
        (bridge.pk, "factuality", "asserted", "predicted"),
        (walk.pk, "check_worthy", True, False),
    ]
    last = records[-1]
    assert last["text"] == SENTENCES[2] and last["article_id"] == walk.article_id
    assert last["by"] == "fred" and last["at"].startswith("20")
    assert last["reason"] == "check-worthy corrected from yes to no by fred: small talk"


def test_csv_has_the_same_records_with_plain_text_values(corrected: dict[str, Claim]) -> None:
    rows = list(csv.DictReader(io.StringIO(export("--format", "csv"))))

    assert [(r["field"], r["before"], r["after"]) for r in rows] == [
        ("speaker", "", "Jane Doe"),
        ("speaker", "Jane Doe", "John Roe"),
        ("factuality", "asserted", "predicted"),
        ("check_worthy", "true", "false"),
    ]
    assert rows[-1]["text"] == SENTENCES[2]


def test_since_leaves_out_older_corrections(corrected: dict[str, Claim]) -> None:
    assert export("--since", "2999-01-01") == ""
    assert len(export("--since", "2000-01-01").splitlines()) == 4
    with pytest.raises(CommandError, match="--since must be a date"):
        export("--since", "last week")


def test_without_corrections_it_prints_nothing(make_article: Callable[..., Article]) -> None:
    make_article(SENTENCES)
    assert export() == ""
    assert export("--format", "csv").splitlines() == [
        "claim_id,article_id,text,field,before,after,by,at,reason"
    ]
