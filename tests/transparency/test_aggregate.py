"""The one aggregation, on both databases: months in city time, spam left out, districts
folded, medians only beside shown counts."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlmodel import col, select

from flows.city import CityConfig
from flows.clocks import FixedClock
from flows.conversation.catalog import load_catalog
from flows.models import Report
from flows.reports.moderation import Moderation
from flows.store import Store
from flows.transparency.aggregate import OTHER, aggregate, folded, window
from flows.transparency.suppression import FOLDED, Cell, Shown
from tests.support.transparency import MODERATOR, answer_checkin
from tests.transparency.conftest import FEBRUARY_CUTOFF, PUBLISHED


def test_a_month_is_published_two_weeks_after_it_ends_in_city_time(city: CityConfig) -> None:
    months, labels = window(PUBLISHED, city=city)
    assert labels[-1] == "2026-02" and len(labels) == city.transparency.months
    # Chicago midnights: 1 March 2026 is CST (UTC-6); 15 March and 1 April 2025 are CDT.
    assert months.starts[-1] == datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
    assert months.cutoffs[-1] == FEBRUARY_CUTOFF
    assert months.starts[0] == datetime(2025, 3, 1, 6, 0, tzinfo=UTC)
    assert months.starts[1] == datetime(2025, 4, 1, 5, 0, tzinfo=UTC)
    _, before = window(FEBRUARY_CUTOFF - timedelta(seconds=1), city=city)
    assert before[-1] == "2026-01"
    _, at = window(FEBRUARY_CUTOFF, city=city)
    assert at[-1] == "2026-02"


def test_february_as_published(seeded: Store, city: CityConfig, clock: FixedClock) -> None:
    figures = aggregate(store=seeded, city=city, now=clock.now())
    assert figures.months[-1] == "2026-02" and len(figures.months) == 12
    assert figures.districts == ("d1", "d2", "d3", "d4", OTHER)
    feb = figures.by_month[-1]
    assert feb.reports.total == Cell.of(30)  # the two marked spam are not counted
    # Southfield (1) has fewer than 5 in February; alone it would be "other" under another name,
    # so Eastgate (6), the next smallest, is folded with it.
    assert feb.reports.lines["district"] == (Cell.of(14), Cell.of(9), FOLDED, FOLDED, Cell.of(7))
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
    # Three reports, all in Northside: folding it (with Riverside, lest it fold alone) would
    # say where they are. A month of fewer than k folds nothing: every district reads alike.
    assert set(december.reports.lines["district"]) == {Cell(Shown.FEWER, None)}
    assert all(m.reports.total == Cell.of(0) for m in figures.by_month[:-3])


def test_a_published_month_never_changes(
    seeded: Store, city: CityConfig, clock: FixedClock
) -> None:
    """After its cut-off, spam marks, reroutes, resolutions and check-in answers on February's
    reports change nothing February publishes (so two downloads cannot be subtracted)."""
    before = aggregate(store=seeded, city=city, now=clock.now())
    moderation = Moderation(store=seeded, city=city, catalog=load_catalog())
    with seeded.reading() as session:
        february = session.exec(
            select(Report).where(
                col(Report.created_at) >= datetime(2026, 2, 1, 6, tzinfo=UTC),
                col(Report.created_at) < datetime(2026, 3, 1, 6, tzinfo=UTC),
                col(Report.status) != "spam",
            )
        ).all()
    stops = [r for r in february if r.top_category == "stop_search_arrest"]
    untouched = [r for r in february if r.status == "new"]
    assert len(stops) == 2 and len(untouched) >= 2
    assert clock.now() > FEBRUARY_CUTOFF
    moderation.reroute(
        stops[0].id or 0,
        from_destination="oversight",
        to_destination="budget",
        category="funding_priorities",
        actor=MODERATOR,
    )
    moderation.mark_spam(untouched[0].id or 0, actor=MODERATOR)
    moderation.acknowledge(untouched[1].id or 0, actor=MODERATOR)
    answer_checkin(seeded, stops[1].id, "satisfaction", "1")
    after = aggregate(store=seeded, city=city, now=clock.now())
    assert after.by_month == before.by_month


def test_a_late_reroute_of_an_uncategorised_report_changes_no_published_month(
    seeded: Store, city: CityConfig, clock: FixedClock
) -> None:
    """A February report still uncategorised at the cut-off (filed before it was analysed) is
    counted as "other"; rerouted later, it stays so in February."""
    with seeded.transaction() as session:
        report = session.exec(
            select(Report)
            .where(Report.top_category == "neighborhood_safety", Report.district == "d2")
            .order_by(col(Report.id))
        ).first()
        assert report is not None and report.created_at < FEBRUARY_CUTOFF
        report.top_category = None
        session.add(report)
        report_id = report.id or 0
    before = aggregate(store=seeded, city=city, now=clock.now())
    assert clock.now() > FEBRUARY_CUTOFF
    Moderation(store=seeded, city=city, catalog=load_catalog()).reroute(
        report_id,
        from_destination="oversight",
        to_destination="budget",
        category="funding_priorities",
        actor=MODERATOR,
    )
    after = aggregate(store=seeded, city=city, now=clock.now())
    assert after.by_month == before.by_month


def test_a_lone_small_district_is_never_other_districts_alone() -> None:
    ids = ("d1", "d2", "d3", OTHER)
    assert folded(Counter({"d1": 9, "d2": 7, "d3": 1}), ids, below=5) == {"d3", "d2"}
    assert folded(Counter({"d1": 9, "d2": 0, "d3": 1}), ids, below=5) == {"d2", "d3"}
    assert folded(Counter({"d1": 9, "d2": 7, "d3": 5}), ids, below=5) == set()
    assert folded(Counter({"d1": 9, "d2": 3, "d3": 1}), ids, below=5) == {"d2", "d3"}
    assert folded(Counter(), ids, below=5) == set()  # a month with no reports: zeros
