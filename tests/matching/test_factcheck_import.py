"""Importing fact-check archives: ClaimReview JSON-LD (a list, or embedded in HTML),
JSON Lines and CSV; re-imports update in place; bad files are clear command errors."""

from __future__ import annotations

import json
import shutil
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from claims.models import FactCheck

FIXTURES = Path(__file__).parents[1] / "fixtures" / "matching"


def run(*paths: Path) -> str:
    out = StringIO()
    call_command("import_factchecks", *[str(p) for p in paths], stdout=out)
    return out.getvalue()


def test_it_imports_a_list_of_claimreview_objects(db):
    output = run(FIXTURES / "claimreview.json")
    assert "2 created" in output
    water = FactCheck.objects.get(url="https://factcheck.example.org/2025/03/hot-water-coronavirus")
    assert water.archive_id == water.url  # no identifier: keyed by its URL
    assert water.text == "Drinking hot water every 15 minutes kills the coronavirus."
    assert water.title == "No, hot water does not kill the coronavirus"
    assert water.rating == "False"
    assert water.publisher == "Example Fact Check"
    assert water.date == date(2025, 3, 14)
    darkness = FactCheck.objects.get(archive_id="efc-2025-0412")
    assert darkness.rating == "Pants on fire"
    assert darkness.date == date(2025, 4, 12)


def test_it_imports_claimreview_embedded_in_an_html_page(db):
    run(FIXTURES / "page.html")
    check = FactCheck.objects.get()
    assert check.url == "https://checkers.example.net/microchip-vaccine"
    assert check.title == "Vaccines do not contain microchips"
    assert check.publisher == "Checkers"


def test_it_imports_json_lines_skipping_blank_lines(db):
    assert "4 created" in run(FIXTURES / "archive.jsonl")
    assert FactCheck.objects.get(archive_id="a1").date == date(2025, 3, 14)
    assert FactCheck.objects.get(archive_id="a4").url == ""


def test_it_imports_csv(db):
    run(FIXTURES / "archive.csv")
    assert FactCheck.objects.count() == 2
    assert FactCheck.objects.get(archive_id="c1").title == "Bridge budget"
    assert FactCheck.objects.get(archive_id="c2").date is None


def test_reimporting_updates_entries_and_never_duplicates_them(db, tmp_path):
    path = tmp_path / "archive.jsonl"
    shutil.copy(FIXTURES / "archive.jsonl", path)
    run(path)
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    lines[0]["rating"] = "Mostly false"
    path.write_text("\n".join(json.dumps(line) for line in lines))

    output = run(path)

    assert "0 created, 1 updated, 3 unchanged" in output
    assert FactCheck.objects.count() == 4
    assert FactCheck.objects.get(archive_id="a1").rating == "Mostly false"


def test_the_same_entries_in_two_formats_are_one_row_each(db):
    run(FIXTURES / "claimreview.json")
    run(FIXTURES / "claimreview.json")
    assert FactCheck.objects.count() == 2


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("broken.jsonl", "broken.jsonl line 2: not valid JSON"),
        ("missing_text.jsonl", "entry 'm1' has no text"),
        ("wrong_columns.csv", "needs the columns id (or url) and text"),
        ("queries.txt", "Cannot read .txt files"),
        ("absent.jsonl", "Cannot read .*absent.jsonl"),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_message_and_writes_nothing(db, name, message):
    with pytest.raises(CommandError, match=message.replace("(or url)", r"\(or url\)")):
        run(FIXTURES / name)
    assert not FactCheck.objects.exists()


def test_a_file_without_any_fact_check_is_refused(db, tmp_path):
    path = tmp_path / "empty.json"
    path.write_text('{"@type": "WebPage", "name": "nothing here"}')
    with pytest.raises(CommandError, match="No fact-checks found"):
        run(path)


def test_an_unreadable_date_is_refused(db, tmp_path):
    path = tmp_path / "dates.jsonl"
    path.write_text('{"id": "d1", "text": "Something was said.", "date": "last Tuesday"}\n')
    with pytest.raises(CommandError, match="cannot read the date 'last Tuesday'"):
        run(path)
