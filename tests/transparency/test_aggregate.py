"""The one aggregation, on both databases: months in city time, spam left out, districts
folded, medians only beside shown counts."""

from __future__ import annotations

from datetime import UTC, datetime

from flows.city import CityConfig
from flows.clocks import FixedClock
from flows.store import Store
from flows.transparency.aggregate import OTHER, aggregate, month_starts
from flows.transparency.suppression import Cell, Shown


def test_months_are_complete_months_of_city_time(city: CityConfig) -> None:
    starts = month_starts(datetime(2026, 3, 2, 15, 0, tzinfo=UTC), city=city)
    assert len(starts) == city.transparency.months + 1
    # Chicago midnight on 1 March 2026 (CST, UTC-6) ends February; 1 April 2025 (CDT, UTC-5).
    assert starts[-1] == datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
    assert starts[0] == datetime(2025, 3, 1, 6, 0, tzinfo=UTC)
    assert starts[1] == datetime(2025, 4, 1, 5, 0, tzinfo=UTC)


def test_february_as_published(seeded: Store, city: CityConfig, clock: FixedClock) -> None:
    figures = aggregate(store=seeded, city=city, now=clock.now())
    assert figures.months[-1] == "2026-02" and len(figures.months) == 12
    # Eastgate (6) and Southfield (1) have fewer than 10 reports: both are "other".
    assert figures.districts == ("d1", "d2", OTHER)
    feb = figures.by_month[-1]
    assert feb.reports.total == Cell.of(30)  # the two marked spam are not counted
    assert feb.reports.lines["district"] == (Cell.of(14), Cell.of(9), Cell.of(7))
    assert feb.reports.lines["acknowledged"] == (Cell.of(21), Cell.of(9))
    assert feb.reports.lines["resolved"] == (Cell.of(8), Cell.of(22))
    assert (feb.days_to_acknowledge, feb.days_to_resolve) == (2.0, 6.0)
    category = dict(zip(figures.categories, feb.reports.lines["category"], strict=True))
    assert category["stop_search_arrest"].shown == Shown.FEWER
    assert category["use_of_force"].shown == Shown.WITHHELD
    assert category["neighborhood_safety"] == Cell.of(9)
    assert feb.contacted.lines["answer"] == (Cell.of(9), Cell.of(0))
    assert [c.shown for c in feb.satisfaction.lines["score"]][3:] == [
        Shown.WITHHELD,
        Shown.FEWER,
    ]


def test_a_withheld_month_publishes_no_median(
    seeded: Store, city: CityConfig, clock: FixedClock
) -> None:
    figures = aggregate(store=seeded, city=city, now=clock.now())
    january = figures.by_month[-2]
    assert january.reports.total.shown == Shown.WITHHELD
    assert january.days_to_acknowledge is None and january.days_to_resolve is None
    december = figures.by_month[-3]
    assert december.reports.total.shown == Shown.FEWER
    assert all(m.reports.total == Cell.of(0) for m in figures.by_month[:-3])
