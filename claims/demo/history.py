"""A few weeks of a small desk, written through the application's own write paths.

``build(editor=...)`` submits the stories of ``stories`` and extracts them (the
extraction job's body, with the real pipeline), matches them against the earlier ones,
and has two fact-checkers and the editor assign, cite, capture, confirm, contradict and
unconfirm, as they would in the UI: every confirmation passes the confirmation rule on
captured, quote-checked, independent sources. Confirmations then lapse by what happens
to their basis: evidence removed, a source's page changed, a page gone, a story's
wording edited.

Two things are not as in production, and both are said here:

- Captures read the local snapshots of ``stories.PAGES`` instead of the web:
  ``offline`` puts them behind the capture module's one network seam (``safe_fetch``)
  for the length of the build, and refuses any other URL, so nothing leaves the machine.
- Each step happens *now*, and is then moved to its day in the past (``Timeline``):
  every time the step wrote, in every table of the app and its history, is moved back
  by the same amount. That is a write behind ``events.record``'s back, so ``build`` ends as
  the documentation asks of one (docs/dashboard.md): ``desk.rebuild()`` recomputes the
  dashboard's aggregates from the events.

Jobs are held (``jobs.held``): the build does their work itself, and no worker fetches
a demo page. The demo sources' link checks are stopped at the end, so the beat's
re-check does not take an invented domain for a dead page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.contrib.auth.models import User
from django.db import models, transaction
from django.db.models import Case, F, When
from django.utils import timezone

from claims import jobs
from claims.confirmation import service as status
from claims.demo.stories import CHANGED, FACTCHECKS, PAGES, STORIES
from claims.ingest import articles as ingest
from claims.matching import service as matching
from claims.models import Article, Claim, ClaimMatch, Evidence, Source, desk
from claims.review import edits
from claims.review.evidence import add_evidence, remove_evidence
from claims.sources import capture
from claims.sources.fetching import FetchResult

# Tables whose times a step does not move: the aggregates, rebuilt from the events.
NOT_MOVED = {"deskday", "firstdecision", "deskstock"}


class DemoError(RuntimeError):
    """The demo material no longer gives what the story needs (a claim not extracted)."""


@dataclass
class Desk:
    editor: User
    amara: User
    ben: User
    today: datetime
    articles: dict[str, Article] = field(default_factory=dict)
    pages: dict[str, tuple[str, str] | None] = field(default_factory=lambda: dict(PAGES))

    def day(self, days_ago: int, hour: float) -> datetime:
        """``days_ago`` days before today, at ``hour`` (local time)."""
        midnight = datetime.combine(self.today.date() - timedelta(days=days_ago), time.min)
        return timezone.make_aware(midnight) + timedelta(hours=hour)


# --- the two departures from production ---------------------------------------------------


@contextmanager
def offline(desk_: Desk) -> Iterator[None]:
    """Captures answer from the desk's snapshots: a page as it is now, a 404 for one
    taken down (``None``), and a refusal for any URL that is not a demo page."""

    def fetch(url: str, **options: Any) -> FetchResult:
        if url not in desk_.pages:
            return FetchResult("refused", "not a demo page (the demo fetches nothing)", url, url)
        page = desk_.pages[url]
        if page is None:
            return FetchResult("failed", "HTTP 404 Not Found", url, url, http_status=404)
        title, text = page
        return FetchResult("ok", "", url, url, http_status=200, content_type="text/html",
                           text=text, title=title)  # fmt: skip

    real = capture.safe_fetch
    capture.safe_fetch = fetch  # type: ignore[assignment]
    try:
        yield
    finally:
        capture.safe_fetch = real  # type: ignore[assignment]


def _dated_fields() -> list[tuple[type[models.Model], str]]:
    return [
        (model, f.name)
        for model in apps.get_app_config("claims").get_models()
        if model._meta.model_name not in NOT_MOVED
        for f in model._meta.concrete_fields
        if isinstance(f, models.DateTimeField)
    ]


@dataclass
class Timeline:
    """Steps run now, one after another; ``close`` then moves every time each step wrote
    back to that step's day, by the same amount for all it wrote (one UPDATE per dated
    column of the app: a time at or after a step's start and before the next step's)."""

    steps: list[tuple[datetime, datetime]] = field(default_factory=list)  # (began, day)

    @contextmanager
    def on(self, when: datetime) -> Iterator[None]:
        self.steps.append((timezone.now(), when))
        with transaction.atomic():
            yield

    def close(self) -> None:
        ends = [began for began, _ in self.steps[1:]] + [timezone.now()]
        moves = [(began, end, day - began) for (began, day), end in zip(self.steps, ends)]
        with transaction.atomic():
            for model, name in _dated_fields():
                within = {f"{name}__gte": moves[0][0], f"{name}__lt": moves[-1][1]}
                moved = Case(
                    *[When(**{f"{name}__gte": began, f"{name}__lt": end}, then=F(name) + by)
                      for began, end, by in moves],  # fmt: skip
                    default=F(name),
                    output_field=models.DateTimeField(),
                )
                model._base_manager.filter(**within).update(**{name: moved})


# --- the desk's actions, each one a write path of the app ---------------------------------


def publish(d: Desk, key: str) -> Article:
    """A story comes in, is extracted (the job's body) and matched to earlier claims."""
    story = STORIES[key]
    article = ingest.submit_article(
        title=story.title, outlet=story.outlet, url=story.url, text=story.text, by=d.editor
    )
    ingest.run_extraction(article.pk, article.revision)
    matching.match_article(article.pk)
    d.articles[key] = article
    return article


def claim(d: Desk, key: str, words: str) -> Claim:
    found = Claim.objects.filter(article=d.articles[key], orphaned=False, text__contains=words)
    if len(found) != 1:
        raise DemoError(f"{len(found)} claims of {key!r} say {words!r}; expected one.")
    return found[0]


def assign(d: Desk, key: str, to: User) -> None:
    for each in Claim.objects.filter(article=d.articles[key], check_worthy=True).order_by("pk"):
        edits.assign_claim(claim=each, to=to, by=d.editor)


def cite(
    d: Desk, found: Claim, url: str, excerpt: str, *, by: User, stance: str = "supports"
) -> Evidence:
    """Link a source (captured when new, as the capture job would) with its excerpt."""
    evidence = add_evidence(
        claim=found, by=by, stance=stance, url=url, kind=Source.Kind.PRIMARY, excerpt=excerpt
    )
    if not evidence.source.captures.exists():
        capture.capture(evidence.source_id)
    return evidence


def confirm(found: Claim, *, by: User, note: str) -> None:
    found.refresh_from_db()
    status.confirm(found, by=by, note=note)


def recapture(d: Desk, url: str, page: tuple[str, str] | None) -> str:
    """The page's next check finds it changed (or gone)."""
    d.pages[url] = page
    return capture.capture(Source.objects.get(url=url).pk)


def accept(d: Desk, found: Claim, *, by: User) -> None:
    """Accept the claim's match to an earlier confirmed claim, and confirm it with it."""
    match = ClaimMatch.objects.filter(claim=found, matched_claim__status="confirmed").first()
    if match is None:
        raise DemoError(f"claim #{found.pk} was not matched to a confirmed claim.")
    matching.accept_match(match=match, by=by, confirm=True)


# --- the story of the desk ------------------------------------------------------------------

MINUTES = "https://www.coastcounty.example/minutes/harbour-wall"
LABOUR = "https://www.regionalstats.example/labour-market/2025"
PORT = "https://www.portauthority.example/annual-report-2025"
HEALTH = "https://www.coasthealth.example/news/emergency-waits"
FERRY = "https://www.northportferries.example/timetable"
CENSUS = "https://www.schoolcensus.example/class-sizes"
HOUSING = "https://www.regionalstats.example/housing/completions"
FARES = "https://www.coastbuses.example/fares"
ROUTE = "https://www.coastcounty.example/news/route-12"
FUNDING = "https://www.educationfunding.example/capital/coast-county"
STORM = "https://www.metoffice.example/storms/elin"


def _weeks_one_and_two(d: Desk) -> list[tuple[int, float, Callable[[], Any]]]:
    wall = lambda: claim(d, "harbour-wall", "£4.2 million")  # noqa: E731
    return [
        (28, 9, lambda: matching.import_factchecks(FACTCHECKS)),
        (27, 8, lambda: (publish(d, "harbour-wall"), assign(d, "harbour-wall", d.amara))),
        (27, 10.5, lambda: cite(d, wall(), MINUTES, "approved £4.2 million for repairs to the "
                                "harbour wall", by=d.amara)),  # fmt: skip
        (27, 11, lambda: confirm(wall(), by=d.amara, note="The council's minutes agree.")),
        (27, 14, lambda: cite(d, claim(d, "harbour-wall", "4.1 percent"), LABOUR,
                              "Unemployment in Coast County fell to 4.1 percent", by=d.amara)),
        (27, 14.2, lambda: confirm(claim(d, "harbour-wall", "4.1 percent"), by=d.amara,
                                   note="The labour market release says so.")),  # fmt: skip
        (26, 9, lambda: cite(d, claim(d, "harbour-wall", "twice a day"), FERRY,
                             "The ferry to Northport will run twice a day", by=d.ben)),
        (26, 9.5, lambda: confirm(claim(d, "harbour-wall", "twice a day"), by=d.ben,
                                  note="The operator's timetable.")),  # fmt: skip
        (25, 11, lambda: cite(d, claim(d, "harbour-wall", "2.3 million tonnes"), PORT,
                              "The harbour handled 1.9 million tonnes of cargo in 2025",
                              by=d.ben, stance="refutes")),  # fmt: skip
        (24, 8, lambda: (publish(d, "hospital-waits"), assign(d, "hospital-waits", d.ben))),
        (24, 9, lambda: cite(d, claim(d, "hospital-waits", "5.2 hours"), HEALTH,
                             "rose to 5.2 hours in October", by=d.ben)),
        (24, 9.2, lambda: confirm(claim(d, "hospital-waits", "5.2 hours"), by=d.ben,
                                  note="The trust's own figures.")),  # fmt: skip
        (23, 15, lambda: accept(d, claim(d, "hospital-waits", "4.1 percent"), by=d.ben)),
        (22, 10, lambda: cite(d, claim(d, "hospital-waits", "40 new nurses"), HEALTH,
                              "40 new nurses will start work at the hospital", by=d.amara)),
        (22, 10.3, lambda: confirm(claim(d, "hospital-waits", "40 new nurses"), by=d.amara,
                                   note="The trust's update.")),  # fmt: skip
        (21, 8, lambda: (publish(d, "ferry-cut"), assign(d, "ferry-cut", d.amara))),
        (21, 12, lambda: cite(d, claim(d, "ferry-cut", "2.3 million tonnes"), PORT,
                              "The harbour handled 1.9 million tonnes of cargo in 2025",
                              by=d.amara, stance="refutes")),  # fmt: skip
        (21, 12.5, lambda: cite(d, claim(d, "ferry-cut", "1,200 people"), PORT,
                                "The port employs 1,200 people", by=d.amara)),
        (20, 16, lambda: confirm(claim(d, "ferry-cut", "1,200 people"), by=d.amara,
                                 note="The annual report.")),  # fmt: skip
    ]


def _weeks_three_and_four(d: Desk) -> list[tuple[int, float, Callable[[], Any]]]:
    once = lambda: claim(d, "ferry-cut", "once a day")  # noqa: E731
    twice = lambda: claim(d, "harbour-wall", "twice a day")  # noqa: E731
    funds = lambda: claim(d, "classrooms", "£12 million")  # noqa: E731
    return [
        (19, 7, lambda: recapture(d, FERRY, CHANGED[FERRY])),  # the timetable changed
        (19, 10, lambda: status.unconfirm(twice(), by=d.ben, note="The timetable changed.")),
        (18, 9, lambda: cite(d, once(), FERRY, "one crossing to Northport a day from June",
                             by=d.ben)),  # fmt: skip
        (18, 9.1, lambda: confirm(once(), by=d.ben, note="The new timetable.")),
        (17, 8, lambda: (publish(d, "classrooms"), assign(d, "classrooms", d.amara))),
        (17, 11, lambda: cite(d, funds(), FUNDING, "will spend £12 million on new classrooms",
                              by=d.amara)),  # fmt: skip
        (17, 11.5, lambda: confirm(funds(), by=d.amara, note="The capital allocations.")),
        (16, 9, lambda: cite(d, claim(d, "classrooms", "24 pupils"), CENSUS,
                             "The average class in county schools had 27 pupils", by=d.ben,
                             stance="refutes")),  # fmt: skip
        (16, 14, lambda: accept(d, claim(d, "classrooms", "£4.2 million"), by=d.editor)),
        (13, 8, lambda: (publish(d, "homes"), assign(d, "homes", d.ben))),
        (13, 13, lambda: cite(d, claim(d, "homes", "600 new homes"), HOUSING,
                              "410 new homes were built in the county last year", by=d.amara,
                              stance="refutes")),  # fmt: skip
        (13, 13.5, lambda: cite(d, claim(d, "homes", "7 percent"), HOUSING,
                                "Average rents in Coast County rose by 7 percent", by=d.amara)),
        (12, 9, lambda: confirm(claim(d, "homes", "7 percent"), by=d.amara,
                                note="The statistics office.")),  # fmt: skip
        (11, 10, lambda: remove_evidence(evidence=funds().evidence.get(), by=d.editor)),
        (10, 15, lambda: accept(d, claim(d, "homes", "5.2 hours"), by=d.ben)),
    ]


def _weeks_five_and_six(d: Desk) -> list[tuple[int, float, Callable[[], Any]]]:
    route = lambda: claim(d, "bus-route", "number 12")  # noqa: E731
    storm = lambda: claim(d, "storm", "three days")  # noqa: E731
    revised = lambda: STORIES["storm"].text.replace("three days", "four days")  # noqa: E731
    return [
        (9, 8, lambda: (publish(d, "bus-route"), assign(d, "bus-route", d.ben))),
        (9, 10, lambda: cite(d, route(), ROUTE, "The number 12 bus route will close on 1 "
                             "February", by=d.ben)),  # fmt: skip
        (9, 10.5, lambda: confirm(route(), by=d.ben, note="The council's press release.")),
        (9, 12, lambda: cite(d, claim(d, "bus-route", "15 percent"), FARES,
                             "Bus fares in the county rose by 9 percent this year", by=d.ben,
                             stance="refutes")),  # fmt: skip
        (8, 16, lambda: accept(d, claim(d, "bus-route", "4.1 percent"), by=d.amara)),
        (6, 9, lambda: recapture(d, ROUTE, None)),  # the press release was taken down
        (5, 8, lambda: (publish(d, "storm"), assign(d, "storm", d.amara))),
        (5, 9.5, lambda: cite(d, storm(), STORM, "Storm Elin closed the harbour for three days",
                              by=d.amara)),  # fmt: skip
        (5, 10, lambda: confirm(storm(), by=d.amara, note="The storm report.")),
        (3, 11, lambda: ingest.revise_article(article=d.articles["storm"], text=revised(),
                                              by=d.editor)),  # fmt: skip
        (3, 11.1, lambda: ingest.run_extraction(d.articles["storm"].pk, 2)),
        (2, 10, lambda: status.unconfirm(claim(d, "hospital-waits", "40 new nurses"),
                                         by=d.amara, note="The start date moved.")),
    ]


def build(*, editor: User, amara: User, ben: User) -> Desk:
    """Write the desk's history, oldest first; return what was made."""
    d = Desk(editor=editor, amara=amara, ben=ben, today=timezone.localtime())
    steps = [*_weeks_one_and_two(d), *_weeks_three_and_four(d), *_weeks_five_and_six(d)]
    timeline = Timeline()
    with jobs.held(), offline(d):
        for days_ago, hour, step in steps:
            with timeline.on(d.day(days_ago, hour)):
                step()
    timeline.close()
    for source in Source.objects.filter(url__in=list(PAGES)):  # today
        capture.stop_checks(source, by=editor)
    desk.rebuild()
    return d
