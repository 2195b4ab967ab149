"""A generated database for the page benchmarks (``bench/pages.py``): many claims, fast.

Builds ``--articles`` articles of ``--claims-per-article`` claims each (one of them,
the "big" article, with ``--big-article`` claims), sources, evidence (some refuting,
so some claims are contradicted), confirmed claims and one user per role, with bulk
inserts; on PostgreSQL the claims go in with ``COPY`` (``--no-copy``: bulk inserts), which
is what makes a 1,000,000-claim database (``--articles 20000``) a matter of minutes. Every
generated article's URL starts with ``https://bench.invalid/``; running
it again replaces those rows. It refuses to run on a database holding other articles
unless ``--force`` (and then it leaves the other articles alone).
"""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from django.apps import apps
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from claims import roles
from claims.models import (
    Article,
    ArticleCounts,
    ArticleRevision,
    Claim,
    ClaimEvent,
    Evidence,
    Source,
    counts,
)

BENCH_URL = "https://bench.invalid/"
PASSWORD = "bench-password"
USERS = {
    "bench-editor": roles.EDITORS,
    "bench-checker": roles.FACT_CHECKERS,
    "bench-viewer": roles.VIEWERS,
}
OUTLETS = ["Daily Ledger", "Morning Wire", "The Courier", "Evening Post", "City Herald"]
PEOPLE = ["John Kerry", "Angela Merkel", "Maria Lopez", "David Chen", "Amina Yusuf"]
PLACES = ["Baghdad", "Brussels", "Berlin", "Madrid", "Nairobi", "Ohio", "Lagos", "Lima"]
ORGS = ["the ministry", "NATO", "the central bank", "the council", "the health agency"]
SENTENCES = [
    "{person} said {org} would spend {n} million dollars on roads in {place}.",
    "Unemployment in {place} fell to {pct} percent last year, according to {org}.",
    "{org} may delay the vote until spring, officials say.",
    "Prices rose {pct} percent in {place} last month, the fastest rise since {year}.",
    "There were reports that {n} people had been arrested in {place}.",
    "{person} denied that {org} had lost {n} million dollars.",
    "The plan is likely to cost about {n} billion euros over {k} years.",
    "Critics argue the law will hurt {n} small farms in {place}.",
]
TYPES = [choice for choice, _ in Claim.Type.choices]
BATCH = 2000
COPY_BATCH = 50_000  # claims per COPY: one stream, memory bounded


class Command(BaseCommand):
    help = "Generate a benchmark database (articles, claims, sources, evidence, users)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--articles", type=int, default=2000)
        parser.add_argument("--claims-per-article", type=int, default=50)
        parser.add_argument(
            "--big-article",
            type=int,
            default=500,
            help="claims of the first article (0: like the others)",
        )
        parser.add_argument("--sources", type=int, default=500)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--force", action="store_true", help="run even if other articles exist")
        parser.add_argument(
            "--no-copy", action="store_true", help="bulk INSERTs even on PostgreSQL (no COPY)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        others = Article.objects.exclude(url__startswith=BENCH_URL).count()
        if others and not options["force"]:
            raise CommandError(
                f"This database holds {others} articles that are not benchmark data "
                f"({connection.settings_dict['NAME']}); use a database of its own, or --force."
            )
        started = time.perf_counter()
        rng = random.Random(options["seed"])
        wipe()
        users = make_users()
        with transaction.atomic():
            sources = make_sources(options["sources"], users["bench-checker"])
            articles = make_articles(rng, options["articles"], users["bench-editor"])
            n_claims = make_claims(rng, articles, options["claims_per_article"], options)
            n_evidence = make_evidence(rng, sources, users["bench-checker"])
            counts.refresh_all()  # the claims' COPY bypassed the stored counts
        self.stdout.write(
            f"Seeded {len(articles)} articles, {n_claims} claims, {len(sources)} sources, "
            f"{n_evidence} evidence in {time.perf_counter() - started:.1f} s."
        )


def wipe() -> None:
    """Delete the generated rows (raw deletes: no per-row signals or history)."""
    with transaction.atomic():
        articles = Article.objects.filter(url__startswith=BENCH_URL)
        claims = Claim.objects.filter(article__in=articles)
        ArticleCounts.objects.filter(article__in=articles)._raw_delete(connection.alias)
        for model in _matching_models():
            model.objects.filter(claim__in=claims)._raw_delete(connection.alias)
        Evidence.objects.filter(claim__in=claims)._raw_delete(connection.alias)
        ClaimEvent.objects.filter(article__in=articles)._raw_delete(connection.alias)
        Claim.history.filter(article_id__in=articles.values("pk"))._raw_delete(connection.alias)
        claims._raw_delete(connection.alias)
        ArticleRevision.objects.filter(article__in=articles)._raw_delete(connection.alias)
        Article.history.filter(url__startswith=BENCH_URL)._raw_delete(connection.alias)
        articles._raw_delete(connection.alias)
        Evidence.objects.filter(source__url__startswith=BENCH_URL)._raw_delete(connection.alias)
        Source.objects.filter(url__startswith=BENCH_URL)._raw_delete(connection.alias)


def _matching_models() -> list[Any]:
    """Models of the claim-matching feature that point at claims, when installed."""
    names = ["ClaimMatch", "Embedding"]
    found = []
    for name in names:
        try:
            found.append(apps.get_model("claims", name))
        except LookupError:
            continue
    return [m for m in found if m._meta.db_table in connection.introspection.table_names()]


def make_users() -> dict[str, User]:
    roles.sync_roles(apps)
    users = {}
    for username, group in USERS.items():
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_password(PASSWORD)
            user.save()
        user.groups.add(Group.objects.get(name=group))
        users[username] = user
    return users


def make_sources(n: int, by: User) -> list[Source]:
    now = timezone.now()
    sources = [
        Source(
            url=f"{BENCH_URL}source/{i}",
            title=f"Source document {i}",
            publisher=f"Publisher {i % 40}",
            domain=f"publisher{i % 40}.example",
            kind=Source.Kind.OFFICIAL if i % 3 else Source.Kind.NEWS,
            fetch_state=Source.FetchState.OK,
            link_state=Source.LinkState.DEAD if i % 25 == 0 else Source.LinkState.ALIVE,
            fetched_at=now,
            last_checked_at=now,
            created_by=by,
        )
        for i in range(n)
    ]
    return Source.objects.bulk_create(sources, batch_size=BATCH)


def _sentence(rng: random.Random) -> str:
    return rng.choice(SENTENCES).format(
        person=rng.choice(PEOPLE),
        place=rng.choice(PLACES),
        org=rng.choice(ORGS),
        n=rng.randint(2, 900),
        pct=round(rng.uniform(0.5, 12.0), 1),
        k=rng.randint(2, 9),
        year=rng.randint(1990, 2015),
    )


def _body(rng: random.Random, n: int) -> tuple[str, list[tuple[int, int]]]:
    """A text of ``n`` sentences in paragraphs of 3, and each sentence's offsets."""
    parts: list[str] = []
    spans = []
    offset = 0
    for i in range(n):
        sep = "" if i == 0 else ("\n\n" if i % 3 == 0 else " ")
        sentence = _sentence(rng)
        offset += len(sep)
        spans.append((offset, offset + len(sentence)))
        parts.append(sep + sentence)
        offset += len(sentence)
    return "".join(parts), spans


def make_articles(rng: random.Random, n: int, by: User) -> list[Article]:
    """Articles (done), each with its revision; bodies are written by ``make_claims``."""
    day = datetime(2025, 1, 1, tzinfo=UTC)  # published_at is a moment, not a date
    articles = [
        Article(
            title=f"Bench article {i}: " + _sentence(rng)[:80],
            outlet=OUTLETS[i % len(OUTLETS)],
            outlet_domain=f"outlet{i % len(OUTLETS)}.example",
            url=f"{BENCH_URL}article/{i}",
            published_at=day + timedelta(days=i % 365),
            state=Article.State.DONE,
            pipeline_version="bench",
            created_by=by,
            assignee=by if i % 7 == 0 else None,
        )
        for i in range(n)
    ]
    return Article.objects.bulk_create(articles, batch_size=BATCH)


def make_claims(
    rng: random.Random, articles: list[Article], per_article: int, options: dict[str, Any]
) -> int:
    users = list(User.objects.filter(username__in=USERS))
    copy = connection.vendor == "postgresql" and not options.get("no_copy")
    now = timezone.now()
    revisions, claims, total = [], [], 0
    for position, article in enumerate(articles):
        # The first article is the big one when ``--big-article`` asks for it.
        n = (options["big_article"] if position == 0 else 0) or per_article
        body, spans = _body(rng, n)
        article.body = body
        revisions.append(ArticleRevision(article=article, number=1, body=body))
        for index, (start, end) in enumerate(spans):
            score = rng.random()
            confirmed = rng.random() < 0.03
            speaker = rng.choice(PEOPLE) if rng.random() < 0.3 else ""
            claims.append(
                Claim(
                    article=article,
                    revision=1,
                    sentence_index=index,
                    text=body[start:end],
                    start=start,
                    end=end,
                    prefix=body[max(0, start - 32) : start],
                    suffix=body[end : end + 32],
                    occurrences=[[start, end]],
                    checkworthiness=score,
                    check_worthy=score >= 0.5,
                    claim_type=rng.choice(TYPES),
                    hedged=rng.random() < 0.15,
                    speaker=speaker,
                    attribution={"speaker": speaker} if speaker else None,
                    pipeline_version="bench",
                    status=Claim.Status.CONFIRMED if confirmed else Claim.Status.UNCONFIRMED,
                    status_changed_by=rng.choice(users) if confirmed else None,
                    status_changed_at=now if confirmed else None,
                    assignee=rng.choice(users) if rng.random() < 0.05 else None,
                )
            )
        if len(claims) >= (COPY_BATCH if copy else BATCH):
            total += insert_claims(claims, copy)
            claims = []
    total += insert_claims(claims, copy)
    Article.objects.bulk_update(articles, ["body"], batch_size=500)
    ArticleRevision.objects.bulk_create(revisions, batch_size=500)
    return total


def insert_claims(claims: list[Claim], copy: bool) -> int:
    """Insert the claims: ``COPY ... FROM STDIN`` on PostgreSQL, else bulk INSERTs."""
    if not copy:
        return len(Claim.objects.bulk_create(claims, batch_size=BATCH))
    return copy_rows(Claim, claims)


def copy_rows(model: Any, objects: list[Any]) -> int:
    """Write ``objects`` (unsaved, no primary key) with PostgreSQL's ``COPY``: each
    field's value as its ``get_db_prep_save`` gives it, the primary key left to its
    sequence, ``search_text`` folded as ``bulk_create`` folds it. No signals, no history:
    seed data only."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    for obj in objects:
        if hasattr(obj, "fold_search_text"):  # else every search finds nothing
            obj.fold_search_text()
        for field in fields:  # auto_now(_add) and defaults, as save() would set them
            if getattr(field, "auto_now", False) or (
                getattr(field, "auto_now_add", False) and getattr(obj, field.attname) is None
            ):
                setattr(obj, field.attname, timezone.now())
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for obj in objects:
            copy.write_row(
                [
                    _copy_value(f.get_db_prep_save(getattr(obj, f.attname), connection))
                    for f in fields
                ]
            )
    return len(objects)


def _copy_value(value: Any) -> Any:
    """psycopg's adapted values (``Jsonb`` for JSON fields) as COPY takes them."""
    from psycopg.types.json import Jsonb

    if isinstance(value, Jsonb):
        return json.dumps(value.obj)
    return value


def make_evidence(rng: random.Random, sources: list[Source], by: User) -> int:
    """Evidence on ~3% of claims (a fifth of it refuting), and on the big article's
    first claims, so the claim panel has rows to show."""
    claim_ids = list(
        Claim.objects.filter(article__url__startswith=BENCH_URL).values_list("pk", flat=True)
    )
    chosen = set(rng.sample(claim_ids, k=len(claim_ids) // 33)) | set(sorted(claim_ids)[:20])
    evidence = []
    for claim_id in sorted(chosen):
        for source in rng.sample(sources, k=rng.randint(1, 3)):
            stance = Evidence.Stance.REFUTES if rng.random() < 0.2 else Evidence.Stance.SUPPORTS
            evidence.append(
                Evidence(
                    claim_id=claim_id,
                    source=source,
                    stance=stance,
                    excerpt="An excerpt of the source that bears on the claim.",
                    quote_check=Evidence.QuoteCheck.FOUND,
                    added_by=by,
                )
            )
    return len(Evidence.objects.bulk_create(evidence, batch_size=BATCH))
