"""The word-piece vectors behind check-worthiness: the tokenizer is the verified one,
and folding the vectors into one weight per piece scores exactly as the vectors do."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claims.matching.engine import minilm
from claims.nlp import wordpieces
from claims.nlp.checkworthiness import DEFAULT_MODEL_PATH, model_from_dict


def test_a_sentences_pieces_are_its_words_pieces_without_the_sentence_markers(nlp) -> None:
    sentence = nlp("Obamacare premiums rose 25 percent.")[:]
    ids = wordpieces.span_pieces(sentence)
    # Word by word, as spaCy cut the words, is the tokenizer's own cut of the sentence
    # here (no contraction in it), without [CLS] and [SEP].
    assert ids == wordpieces.tokenizer().encode(sentence.text).ids[1:-1]
    assert ids == [
        p
        for word in ("Obamacare", "premiums", "rose", "25", "percent", ".")
        for p in wordpieces.word_pieces(word)
    ]
    cls, sep = (wordpieces.tokenizer().token_to_id(t) for t in (wordpieces.CLS, wordpieces.SEP))
    assert cls not in ids and sep not in ids
    assert wordpieces.span_pieces(nlp("  ")[:]) == []


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=0, max_value=2**32 - 1),
    st.lists(st.lists(st.integers(min_value=0, max_value=39), max_size=12), max_size=6),
)
def test_folded_weights_score_as_the_mean_vector_does(seed: int, sentences) -> None:
    rng = np.random.default_rng(seed)
    # float64 here: the identity is exact; the shipped table's float32 rounding is what
    # test_the_stored_artifact_scores_as_the_fitted_model_predicts bounds end to end.
    vectors = rng.normal(size=(40, 8))
    weights = rng.normal(size=8)
    folded = wordpieces.fold(vectors, weights)
    expected = wordpieces.sentence_vectors(sentences, vectors) @ weights
    found = [wordpieces.mean_weight(pieces, folded) for pieces in sentences]
    assert np.allclose(found, expected, atol=1e-9)


def test_a_tokenizer_that_is_not_the_verified_one_is_refused(tmp_path, monkeypatch) -> None:
    forged = tmp_path / "model.zip"
    with zipfile.ZipFile(minilm.package_zip()) as real, zipfile.ZipFile(forged, "w") as out:
        data = json.loads(real.read("tokenizer.json"))
        data["model"]["vocab"]["check"] = 999_999  # one extra word is a different file
        out.writestr("tokenizer.json", json.dumps(data))
    monkeypatch.setattr(minilm, "package_zip", lambda: forged)
    wordpieces.tokenizer.cache_clear()
    try:
        with pytest.raises(minilm.ModelRefused, match=r"tokenizer\.json .* refusing"):
            wordpieces.tokenizer()
    finally:
        wordpieces.tokenizer.cache_clear()


def test_the_shipped_weights_cover_the_vocabulary_of_the_pinned_model() -> None:
    data = json.loads(Path(DEFAULT_MODEL_PATH).read_text(encoding="utf-8"))
    assert data["wordpieces"]["model"] == minilm.VERSION
    assert len(data["wordpieces"]["weights"]) == wordpieces.tokenizer().get_vocab_size()
    model_from_dict(data)  # loads
    data["wordpieces"]["model"] = "all-MiniLM-L6-v2@000000000000"
    with pytest.raises(ValueError, match="retrain"):
        model_from_dict(data)
