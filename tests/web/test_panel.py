"""The claim panel's decisions (``claims/web/panel.py``), made in the view for the
templates: what the status box says, which forms it offers to whom, and when a claim
may be split or merged."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from claims.models import Article, Claim, Evidence
from claims.web.access import OFFERS
from claims.web.panel import ClaimPanel, StatusBadge

EVERYTHING = dict.fromkeys(OFFERS, True)
NOTHING = dict.fromkeys(OFFERS, False)


def claim_of(article: Article) -> Claim:
    return Claim.objects.with_flags().select_related("article").filter(article=article).first()


def test_a_confirmed_claim_offers_unconfirm_and_no_blocker(
    make_article: Callable[..., Article],
) -> None:
    article = make_article()
    article.claims.update(status=Claim.Status.CONFIRMED)
    panel = ClaimPanel.build(claim_of(article), can=EVERYTHING, blocker="no source yet")
    assert (panel.is_confirmed, panel.show_unconfirm_form, panel.show_confirm_form) == (
        True,
        True,
        False,
    )
    assert not panel.show_blocker and not panel.can_confirm


def test_a_claim_in_needs_re_review_offers_confirm_and_unconfirm(
    make_article: Callable[..., Article],
) -> None:
    article = make_article()
    note = "needs re-review: the source was edited"
    article.claims.update(status=Claim.Status.NEEDS_REREVIEW, status_note=note)
    panel = ClaimPanel.build(claim_of(article), can=EVERYTHING, blocker="", rereview_reason="x")
    assert panel.needs_rereview and panel.show_unconfirm_button and panel.can_confirm
    assert (panel.rereview_reason, panel.badge.title) == ("x", note)
    unconfirmed = make_article(title="Other")
    quiet = ClaimPanel.build(claim_of(unconfirmed), can=EVERYTHING, blocker="", rereview_reason="x")
    assert not quiet.needs_rereview and quiet.rereview_reason == ""


def test_a_viewer_is_offered_no_form(make_article: Callable[..., Article]) -> None:
    panel = ClaimPanel.build(claim_of(make_article()), can=NOTHING, blocker="")
    offered = [panel.show_confirm_form, panel.can_review, panel.can_add_evidence]
    assert [*offered, panel.can_shape, panel.can_publish] == [False] * 5


def test_an_orphaned_or_outdated_claim_cannot_be_split_or_merged(
    make_article: Callable[..., Article],
) -> None:
    article = make_article()
    assert ClaimPanel.build(claim_of(article), can=EVERYTHING, blocker="").can_shape
    article.claims.update(orphaned=True)
    assert not ClaimPanel.build(claim_of(article), can=EVERYTHING, blocker="").can_shape
    article.claims.update(orphaned=False)
    Article.objects.filter(pk=article.pk).update(revision=2)
    assert not ClaimPanel.build(claim_of(article), can=EVERYTHING, blocker="").can_shape


def test_a_confirmed_claim_with_refuting_evidence_is_badged_contradicted(
    make_article: Callable[..., Article],
    support: Callable[..., Evidence],
    viewer: User,
) -> None:
    article = make_article()
    first = article.claims.order_by("start").first()
    Claim.objects.filter(pk=first.pk).update(status=Claim.Status.CONFIRMED)
    support(first, url="https://www.bbc.co.uk/news/x", stance=Evidence.Stance.REFUTES)
    badge = StatusBadge.of(claim_of(article))
    assert (badge.contradicted, badge.label, badge.css) == (
        True,
        "confirmed",
        "status-confirmed",
    )
    client = Client()
    client.force_login(viewer)
    page = client.get(reverse("article-detail", args=[article.pk]) + f"?claim={first.pk}")
    html = page.content.decode()
    assert "Contradicted: a source refutes this claim." in html
    assert 'name="action" value="unconfirm"' not in html  # a viewer gets no form
