"""``manage.py extract``: the command-line contract, and bad input at the byte level."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "tests" / "fixtures" / "seed_article.txt"


def run_command(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "extract", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        timeout=600,
        check=False,
    )


def call(*args: str) -> str:
    out = io.StringIO()
    call_command("extract", *args, stdout=out)
    return out.getvalue()


def test_json_output_follows_the_contract() -> None:
    data = json.loads(call(str(SEED), "--format", "json"))
    assert set(data) == {"pipeline", "claims", "dropped"}
    assert data["pipeline"]["version"] and data["pipeline"]["model"]
    assert len(data["claims"]) == 11
    assert {d["reason"] for d in data["dropped"]} == {"boilerplate", "duplicate"}


def test_json_claims_carry_factuality_attributions_and_standalone_text() -> None:
    claims = json.loads(call(str(SEED), "--format", "json"))["claims"]
    convene, *_ = claims
    assert (convene["factuality"], convene["hedged"]) == ("predicted", False)
    assert [c["text"] for c in convene["factuality_cues"]] == ["will"]
    reports = next(c for c in claims if c["text"].startswith("There were also unconfirmed"))
    assert (reports["factuality"], reports["hedged"]) == ("unverified_report", True)
    he_said = next(c for c in claims if c["text"].startswith("He said"))
    assert he_said["attributions"] == [he_said["attribution"]]
    assert he_said["attribution"]["speaker"] == "John Kerry"
    assert he_said["standalone"].startswith("John Kerry said the Iraqi leaders face")


def test_html_headings_go_to_dropped(tmp_path: Path) -> None:
    body = "".join(
        f"<p>The army retook the town of Tal Afar on June {d}, officials said in Baghdad.</p>"
        for d in range(1, 5)
    )
    page = (
        "<html><body><article><h1>Iraq crisis</h1>"
        f"{body}<h2>A city upended</h2>{body.replace('army', 'police')}</article></body></html>"
    )
    path = tmp_path / "page.html"
    path.write_text(page, "utf-8")
    data = json.loads(call(str(path), "--html", "--format", "json"))
    assert "A city upended" in data["text"]
    assert ("A city upended", "heading") in {(d["text"], d["reason"]) for d in data["dropped"]}
    assert all("upended" not in c["text"] for c in data["claims"])


def test_jsonl_format_prints_one_line() -> None:
    out = call(str(SEED), "--format", "jsonl").strip()
    assert "\n" not in out
    assert len(json.loads(out)["claims"]) == 11


def test_table_lists_claims_and_what_was_dropped() -> None:
    out = call(str(SEED))
    assert "John Kerry" in out
    assert "boilerplate" in out and "ALSO READ" in out
    assert "repeated sentences" in out


def test_lines_mode_gives_one_object_per_line_with_line_offsets(tmp_path: Path) -> None:
    path = tmp_path / "lines.txt"
    path.write_text("Kerry said the talks failed.\n\nPrices rose 3 percent in May.\n", "utf-8")
    rows = [json.loads(line) for line in call(str(path), "--lines").splitlines()]
    assert len(rows) == 3
    assert rows[1]["claims"] == []
    claim = rows[2]["claims"][0]
    assert (claim["start"], claim["end"]) == (0, len("Prices rose 3 percent in May."))


def test_html_mode_indexes_the_extracted_text(tmp_path: Path) -> None:
    body = "".join(
        f"<p>The army retook the town of Tal Afar on June {d}, officials said in Baghdad.</p>"
        for d in range(1, 9)
    )
    page = f"<html><body><nav>Home | News</nav><article>{body}</article></body></html>"
    path = tmp_path / "page.html"
    path.write_text(page, "utf-8")
    data = json.loads(call(str(path), "--html", "--format", "json"))
    assert "Tal Afar" in data["text"]
    for claim in data["claims"]:
        assert data["text"][claim["start"] : claim["end"]] == claim["text"]


def test_a_missing_file_is_a_clear_error() -> None:
    with pytest.raises(CommandError) as info:
        call("/nonexistent/article.txt")
    assert info.value.returncode == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
        ("Caf\u00e9 au lait co\u00fbte 3 euros.".encode("latin-1"), "not valid UTF-8"),
        (b"Some text\x00with a NUL byte.", "NUL"),
    ],
)
def test_bad_bytes_are_refused_with_exit_status_2(data: bytes, message: str) -> None:
    result = run_command("-", "--format", "json", stdin=data)
    assert result.returncode == 2
    assert message in result.stderr.decode()
    assert "Traceback" not in result.stderr.decode()
    assert result.stdout == b""


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n\t\n  ",
        b"Control\x07 characters\x1b[31m in text. The army retook the town.",
        "Emoji \U0001f525\U0001f1fa\U0001f1f8 claims: prices rose 3 percent.".encode(),
        "Депутаты приняли закон. 注意。 Die Regierung hat 40 Millionen Euro ausgegeben.".encode(),
        "\ufeffA byte order mark first. Kerry said so.".encode(),
    ],
)
def test_awkward_text_gives_json(data: bytes) -> None:
    result = run_command("-", "--format", "json", stdin=data)
    assert result.returncode == 0, result.stderr.decode()
    parsed = json.loads(result.stdout)
    text = data.decode("utf-8-sig")
    for claim in parsed["claims"]:
        assert text[claim["start"] : claim["end"]] == claim["text"]


def test_empty_input_has_no_claims() -> None:
    result = run_command("-", "--format", "json", stdin=b"")
    assert json.loads(result.stdout)["claims"] == []


def test_a_300k_character_line_without_punctuation_is_processed_in_bounded_chunks() -> None:
    line = " ".join(f"word{i % 977}" for i in range(40_000))[:300_000]
    result = run_command("-", "--format", "json", stdin=line.encode())
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    claims = json.loads(result.stdout)["claims"]
    assert claims
    assert max(c["end"] - c["start"] for c in claims) <= 10_000
    for claim in claims:
        assert line[claim["start"] : claim["end"]] == claim["text"]


def test_a_2mb_article_gives_json(seed_text: str) -> None:
    copies = []
    for i in range(620):
        copies.append(
            f"Update {i}: the ministry counted {i * 7} new arrivals on Monday.\n{seed_text}"
        )
    text = "\n".join(copies)
    assert len(text.encode()) > 2_000_000
    result = run_command("-", "--format", "jsonl", stdin=text.encode())
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    claims = json.loads(result.stdout)["claims"]
    assert len(claims) == 11 + 620
    kerry = next(c for c in claims if c["text"].startswith("Kerry, speaking"))
    assert len(kerry["occurrences"]) == 2 * 620
