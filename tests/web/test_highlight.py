"""The highlighted article text, written in Python (``highlight.body_html``), is the
markup the template loop wrote before: same elements, attributes, classes and escaping,
for any mix of claims, repeats, hedge cues, speakers and dropped boilerplate."""

from __future__ import annotations

from django.template import Context, Template
from hypothesis import given, settings
from hypothesis import strategies as st

from claims.models import Article, Claim
from claims.web import highlight

# The loop of templates/claims/article_detail.html before body_html replaced it.
TEMPLATE_LOOP = Template(
    '{% for seg in segments %}{% if seg.role == "claim" %}<mark data-start="{{ seg.start }}"'
    ' class="hl status-{{ seg.claim.status }}{% if seg.claim.contradicted %} contradicted'
    '{% endif %}{% if seg.mark %} hl-{{ seg.mark }}{% endif %}" data-claim="{{ seg.claim.pk }}"'
    '{% if seg.mark %} title="{{ seg.mark }}"{% endif %}>{{ seg.text }}</mark>'
    '{% elif seg.role == "repeat" %}<span data-start="{{ seg.start }}" class="faded repeat"'
    ' data-claim="{{ seg.claim.pk }}" title="Repeat of an earlier sentence">{{ seg.text }}'
    '</span>{% elif seg.role == "dropped" %}<span data-start="{{ seg.start }}"'
    ' class="faded dropped" title="Left out: boilerplate or repeated paragraph">'
    '{{ seg.text }}</span>{% else %}<span data-start="{{ seg.start }}">{{ seg.text }}'
    "</span>{% endif %}{% endfor %}"
)

TEXT = st.text(alphabet=st.sampled_from(list("ab <>&\"'é\n.")), min_size=1, max_size=120)


@st.composite
def spans(draw: st.DrawFn, size: int) -> tuple[int, int]:
    start = draw(st.integers(0, max(0, size - 1)))
    end = draw(st.integers(start + 1, size))
    return start, end


@st.composite
def articles(draw: st.DrawFn) -> tuple[Article, list[Claim]]:
    body = draw(TEXT)
    size = len(body)
    article = Article(pk=1, body=body, revision=2)
    article.dropped = [
        dict(zip(("start", "end"), draw(spans(size)), strict=True))
        for _ in range(draw(st.integers(0, 2)))
    ]
    claims = []
    for pk in range(1, draw(st.integers(0, 5)) + 1):
        start, end = draw(spans(size))
        claim = Claim(
            pk=pk * 1000 + 7,  # four digits: no thousands separator may appear
            article=article,
            revision=draw(st.sampled_from([2, 2, 1])),
            orphaned=draw(st.booleans()) and draw(st.booleans()),
            start=start,
            end=end,
            status=draw(st.sampled_from(Claim.Status.values)),
            occurrences=[[start, end]]
            + [list(draw(spans(size))) for _ in range(draw(st.integers(0, 2)))],
            hedge_cues=[
                dict(zip(("start", "end"), draw(spans(size)), strict=True))
                for _ in range(draw(st.integers(0, 2)))
            ],
            attribution=draw(
                st.none() | spans(size).map(lambda s: {"speaker_start": s[0], "speaker_end": s[1]})
            ),
        )
        if draw(st.booleans()):
            claim.contradicted = draw(st.booleans())
        claims.append(claim)
    return article, claims


@settings(max_examples=300, deadline=None)
@given(articles())
def test_body_html_is_the_markup_of_the_template_loop(case: tuple[Article, list[Claim]]) -> None:
    article, claims = case
    segments = highlight.segments(article, claims)
    expected = TEMPLATE_LOOP.render(Context({"segments": segments}))
    assert highlight.body_html(segments) == expected


def test_body_html_escapes_the_article_text() -> None:
    article = Article(pk=1, body='<script>alert("x")</script> & more', revision=1)
    article.dropped = []
    html = highlight.body_html(highlight.segments(article, []))
    assert html == (
        '<span data-start="0">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more</span>'
    )
