"""Check-ins scheduled at filing, sent when due through the outbox, once; quiet hours; restarts."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.outbox import OutboxDispatcher
from flows.checkins.jobs import FollowUps
from flows.city import CityConfig
from flows.clocks import FixedClock
from flows.models import OutboundMessage
from flows.store import Store, make_engine
from tests.fakes.notifier import RecordingNotifier
from tests.support.checkins import RecordingSender, file_report, make_followups

CHICAGO = ZoneInfo("America/Chicago")


def _clock(store: Store) -> FixedClock:
    assert isinstance(store.clock, FixedClock)
    return store.clock


def _outbound(store: Store) -> list[OutboundMessage]:
    with store.transaction() as session:
        return list(session.exec(select(OutboundMessage).order_by(OutboundMessage.id)).all())


def test_scheduled_at_the_city_offsets_only_with_consent(
    store: Store, followups: FollowUps
) -> None:
    filed_at = store.clock.now()  # Monday 2026-03-02 09:00 CST
    report = file_report(store, followups)
    rows = store.checkins.of_report(report.id or 0)
    assert [(r.kind, r.state, r.due_at) for r in rows] == [
        ("contacted", "pending", filed_at + timedelta(days=3)),
        # 14 local days later is after the spring DST change: one hour fewer in UTC.
        ("satisfaction", "pending", filed_at + timedelta(days=14, hours=-1)),
    ]
    assert rows[1].due_at.astimezone(CHICAGO).hour == 9
    actions = [e.action for e in store.reports.events(report.id or 0)]
    assert actions.count("checkin_scheduled") == 2
    without = file_report(store, followups, consent=False)
    assert store.checkins.of_report(without.id or 0) == []


def test_sent_when_due_once_through_the_outbox(store: Store, followups: FollowUps) -> None:
    report = file_report(store, followups, destinations=["triage", "oversight"])
    clock = _clock(store)
    clock.advance(timedelta(days=3) - timedelta(minutes=1))
    assert followups.dispatch_due() == 0
    clock.advance(timedelta(minutes=1))
    assert followups.dispatch_due() == 1
    assert followups.dispatch_due() == 0  # never twice
    [message] = _outbound(store)
    assert message.purpose == "checkin" and message.report_id == report.id
    [contacted, satisfaction] = store.checkins.of_report(report.id or 0)
    assert contacted.state == "sent" and contacted.outbound_id == message.id
    assert contacted.sent_at == clock.now() and contacted.attempts == 1
    assert message.dedupe_key == f"checkin:{contacted.id}"
    assert satisfaction.state == "pending"
    sender = RecordingSender()
    assert OutboxDispatcher(store=store, senders={"sms": sender}).dispatch_due().sent == 1
    [(_, body)] = sender.sent
    # The first destination that is not triage, and the report's reference.
    assert body == (
        f"Has anyone from Community Police Oversight Council contacted you about your report "
        f"{report.ref}? Reply 1 = yes, 2 = no."
    )


def test_in_the_reporters_language(store: Store, followups: FollowUps) -> None:
    report = file_report(store, followups, language="es")
    _clock(store).advance(timedelta(days=14))
    assert followups.dispatch_due() == 2
    sender = RecordingSender()
    OutboxDispatcher(store=store, senders={"sms": sender}).dispatch_due()
    bodies = [body for _, body in sender.sent]
    assert bodies[0].startswith(
        f"Su reporte {report.ref} fue enviado a: Consejo Comunitario de Supervision Policial. "
        "¿Alguien de esa oficina le ha contactado?"
    )
    assert bodies[1] == (
        f"¿Qué tan bien atendieron su reporte {report.ref}? Responda del 1 (mal) al 5 (muy bien)."
    )


def test_nothing_is_texted_in_quiet_hours_even_when_overdue(
    store: Store, followups: FollowUps
) -> None:
    file_report(store, followups)
    clock = _clock(store)
    clock.set(datetime(2026, 3, 5, 22, 30, tzinfo=CHICAGO))  # due at 09:00, clock down till night
    assert followups.dispatch_due() == 0
    clock.set(datetime(2026, 3, 6, 7, 59, tzinfo=CHICAGO))
    assert followups.dispatch_due() == 0
    clock.set(datetime(2026, 3, 6, 8, 0, tzinfo=CHICAGO))
    assert followups.dispatch_due() == 1


def test_a_restarted_clock_sends_what_fell_due_while_it_was_down(
    store: Store, database_url: str, city: CityConfig, notifier: RecordingNotifier
) -> None:
    first = make_followups(store, city, notifier)
    reports = [file_report(store, first) for _ in range(3)]
    # The clock process is down for three weeks; a new process (new engine, same database) starts.
    later = FixedClock(store.clock.now() + timedelta(days=21))
    engine = make_engine(database_url)
    try:
        restarted = Store(engine=engine, vault=store.vault, clock=later)
        assert make_followups(restarted, city, notifier).dispatch_due() == 6
        states = {c.state for r in reports for c in restarted.checkins.of_report(r.id or 0)}
        assert states == {"sent"}
    finally:
        engine.dispose()


def test_a_claim_left_by_a_crashed_process_is_taken_again_later(
    store: Store, followups: FollowUps
) -> None:
    report = file_report(store, followups)
    clock = _clock(store)
    clock.advance(timedelta(days=3))
    [claimed] = store.checkins.claim_due(now=clock.now())  # … and the process dies here
    assert followups.dispatch_due() == 0  # fresh claims are left alone
    clock.advance(timedelta(minutes=11))
    assert followups.dispatch_due() == 1
    [row, _] = store.checkins.of_report(report.id or 0)
    assert row.id == claimed.id and row.state == "sent" and row.attempts == 2
    # The first process comes back to life and tries to finish: nothing is queued twice.
    assert store.checkins.enqueue_claimed([(claimed, ["late"])]) == 0
    assert len(_outbound(store)) == 1


def test_clock_once_time_travel_runs_each_schedule(store: Store, followups: FollowUps) -> None:
    """What `cpps clock --once --now …` does at each moment of a report's life."""
    report = file_report(store, followups)
    start = store.clock.now()
    clock = _clock(store)
    timeline = []
    for offset in (1, 3, 4, 5, 14, 15, 16):
        clock.set(start + timedelta(days=offset))
        timeline.append((offset, followups.dispatch_due(), followups.expire_unanswered()))
    # Sent on day 3, no answer recorded 48 h later; the satisfaction question on day 14, its
    # no-answer on day 16.
    assert timeline == [
        (1, 0, 0),
        (3, 1, 0),
        (4, 0, 0),
        (5, 0, 1),
        (14, 1, 0),
        (15, 0, 0),
        (16, 0, 1),
    ]
    states = [c.state for c in store.checkins.of_report(report.id or 0)]
    assert states == ["no_answer", "no_answer"]
