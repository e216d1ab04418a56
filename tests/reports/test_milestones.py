"""When a report was first taken up, resolved and marked spam, kept on its row by the store's
own paths (flows/store/milestones.py), on both databases: what its audit trail says, by the
rules the transparency figures grouped the trail with before they read these columns."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col

from flows.clocks import FixedClock
from flows.models import Report, ReportEvent
from flows.reports.moderation import Moderation
from flows.store import Store
from tests.support.reports import file_report

MOD = "UMODERATR1"
HOUR = timedelta(hours=1)
TAKEN_UP = ("acknowledged", "in_progress", "resolved", "closed")

Firsts = tuple[datetime | None, datetime | None, datetime | None]


def by_trail(events: Sequence[ReportEvent]) -> Firsts:
    """The earliest take-up, resolution and spam mark in the trail (the figures' old rules)."""

    def first(matches: list[bool]) -> datetime | None:
        return min((e.at for e, m in zip(events, matches, strict=True) if m), default=None)

    to = [e.detail.get("to") if e.action == "status" else None for e in events]
    taken_up = [
        e.action == "acknowledged" or t in TAKEN_UP for e, t in zip(events, to, strict=True)
    ]
    return (
        first(taken_up),
        first([t == "resolved" for t in to]),
        first([t == "spam" for t in to]),
    )


def kept(store: Store, report_id: int) -> Firsts:
    report = store.reports.get(report_id)
    assert report is not None
    return (report.first_taken_up_at, report.first_resolved_at, report.first_spam_at)


def _id(report: Report) -> int:
    assert report.id is not None
    return report.id


def test_the_first_times_stay_whatever_the_report_goes_through(
    store: Store, moderation: Moderation, clock: FixedClock
) -> None:
    filed = clock.now()
    report = _id(file_report(store))
    assert kept(store, report) == (None, None, None)
    clock.advance(HOUR)
    moderation.acknowledge(report, actor=MOD)
    clock.advance(HOUR)
    moderation.reroute(
        report,
        from_destination="oversight",
        to_destination="crisis-team",
        category=None,
        actor=MOD,
    )  # back to "routed"
    clock.advance(HOUR)
    moderation.acknowledge(report, actor=MOD)  # a status change again
    clock.advance(HOUR)
    moderation.acknowledge(report, actor=MOD)  # already acknowledged: an "acknowledged" event
    clock.advance(HOUR)
    moderation.resolve(report, note="Done.", actor=MOD)
    clock.advance(HOUR)
    with store.transaction() as session:  # resolved again (as a script or a fix would)
        loaded = store.reports.get_to_change(report, session=session)
        assert loaded is not None
        store.reports.set_status(session=session, report=loaded, status="resolved", actor=MOD)
    assert kept(store, report) == (filed + HOUR, filed + 5 * HOUR, None)
    assert kept(store, report) == by_trail(store.reports.events(report))


def test_a_take_up_by_acknowledgement_alone_and_a_spam_mark(
    store: Store, moderation: Moderation, clock: FixedClock
) -> None:
    start = clock.now()
    acknowledged = _id(file_report(store))
    spam = _id(file_report(store))
    under_way = _id(file_report(store, status="in_progress"))  # taken up as it was filed
    clock.advance(HOUR)
    with store.transaction() as session:
        loaded = store.reports.get_to_change(acknowledged, session=session)
        assert loaded is not None
        store.reports.add_event(session=session, report=loaded, actor=MOD, action="acknowledged")
    moderation.acknowledge(under_way, actor=MOD)
    moderation.mark_spam(spam, actor=MOD)
    assert kept(store, acknowledged) == (start + HOUR, None, None)
    assert kept(store, spam) == (None, None, start + HOUR)
    assert kept(store, under_way) == (start, None, None)
    for report in (acknowledged, spam, under_way):
        assert kept(store, report) == by_trail(store.reports.events(report))


def test_an_event_dated_earlier_than_the_one_kept_takes_its_place(
    store: Store, moderation: Moderation, clock: FixedClock
) -> None:
    """The earliest in the trail, not the last written (a clock set back)."""
    start = clock.now()
    report = _id(file_report(store))
    clock.set(start + 2 * HOUR)
    moderation.acknowledge(report, actor=MOD)
    clock.set(start + HOUR)
    moderation.acknowledge(report, actor=MOD)
    clock.set(start + 3 * HOUR)
    moderation.acknowledge(report, actor=MOD)
    assert kept(store, report) == (start + HOUR, None, None)
    assert kept(store, report) == by_trail(store.reports.events(report))


def test_the_loaded_report_is_given_the_times_it_set(
    store: Store, moderation: Moderation, clock: FixedClock
) -> None:
    """Resolved straight away: taken up and resolved at once (a resolution is a take-up)."""
    report = _id(file_report(store))
    clock.advance(HOUR)
    returned = moderation.resolve(report, note="Done.", actor=MOD)
    assert (returned.first_taken_up_at, returned.first_resolved_at) == (clock.now(), clock.now())
    assert kept(store, report) == (clock.now(), clock.now(), None)


def test_a_time_written_meanwhile_by_another_moderator_is_kept_if_earlier(
    store: Store, clock: FixedClock
) -> None:
    """The loaded report may not show what another transaction committed since it was read:
    the database keeps the earlier of the two."""
    start = clock.now()
    report = _id(file_report(store))
    clock.advance(HOUR)
    with store.transaction() as session:
        loaded = store.reports.get_to_change(report, session=session)
        assert loaded is not None and loaded.first_taken_up_at is None
        # As if committed by another moderator after `loaded` was read.
        session.execute(
            update(Report)
            .where(col(Report.id) == report)
            .values(first_taken_up_at=start)
            .execution_options(synchronize_session=False)
        )
        store.reports.set_status(session=session, report=loaded, status="acknowledged", actor=MOD)
    assert kept(store, report) == (start, None, None)
