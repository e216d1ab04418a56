"""What moderators look at (flows.reports.desk.ModeratorDesk): read from the store only."""

from __future__ import annotations

from datetime import timedelta

from flows.clocks import FixedClock
from flows.reports.desk import ModeratorDesk
from flows.reports.moderation import Moderation
from flows.store import Store
from tests.support.reports import file_report


def test_a_report_view_holds_its_trail_and_whether_the_reporter_can_be_reached(
    store: Store, desk: ModeratorDesk, moderation: Moderation
) -> None:
    report = file_report(store)
    assert report.id is not None and report.contact_id is not None
    moderation.acknowledge(report.id, actor="UMODERATR1")
    view = desk.view(report.id)
    assert view is not None and view.id == report.id
    assert [(e.actor, e.action) for e in view.trail] == [
        ("system", "filed"),
        ("system", "status"),
        ("UMODERATR1", "status"),
    ]
    assert view.reach.reason == "ok" and view.checkins == []

    store.contacts.set_opted_out(report.contact_id, opted_out=True)
    assert desk.reach(report).reason == "opted_out"
    with store.transaction() as session:
        store.contacts.erase(report.contact_id, session=session)
    fresh = desk.report(report.id)
    assert fresh is not None
    assert (desk.reach(fresh).reachable, desk.reach(fresh).reason) == (False, "erased")
    assert desk.view(report.id + 1000) is None


def test_a_reference_is_found_however_it_is_typed(store: Store, desk: ModeratorDesk) -> None:
    report = file_report(store)
    found = desk.find(f"status of {report.ref.lower().replace('-', ' ')} please")
    assert found is not None and found.id == report.id
    assert desk.find("R-ZZZZ") is None and desk.find("nothing here") is None


def test_the_queue_holds_the_open_reports_of_the_destinations_oldest_first(
    store: Store, desk: ModeratorDesk, clock: FixedClock
) -> None:
    older = file_report(store, destinations=("oversight",))
    clock.advance(timedelta(minutes=5))
    newer = file_report(store, destinations=("crisis-team", "oversight"))
    file_report(store, destinations=("council-d1",))
    file_report(store, destinations=("oversight",), status="spam")
    queue = desk.open_reports(destinations=["oversight", "somewhere-else"])
    assert [r.id for r in queue] == [older.id, newer.id]


def test_stats_count_the_reports_of_the_last_days(
    store: Store, desk: ModeratorDesk, clock: FixedClock
) -> None:
    file_report(store, category="use_of_force")
    clock.advance(timedelta(days=10))
    file_report(store, category="mental_health")
    file_report(store, category="mental_health", status="resolved")
    week = desk.stats(days=7)
    assert week.total == 2
    assert week.by_category == {"mental_health": 2}
    assert week.by_status == {"routed": 1, "resolved": 1}
    assert desk.stats(days=30).total == 3
