"""Static word-piece vectors distilled from all-MiniLM-L6-v2, for check-worthiness.

A frozen sentence transformer knows that "ISIS" is near "terrorists" (cosine 0.67 in the
distilled table, against 0.24 for "taxes"), which a model trained on the words of older
debates does not; but
running it on every sentence would cost several times the whole parse. So each word
piece of its vocabulary is embedded once, alone (``[CLS] piece [SEP]``, mean-pooled as
the sentence model pools: the distillation of Model2Vec, Tulkens & van Dongen 2024,
without its PCA), and a sentence's vector is the mean of its pieces' vectors.

The check-worthiness model is linear, so at run time not even the vectors are needed:
the weight of the 384 dimensions folds into one number per word piece (``fold``), and
scoring is a mean of looked-up numbers over the sentence's word pieces. Only training
(``claims.nlp.train``) computes the table, from the verified model files, in about half
a minute. The tokenizer is the model's own ``tokenizer.json``, checked against its
pinned SHA-256 before use (:mod:`claims.matching.engine.minilm`).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache

import numpy as np
from spacy.tokens import Token
from tokenizers import Tokenizer

from claims.matching.engine import minilm

CLS, SEP = "[CLS]", "[SEP]"
MAX_PIECES = minilm.MAX_TOKENS
TABLE_BATCH = 512
WORD_CACHE = 1 << 16  # distinct words whose pieces are kept (a few MB at most)


@cache
def tokenizer() -> Tokenizer:
    """The model's word-piece tokenizer, read alone from the package and verified."""
    path = minilm.package_zip()
    name = "tokenizer.json"
    try:
        with zipfile.ZipFile(path) as archive:
            data = archive.read(name)
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise minilm.ModelRefused(f"cannot read {name} from {path}: {exc}") from None
    minilm.check_sha256(name, data, path)
    loaded = Tokenizer.from_str(data.decode("utf-8"))
    loaded.no_padding()
    loaded.enable_truncation(MAX_PIECES)
    return loaded


@lru_cache(maxsize=WORD_CACHE)
def word_pieces(word: str) -> tuple[int, ...]:
    """The word-piece ids of one word (a spaCy token's text)."""
    return tuple(tokenizer().encode(word, add_special_tokens=False).ids)


def span_pieces(tokens: Iterable[Token]) -> list[int]:
    """The word pieces of a parsed sentence, token by token. Training and scoring both
    take them from spaCy's tokens, so a contraction ("do" + "n't") is cut the same way in
    both; and a word met before costs a dictionary lookup, not a tokenizer call."""
    return [piece for t in tokens if not t.is_space for piece in word_pieces(t.text)]


@cache
def table() -> np.ndarray:
    """(vocabulary, 384) float32: each word piece's output of the full model, alone
    (computed once per process)."""
    model = minilm.model()
    vocab = model.words.shape[0]
    cls, sep = (model.tokenizer.token_to_id(t) for t in (CLS, SEP))
    if cls is None or sep is None:
        raise ValueError(f"The MiniLM vocabulary lacks {CLS} or {SEP}.")
    out = np.zeros((vocab, minilm.DIMENSIONS), dtype=np.float32)
    for start in range(0, vocab, TABLE_BATCH):
        batch = [[cls, piece, sep] for piece in range(start, min(vocab, start + TABLE_BATCH))]
        out[start : start + len(batch)] = model.hidden_mean(batch)
    return out


def sentence_vectors(ids: Sequence[Sequence[int]], vectors: np.ndarray) -> np.ndarray:
    """The mean of each sentence's piece vectors (zeros for a sentence with none)."""
    out = np.zeros((len(ids), vectors.shape[1]), dtype=np.float64)
    for row, pieces in enumerate(ids):
        if pieces:
            out[row] = vectors[list(pieces)].mean(axis=0)
    return out


def fold(vectors: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """One number per word piece: its vector's dot product with the model's weights, so
    that ``mean(fold[pieces]) == mean(vectors[pieces]) @ weights``."""
    return vectors.astype(np.float64) @ weights.astype(np.float64)


def mean_weight(pieces: Sequence[int], folded: np.ndarray) -> float:
    return float(folded[list(pieces)].mean()) if len(pieces) else 0.0
