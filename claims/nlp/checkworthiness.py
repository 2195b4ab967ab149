"""Check-worthiness: sentence features from the parse and a stored linear model.

The features reuse what the English model already produced for the sentence (words and
lemmas with their bigrams, fine-grained tags and coarse POS trigrams, entity labels, the
root, a few dependency pairs, the person of pronouns and the tenses from the
morphology, whether there is a number, and the mean of the tok2vec tensor), plus the
mean of the sentence's word-piece vectors distilled from all-MiniLM-L6-v2
(:mod:`claims.nlp.wordpieces`), which carries what words mean to topics the debates of
the training years never saw. The model is linear, so the word-piece vectors are folded
into one weight per piece: no extra neural pass, only a mean of looked-up numbers. The
weights are trained by ``python manage.py train_checkworthiness`` (see
:mod:`claims.nlp.train`) and stored as JSON under ``claims/nlp/data/``; inference is
dictionary lookups and a dot product.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
from spacy.tokens import Span

from claims.matching.engine import minilm
from claims.nlp import wordpieces

DEFAULT_MODEL_PATH = Path(__file__).parent / "data" / "checkworthiness.json"
LENGTH_BUCKETS = (4, 8, 12, 18, 25, 35, 50)
# Dependency labels whose (label, head POS) pair is a feature: subject, object, number
# modifier, negation, auxiliary.
FORM_DEPS = frozenset({"nsubj", "dobj", "nummod", "neg", "aux"})


def _has_digit(token) -> bool:
    # A letter is never a digit: most tokens are settled by the lexeme's flag.
    return not token.is_alpha and any(ch.isdigit() for ch in token.text)


def _word(token) -> str:
    if _has_digit(token):
        return "#" + token.shape_
    return token.lower_


def _length_bucket(n: int) -> str:
    for limit in LENGTH_BUCKETS:
        if n <= limit:
            return str(limit)
    return "more"


def _lemma(token) -> str:
    if _has_digit(token):
        return "#" + token.shape_
    return token.lemma_.lower()


def sentence_features(sent: Span) -> list[str]:
    """Sparse binary feature names for one sentence (deduplicated, order kept)."""
    return _features(sent, [t for t in sent if not t.is_space])


def _features(sent: Span, tokens: list) -> list[str]:
    """:func:`sentence_features` of ``sent`` given its non-space ``tokens`` (spaCy makes a
    new Token object at each iteration, so the scorer reads them once for both uses)."""
    content = [t for t in tokens if not t.is_punct]
    words = [_word(t) for t in content]
    tags = [t.tag_ for t in tokens]
    feats = [f"w={w}" for w in words]
    feats += [f"b={a}|{b}" for a, b in zip(["<s>", *words], [*words, "</s>"], strict=True)]
    feats += [f"t={t}" for t in tags]
    feats += [f"tt={a}|{b}" for a, b in itertools.pairwise(tags)]
    feats += [f"e={ent.label_}" for ent in sent.ents]
    feats += [f"tw={t.tag_}|{_word(t)}" for t in tokens if t.tag_ in ("MD", "PRP", "VBD")]
    root = sent.root
    feats += [f"root={root.lemma_.lower()}", f"roottag={root.tag_}"]
    feats += [f"len={_length_bucket(len(words))}"]
    feats += _lemma_features(content)
    feats += _form_features(sent, tokens)
    return list(dict.fromkeys(feats))


def _lemma_features(content: list) -> list[str]:
    """Lemma unigrams and bigrams and coarse POS trigrams: the wording without its
    inflection, and the shape of the clause, which carry over to unseen topics."""
    lemmas = [_lemma(t) for t in content]
    pos = [t.pos_ for t in content]
    feats = [f"l={lemma}" for lemma in lemmas]
    feats += [f"lb={a}|{b}" for a, b in zip(["<s>", *lemmas], [*lemmas, "</s>"], strict=True)]
    feats += [f"ppp={a}|{b}|{c}" for a, b, c in zip(pos, pos[1:], pos[2:], strict=False)]
    return feats


def _form_features(sent: Span, tokens: list) -> list[str]:
    """What the parse says about the claim's form: a number, who speaks (person of the
    pronouns), the tenses, a question, and which entities are quantities."""
    feats = ["has_num"] if any(t.like_num for t in tokens) else []
    feats += [f"person={p}" for t in tokens if t.pos_ == "PRON" for p in t.morph.get("Person")]
    feats += [
        f"tense={x}" for t in tokens if t.pos_ in ("VERB", "AUX") for x in t.morph.get("Tense")
    ]
    if tokens and tokens[-1].text == "?":
        feats.append("question")
    feats += [f"dep={t.dep_}|{t.head.pos_}" for t in tokens if t.dep_ in FORM_DEPS]
    return feats


def sentence_vector(sent: Span) -> np.ndarray:
    """Mean of the model's token tensor over the sentence (zeros if absent)."""
    tensor = sent.doc.tensor
    if tensor is None or len(tensor) == 0 or sent.start == sent.end:
        return np.zeros(0, dtype="float32")
    return np.asarray(tensor[sent.start : sent.end].mean(axis=0), dtype="float32")


@dataclass(frozen=True)
class CheckworthinessModel:
    """A logistic model over sparse feature names, the dense sentence vector and, when
    trained with them, the word pieces' folded weights (:mod:`claims.nlp.wordpieces`)."""

    weights: dict[str, float]
    dense: np.ndarray
    bias: float
    threshold: float
    pieces: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def score(self, sent: Span) -> float:
        weight = self.weights.get
        tokens = [t for t in sent if not t.is_space]
        total = self.bias + sum(weight(f, 0.0) for f in _features(sent, tokens))
        vector = sentence_vector(sent)
        if len(self.dense) and len(vector) == len(self.dense):
            total += float(vector @ self.dense)
        if len(self.pieces):
            total += wordpieces.mean_weight(wordpieces.span_pieces(tokens), self.pieces)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, total))))

    def scores(self, sents: Iterable[Span]) -> list[float]:
        return [self.score(sent) for sent in sents]


def model_from_dict(data: dict) -> CheckworthinessModel:
    pieces = data.get("wordpieces")
    if pieces is not None and pieces.get("model") != minilm.VERSION:
        raise ValueError(
            f"the check-worthiness weights were trained on the word pieces of "
            f"{pieces.get('model')}, not {minilm.VERSION}: retrain them"
        )
    return CheckworthinessModel(
        weights={name: float(w) for name, w in zip(data["features"], data["weights"], strict=True)},
        dense=np.asarray(data.get("dense", []), dtype="float32"),
        bias=float(data["bias"]),
        threshold=float(data["threshold"]),
        pieces=np.asarray(pieces["weights"] if pieces else [], dtype="float64"),
    )


@cache
def load_model(path: str | Path = DEFAULT_MODEL_PATH) -> CheckworthinessModel:
    """Load stored weights (JSON written by :func:`claims.nlp.train.save_model`)."""
    with open(path, encoding="utf-8") as fh:
        return model_from_dict(json.load(fh))
