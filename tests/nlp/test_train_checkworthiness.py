"""Training the check-worthiness model, with editors' corrections as extra data: they
move the model towards the editors' label and never sit in a cross-validation test fold."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from spacy.language import Language

from claims.models import Claim
from claims.nlp import train
from claims.nlp.checkworthiness import model_from_dict

POSITIVE = [
    "Unemployment rose to 7 percent in 2010.",
    "The deficit reached 500 billion dollars last year.",
    "We created 3 million jobs in four years.",
    "Taxes went up by 12 percent under his plan.",
    "Crime fell by 20 percent in the city since 2004.",
    "The program cost 40 billion dollars in 2008.",
]
NEGATIVE = [
    "Thank you very much.",
    "I think that is a good question.",
    "Let me answer that.",
    "Good evening, everyone.",
    "I want to thank the moderator.",
    "That is not what I said.",
]
RAISED = "The river bridge was closed to traffic on Monday."
LOWERED = "Taxes went up by 12 percent in my dreams."


def write_debates(path: Path) -> Path:
    """A ClaimBuster-shaped CSV: one positive and one negative per debate, six debates."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Sentence_id", "Text", "File_id", "Verdict"])
        for i, (pos, neg) in enumerate(zip(POSITIVE, NEGATIVE, strict=True)):
            debate = f"{1980 + 4 * i}-10-0{i + 1}.txt"
            writer.writerow([2 * i, pos, debate, 1])
            writer.writerow([2 * i + 1, neg, debate, -1])
    return path


def correction(claim_id: int, text: str, after: bool, at: str = "2026-01-01T00:00:00+00:00"):
    return {
        "claim_id": claim_id,
        "article_id": 1,
        "text": text,
        "field": "check_worthy",
        "before": not after,
        "after": after,
        "by": "fred",
        "at": at,
        "reason": "",
    }


def scores(out: Path, nlp: Language, *texts: str) -> list[float]:
    model = model_from_dict(json.loads(out.read_text(encoding="utf-8")))
    return [model.score(nlp(text)[:]) for text in texts]


def test_corrections_move_the_model_towards_the_editors_labels(tmp_path, nlp) -> None:
    data = write_debates(tmp_path / "debates.csv")
    extra = tmp_path / "corrections.jsonl"
    records = [
        correction(1, RAISED, False, at="2026-01-01T00:00:00+00:00"),
        correction(1, RAISED, True, at="2026-01-02T00:00:00+00:00"),  # the last one stands
        correction(2, LOWERED, False),
        {**correction(3, "The mayor spoke.", True), "field": "speaker", "after": "Jane Doe"},
    ]
    extra.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")

    train.train(data, out=tmp_path / "plain.json", log=lambda _: None)
    report = train.train(data, out=tmp_path / "taught.json", extra=[extra], log=lambda _: None)

    plain = scores(tmp_path / "plain.json", nlp, RAISED, LOWERED)
    taught = scores(tmp_path / "taught.json", nlp, RAISED, LOWERED)
    assert taught[0] > plain[0] + 0.05 and taught[1] < plain[1] - 0.05
    meta = json.loads((tmp_path / "taught.json").read_text())["meta"]
    assert meta["extra"] == {"corrections": 2, "weight": train.EXTRA_WEIGHT}
    assert report["out"].endswith("taught.json")


def test_corrections_are_only_ever_on_the_training_side_of_a_fold(tmp_path) -> None:
    data = train.load_claimbuster(write_debates(tmp_path / "debates.csv"))
    extra = train.Dataset([RAISED, LOWERED], np.array([1, 0]), ["corrections"] * 2)
    training = train.prepare(data, extra, log=lambda _: None)

    splits = list(train.folds(training))
    assert len(splits) == train.FOLDS
    n = len(data.texts)
    tested = sorted(row for _, test_rows in splits for row in test_rows)
    assert tested == list(range(n))  # every debate sentence once, no correction ever
    for train_rows, test_rows in splits:
        assert {n, n + 1} <= set(train_rows) and not set(train_rows) & set(test_rows)
        test_debates = {data.groups[r] for r in test_rows}
        assert not test_debates & {data.groups[r] for r in train_rows if r < n}
    assert training.weights.tolist() == [1.0] * n + [train.EXTRA_WEIGHT] * 2


def test_a_check_worthy_correction_without_a_yes_or_no_is_refused(tmp_path) -> None:
    extra = tmp_path / "bad.jsonl"
    extra.write_text(json.dumps({**correction(1, RAISED, True), "after": "maybe"}) + "\n")
    with pytest.raises(ValueError, match=r"bad\.jsonl:1"):
        train.load_corrections([extra])


@pytest.mark.django_db
def test_round_trip_from_the_database_through_export_to_training(
    tmp_path, nlp, make_article, fact_checker: User
) -> None:
    article = make_article([RAISED, "It was a lovely day for a walk."])
    bridge = Claim.objects.get(article=article, text=RAISED)
    bridge.correct("check_worthy", True, by=fact_checker, reason="a closure is checkable")
    bridge.correct("speaker", "Jane Doe", by=fact_checker, reason="she said it")
    exported = io.StringIO()
    call_command("export_corrections", "--format", "jsonl", stdout=exported)
    extra = tmp_path / "corrections.jsonl"
    extra.write_text(exported.getvalue(), encoding="utf-8")
    data = write_debates(tmp_path / "debates.csv")

    quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
    call_command(
        "train_checkworthiness", "--data", str(data), "--out", str(tmp_path / "plain.json"), **quiet
    )
    call_command(
        "train_checkworthiness",
        "--data",
        str(data),
        "--out",
        str(tmp_path / "taught.json"),
        "--extra",
        str(extra),
        **quiet,
    )

    (plain,) = scores(tmp_path / "plain.json", nlp, RAISED)
    (taught,) = scores(tmp_path / "taught.json", nlp, RAISED)
    assert taught > plain + 0.05
    meta = json.loads((tmp_path / "taught.json").read_text())["meta"]
    assert meta["extra"]["corrections"] == 1


@pytest.mark.django_db
def test_the_csv_export_reads_back_as_the_same_corrections_as_the_jsonl(
    tmp_path, make_article, fact_checker: User
) -> None:
    article = make_article([RAISED, "It was a lovely day for a walk.", LOWERED])
    raised = Claim.objects.get(article=article, text=RAISED)
    raised.correct("check_worthy", True, by=fact_checker, reason="a closure is checkable")
    raised.correct("claim_type", "event", by=fact_checker, reason="it happened")
    lowered = Claim.objects.get(article=article, text=LOWERED)
    lowered.correct("check_worthy", True, by=fact_checker, reason="first thought")
    lowered.correct("check_worthy", False, by=fact_checker, reason="on reflection, not")
    paths = {}
    for fmt in ("jsonl", "csv"):
        out = io.StringIO()
        call_command("export_corrections", "--format", fmt, stdout=out)
        paths[fmt] = tmp_path / f"corrections.{fmt}"
        paths[fmt].write_text(out.getvalue(), encoding="utf-8")

    from_jsonl = train.load_corrections([paths["jsonl"]])
    from_csv = train.load_corrections([paths["csv"]])
    assert (
        sorted(zip(from_csv.texts, from_csv.labels.tolist(), strict=True))
        == sorted(zip(from_jsonl.texts, from_jsonl.labels.tolist(), strict=True))
        == sorted([(RAISED, 1), (LOWERED, 0)])
    )


def test_a_file_that_is_neither_export_format_is_refused(tmp_path) -> None:
    other = tmp_path / "claims.csv"
    other.write_text("id,sentence\n1,Taxes rose.\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not an export_corrections file"):
        train.load_corrections([other])


def test_the_stored_artifact_scores_as_the_fitted_model_predicts(tmp_path, nlp) -> None:
    # The dense block's scale and standardisation and the word pieces' vectors are all
    # folded into the JSON: scoring a parsed sentence with it gives the fit's own value.
    data = train.load_claimbuster(write_debates(tmp_path / "debates.csv"))
    training = train.prepare(data, log=lambda _: None)
    rows = list(range(len(data.texts)))
    fitted = train.fit(training.features, training.labels, rows, C=1.0)
    model = model_from_dict(train.to_json(fitted, training.features.table, 0.5, {}))
    stored = [model.score(nlp(text)[:]) for text in data.texts]
    assert np.allclose(stored, fitted.predict(training.features, rows), atol=2e-4)
    assert len(model.pieces) == len(training.features.table)


def test_an_export_of_no_corrections_adds_nothing(tmp_path) -> None:
    empty = tmp_path / "none.jsonl"
    empty.write_text("", encoding="utf-8")
    assert train.load_corrections([empty]).texts == []


def test_top_layers_without_torch_say_what_to_install(monkeypatch, tmp_path):
    import sys

    from django.core.management.base import CommandError

    monkeypatch.setitem(sys.modules, "torch", None)  # as on a machine without torch
    monkeypatch.delitem(sys.modules, "claims.nlp.train_top", raising=False)
    with pytest.raises(CommandError, match=r"needs torch \(CPU\): pip install -e '\.\[train\]'"):
        call_command(
            "train_checkworthiness", "--top-layers", "--data", str(tmp_path / "x.csv"),
            "--out", str(tmp_path / "out.npz"),
        )  # fmt: skip
    assert not (tmp_path / "out.npz").exists()


def test_the_later_years_threshold_is_chosen_on_earlier_years_only() -> None:
    """Forward-chaining: each validation year is scored by a model of the years before
    it, and the last year of the pool (the one tested later) is never scored."""
    from claims.nlp import train as train_mod

    rng = np.random.default_rng(0)
    n = 240
    groups = [f"{1990 + 4 * (i % 6)}-01-01.txt" for i in range(n)]
    labels = (rng.random(n) < 0.3).astype(int)
    sparse = [
        ["pos" if y and rng.random() < 0.8 else "neg", f"w{i % 7}"] for i, y in enumerate(labels)
    ]
    features = train_mod.Features(sparse, rng.normal(size=(n, 3)), np.zeros((1, 3)))
    data = train_mod.Dataset([f"s{i}" for i in range(n)], labels, groups)
    training = train_mod.Training(data, features, labels, np.ones(n), np.zeros(0, dtype=int))
    seen: list[str] = []
    pool = [i for i in range(n) if int(groups[i][:4]) < 2010]
    threshold, f1 = train_mod.temporal_threshold(training, pool, 1.0, log=seen.append)
    assert [line.split(":")[0] for line in seen] == [
        "trained before 1998, tested on 1998",
        "trained before 2002, tested on 2002",
        "trained before 2006, tested on 2006",
    ]
    assert threshold in train_mod.THRESHOLDS and f1 > 0.5
    single = [i for i in range(n) if groups[i].startswith("1990")]
    assert train_mod.temporal_threshold(training, single, 1.0, log=seen.append) == (0.5, 0.0)
