"""The transparency page's data set: two months of Riverton reports seeded through the real
store, chosen so that every protection rule is exercised (see `SEEDED`), and decisions on two
of them recorded and published through the store (`DECISIONS`), read by the service as the web
process reads them (`store.decisions.published_decisions`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.transparency.routes import build_transparency_router
from flows.city import CityConfig, load_city_config
from flows.clocks import FixedClock
from flows.store import Store
from flows.transparency.service import TransparencyReport
from tests.support.transparency import Seeded, SeededDecision, publish_decisions, seed

DAY = timedelta(days=1)


def _many(
    n: int, at: datetime, category: str, district: str | None, **kwargs: object
) -> list[Seeded]:
    return [
        Seeded(at=at + timedelta(hours=i), category=category, district=district, **kwargs)  # type: ignore[arg-type]
        for i in range(n)
    ]


FEB = datetime(2026, 2, 10, 16, 0, tzinfo=UTC)
JAN = datetime(2026, 1, 12, 16, 0, tzinfo=UTC)
DEC = datetime(2025, 12, 8, 16, 0, tzinfo=UTC)
MAR = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)  # the month in progress: never published
# February is published 14 days after it ends (Riverton's settle_days), as it stood then.
FEBRUARY_CUTOFF = datetime(2026, 3, 15, 5, 0, tzinfo=UTC)  # local midnight, CDT
PUBLISHED = datetime(2026, 3, 20, 15, 0, tzinfo=UTC)

# February 2026, 30 reports (+2 spam): use of force 12, misconduct 7, stops 2 (fewer than 5),
# neighbourhood 9. Northside 14, Riverside 9, Eastgate 6, Southfield 1 (Eastgate and Southfield
# are counted in "other districts" that month: Southfield has fewer than 5, and a fold of one
# district would name it). 21 acknowledged (after 2 days), 8 resolved (after 6 days).
FEBRUARY = [
    *_many(8, FEB, "use_of_force", "d1", acknowledged_after=2 * DAY, resolved_after=6 * DAY),
    *_many(4, FEB, "use_of_force", "d2", acknowledged_after=2 * DAY),
    *_many(6, FEB, "officer_misconduct", "d1", acknowledged_after=2 * DAY),
    *_many(1, FEB, "officer_misconduct", "d4", acknowledged_after=2 * DAY),
    *_many(2, FEB, "stop_search_arrest", "d3", acknowledged_after=2 * DAY),
    *_many(5, FEB, "neighborhood_safety", "d2", answers={"contacted": "1", "satisfaction": "4"}),
    *_many(4, FEB, "neighborhood_safety", "d3", answers={"contacted": "1", "satisfaction": "5"}),
    *_many(2, FEB, "use_of_force", "d1", spam=True),
]
# January 2026, 12 reports: praise 1 beside use of force exactly 5, the cell that would be withheld
# with it: "fewer than 5" and "withheld" would still add up to 1 + 5, so the month is withheld
# whole. Its check-ins: 11 "yes", 1 "no".
JANUARY = [
    *_many(5, JAN, "use_of_force", "d1", answers={"contacted": "1"}),
    *_many(1, JAN, "praise", "d2", answers={"contacted": "2"}),
    *_many(6, JAN, "officer_misconduct", "d2", resolved_after=3 * DAY, answers={"contacted": "1"}),
]
# December 2025: three reports, a month with fewer than 5 (everything reads "fewer than 5").
DECEMBER = _many(3, DEC, "mental_health", "d1")
IN_PROGRESS = _many(4, MAR, "praise", "d1")
SEEDED = [*FEBRUARY, *JANUARY, *DECEMBER, *IN_PROGRESS]


@pytest.fixture(scope="session")
def city() -> CityConfig:
    """Riverton as shipped (k = 5; a district with fewer than 5 reports in a month is counted
    in "other districts" that month)."""
    return load_city_config()


DECISIONS = [
    SeededDecision(
        at=datetime(2026, 2, 20, 17, 0, tzinfo=UTC),
        category="use_of_force",
        district="d1",
        summaries=["The council asked the department to review its use-of-force training."],
        parties=["council-members", "police-liaison"],
    ),
    # Published at 9 p.m. in Riverton on 24 February (3 a.m. on the 25th in UTC), corrected.
    SeededDecision(
        at=datetime(2026, 2, 25, 3, 0, tzinfo=UTC),
        category="officer_misconduct",
        district="d4",
        summaries=[
            "The agency will publish its stop data.",
            "A corrected summary: the agency will publish its stop data monthly.",
        ],
        parties=["police-department"],
    ),
]


@pytest.fixture
def seeded(store: Store, clock: FixedClock) -> Store:
    """The store with `SEEDED` and `DECISIONS`; the clock at `PUBLISHED` (February is the last
    month shown)."""
    clock.set(PUBLISHED)
    seed(store, clock, SEEDED)
    publish_decisions(store, clock, DECISIONS)
    return store


@pytest.fixture
def report(seeded: Store, city: CityConfig) -> TransparencyReport:
    return TransparencyReport(
        store=seeded, city=city, decisions=seeded.decisions.published_decisions
    )


@pytest.fixture
def client(report: TransparencyReport) -> TestClient:
    """The real router on an app of its own (the full service would load the NLP models)."""
    app = FastAPI()
    app.include_router(build_transparency_router(report=report))
    return TestClient(app)
