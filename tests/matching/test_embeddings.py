"""Sentence embeddings: the verified model (hashes checked, numpy forward pass, the model
card's similarity), the Django-free engine, vectors stored once and re-embedded when the
text or the model changes, and a web process that never loads the model."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command

from claims.matching import embeddings
from claims.matching.engine import minilm
from claims.models import Embedding, FactCheck
from claims.tasks import embed_pending

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parents[1] / "fixtures" / "matching"


# --- The model --------------------------------------------------------------------------


def test_the_model_card_pair_is_as_similar_as_the_card_says():
    vectors = minilm.encode(["A man is eating food.", "A man is eating a piece of bread."])
    assert vectors.dtype == np.float32 and vectors.shape == (2, 384)
    assert float(vectors[0] @ vectors[1]) == pytest.approx(0.755, abs=0.01)
    assert np.linalg.norm(vectors, axis=1) == pytest.approx([1.0, 1.0], abs=1e-5)


def test_unrelated_sentences_are_far_apart():
    a, b = minilm.encode(["A man is eating food.", "The stock market fell sharply on Monday."])
    assert float(a @ b) < 0.2


def test_sentences_are_tokenized_with_the_models_uncased_wordpieces():
    tokenizer = minilm.model().tokenizer
    assert tokenizer.encode("Hello, world!").tokens == [
        "[CLS]", "hello", ",", "world", "!", "[SEP]",
    ]  # fmt: skip
    assert minilm.model().tokenize(["Hello, world!"]) == [[101, 7592, 1010, 2088, 999, 102]]
    tokens = tokenizer.encode("Unemployment in Ohio fell to 4.1 percent.").tokens
    assert tokens[0] == "[CLS]" and tokens[-1] == "[SEP]"
    assert "ohio" in tokens and "4" in tokens and "." in tokens


def test_a_text_longer_than_256_tokens_is_truncated():
    assert len(minilm.model().tokenize(["word " * 1000])[0]) == minilm.MAX_TOKENS


def test_padding_a_batch_does_not_change_a_sentences_vector():
    texts = ["Short.", "A much longer sentence about the unemployment rate in Ohio in March."]
    together = minilm.encode(texts, batch_size=2)
    alone = np.vstack([minilm.encode([t]) for t in texts])
    assert together == pytest.approx(alone, abs=1e-5)


def test_model_files_with_other_hashes_are_refused(tmp_path):
    forged = tmp_path / "model.zip"
    with zipfile.ZipFile(forged, "w") as archive:
        for name in minilm.SHA256:
            archive.writestr(name, b"not the verified file")
    with pytest.raises(minilm.ModelRefused, match=r"model\.safetensors .* refusing to load"):
        minilm.read_verified(forged)


def test_a_zip_without_the_model_files_is_refused(tmp_path):
    empty = tmp_path / "model.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("README", b"nothing here")
    with pytest.raises(minilm.ModelRefused, match="cannot read the model files"):
        minilm.read_verified(empty)


def test_the_installed_package_passes_the_hash_check():
    files = minilm.read_verified(minilm.package_zip())
    assert set(files) == set(minilm.SHA256)


def test_the_matching_engine_imports_no_django():
    code = (
        "import sys; sys.modules['django'] = None\n"  # any Django import fails
        "from claims.matching.engine import index as engine, minilm, text\n"
        "index = engine.Index([('a', 'Ohio unemployment fell to 4.1 percent.')])\n"
        "assert index.search('Unemployment in Ohio fell.')[0].key == 'a'\n"
        "assert not [m for m, v in sys.modules.items() if m.startswith('django') and v]\n"
        "assert 'torch' not in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


# --- Stored vectors -----------------------------------------------------------------------


@pytest.fixture
def archive(db) -> None:
    call_command("import_factchecks", str(FIXTURES / "archive.jsonl"), stdout=StringIO())


def test_fact_checks_and_claims_are_embedded_once_with_the_model_version(archive, make_article):
    article = make_article(["Unemployment in Ohio fell to 4.1 percent in March."])
    counts = embed_pending()
    assert counts == {"claim": 1, "factcheck": FactCheck.objects.count(), "refined": 1}
    stored = Embedding.objects.get(claim=article.claims.get())
    assert stored.model_version == minilm.VERSION
    vector = embeddings.from_bytes(stored.vector)
    assert vector.shape == (384,) and np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)
    assert embed_pending() == {"claim": 0, "factcheck": 0, "refined": 0}


def test_a_changed_text_or_model_version_is_embedded_again(archive):
    embed_pending()
    check = FactCheck.objects.first()
    FactCheck.objects.filter(pk=check.pk).update(text="A different claim entirely.")
    older = Embedding.objects.exclude(factcheck=check).first()
    Embedding.objects.filter(pk=older.pk).update(model_version="all-MiniLM-L6-v2@older")
    assert embed_pending() == {"claim": 0, "factcheck": 2, "refined": 0}
    assert not Embedding.objects.exclude(model_version=minilm.VERSION).exists()
    assert Embedding.objects.filter(factcheck__isnull=False).count() == FactCheck.objects.count()


def test_the_web_process_never_loads_the_model(client, editor, make_article, archive):

    article = make_article(["Unemployment in Ohio fell to 4.1 percent in March."])
    claim = article.claims.get()
    minilm.model.cache_clear()
    client.force_login(editor)
    for url in (
        "/articles/",
        f"/articles/{article.pk}/",
        "/claims/",
        f"/claims/{claim.pk}/matches/",
    ):
        assert client.get(url).status_code == 200
    call_command("import_factchecks", str(FIXTURES / "claimreview.json"), stdout=StringIO())
    info = minilm.model.cache_info()
    assert (info.hits, info.misses) == (0, 0)


def test_the_embed_pending_command_reports_progress_and_counts(archive):
    out, err = StringIO(), StringIO()
    call_command("embed_pending", stdout=out, stderr=err)
    total = FactCheck.objects.count()
    assert out.getvalue().strip() == (
        f"0 claims, {total} fact-checks embedded; check-worthiness of 0 claims refined"
    )
    assert f"embedded {total} of {total}" in err.getvalue()
