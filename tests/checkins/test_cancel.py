"""Every way pending check-ins are cancelled: STOP, DELETE, resolution, closure, spam."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.outbox import OutboxDispatcher
from flows.checkins.jobs import FollowUps
from flows.clocks import FixedClock
from flows.models import Contact, Report
from flows.store import Store
from tests.support.checkins import RecordingSender, file_report

CHICAGO = ZoneInfo("America/Chicago")


def _states(store: Store, report: Report) -> list[tuple[str, str, str | None]]:
    return [(c.kind, c.state, c.cancel_reason) for c in store.checkins.of_report(report.id or 0)]


def _advance(store: Store, delta: timedelta) -> None:
    assert isinstance(store.clock, FixedClock)
    store.clock.advance(delta)


def _send_all(store: Store) -> list[str]:
    sender = RecordingSender()
    OutboxDispatcher(store=store, senders={"sms": sender}).dispatch_due()
    return [body for _, body in sender.sent]


def test_stop_cancels_and_start_does_not_bring_them_back(
    store: Store, followups: FollowUps
) -> None:
    report = file_report(store, followups)
    assert report.contact_id is not None
    store.contacts.set_opted_out(report.contact_id, opted_out=True)
    assert _states(store, report) == [
        ("contacted", "cancelled", "opted_out"),
        ("satisfaction", "cancelled", "opted_out"),
    ]
    store.contacts.set_opted_out(report.contact_id, opted_out=False)
    _advance(store, timedelta(days=30))
    assert followups.dispatch_due() == 0
    assert _send_all(store) == []


def test_an_opted_out_number_is_never_texted_even_if_a_row_was_missed(
    store: Store, followups: FollowUps
) -> None:
    """Defence in depth: a contact flagged opted out by any path is never sent a check-in."""
    report = file_report(store, followups)
    with store.transaction() as session:
        contact = session.get(Contact, report.contact_id)
        assert contact is not None
        contact.opted_out = True  # flagged without going through set_opted_out
        session.add(contact)
    _advance(store, timedelta(days=3))
    assert followups.dispatch_due() == 0
    assert _states(store, report)[0] == ("contacted", "cancelled", "opted_out")
    assert _send_all(store) == []


def test_delete_cancels_pending_and_sent_check_ins(store: Store, followups: FollowUps) -> None:
    report = file_report(store, followups)
    _advance(store, timedelta(days=3))
    assert followups.dispatch_due() == 1
    with store.transaction() as session:
        store.contacts.erase(report.contact_id or 0, session=session)
    assert _states(store, report) == [
        ("contacted", "cancelled", "erased"),
        ("satisfaction", "cancelled", "erased"),
    ]
    _advance(store, timedelta(days=30))
    assert followups.dispatch_due() == 0 and followups.expire_unanswered() == 0
    assert _send_all(store) == []


@pytest.mark.parametrize("status", ["closed", "spam"])
def test_closure_and_spam_cancel(store: Store, followups: FollowUps, status: str) -> None:
    report = file_report(store, followups)
    with store.transaction() as session:
        row = session.get(Report, report.id)
        assert row is not None
        store.reports.set_status(session=session, report=row, status=status, actor="U0MOD")
    assert {state for _, state, _ in _states(store, report)} == {"cancelled"}
    assert {reason for _, _, reason in _states(store, report)} == {status}
    _advance(store, timedelta(days=30))
    assert followups.dispatch_due() == 0


def test_a_status_change_while_claimed_stops_the_send(store: Store, followups: FollowUps) -> None:
    report = file_report(store, followups)
    _advance(store, timedelta(days=3))
    [claimed] = store.checkins.claim_due(now=store.clock.now())
    with store.transaction() as session:
        row = session.get(Report, report.id)
        assert row is not None
        store.reports.set_status(session=session, report=row, status="closed", actor="U0MOD")
    assert store.checkins.enqueue_claimed([(claimed, ["Has anyone…"])]) == 0
    assert _send_all(store) == []


def _resolve(store: Store, followups: FollowUps, report: Report, note: str | None) -> bool:
    with store.transaction() as session:
        row = session.get(Report, report.id)
        assert row is not None
        store.reports.set_status(
            session=session, report=row, status="resolved", actor="U0MOD", detail={"note": note}
        )
        return followups.schedule_resolution(session=session, report=row, note=note)


def test_resolution_replaces_pending_check_ins_with_its_own(
    store: Store, followups: FollowUps
) -> None:
    report = file_report(store, followups)
    _advance(store, timedelta(days=1))
    assert _resolve(store, followups, report, "The officer was spoken to by the commander.")
    assert _states(store, report) == [  # by due time: the resolution's is now
        ("resolution", "pending", None),
        ("contacted", "cancelled", "resolved"),
        ("satisfaction", "cancelled", "resolved"),
    ]
    assert followups.dispatch_due() == 1  # due at once (daytime)
    [body] = _send_all(store)
    assert body == (
        f"Update on your report {report.ref}: The officer was spoken to by the commander. "
        "Did this resolve it? Reply 1 = yes, 2 = no."
    )
    assert not _resolve(store, followups, report, "again")  # never asked twice


def test_resolution_at_night_waits_for_the_morning(store: Store, followups: FollowUps) -> None:
    report = file_report(store, followups)
    assert isinstance(store.clock, FixedClock)
    store.clock.set(datetime(2026, 3, 3, 23, 15, tzinfo=CHICAGO))
    _resolve(store, followups, report, None)
    [resolution] = [c for c in store.checkins.of_report(report.id or 0) if c.kind == "resolution"]
    assert resolution.due_at == datetime(2026, 3, 4, 8, 0, tzinfo=CHICAGO)
    assert followups.dispatch_due() == 0


def test_no_resolution_check_in_without_consent(store: Store, followups: FollowUps) -> None:
    report = file_report(store, followups, consent=False)
    assert not _resolve(store, followups, report, "Done.")
    assert store.checkins.of_report(report.id or 0) == []
