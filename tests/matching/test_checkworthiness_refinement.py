"""Check-worthiness refined in the background by MiniLM's fine-tuned top layers: the
numpy forward pass gives what the training code gave, the embedding is unchanged by the
branch, the embedding pass writes the score with its history, keeps a person's
check-worthy flag, re-scores when the weights change, and re-extraction of the same
text does not undo it."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import numpy as np
import pytest

from claims.ingest import articles as ingest
from claims.matching import embeddings
from claims.matching.engine import minilm
from claims.models import Claim, Embedding
from claims.nlp import checkworthiness_top as top

CHECKABLE = "Unemployment in Ohio fell to 4.1 percent in March, the lowest rate since 2001."
CHATTER = "Thank you very much, and good evening to all of you."


@pytest.fixture(scope="module")
def refiner() -> top.TopLayers:
    return top.load()


def _rewritten(meta_change: dict[str, Any]) -> bytes:
    """The shipped weights file with its metadata changed."""
    with np.load(top.DEFAULT_PATH, allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    meta = json.loads(str(arrays.pop("meta"))) | meta_change
    out = io.BytesIO()
    np.savez(out, meta=np.array(json.dumps(meta)), **arrays)
    return out.getvalue()


# --- The weights and the forward pass ---------------------------------------------------


def test_numpy_gives_the_scores_the_training_code_gave(refiner):
    reference = refiner.reference()
    assert len(reference) == 8
    texts = [text for text, _ in reference]
    assert refiner.scores(texts) == pytest.approx([s for _, s in reference], abs=2e-3)


def test_the_stored_weights_say_how_they_were_made(refiner):
    assert refiner.start == 4 and len(refiner.layers) == 2
    assert refiner.meta["minilm"] == minilm.VERSION
    assert 0.3 <= refiner.threshold <= 0.8
    assert "ClaimBuster" in refiner.meta["data"]
    assert refiner.version == top.version_of(top.DEFAULT_PATH.read_bytes())


def test_a_checkable_statement_scores_above_chatter(refiner):
    checkable, chatter = refiner.scores([CHECKABLE, CHATTER])
    assert checkable >= refiner.threshold > chatter


def test_the_branch_leaves_the_embedding_as_it_was(refiner):
    texts = [CHECKABLE, CHATTER, "Short.", ""]
    vectors, scores = minilm.model().encode_with(texts, refiner)
    assert vectors == pytest.approx(minilm.encode(texts), abs=1e-6)
    # Padding a batch changes no row's score.
    alone = [minilm.model().encode_with([t], refiner)[1][0] for t in texts]
    assert scores == pytest.approx(alone, abs=1e-5)


def test_weights_for_another_minilm_are_refused():
    forged = _rewritten({"minilm": "all-MiniLM-L6-v2@another"})
    with pytest.raises(top.WeightsRefused, match="retrain them"):
        top.from_bytes(forged)
    with pytest.raises(top.WeightsRefused, match="unknown weights format"):
        top.from_bytes(_rewritten({"format": "something else"}))


def test_a_file_that_is_not_weights_is_refused():
    with pytest.raises(top.WeightsRefused, match="not a check-worthiness weights file"):
        top.from_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(top.WeightsRefused, match="not a check-worthiness weights file"):
        top.from_bytes(b"")


def test_missing_weights_turn_the_refinement_off_with_a_warning(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="claims.nlp.checkworthiness_top"):
        assert top.available(tmp_path / "missing.npz") is None
    assert "check-worthiness refinement is off" in caplog.text


def test_the_refinement_replaces_the_extraction_score_only_where_shown_better():
    linear = {"later_years": 0.674, "by_debate": 0.68}
    better = {"later_years": {"f1": 0.698}, "by_debate": {"f1": 0.72}}
    assert top.shown_worse(better, linear) is None
    assert top.shown_worse(better | {"by_debate": {"f1": 0.68}}, linear) is None  # as good
    worse = top.shown_worse(better | {"later_years": {"f1": 0.654}}, linear)
    assert worse is not None and "later_years" in worse and "0.654" in worse
    assert "by_debate" in (top.shown_worse(better | {"by_debate": {"f1": 0.6}}, linear) or "")
    assert "no F1" in (top.shown_worse({"by_debate": {"f1": 0.9}}, linear) or "")


def test_the_linear_models_figures_are_read_from_its_stored_meta():
    meta = {"cv": {"later_years": {"f1": 0.674}, "f1_at_temporal_threshold": 0.68}}
    assert top.linear_figures(meta) == {"later_years": 0.674, "by_debate": 0.68}
    assert top.linear_figures({}) == {}


def test_weights_not_shown_better_than_the_extraction_score_are_not_used(tmp_path, caplog):
    path = tmp_path / "worse.npz"
    path.write_bytes(
        _rewritten({"figures": {"later_years": {"f1": 0.1}, "by_debate": {"f1": 0.1}}})
    )
    with caplog.at_level(logging.WARNING, logger="claims.nlp.checkworthiness_top"):
        assert top.available(path) is None
    assert "below the extraction score's" in caplog.text
    unstated = tmp_path / "unstated.npz"
    unstated.write_bytes(_rewritten({"figures": {}}))
    assert top.available(unstated) is None


def test_the_shipped_weights_are_shown_at_least_as_good_as_the_extraction_score(refiner):
    shipped = top.available()
    assert shipped is not None and shipped.version == refiner.version
    figures = top.linear_figures(top._linear_meta())
    assert set(figures) == set(top.SPLITS)
    for split, theirs in figures.items():
        assert refiner.meta["figures"][split]["f1"] >= theirs


# --- The background pass ------------------------------------------------------------------


def _history_reasons(claim: Claim) -> list[str]:
    return list(
        claim.history.order_by("history_id").values_list("history_change_reason", flat=True)
    )


def test_the_embedding_pass_refines_each_claim_once(make_article, refiner):
    article = make_article([CHECKABLE, CHATTER])
    assert embeddings.embed_pending(article_id=article.pk) == {"claim": 2, "refined": 2}
    checkable, chatter = article.claims.order_by("start")
    expected = refiner.scores([embeddings.claim_text(CHECKABLE), embeddings.claim_text(CHATTER)])
    for claim, score in zip((checkable, chatter), expected, strict=True):
        assert claim.checkworthiness == pytest.approx(float(score), abs=1e-4)
        assert claim.checkworthiness_model == refiner.version
        assert claim.check_worthy == (claim.checkworthiness >= refiner.threshold)
        assert "refined by MiniLM's fine-tuned top layers" in _history_reasons(claim)[-1]
    assert checkable.check_worthy and not chatter.check_worthy
    assert Embedding.objects.filter(claim__article=article).count() == 2
    assert embeddings.embed_pending(article_id=article.pk) == {"claim": 0, "refined": 0}


def test_a_check_worthy_flag_a_person_set_is_kept(make_article, editor):
    article = make_article([CHATTER])
    claim = article.claims.get()
    claim.correct("check_worthy", True, by=editor, reason="the desk wants it checked")
    embeddings.embed_pending(article_id=article.pk)
    claim.refresh_from_db()
    assert claim.check_worthy is True
    assert claim.checkworthiness_model  # the score itself was refined
    assert claim.checkworthiness < 0.5


def test_new_weights_re_score_claims_already_embedded(make_article, refiner):
    article = make_article([CHECKABLE])
    embeddings.embed_pending(article_id=article.pk)
    claim = article.claims.get()
    Claim.objects.filter(pk=claim.pk).update(
        checkworthiness_model="minilm-top@older", checkworthiness=0.1
    )
    assert embeddings.embed_pending(article_id=article.pk) == {"claim": 1, "refined": 1}
    claim.refresh_from_db()
    assert claim.checkworthiness_model == refiner.version and claim.checkworthiness > 0.5
    assert "0.10 →" in _history_reasons(claim)[-1]


def test_without_weights_claims_are_embedded_and_keep_their_score(
    make_article, monkeypatch, tmp_path
):
    monkeypatch.setattr(top, "DEFAULT_PATH", tmp_path / "missing.npz")
    article = make_article([CHECKABLE])
    before = article.claims.get().checkworthiness
    assert embeddings.embed_pending(article_id=article.pk) == {"claim": 1, "refined": 0}
    claim = article.claims.get()
    assert claim.checkworthiness_model == "" and claim.checkworthiness == before
    assert Embedding.objects.filter(claim=claim).exists()


def test_re_extracting_the_same_text_keeps_the_refined_score(db, editor, refiner):
    body = f"{CHECKABLE} {CHATTER} The council will meet again on Tuesday."
    article = ingest.submit_article(title="Jobs", text=body, by=editor)
    assert ingest.run_extraction(article.pk, article.revision).startswith("done")
    embeddings.embed_pending(article_id=article.pk)
    refined = {c.pk: (c.checkworthiness, c.check_worthy) for c in article.claims.all()}
    assert refined and all(c.checkworthiness_model == refiner.version for c in article.claims.all())
    history = {c.pk: c.history.count() for c in article.claims.all()}

    extraction = ingest._extract(body, progress=lambda done, total: None)
    ingest.write_claims(article, extraction)

    for claim in article.claims.all():
        assert (claim.checkworthiness, claim.check_worthy) == refined[claim.pk]
        assert claim.checkworthiness_model == refiner.version
        assert claim.history.count() == history[claim.pk]  # nothing flip-flopped


def test_a_claim_edited_while_it_was_scored_keeps_its_score_until_the_next_pass(
    make_article, refiner
):
    article = make_article([CHECKABLE])
    claim = article.claims.get()
    before = (claim.checkworthiness, claim.check_worthy)
    scored = [(claim.pk, embeddings.claim_text("The text as it was before the edit."))]
    assert embeddings._refine(scored, np.array([0.01], dtype=np.float32), refiner) == 0
    claim.refresh_from_db()
    assert (claim.checkworthiness, claim.check_worthy) == before
    assert claim.checkworthiness_model == ""
    assert embeddings.pending("claim", article_id=article.pk, refiner=refiner)  # still due


# --- The article page waits for it --------------------------------------------------------

HTMX = {"HTTP_HX_REQUEST": "true"}


def _just_extracted(make_article, **fields: Any):
    from django.utils import timezone

    return make_article([CHECKABLE, CHATTER], finished_at=timezone.now(), **fields)


def test_the_page_polls_until_the_refinement_and_then_says_the_list_changed(
    client, viewer, make_article, refiner
):
    article = _just_extracted(make_article)
    client.force_login(viewer)
    page = client.get(article.get_absolute_url()).content.decode()
    shown = embeddings.worthy_key(article)
    poll = f"/articles/{article.pk}/refinement/?shown={shown}"
    assert f'hx-get="{poll}"' in page and "Refining check-worthiness" in page

    assert 'hx-trigger="every 3s"' in client.get(poll, **HTMX).content.decode()  # still due

    embeddings.embed_pending(article_id=article.pk)
    assert article.claims.filter(check_worthy=False).exists()  # the chatter left the list
    done = client.get(poll, **HTMX).content.decode()
    assert "every 3s" not in done
    assert "the check-worthy list has changed" in done
    assert f'href="{article.get_absolute_url()}"' in done
    assert "Refining" not in client.get(article.get_absolute_url()).content.decode()


def test_a_refinement_that_moves_nothing_says_the_list_is_unchanged(
    client, viewer, make_article, refiner
):
    article = _just_extracted(make_article)
    Claim.objects.filter(article=article, text=CHATTER).update(check_worthy=False)
    shown = embeddings.worthy_key(article)
    embeddings.embed_pending(article_id=article.pk)
    assert embeddings.worthy_key(article) == shown
    client.force_login(viewer)
    done = client.get(f"/articles/{article.pk}/refinement/?shown={shown}", **HTMX)
    assert "the check-worthy list is unchanged" in done.content.decode()


@pytest.mark.parametrize("case", ["long ago", "never finished", "no weights", "processing"])
def test_the_page_does_not_poll_when_no_refinement_is_coming(
    case, client, viewer, make_article, monkeypatch, tmp_path
):
    from datetime import timedelta

    from django.utils import timezone

    from claims.models import Article

    fields: dict[str, Any] = {"finished_at": timezone.now()}
    if case == "long ago":
        fields["finished_at"] -= embeddings.REFINING_WINDOW + timedelta(seconds=1)
    elif case == "never finished":
        fields["finished_at"] = None
    elif case == "no weights":
        monkeypatch.setattr(top, "DEFAULT_PATH", tmp_path / "missing.npz")
    else:
        fields["state"] = Article.State.PROCESSING
    article = make_article([CHECKABLE], **fields)
    assert not embeddings.refining(article)
    client.force_login(viewer)
    assert "refinement" not in client.get(article.get_absolute_url()).content.decode()


def test_the_refinement_fragment_is_only_for_those_who_may_see_the_article(
    client, outsider, make_article
):
    article = _just_extracted(make_article)
    client.force_login(outsider)
    response = client.get(f"/articles/{article.pk}/refinement/?shown=x", **HTMX)
    assert response.status_code in (403, 404)
    client.logout()
    assert client.get(f"/articles/{article.pk}/refinement/").status_code == 302
