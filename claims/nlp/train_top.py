"""Fine-tune MiniLM's top layers for check-worthiness, and store them (needs torch).

``manage.py train_checkworthiness --top-layers`` runs :func:`train`; the result is the
weights file :mod:`claims.nlp.checkworthiness_top` scores with in numpy. torch (CPU) is
needed here only: ``pip install -e '.[train]'`` (``make install`` does not install it).

Data and labels are those of :mod:`claims.nlp.train`: the ClaimBuster crowdsourced set,
CFS (``Verdict == 1``) against the rest, and editors' corrections as extra training
sentences (``--extra``, each counting ``extra_weight`` ClaimBuster sentences, never
scored). MiniLM's bottom ``6 - k`` layers stay frozen, so the states entering layer
``6 - k`` are computed once (numpy, the same code the product runs; kept as float16 in
a cache keyed by model and texts). Only the top ``k`` layers, copied from MiniLM, and a
linear head on their mean-pooled output are trained: AdamW (weight decay 0.01), lr 5e-5
for the layers and 1e-3 for the head, 6% linear warm-up then linear decay, batches of 32
sentences of similar length, 2 epochs, binary cross-entropy with positives weighted by
negatives / positives, seed 0. Nothing was tuned on the later debates.

The threshold is the one that grouped K-fold cross-validation (folds by debate,
``File_id``) of the training debates picks from their pooled out-of-fold scores, or
0.5 without ``--cv``. ``scripts/eval_cw_top_layers.py`` runs the same recipe trained on
the debates before 2012 and tested on 2012 and 2016.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from claims.matching.engine import minilm
from claims.nlp import checkworthiness_top as top
from claims.nlp.train import (
    EXTRA_WEIGHT,
    FOLDS,
    LATER_FROM,
    load_claimbuster,
    load_corrections,
)

try:
    import torch
    import torch.nn.functional as F
    from torch import nn
except ImportError as exc:  # pragma: no cover - the command reports it
    raise ImportError(
        "fine-tuning MiniLM's top layers needs torch (CPU): pip install -e '.[train]'"
    ) from exc

HIDDEN, HEADS, EPS = 384, 12, 1e-12
GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)
DEFAULT_CACHE = Path("var/cache/cw_top")
# Scored by the training code when the weights are saved; the numpy forward pass must
# give the same (tests/nlp/test_checkworthiness_top.py).
REFERENCE_TEXTS = (
    "Unemployment fell to 4.1 percent last year, the lowest rate since 2001.",
    "We spent $2 trillion on the war in Iraq.",
    "Thank you very much, and good evening.",
    "I think that's a great question.",
    "The talks will resume on Monday in Geneva.",
    "Kerry said the agreement had cut Iran's stockpile of enriched uranium by 98 percent.",
    "Crime in our cities has doubled since 2010, according to the FBI.",
    "Let me finish.",
)


@dataclass(frozen=True)
class Config:
    k: int = 2
    epochs: int = 2
    lr: float = 5e-5
    head_lr: float = 1e-3
    batch: int = 32
    seed: int = 0


class Layer(nn.Module):
    """One BERT layer (post-LayerNorm, GELU erf), initialised from MiniLM's weights."""

    def __init__(self, w: dict[str, np.ndarray], p: str) -> None:
        super().__init__()
        a = p + "attention."
        self.q, self.k, self.v = (_linear(w, a + f"self.{n}") for n in ("query", "key", "value"))
        self.o = _linear(w, a + "output.dense")
        self.n1 = _norm(w, a + "output.LayerNorm")
        self.up = _linear(w, p + "intermediate.dense")
        self.down = _linear(w, p + "output.dense")
        self.n2 = _norm(w, p + "output.LayerNorm")

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, n, d = x.shape
        dh = d // HEADS

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.view(b, n, HEADS, dh).transpose(1, 2)

        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(dh) + ((1.0 - mask) * -1e9)[:, None, None, :]
        context = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, n, d)
        x = self.n1(self.o(context) + x)
        return self.n2(self.down(F.gelu(self.up(x))) + x)

    def arrays(self) -> dict[str, np.ndarray]:
        """This layer in ``minilm.Layer``'s layout (weights transposed, q/k/v side by side)."""

        def t(m: nn.Linear) -> np.ndarray:
            return m.weight.detach().numpy().T

        def b(m: nn.Module) -> np.ndarray:
            return m.bias.detach().numpy()

        return {
            "qkv": np.hstack([t(self.q), t(self.k), t(self.v)]),
            "qkv_bias": np.concatenate([b(self.q), b(self.k), b(self.v)]),
            "out": t(self.o),
            "out_bias": b(self.o),
            "up": t(self.up),
            "up_bias": b(self.up),
            "down": t(self.down),
            "down_bias": b(self.down),
            "norm1.weight": self.n1.weight.detach().numpy(),
            "norm1.bias": b(self.n1),
            "norm2.weight": self.n2.weight.detach().numpy(),
            "norm2.bias": b(self.n2),
        }


def _linear(w: dict[str, np.ndarray], name: str) -> nn.Linear:
    weight = torch.from_numpy(np.array(w[name + ".weight"], dtype=np.float32))
    m = nn.Linear(weight.shape[1], weight.shape[0])
    with torch.no_grad():
        m.weight.copy_(weight)
        m.bias.copy_(torch.from_numpy(np.array(w[name + ".bias"], dtype=np.float32)))
    return m


def _norm(w: dict[str, np.ndarray], name: str) -> nn.LayerNorm:
    m = nn.LayerNorm(HIDDEN, eps=EPS)
    with torch.no_grad():
        m.weight.copy_(torch.from_numpy(np.array(w[name + ".weight"], dtype=np.float32)))
        m.bias.copy_(torch.from_numpy(np.array(w[name + ".bias"], dtype=np.float32)))
    return m


class Top(nn.Module):
    """The top ``k`` layers and the head: a logit per sentence."""

    def __init__(self, k: int) -> None:
        super().__init__()
        w = _weights()
        self.start = 6 - k
        self.layers = nn.ModuleList([Layer(w, f"encoder.layer.{i}.") for i in range(self.start, 6)])
        self.head = nn.Linear(HIDDEN, 1)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            x = layer(x, mask)
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True).clamp_min(1e-9)
        return self.head(pooled).squeeze(-1)


def _weights() -> dict[str, np.ndarray]:
    from safetensors.numpy import load as load_tensors

    return load_tensors(minilm.read_verified(minilm.package_zip())["model.safetensors"])


@dataclass(frozen=True)
class States:
    """Per token, float16, the states entering layer ``start``, rows one after another."""

    flat: np.ndarray
    offsets: np.ndarray

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def batch(self, rows: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        lengths = self.lengths
        n = int(lengths[rows].max())
        x, mask = torch.zeros(len(rows), n, HIDDEN), torch.zeros(len(rows), n)
        for r, i in enumerate(rows):
            x[r, : lengths[i]] = torch.from_numpy(
                self.flat[self.offsets[i] : self.offsets[i + 1]].astype(np.float32)
            )
            mask[r, : lengths[i]] = 1
        return x, mask


def hidden_states(
    texts: Sequence[str], start: int, cache: Path | None = DEFAULT_CACHE, log: Callable = print
) -> States:
    """The states entering layer ``start`` for each text, from the product's own numpy
    MiniLM; kept in ``cache`` (keyed by the model version, ``start`` and the texts)."""
    key = hashlib.sha256("\x1e".join([minilm.VERSION, str(start), *texts]).encode()).hexdigest()
    path = None if cache is None else cache / f"states-{start}-{key[:16]}.npz"
    if path is not None and path.exists():
        with np.load(path) as npz:
            return States(npz["flat"], npz["offsets"])
    model = minilm.model()
    ids = model.tokenize([t if t.strip() else "." for t in texts])
    lengths = np.array([len(i) for i in ids])
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    flat = np.zeros((int(offsets[-1]), HIDDEN), dtype=np.float16)
    order = np.argsort(lengths, kind="stable")
    for s in range(0, len(order), 64):
        batch = order[s : s + 64]
        x, _ = model.states([ids[i] for i in batch], start)
        for r, i in enumerate(batch):
            flat[offsets[i] : offsets[i + 1]] = x[r, : lengths[i]]
        if s and s % 6400 == 0:
            log(f"hidden states: {s}/{len(texts)}")
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path.with_suffix(".tmp.npz"), flat=flat, offsets=offsets)
        path.with_suffix(".tmp.npz").replace(path)
    return States(flat, offsets)


def fit(states: States, y: np.ndarray, weight: np.ndarray, rows: np.ndarray, config: Config) -> Top:
    """Train the top layers and the head on ``rows`` (deterministic for a seed)."""
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    lengths = states.lengths
    model = Top(config.k)

    def shuffled(idx: np.ndarray) -> list[np.ndarray]:
        idx, chunk, out = rng.permutation(idx), config.batch * 50, []
        for s in range(0, len(idx), chunk):
            c = idx[s : s + chunk]
            c = c[np.argsort(lengths[c], kind="stable")]
            out += [c[t : t + config.batch] for t in range(0, len(c), config.batch)]
        return [out[j] for j in rng.permutation(len(out))]

    positives = float(y[rows].sum())
    pos_weight = torch.tensor((len(rows) - positives) / max(positives, 1.0))
    opt = torch.optim.AdamW(
        [
            {"params": model.layers.parameters(), "lr": config.lr},
            {"params": model.head.parameters(), "lr": config.head_lr},
        ],
        weight_decay=0.01,
    )
    steps = config.epochs * math.ceil(len(rows) / config.batch)
    warm = max(1, int(0.06 * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else max(0.0, (steps - s) / (steps - warm))
    )
    model.train()
    for _ in range(config.epochs):
        for b in shuffled(rows):
            x, mask = states.batch(b)
            loss = F.binary_cross_entropy_with_logits(
                model(x, mask),
                torch.from_numpy(y[b].astype(np.float32)),
                weight=torch.from_numpy(weight[b].astype(np.float32)),
                pos_weight=pos_weight,
            )
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    model.eval()
    return model


def predict(model: Top, states: States, rows: np.ndarray) -> np.ndarray:
    probs = np.zeros(len(rows), dtype=np.float32)
    ordered = np.argsort(states.lengths[rows], kind="stable")
    with torch.no_grad():
        for s in range(0, len(ordered), 128):
            at = ordered[s : s + 128]
            probs[at] = torch.sigmoid(model(*states.batch(rows[at]))).numpy()
    return probs


def f1(truth: np.ndarray, predicted: np.ndarray) -> tuple[float, float, float]:
    tp = float(np.sum(truth & predicted))
    fp, fn = float(np.sum(~truth & predicted)), float(np.sum(truth & ~predicted))
    p = tp / (tp + fp) if tp else 0.0
    r = tp / (tp + fn) if tp else 0.0
    return (2 * tp / (2 * tp + fp + fn) if tp else 0.0), p, r


def grouped_scores(
    states: States,
    y: np.ndarray,
    weight: np.ndarray,
    rows: np.ndarray,
    groups: Sequence[str],
    extra_rows: np.ndarray,
    config: Config,
    *,
    folds: int = FOLDS,
    log: Callable = print,
) -> tuple[np.ndarray, np.ndarray]:
    """Truth and pooled out-of-fold scores of grouped K-fold on ``rows`` (``extra_rows``
    join every training side)."""
    from sklearn.model_selection import GroupKFold

    truth = y.astype(bool)
    scored, probs = [], []
    split = GroupKFold(n_splits=folds).split(rows, groups=[groups[i] for i in rows])
    for fold, (train_at, test_at) in enumerate(split):
        model = fit(states, y, weight, np.concatenate([rows[train_at], extra_rows]), config)
        scored.append(rows[test_at])
        probs.append(predict(model, states, rows[test_at]))
        log(f"fold {fold + 1}/{folds}: F1@0.5 {f1(truth[scored[-1]], probs[-1] >= 0.5)[0]:.4f}")
    return truth[np.concatenate(scored)], np.concatenate(probs)


def best_threshold(truth: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    cv = [f1(truth, p >= t)[0] for t in GRID]
    best = int(np.argmax(cv))
    return float(GRID[best]), round(cv[best], 4)


def grouped_threshold(
    states: States,
    y: np.ndarray,
    weight: np.ndarray,
    rows: np.ndarray,
    groups: Sequence[str],
    extra_rows: np.ndarray,
    config: Config,
    *,
    folds: int = FOLDS,
    log: Callable = print,
) -> tuple[float, float]:
    """The threshold with the best F1 over the pooled out-of-fold scores of grouped
    K-fold on ``rows`` (``extra_rows`` join every training side), and that F1."""
    truth, p = grouped_scores(
        states, y, weight, rows, groups, extra_rows, config, folds=folds, log=log
    )
    return best_threshold(truth, p)


def _round_to_float16(model: Top) -> None:
    """Store-and-reload in place: the reference scores are those of the stored weights."""
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.half().float())


def save(model: Top, threshold: float, meta: dict, out: str | Path) -> Path:
    """Write the weights (float16) with ``meta``, the threshold, and reference scores
    of ``REFERENCE_TEXTS`` computed here by torch from the stored weights."""
    _round_to_float16(model)
    texts = list(REFERENCE_TEXTS)
    states = hidden_states(texts, model.start, cache=None)
    reference = predict(model, states, np.arange(len(texts)))
    arrays: dict[str, Any] = {}  # name -> array (Any: numpy's savez takes **arrays)
    for i, layer in zip(range(model.start, 6), model.layers, strict=True):
        for name, value in layer.arrays().items():
            arrays[f"layer{i}.{name}"] = value.astype(np.float16)
    arrays["head"] = model.head.weight.detach().numpy()[0].astype(np.float16)
    meta = {
        **meta,
        "format": top.FORMAT,
        "minilm": minilm.VERSION,
        "start": model.start,
        "bias": float(model.head.bias.detach()[0]),
        "threshold": threshold,
        "reference": [[t, round(float(s), 6)] for t, s in zip(texts, reference, strict=True)],
    }
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as fh:
        np.savez_compressed(fh, meta=np.array(json.dumps(meta)), **arrays)
    return out


def train(
    data_path: str | Path,
    *,
    out: str | Path = top.DEFAULT_PATH,
    run_cv: bool = False,
    threshold: float | None = None,
    extra: Sequence[str | Path] = (),
    extra_weight: float = EXTRA_WEIGHT,
    config: Config = Config(),
    cache: Path | None = DEFAULT_CACHE,
    log: Callable = print,
) -> dict:
    """Fine-tune on the whole file and the corrections in ``extra``; with ``run_cv`` the
    threshold comes from grouped K-fold first. Writes the weights and returns a report."""
    data = load_claimbuster(data_path)
    corrections = load_corrections(extra)
    n, m = len(data.texts), len(corrections.texts)
    log(f"{n} sentences, {int(data.labels.sum())} check-worthy; {m} corrected sentences")
    texts = [*data.texts, *corrections.texts]
    y = np.concatenate([data.labels, corrections.labels]).astype(np.float32)
    weight = np.concatenate([np.ones(n), np.full(m, float(extra_weight))])
    rows, extra_rows = np.arange(n), np.arange(n, n + m)
    began = time.time()
    states = hidden_states(texts, 6 - config.k, cache, log)
    report: dict = {"k": config.k, "sentences": n, "corrections": m}
    # 0.5 unless told: the decision point of the positive-class weighting. A threshold
    # chosen by grouped CV fits the years trained on and does not carry to later debates
    # (before 2012 it picked 0.63: F1 0.688 on 2012 and 2016, against 0.698 at 0.5).
    cut = 0.5 if threshold is None else threshold
    figures: dict = {}
    if run_cv:
        oof_truth, oof = grouped_scores(
            states, y, weight, rows, data.groups, extra_rows, config, log=log
        )
        best, cv_f1 = best_threshold(oof_truth, oof)
        at_cut = round(f1(oof_truth, oof >= cut)[0], 4)
        report |= {"cv_threshold": best, "cv_f1": cv_f1, "folds": FOLDS, "grouped_by": "File_id"}
        figures["by_debate"] = {"f1": at_cut, "threshold": cut}
        years = np.array([int(g[:4]) for g in data.groups])
        earlier, later = rows[years < LATER_FROM], rows[years >= LATER_FROM]
        past = fit(states, y, weight, np.concatenate([earlier, extra_rows]), config)
        score, p, r = f1(y[later].astype(bool), predict(past, states, later) >= cut)
        figures["later_years"] = {
            "f1": round(score, 4),
            "threshold": cut,
            "precision": round(p, 4),
            "recall": round(r, 4),
        }
        report["figures"] = figures
    model = fit(states, y, weight, np.concatenate([rows, extra_rows]), config)
    meta = {
        "data": "ClaimBuster crowdsourced (Arslan et al., ICWSM 2020), CC BY 4.0",
        "label": "CFS (Verdict == 1) vs rest",
        "extra": {"corrections": m, "weight": extra_weight},
        "config": vars(config),
        "cv": {k: v for k, v in report.items() if k.startswith("cv") or k == "folds"},
        "figures": figures,
    }
    path = save(model, cut, meta, out)
    report |= {"out": str(path), "threshold": cut, "seconds": round(time.time() - began, 1)}
    return report
