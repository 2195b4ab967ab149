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

import logging
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

SUPPORTS, REFUTES = Evidence.Stance.SUPPORTS, Evidence.Stance.REFUTES
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
def offline(d: Desk) -> Iterator[None]:
    """Captures answer from the desk's snapshots: a page as it is now, a 404 for one
    taken down (``None``), and a refusal for any URL that is not a demo page."""

    def fetch(url: str, **options: Any) -> FetchResult:
        if url not in d.pages:
            return FetchResult("refused", "not a demo page (the demo fetches nothing)", url, url)
        page = d.pages[url]
        if page is None:
            return FetchResult("failed", "HTTP 404 Not Found", url, url, http_status=404)
        title, text = page
        return FetchResult("ok", "", url, url, http_status=200, content_type="text/html",
                           text=text, title=title)  # fmt: skip

    real = capture.safe_fetch
    capture.safe_fetch = fetch
    try:
        yield
    finally:
        capture.safe_fetch = real


@contextmanager
def quiet() -> Iterator[None]:
    """The steps log what the worker logs ("source 9 not captured: HTTP 404"), which on
    ``make run``'s console would read as a fault of this run: below warnings, not shown."""
    logger = logging.getLogger("claims")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


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
        with transaction.atomic():  # its jobs, sent on commit, are held with it
            yield

    def close(self) -> None:
        ends = [began for began, _ in self.steps[1:]] + [timezone.now()]
        moves = [
            (began, end, day - began) for (began, day), end in zip(self.steps, ends, strict=True)
        ]
        with transaction.atomic():
            for model, name in _dated_fields():
                within = {f"{name}__gte": moves[0][0], f"{name}__lt": moves[-1][1]}
                moved = Case(
                    *[
                        When(**{f"{name}__gte": began, f"{name}__lt": end}, then=F(name) + by)
                        for began, end, by in moves
                    ],
                    default=F(name),
                    output_field=models.DateTimeField(),
                )
                model._base_manager.filter(**within).update(**{name: moved})


# --- the desk's actions, each one a write path of the app ---------------------------------


def publish(d: Desk, key: str, *, to: User) -> Article:
    """A story comes in, is extracted (the job's body) and matched to earlier claims;
    the editor assigns its check-worthy claims to ``to``."""
    story = STORIES[key]
    article = ingest.submit_article(
        title=story.title, outlet=story.outlet, url=story.url, text=story.text, by=d.editor
    )
    ingest.run_extraction(article.pk, article.revision)
    matching.match_article(article.pk)
    d.articles[key] = article
    for each in Claim.objects.filter(article=article, check_worthy=True).order_by("pk"):
        edits.assign_claim(claim=each, to=to, by=d.editor)
    return article


def claim(d: Desk, key: str, words: str) -> Claim:
    found = Claim.objects.filter(article=d.articles[key], orphaned=False, text__contains=words)
    if len(found) != 1:
        raise DemoError(f"{len(found)} claims of {key!r} say {words!r}; expected one.")
    return found[0]


def cite(
    d: Desk, found: Claim, url: str, excerpt: str, *, by: User, stance: str = SUPPORTS
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


def _weeks_one_and_two(d: Desk, on: Callable[[int, float], Any]) -> None:
    wall = lambda: claim(d, "harbour-wall", "£4.2 million")  # noqa: E731
    jobless = lambda: claim(d, "harbour-wall", "4.1 percent")  # noqa: E731
    twice = lambda: claim(d, "harbour-wall", "twice a day")  # noqa: E731
    waits = lambda: claim(d, "hospital-waits", "5.2 hours")  # noqa: E731
    nurses = lambda: claim(d, "hospital-waits", "40 new")  # noqa: E731
    cargo = "The harbour handled 1.9 million tonnes of cargo in 2025"
    with on(28, 9):
        matching.import_factchecks(FACTCHECKS)
    with on(27, 8):
        publish(d, "harbour-wall", to=d.amara)
    with on(27, 10.5):
        cite(d, wall(), MINUTES, "approved £4.2 million for repairs to the harbour", by=d.amara)
    with on(27, 11):
        confirm(wall(), by=d.amara, note="The council's minutes agree.")
    with on(27, 14):
        cite(d, jobless(), LABOUR, "Unemployment in Coast County fell to 4.1 percent", by=d.amara)
    with on(27, 14.2):
        confirm(jobless(), by=d.amara, note="The labour market release says so.")
    with on(26, 9):
        cite(d, twice(), FERRY, "The ferry to Northport will run twice a day", by=d.ben)
    with on(26, 9.5):
        confirm(twice(), by=d.ben, note="The operator's timetable.")
    with on(25, 11):
        cite(d, claim(d, "harbour-wall", "2.3 million"), PORT, cargo, by=d.ben, stance=REFUTES)
    with on(24, 8):
        publish(d, "hospital-waits", to=d.ben)
    with on(24, 9):
        cite(d, waits(), HEALTH, "rose to 5.2 hours in October", by=d.ben)
    with on(24, 9.2):
        confirm(waits(), by=d.ben, note="The trust's own figures.")
    with on(23, 15):
        accept(d, claim(d, "hospital-waits", "4.1 percent"), by=d.ben)
    with on(22, 10):
        cite(d, nurses(), HEALTH, "40 new nurses will start work at the hospital", by=d.amara)
    with on(22, 10.3):
        confirm(nurses(), by=d.amara, note="The trust's update.")
    with on(21, 8):
        publish(d, "ferry-cut", to=d.amara)
    with on(21, 12):
        cite(d, claim(d, "ferry-cut", "2.3 million"), PORT, cargo, by=d.amara, stance=REFUTES)
    with on(21, 12.5):
        cite(d, claim(d, "ferry-cut", "1,200"), PORT, "The port employs 1,200 people", by=d.amara)
    with on(20, 16):
        confirm(claim(d, "ferry-cut", "1,200"), by=d.amara, note="The annual report.")


def _weeks_three_and_four(d: Desk, on: Callable[[int, float], Any]) -> None:
    once = lambda: claim(d, "ferry-cut", "once a day")  # noqa: E731
    funds = lambda: claim(d, "classrooms", "£12 million")  # noqa: E731
    rents = lambda: claim(d, "homes", "7 percent")  # noqa: E731
    with on(19, 7):  # the ferry operator changed its timetable
        recapture(d, FERRY, CHANGED[FERRY])
    with on(19, 10):
        status.unconfirm(claim(d, "harbour-wall", "twice a day"), by=d.ben, note="Timetable.")
    with on(18, 9):
        cite(d, once(), FERRY, "one crossing to Northport a day from June", by=d.ben)
    with on(18, 9.1):
        confirm(once(), by=d.ben, note="The new timetable.")
    with on(17, 8):
        publish(d, "classrooms", to=d.amara)
    with on(17, 11):
        cite(d, funds(), FUNDING, "will spend £12 million on new classrooms", by=d.amara)
    with on(17, 11.5):
        confirm(funds(), by=d.amara, note="The capital allocations.")
    with on(16, 9):
        census = "The average class in county schools had 27 pupils"
        cite(d, claim(d, "classrooms", "24 pupils"), CENSUS, census, by=d.ben, stance=REFUTES)
    with on(16, 14):
        accept(d, claim(d, "classrooms", "£4.2 million"), by=d.editor)
    with on(13, 8):
        publish(d, "homes", to=d.ben)
    with on(13, 13):
        built = "410 new homes were built in the county last year"
        cite(d, claim(d, "homes", "600 new"), HOUSING, built, by=d.amara, stance=REFUTES)
    with on(13, 13.5):
        cite(d, rents(), HOUSING, "Average rents in Coast County rose by 7 percent", by=d.amara)
    with on(12, 9):
        confirm(rents(), by=d.amara, note="The statistics office.")
    with on(11, 10):  # the allocation quoted was a draft
        remove_evidence(evidence=funds().evidence.get(), by=d.editor)
    with on(10, 15):
        accept(d, claim(d, "homes", "5.2 hours"), by=d.ben)


def _weeks_five_and_six(d: Desk, on: Callable[[int, float], Any]) -> None:
    route = lambda: claim(d, "bus-route", "number 12")  # noqa: E731
    storm = lambda: claim(d, "storm", "three days")  # noqa: E731
    with on(9, 8):
        publish(d, "bus-route", to=d.ben)
    with on(9, 10):
        cite(d, route(), ROUTE, "The number 12 bus route will close on 1 February", by=d.ben)
    with on(9, 10.5):
        confirm(route(), by=d.ben, note="The council's press release.")
    with on(9, 12):
        fares = "Bus fares in the county rose by 9 percent this year"
        cite(d, claim(d, "bus-route", "15 percent"), FARES, fares, by=d.ben, stance=REFUTES)
    with on(8, 16):
        accept(d, claim(d, "bus-route", "4.1 percent"), by=d.amara)
    with on(6, 9):  # the press release was taken down
        recapture(d, ROUTE, None)
    with on(5, 8):
        publish(d, "storm", to=d.amara)
    with on(5, 9.5):
        cite(d, storm(), STORM, "Storm Elin closed the harbour for three days", by=d.amara)
    with on(5, 10):
        confirm(storm(), by=d.amara, note="The storm report.")
    with on(3, 11):  # the editor corrects the story: four days, not three
        text = STORIES["storm"].text.replace("three days", "four days")
        ingest.revise_article(article=d.articles["storm"], text=text, by=d.editor)
    with on(3, 11.1):
        ingest.run_extraction(d.articles["storm"].pk, 2)
    with on(2, 10):
        nurses = claim(d, "hospital-waits", "40 new nurses")
        status.unconfirm(nurses, by=d.amara, note="The start date moved.")


def build(*, editor: User, amara: User, ben: User) -> Desk:
    """Write the desk's history, oldest first; return what was made."""
    d = Desk(editor=editor, amara=amara, ben=ben, today=timezone.localtime())
    timeline = Timeline()

    def on(days_ago: int, hour: float) -> Any:
        return timeline.on(d.day(days_ago, hour))

    with jobs.held(), offline(d), quiet():
        _weeks_one_and_two(d, on)
        _weeks_three_and_four(d, on)
        _weeks_five_and_six(d, on)
    timeline.close()
    for source in Source.objects.filter(url__in=list(PAGES)):  # today
        capture.stop_checks(source, by=editor)
    desk.rebuild()
    return d
