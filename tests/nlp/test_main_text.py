"""Issue 32: main text and claims are two questions. A sub-heading is the article's text
(kept by the HTML extraction, marked ``heading`` in the blocks) but never a claim; page
furniture (menus, boilerplate, navigation questions, repeats) is neither."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import pytest

from claims.nlp import extract, extract_main_text
from claims.nlp.blocks import (
    HEADING,
    QUESTION,
    TABLE,
    TEXT,
    boilerplate_reason,
    main_text,
    split_blocks,
)

ROOT = Path(__file__).resolve().parents[2]
PARAGRAPH = "The council approved the plan on Monday after a long debate."
NEXT = "Officials said the work would start in the spring of next year."
BODY = "".join(
    f"<p>The army retook the town of Tal Afar on June {d}, officials said in Baghdad.</p>"
    for d in range(1, 5)
)
PAGE = (
    "<html><body><nav><ul><li><a href='/'>Home</a></li><li><a href='/w'>World</a></li>"
    "</ul></nav><article><h1>Iraq crisis</h1>"
    f"{BODY}<h3>Opposition doubts</h3>{BODY.replace('army', 'police')}"
    "<table><tr><th>Town</th><th>Retaken</th></tr><tr><td>Tal Afar</td><td>June 4</td></tr>"
    "</table></article><footer>Share this article</footer></body></html>"
)


def kept(text: str) -> list[str]:
    return [text[b.start : b.end] for b in main_text(split_blocks(text))]


@pytest.mark.parametrize("line", ["Opposition doubts", "Why the Cost Rose", "WHAT NEXT"])
def test_a_sub_heading_is_main_text_and_never_a_claim(line: str) -> None:
    text = f"{PARAGRAPH}\n\n{line}\n\n{NEXT}"
    assert [b.kind for b in split_blocks(text)] == [TEXT, HEADING, TEXT]
    assert kept(text) == [PARAGRAPH, line, NEXT]
    assert [c.text for c in extract(text).claims] == [PARAGRAPH, NEXT]


def test_a_run_of_heading_lines_is_a_list_of_links_not_main_text() -> None:
    related = [
        "Ten Things to Know About the Budget",
        "How the Vote Was Won",
        "WORLD NEWS",
        "The Minister Who Said No",
    ]
    text = "\n".join([PARAGRAPH, NEXT, *related])
    assert [b.kind for b in split_blocks(text)][2:] == [HEADING] * 4
    assert kept(text) == [PARAGRAPH, NEXT]
    assert [c.text for c in extract(text).claims] == [PARAGRAPH, NEXT]
    # three lines in a row make a run; two are a heading and its sub-heading
    assert kept("\n".join([PARAGRAPH, *related[:3], NEXT])) == [PARAGRAPH, NEXT]
    assert kept("\n".join([PARAGRAPH, *related[:2], NEXT])) == [PARAGRAPH, *related[:2], NEXT]


def test_furniture_and_repeats_are_not_main_text() -> None:
    question = "How do I protect myself?"
    text = "\n".join(["Share this article", question, PARAGRAPH, NEXT, PARAGRAPH, "***"])
    assert [b.kind for b in split_blocks(text)][:2] == ["boilerplate", QUESTION]
    assert kept(text) == [PARAGRAPH, NEXT]


def test_an_html_page_keeps_its_sub_heading_and_table_but_not_its_furniture() -> None:
    text = extract_main_text(PAGE)
    lines = kept(text)
    assert "Opposition doubts" in lines
    assert any("Tal Afar" in line and "June 4" in line for line in lines if "|" in line)
    assert not {"Home", "World", "Share this article"} & set(lines)
    claims = [c.text for c in extract(text).claims]
    assert not any("doubts" in claim for claim in claims)
    assert not any("|" in claim for claim in claims)
    assert sum("retook the town" in claim for claim in claims) == 8


def test_a_table_row_is_main_text_and_never_a_claim_however_long() -> None:
    row = (
        "Tal Afar | retaken on June 4 by the army after a siege that lasted eleven weeks "
        "and cost the lives of many soldiers | 52,000 residents"
    )
    text = f"{PARAGRAPH}\n{row}\n{NEXT}"
    assert [b.kind for b in split_blocks(text)] == [TEXT, TABLE, TEXT]
    assert kept(text) == [PARAGRAPH, row, NEXT]
    assert [c.text for c in extract(text).claims] == [PARAGRAPH, NEXT]
    dropped = extract(text).dropped
    assert [(d.text, d.reason) for d in dropped] == [(row, TABLE)]


def test_a_source_capture_leaves_tables_out_so_an_old_capture_still_compares_equal() -> None:
    """Captures are compared by SHA-256 with the previous one: the extractor that took
    them left tables out, and an unchanged page must not read as changed."""
    with_tables = extract_main_text(PAGE)
    without = extract_main_text(PAGE, tables=False)
    assert "June 4" in with_tables and "|" in with_tables
    assert "|" not in without and "Opposition doubts" in without


def test_the_eval_scores_main_text_and_claims_apart(tmp_path: Path) -> None:
    """The eval's two figures on one page: the sub-heading counts in the main text and
    not in the claims, the menu's words in neither."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from eval_boilerplate import evaluate

    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "page.html.gz").write_bytes(gzip.compress(PAGE.encode("utf-8")))
    page = {
        "file": "page.html",
        "lang_guess": "en",
        "with": ["Opposition doubts", "police retook the town of Tal Afar on June 2"],
        "without": ["Share this article"],
    }
    (tmp_path / "evaldata_en.json").write_text(json.dumps({"https://example.org/a": page}))
    report = evaluate(tmp_path, None)
    assert report["main_text_words"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert report["claim_words"]["recall"] == round(10 / 12, 4)
    assert report["without_in_main_text"] == report["without_in_claims"] == 0


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (
            "This post contains references to products from one or more of our advertisers.",
            "disclosure",
        ),
        ("We may earn a commission when you buy through links on our site.", "disclosure"),
        ("Advertiser Disclosure: we are paid by some of the brands we review.", "disclosure"),
        ("Do you want to be informed of our actions? Sign up here", "call_to_action"),
        ("BAGHDAD (Reuters) -", "dateline"),
        ("LONDON:", "dateline"),
        ("WHAT NEXT", None),
        ("CPU GAMEPLAY CUSTOMISATION", None),
        ("This post contains a claim that taxes rose by 4 percent.", None),
        ("Voters who sign up here in May can vote in June.", None),
    ],
)
def test_disclosures_and_sign_up_prompts_are_boilerplate_and_capitals_alone_are_not(
    line: str, reason: str | None
) -> None:
    assert boilerplate_reason(line) == reason
