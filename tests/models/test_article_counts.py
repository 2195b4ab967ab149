"""The articles' stored claim counts (``counts.ArticleCounts``) always equal a recount.

Any sequence of writes, by every write path the model layer has (``save`` with or
without ``update_fields``, ``QuerySet.update``, ``bulk_update``, ``bulk_create``,
``delete`` of a row or of a queryset, on claims and on evidence, and the confirmation
service's status changes), leaves each article's stored counts equal to
``ClaimQuerySet.counts()`` of its claims; the audit finds drift and repairs it; and two
connections changing claims of one article at once (PostgreSQL) both end up counted."""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.confirmation import audit
from claims.confirmation import service as status
from claims.models import Article, ArticleCounts, Claim, Evidence, Source, counts

STATUSES = Claim.Status.values
STANCES = Evidence.Stance.values
FACTUALITY = [Claim.Factuality.ASSERTED, Claim.Factuality.UNVERIFIED_REPORT]


def stored(article: Article) -> dict[str, int]:
    row = ArticleCounts.objects.filter(pk=article.pk).first()
    return {name: getattr(row, name) if row else 0 for name in counts.COUNTED}


def recounted(article: Article) -> dict[str, int]:
    """The independent count: ``ClaimQuerySet.counts()`` (one aggregate, as the article
    page's readiness box reads it when nothing is loaded)."""
    return vars(Claim.objects.filter(article=article).in_text().counts())


def new_claim(article: Article, n: int, **fields: Any) -> Claim:
    start = 10 * n
    return Claim(
        article=article, revision=1, sentence_index=n, text=f"Claim number {n} said 4{n}%.",
        start=start, end=start + 5, checkworthiness=0.5, **fields,
    )  # fmt: skip


def sources(n: int) -> list[Source]:
    return [
        Source.objects.create(url=f"https://www.s{i}.org/r", publisher=f"s{i}.org", domain="x")
        for i in range(n)
    ]


ops = st.one_of(
    st.tuples(st.just("add"), st.integers(0, 1), st.booleans(), st.sampled_from(FACTUALITY),
              st.booleans(), st.booleans()),
    st.tuples(st.just("status"), st.integers(0, 30), st.sampled_from(STATUSES), st.integers(0, 2)),
    st.tuples(st.just("worthy"), st.integers(0, 30), st.booleans(), st.integers(0, 2)),
    st.tuples(st.just("orphan"), st.integers(0, 30), st.booleans()),
    st.tuples(st.just("hedge"), st.integers(0, 30), st.booleans(), st.sampled_from(FACTUALITY)),
    st.tuples(st.just("evidence"), st.integers(0, 30), st.integers(0, 2),
              st.sampled_from(STANCES), st.integers(0, 2)),
    st.tuples(st.just("drop_evidence"), st.integers(0, 30), st.booleans()),
    st.tuples(st.just("drop_claim"), st.integers(0, 30), st.booleans()),
)  # fmt: skip


def apply(
    op: tuple[Any, ...], articles: list[Article], made: list[Source], serial: Iterator[int]
) -> None:
    """One write, by one of the write paths (chosen by the op's last numbers)."""
    claims = list(Claim.objects.filter(article__in=articles).order_by("pk"))
    kind = op[0]
    if kind == "add":
        _, which, worthy, factuality, hedged, bulk = op
        claim = new_claim(
            articles[which], next(serial), check_worthy=worthy, factuality=factuality, hedged=hedged
        )
        Claim.objects.bulk_create([claim]) if bulk else claim.save()
        return
    if kind == "drop_evidence":
        evidence = Evidence.objects.filter(claim__in=claims).order_by("pk")
        chosen = evidence[op[1] % max(1, evidence.count()) :][:1]
        if op[2]:
            chosen.first() and chosen.get().delete()
        else:
            Evidence.objects.filter(pk__in=list(chosen.values_list("pk", flat=True))).delete()
        return
    if not claims:
        return
    claim = claims[op[1] % len(claims)]
    one = Claim.objects.filter(pk=claim.pk)
    if kind == "status":
        _, _, new, path = op
        if path == 0:
            claim.set_status(new, by=None, reason="test")
        elif path == 1:
            one.update(status=new)
        else:
            claim.status = new
            Claim.objects.bulk_update([claim], ["status"])
    elif kind == "worthy":
        _, _, worthy, path = op
        claim.check_worthy = worthy
        if path == 0:
            claim.save()
        elif path == 1:
            claim.save(update_fields=["check_worthy"])
        else:
            Claim.objects.bulk_update([claim], ["check_worthy"])
    elif kind == "orphan":
        one.update(orphaned=op[2])
    elif kind == "hedge":
        one.update(hedged=op[2], factuality=op[3])
    elif kind == "evidence":
        _, _, source, stance, path = op
        found = Evidence.objects.filter(claim=claim, source=made[source]).first()
        if found is None:
            fresh = Evidence(claim=claim, source=made[source], stance=stance)
            Evidence.objects.bulk_create([fresh]) if path == 0 else fresh.save()
        elif path == 0:
            Evidence.objects.filter(pk=found.pk).update(stance=stance)
        elif path == 1:
            found.stance = stance
            found.save(update_fields=["stance"])
        else:
            found.stance = stance
            Evidence.objects.bulk_update([found], ["stance"])
    elif kind == "drop_claim":
        claim.delete() if op[2] else one.delete()


@pytest.mark.django_db
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(ops, min_size=1, max_size=25))
def test_after_any_writes_the_stored_counts_equal_a_recount(
    make_article: Callable[..., Article], steps: list[tuple[Any, ...]]
) -> None:
    with transaction.atomic():
        articles = [make_article(url=f"https://www.dailyexample.com/{i}") for i in range(2)]
        made, serial = sources(3), itertools.count(10)
        for step in steps:
            apply(step, articles, made, serial)
            for article in articles:
                assert stored(article) == recounted(article), step
        assert counts.drift() == []
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_compiled_recount_is_the_orm_s_query_for_any_number_of_articles(
    make_article: Callable[..., Article],
) -> None:
    """``recount`` runs ``counts_by_article``'s SQL compiled once, with the articles as
    one parameter: the same numbers as the ORM running it, for one article, several,
    and one with no claim; its columns come in ``COUNTED`` order."""
    articles = [make_article(url=f"https://www.dailyexample.com/{i}") for i in range(3)]
    Claim.objects.filter(article=articles[1]).update(status=Claim.Status.CONFIRMED)
    Claim.objects.filter(article=articles[2]).update(orphaned=True)
    query = Claim.objects.all().counts_by_article_query()
    assert list(query.query.annotation_select) == [f"c_{name}" for name in counts.COUNTED]
    ids = [article.pk for article in articles]
    orm = Claim.objects.filter(article_id__in=ids).counts_by_article()
    zero = dict.fromkeys(counts.COUNTED, 0)
    assert counts.recount(ids) == {pk: orm.get(pk, zero) for pk in ids}
    assert counts.recount(ids[1:2]) == {ids[1]: orm[ids[1]]}
    assert counts.recount([ids[2], 10**9]) == {ids[2]: zero, 10**9: zero}


@pytest.mark.django_db
def test_a_new_article_s_claims_are_counted(make_article: Callable[..., Article]) -> None:
    article = make_article()
    assert stored(article)["total"] == 2 == stored(article)["worthy"]
    assert stored(article)["open"] == 2


@pytest.mark.django_db
def test_the_confirmation_service_s_status_change_is_counted(
    make_article: Callable[..., Article], editor: User
) -> None:
    article = make_article()
    claim = article.claims.order_by("start").first()
    assert claim is not None
    Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.CONFIRMED)
    assert stored(article)["confirmed"] == 1
    status.unconfirm(Claim.objects.get(pk=claim.pk), by=editor, note="not sure")
    assert stored(article) == recounted(article)
    assert stored(article)["confirmed"] == 0


@pytest.mark.django_db
def test_the_audit_reports_and_repairs_drift(make_article: Callable[..., Article]) -> None:
    article = make_article()
    ArticleCounts.objects.filter(pk=article.pk).update(total=7, open=0)
    found = counts.drift()
    assert [f["article"] for f in found] == [article.pk]
    assert found[0]["stored"]["total"] == 7 and found[0]["recounted"]["total"] == 2
    assert stored(article) == recounted(article)
    assert counts.drift() == []
    # Run by the daily confirmation audit, too.
    ArticleCounts.objects.filter(pk=article.pk).delete()
    run = audit.audit()
    assert run.counts_repaired == 1
    assert stored(article) == recounted(article)


# --- Two connections at once (PostgreSQL) ----------------------------------------------

TRIES = 25


def _race(*steps: Callable[[], Any]) -> None:
    """Each step in a transaction of its own thread (its own connection), all starting
    at a barrier; each holds its transaction open a moment after writing."""
    barrier = threading.Barrier(len(steps))
    errors: list[BaseException] = []

    def run(step: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            with transaction.atomic():
                step()
                time.sleep(random.random() / 200)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(step,)) for step in steps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="races need two PostgreSQL connections"
)
def test_two_connections_changing_claims_of_one_article_are_both_counted(
    make_article: Callable[..., Article],
) -> None:
    article = make_article(sentences=[f"Sentence {i} says {i}0 percent." for i in range(4)])
    refuter = sources(1)[0]
    for attempt in range(TRIES):
        claims = list(article.claims.order_by("start"))
        first, second = claims[attempt % 4], claims[(attempt + 1) % 4]
        new = STATUSES[attempt % len(STATUSES)]
        stance = STANCES[attempt % len(STANCES)]

        def confirm_first(pk: int = first.pk, new: str = new) -> None:
            Claim.objects.get(pk=pk).set_status(new, by=None, reason="race")

        def refute_second(pk: int = second.pk, stance: str = stance) -> None:
            Evidence.objects.update_or_create(
                claim_id=pk, source=refuter, defaults={"stance": stance}
            )

        steps = (confirm_first, refute_second)
        _race(*(steps if attempt % 2 else steps[::-1]))
        assert stored(article) == recounted(article), attempt


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="races need two PostgreSQL connections"
)
def test_two_changes_spanning_two_articles_in_opposite_orders_do_not_deadlock(
    make_article: Callable[..., Article],
) -> None:
    """A basis change that writes claims of two articles (a source cited in both) takes
    both articles' counts rows when it locks its claims, so two such changes writing
    disjoint claims in opposite orders take turns instead of each holding one row while
    waiting for the other (PostgreSQL would abort one with a deadlock)."""
    first = make_article(sentences=["The first story says 10 percent.", "And 20 percent."])
    second = make_article(sentences=["The second story says 30 percent.", "And 40 percent."])
    a1, a2 = first.claims.order_by("start")
    b1, b2 = second.claims.order_by("start")

    def change(mine: list[Claim]) -> Callable[[], None]:
        def step() -> None:
            with status.basis_change([c.pk for c in mine], cause="race") as held:
                for claim in mine:
                    fresh = held.claims[claim.pk]
                    fresh.check_worthy = not fresh.check_worthy
                    fresh.save(update_fields=["check_worthy"])
                    time.sleep(0.3)  # the other change takes its first article meanwhile

        return step

    _race(change([a1, b1]), change([b2, a2]))
    assert stored(first) == recounted(first)
    assert stored(second) == recounted(second)
