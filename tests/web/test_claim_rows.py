"""The article page's claim rows, written in Python (``claim_rows``), and what the page
caches.

- ``item_html`` is byte for byte the markup the template partial wrote before, for any
  claim (status, verdict, labels, escaping, selected, out of band);
- ``ClaimCounts.of`` (the counters from the loaded rows) equals the SQL ``counts()``;
- the cached rows and text never show a stale status: a confirmation, refuting
  evidence, removed evidence and a dead source show on the very next request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.template import Context, Template
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from claims.models import Article, Claim, ClaimCounts, Evidence, Source
from claims.web import claim_rows
from tests.support import login

# The partial of templates/claims/article_detail.html before claim_rows replaced it (as
# of main b362bab: the score's label, the factuality badge, the verdict badge once).
TEMPLATE_ROW = Template(
    "{% load l10n claim_badges %}"
    "{% localize off %}"
    '<li id="claim-{{ claim.pk }}" class="claim-item status-{{ claim.status }}'
    "{% if claim.contradicted %} contradicted{% endif %}{% if claim.orphaned %} orphaned"
    '{% endif %}{% if selected.pk == claim.pk %} selected{% endif %}" data-claim="{{ claim.pk }}"'
    '{% if oob %} hx-swap-oob="true"{% endif %}>\n'
    '          <a href="?claim={{ claim.pk }}" hx-get="{% url \'claim-panel\' claim.pk %}"'
    ' hx-target="#panel" hx-swap="outerHTML" hx-push-url="?claim={{ claim.pk }}">\n'
    '            <span class="score"><span class="score-label">Check-worthiness</span> '
    "{{ claim.checkworthiness|floatformat:2 }}</span>\n"
    '            <span class="claim-text">{{ claim.text|truncatechars:160 }}</span>\n'
    "          </a>\n"
    '          <span class="badges">\n'
    "            {% status_badge claim %}\n"
    '            <span class="badge type">{{ claim.get_claim_type_display }}</span>\n'
    "            {% factuality_badge claim %}\n"
    '            {% if claim.speaker %}<span class="badge speaker">'
    "{{ claim.speaker|speaker_phrase }} {{ claim.speaker }}</span>{% endif %}\n"
    '            {% if claim.orphaned %}<span class="badge orphaned">orphaned</span>{% endif %}\n'
    "          </span>\n"
    "        </li>{% endlocalize %}"
)

TEXT = st.text(alphabet=st.sampled_from(list("ab <>&\"'é\n.…")), max_size=200)


@st.composite
def claims(draw: st.DrawFn) -> Claim:
    claim = Claim(
        pk=draw(st.integers(1, 10**7)),
        text=draw(TEXT),
        status=draw(st.sampled_from(Claim.Status.values)),
        status_note=draw(TEXT),
        checkworthiness=draw(st.floats(0, 1) | st.sampled_from([0.125, 0.005, 0.995, 0.5])),
        claim_type=draw(st.sampled_from(Claim.Type.values)),
        factuality=draw(st.sampled_from(Claim.Factuality.values)),
        hedged=draw(st.booleans()),
        speaker=draw(
            st.sampled_from(["", "Mayor <Smith>", "O'Brien & Co", "the board's own figures"])
        ),
        orphaned=draw(st.booleans()),
    )
    claim.contradicted = draw(st.booleans())
    if draw(st.booleans()):
        claim.source_problem = draw(st.booleans())
    return claim


@settings(max_examples=300, deadline=None)
@given(claims(), st.booleans(), st.booleans())
def test_a_row_is_the_markup_of_the_template_partial(
    claim: Claim, selected: bool, oob: bool
) -> None:
    context = {"claim": claim, "selected": claim if selected else None, "oob": oob}
    expected = TEMPLATE_ROW.render(Context(context))
    assert claim_rows.item_html(claim, selected=selected, oob=oob) == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(claims(), max_size=6, unique_by=lambda c: c.pk), st.data())
def test_the_list_is_its_rows_with_the_selected_one_marked(
    listed: list[Claim], data: st.DataObject
) -> None:
    cache.clear()
    chosen = data.draw(st.sampled_from([None, *listed]))
    for _ in range(2):  # drawn, then from the cache
        html = claim_rows.items_html(listed, selected=chosen)
        rows = [claim_rows.item_html(c, selected=c is chosen) for c in listed]
        assert html == "\n        ".join(rows)


class CountsFromRows(HypothesisTestCase):
    """``ClaimCounts.of`` over loaded rows equals the SQL ``counts()`` (both databases)."""

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        st.lists(
            st.tuples(
                st.sampled_from(Claim.Status.values),
                st.booleans(),  # check-worthy
                st.booleans(),  # hedged
                st.sampled_from(Claim.Factuality.values),
                st.booleans(),  # refuted
                st.booleans(),  # orphaned
            ),
            max_size=8,
        )
    )
    def test_counts_of_loaded_rows_equal_the_sql_counts(self, rows: list[tuple]) -> None:
        article = Article.objects.create(title="t", body="x" * 100, state=Article.State.DONE)
        source = Source.objects.create(url="https://www.reuters.com/a", publisher="Reuters")
        for index, (status, worthy, hedged, factuality, refuted, orphaned) in enumerate(rows):
            claim = Claim.objects.create(
                article=article,
                revision=1,
                text=f"claim {index}",
                start=index,
                end=index + 1,
                status=status,
                check_worthy=worthy,
                hedged=hedged,
                factuality=factuality,
                orphaned=orphaned,
            )
            if refuted:
                Evidence.objects.create(claim=claim, source=source, stance=Evidence.Stance.REFUTES)
        loaded = list(article.claims.with_flags())
        in_text = [claim for claim in loaded if not claim.orphaned]
        assert ClaimCounts.of(in_text) == article.claims.in_text().counts()


# --- the page: nothing stale ----------------------------------------------------------


def _row(page: str, claim: Claim) -> str:
    start = page.index(f'<li id="claim-{claim.pk}"')
    return page[start : page.index("</li>", start)]


def _mark(page: str, claim: Claim) -> str:
    start = page.index(f'<mark data-start="{claim.start}"')
    return page[start : page.index(">", start)]


@pytest.fixture
def page(client: Client, fact_checker: Any, make_article: Callable[..., Article]) -> Any:
    cache.clear()
    login(client, fact_checker)
    article = make_article()
    claim = article.claims.order_by("start").first()
    assert claim is not None
    return article, claim


def test_a_confirmation_shows_on_the_next_request(
    client: Client, page: Any, fact_checker: Any, support: Callable[..., Evidence]
) -> None:
    from claims.confirmation import service as status

    article, claim = page
    support(claim, "https://apnews.com/article/budget")
    support(claim, "https://www.reuters.com/world/budget")
    before = client.get(article.get_absolute_url()).content.decode()
    assert "status-unconfirmed" in _row(before, claim)
    cached = client.get(article.get_absolute_url()).content.decode()
    assert _row(cached, claim) == _row(before, claim)  # from the cache
    status.confirm(Claim.objects.get(pk=claim.pk), by=fact_checker, note="Two agencies.")
    after = client.get(article.get_absolute_url()).content.decode()
    assert "claim-item status-confirmed" in _row(after, claim)
    assert "hl status-confirmed" in _mark(after, claim)
    assert "<strong>1</strong> confirmed" in after


def test_refuting_evidence_and_its_removal_show_on_the_next_request(
    client: Client, page: Any, fact_checker: Any, support: Callable[..., Evidence]
) -> None:
    from claims.review import evidence as evidence_service

    article, claim = page
    client.get(article.get_absolute_url())
    refuting = support(claim, "https://apnews.com/article/no", stance=Evidence.Stance.REFUTES)
    after = client.get(article.get_absolute_url()).content.decode()
    assert "contradicted" in _row(after, claim)
    assert "contradicted" in _mark(after, claim)
    evidence_service.remove_evidence(evidence=refuting, by=fact_checker)
    again = client.get(article.get_absolute_url()).content.decode()
    assert "contradicted" not in _row(again, claim)
    assert "contradicted" not in _mark(again, claim)


def test_a_dead_supporting_source_shows_on_the_next_request(
    client: Client, page: Any, fact_checker: Any, support: Callable[..., Evidence]
) -> None:
    from claims.confirmation import service as status

    article, claim = page
    first = support(claim, "https://apnews.com/article/budget")
    support(claim, "https://www.reuters.com/world/budget")
    status.confirm(Claim.objects.get(pk=claim.pk), by=fact_checker, note="Two agencies.")
    before = client.get(article.get_absolute_url()).content.decode()
    assert "source changed" not in _row(before, claim)
    # The link checker's finding: the claim row itself does not change.
    Source.objects.filter(pk=first.source_id).update(link_state=Source.LinkState.DEAD)
    after = client.get(article.get_absolute_url()).content.decode()
    assert "source changed — review" in _row(after, claim)


def test_the_selected_row_is_marked_and_the_others_are_not(client: Client, page: Any) -> None:
    article, claim = page
    client.get(article.get_absolute_url())  # the rows are cached unselected
    selected = client.get(f"{article.get_absolute_url()}?claim={claim.pk}").content.decode()
    assert "selected" in _row(selected, claim).split(">")[0]
    others = article.claims.exclude(pk=claim.pk)
    assert all(" selected" not in _row(selected, other).split(">")[0] for other in others)
    plain = client.get(article.get_absolute_url()).content.decode()
    assert " selected" not in _row(plain, claim).split(">")[0]


def test_a_document_is_cited_not_quoted(client: Client, page: Any) -> None:
    """Issue 32: documents, figures and reports inform rather than speak, so the row
    introduces them with "according to", a person with "said by"."""
    article, claim = page
    others = list(article.claims.exclude(pk=claim.pk).order_by("start"))
    Claim.objects.filter(pk=claim.pk).update(speaker="the board's own figures")
    Claim.objects.filter(pk=others[0].pk).update(speaker="Amara Okafor")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "according to the board&#x27;s own figures" in html
    assert "said by the board" not in html
    assert "said by Amara Okafor" in html
