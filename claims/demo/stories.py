"""The demo desk's material: stories from three local outlets and the pages their claims
are checked against, as local snapshots (nothing is fetched). Every place, person,
outlet and publisher is invented; the domains end in ``.example``, which no one can
register."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Story:
    key: str
    title: str
    outlet: str
    url: str
    text: str


def _url(outlet: str, slug: str) -> str:
    return f"https://www.{outlet.lower().replace(' ', '')}.example/news/{slug}"


def _story(key: str, title: str, outlet: str, *paragraphs: str) -> Story:
    return Story(key, title, outlet, _url(outlet, key), "\n".join(paragraphs) + "\n")


GAZETTE, COURIER, LEDGER = "Harbour Gazette", "Northern Courier", "City Ledger"

STORIES = {
    story.key: story
    for story in (
        _story(
            "harbour-wall",
            "Council approves £4.2m for the harbour wall",
            GAZETTE,
            "The council approved £4.2 million for repairs to the harbour wall on Monday.",
            "Mayor Ada Lin said the work will be finished by March 2027.",
            "Unemployment in Coast County fell to 4.1 percent last year.",
            "Councillor Tom Reyes said the harbour handled 2.3 million tonnes of cargo in 2025.",
            "The ferry to Northport will run twice a day from June.",
        ),
        _story(
            "hospital-waits",
            "Emergency waits at Coast County hospital reach five hours",
            COURIER,
            "The average wait in the Coast County emergency department rose to 5.2 hours "
            "in October.",
            "Dr Priya Shah said 40 new nurses will start work at the hospital in January.",
            "Unemployment in Coast County fell to 4.1 percent last year.",
            "Mayor Ada Lin said parking at the hospital will be free from April.",
        ),
        _story(
            "ferry-cut",
            "Northport ferry to sail once a day",
            LEDGER,
            "The ferry to Northport will run only once a day from June.",
            "Councillor Tom Reyes said the harbour handled 2.3 million tonnes of cargo in 2025.",
            "The port employs 1,200 people, harbour master Jonas Berg said.",
        ),
        _story(
            "classrooms",
            "£12m for new classrooms",
            GAZETTE,
            "The county will spend £12 million on new classrooms over three years.",
            "Mayor Ada Lin said class sizes in county schools have fallen to 24 pupils.",
            "The council approved £4.2 million for repairs to the harbour wall in October.",
        ),
        _story(
            "homes",
            "County counts its new homes",
            COURIER,
            "Mayor Ada Lin said 600 new homes were built in the county last year.",
            "Average rents in Coast County rose by 7 percent in the year to September.",
            "The average wait in the Coast County emergency department rose to 5.2 hours "
            "in October.",
        ),
        _story(
            "bus-route",
            "Route 12 bus to stop in February",
            LEDGER,
            "The number 12 bus route will close on 1 February, the council said.",
            "Councillor Tom Reyes said bus fares in the county rose by 15 percent this year.",
            "Unemployment in Coast County fell to 4.1 percent last year.",
        ),
        _story(
            "storm",
            "Storm Elin shuts the harbour",
            GAZETTE,
            "Storm Elin closed the harbour for three days last week.",
            "Harbour master Jonas Berg said the repairs will cost £800,000.",
            "Mayor Ada Lin said the repairs to the harbour wall are on schedule.",
        ),
    )
}

# The pages the desk cites, as captured: URL -> (title, text). Each quotes or refutes
# the claims word for word, as a council minute or a statistics release would.
PAGES = {
    "https://www.coastcounty.example/minutes/harbour-wall": (
        "Full council: minutes",
        "Minutes of the full council meeting. Item 4: the harbour wall. The council "
        "approved £4.2 million for repairs to the harbour wall on Monday. The vote was "
        "31 to 4. Item 5: any other business.",
    ),
    "https://www.regionalstats.example/labour-market/2025": (
        "Labour market: Coast County, 2025",
        "Regional labour market release. Unemployment in Coast County fell to 4.1 "
        "percent last year, from 4.6 percent the year before.",
    ),
    "https://www.portauthority.example/annual-report-2025": (
        "Port authority annual report 2025",
        "Annual report. The harbour handled 1.9 million tonnes of cargo in 2025, down "
        "from 2.1 million tonnes in 2024. The port employs 1,200 people.",
    ),
    "https://www.coasthealth.example/news/emergency-waits": (
        "Emergency department performance",
        "Performance update. The average wait in the Coast County emergency department "
        "rose to 5.2 hours in October. 40 new nurses will start work at the hospital in "
        "January.",
    ),
    "https://www.northportferries.example/timetable": (
        "Timetable",
        "Summer timetable. The ferry to Northport will run twice a day from June, "
        "leaving at 07:30 and 16:00.",
    ),
    "https://www.schoolcensus.example/class-sizes": (
        "School census: class sizes",
        "School census. The average class in county schools had 27 pupils this autumn, "
        "up from 26 a year earlier.",
    ),
    "https://www.regionalstats.example/housing/completions": (
        "House building: completions",
        "New homes completed. 410 new homes were built in the county last year. Average "
        "rents in Coast County rose by 7 percent in the year to September.",
    ),
    "https://www.coastbuses.example/fares": (
        "Fares",
        "Fare changes. Bus fares in the county rose by 9 percent this year, the first "
        "rise since 2022.",
    ),
    "https://www.coastcounty.example/news/route-12": (
        "Route 12 to close",
        "Press release. The number 12 bus route will close on 1 February, the council "
        "said today, after a review of services.",
    ),
    "https://www.educationfunding.example/capital/coast-county": (
        "Capital funding: Coast County",
        "Capital allocations. The county will spend £12 million on new classrooms over "
        "three years, from the schools capital fund.",
    ),
    "https://www.metoffice.example/storms/elin": (
        "Storm Elin",
        "Storm report. Storm Elin closed the harbour for three days last week, with "
        "gusts of 80 mph.",
    ),
}

# A page's later text, when it is captured again: the ferry operator changed its timetable.
CHANGED = {
    "https://www.northportferries.example/timetable": (
        "Timetable",
        "Summer timetable, revised. Because of the harbour wall repairs, there will be "
        "one crossing to Northport a day from June, leaving at 07:30.",
    ),
}

# An earlier fact-check archive (``manage.py import_factchecks`` takes such entries).
FACTCHECKS = [
    {
        "id": "coastcheck-2025-114",
        "text": "Councillor Tom Reyes said the harbour handled 2.3 million tonnes of cargo "
        "in 2025.",
        "title": "No, the harbour did not handle 2.3 million tonnes of cargo",
        "url": "https://www.coastcheck.example/2025/harbour-cargo",
        "rating": "False",
        "publisher": "Coast Check",
        "date": date(2025, 9, 14),
    },
    {
        "id": "coastcheck-2025-131",
        "text": "Councillor Tom Reyes said bus fares in the county rose by 15 percent this year.",
        "title": "Bus fares rose by 9 percent, not 15",
        "url": "https://www.coastcheck.example/2025/bus-fares",
        "rating": "Misleading",
        "publisher": "Coast Check",
        "date": date(2025, 11, 2),
    },
]
