"""Extraction's output is unchanged by the speed-ups of issue 34 (doc text read once,
cached attribute ruler and lemmatizer: ``claims/nlp/speedups.py``).

``tests/fixtures/extraction_snapshot.json`` holds ``extract(text).to_dict()`` of every
fixture text as main's code gave it before those changes: claims with their text,
offsets, scores, factuality, speakers, attributions and entities, and what was dropped.
The same comparison on the PolNeAR articles (which the tests may not read) is
``bench/pipeline.py --check-snapshot``. Regenerate the file after a deliberate change of
the pipeline's logic with ``python -m tests.nlp.test_unchanged`` and review its diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from claims.nlp import extract, speedups
from claims.nlp.speedups import CachedAttributeRuler, CachedLemmatizer

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SNAPSHOT = FIXTURES / "extraction_snapshot.json"
TEXTS = ("seed_article.txt", "headline_story.txt", "health_story.txt")


def _outputs() -> dict:
    return json.loads(SNAPSHOT.read_text(encoding="utf-8"))["outputs"]


@pytest.mark.parametrize("name", TEXTS)
def test_extraction_matches_the_snapshot(name: str, nlp: Language) -> None:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    assert extract(text).to_dict() == _outputs()[name]


def test_the_cached_components_are_the_ones_running(nlp: Language) -> None:
    assert isinstance(nlp.get_pipe("attribute_ruler"), CachedAttributeRuler)
    assert isinstance(nlp.get_pipe("lemmatizer"), CachedLemmatizer)
    assert nlp.get_pipe("attribute_ruler").key_rules  # keyed, not spaCy's fallback


def _parse_attributes(doc: Doc) -> list[tuple]:
    return [
        (t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_, t.head.i, t.ent_type_, t.ent_iob_)
        for t in doc
    ]


def test_every_token_attribute_is_the_plain_models(nlp: Language) -> None:
    """The model loaded afresh, without the cache, parses the fixtures identically
    (twice over, so that the second pass reads the cache filled by the first)."""
    import spacy

    from claims.nlp.model import resolve_model_name

    plain = spacy.load(resolve_model_name())
    texts = [(FIXTURES / name).read_text(encoding="utf-8") for name in TEXTS]
    texts += ["He said there were \u201cnothin' doin'\u201d and  two  spaces.\n\nWhy?"]
    expected = [_parse_attributes(d) for d in plain.pipe(texts)]
    core = [n for n in nlp.pipe_names if not n.startswith("wb_")]
    for _ in range(2):
        with nlp.select_pipes(enable=core):
            assert [_parse_attributes(d) for d in nlp.pipe(texts)] == expected


def test_an_unsupported_rule_falls_back_to_spacys_ruler() -> None:
    import spacy

    from claims.nlp.model import resolve_model_name

    model = spacy.load(resolve_model_name())
    speedups.speed_up(model)
    ruler = model.get_pipe("attribute_ruler")
    ruler.add([[{"LENGTH": {">": 30}}]], {"POS": "X"})  # a test the key cannot hold
    doc = model("A wordthatisreallyverylongindeedforsure appears.")
    assert ruler.key_rules is False
    assert doc[1].pos_ == "X"


def main() -> None:
    """Rewrite the snapshot from the current code (after a deliberate logic change)."""
    data = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    data["outputs"] = {
        name: extract((FIXTURES / name).read_text(encoding="utf-8")).to_dict() for name in TEXTS
    }
    SNAPSHOT.write_text(
        json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
