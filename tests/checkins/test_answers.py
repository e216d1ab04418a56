"""Answers to check-ins: recorded on the report, posted in its thread; free text appended;
no answer after 48 hours recorded as such."""

from __future__ import annotations

from datetime import timedelta

from flows.checkins.jobs import FollowUps, RecordedAnswer
from flows.clocks import FixedClock
from flows.models import Checkin, Contact, Report
from flows.store import Store
from nlp.types import Analysis
from tests.fakes.notifier import RecordingNotifier
from tests.support.checkins import file_report


def _sent(store: Store, followups: FollowUps, days: int = 3) -> tuple[Report, Checkin, Contact]:
    report = file_report(store, followups)
    assert isinstance(store.clock, FixedClock)
    store.clock.advance(timedelta(days=days))
    assert followups.dispatch_due() >= 1
    contact = store.contacts.get(report.contact_id or 0)
    assert contact is not None
    checkin = store.checkin_answers.open_of_contact(
        contact.id or 0, since=store.clock.now() - followups.answer_window
    )
    assert checkin is not None
    return report, checkin, contact


def _answer(
    store: Store,
    followups: FollowUps,
    checkin: Checkin,
    contact: Contact,
    number: int | None,
    text: str | None = None,
    analysis: Analysis | None = None,
) -> RecordedAnswer | None:
    with store.transaction() as session:
        recorded = followups.record_answer(
            session=session,
            checkin_id=checkin.id or 0,
            contact=contact,
            number=number,
            text=text,
            analysis=analysis,
        )
    if recorded is not None:
        followups.announce(recorded)
    return recorded


def test_a_yes_no_answer_is_recorded_and_posted(
    store: Store, followups: FollowUps, notifier: RecordingNotifier
) -> None:
    report, checkin, contact = _sent(store, followups)
    recorded = _answer(store, followups, checkin, contact, 2)
    assert recorded is not None and recorded.label == "no"
    [row, _] = store.checkins.of_report(report.id or 0)
    assert row.state == "answered" and row.answer == "2" and row.answered_at == store.clock.now()
    [event] = [e for e in store.reports.events(report.id or 0) if e.action == "checkin_answered"]
    assert event.detail == {"kind": "contacted", "answer": "2", "label": "no"}
    assert notifier.thread_posts == [
        (report.id, f"{report.ref}: check-in answer (“were you contacted?”): *no*")
    ]
    assert followups.thanks(recorded, language="es") == "Gracias por su respuesta."
    # Answered once: a second answer and the no-answer job leave it alone.
    assert _answer(store, followups, checkin, contact, 1) is None
    assert isinstance(store.clock, FixedClock)
    store.clock.advance(timedelta(days=3))
    assert followups.expire_unanswered() == 0


def test_a_satisfaction_score(
    store: Store, followups: FollowUps, notifier: RecordingNotifier
) -> None:
    report, checkin, contact = _sent(store, followups, days=14)
    # Two were due by day 14; the latest sent is the one being answered.
    assert checkin.kind == "satisfaction"
    recorded = _answer(store, followups, checkin, contact, 4)
    assert recorded is not None and recorded.label == "4/5"
    assert notifier.thread_posts[-1] == (
        report.id,
        f"{report.ref}: check-in answer (satisfaction): *4/5*",
    )


def test_a_number_out_of_range_without_text_is_not_an_answer(
    store: Store, followups: FollowUps
) -> None:
    _, checkin, contact = _sent(store, followups)
    assert _answer(store, followups, checkin, contact, 7) is None
    assert store.checkin_answers.open_of_contact(contact.id or 0, since=checkin.sent_at) is not None


def test_free_text_is_new_information_appended_redacted_and_posted(
    store: Store, followups: FollowUps, notifier: RecordingNotifier
) -> None:
    report, checkin, contact = _sent(store, followups)
    raw = "Nobody called. Sgt Miller at 555-010-9999 told me to stop complaining."
    redacted = "Nobody called. Sgt [NAME] at [PHONE] told me to stop complaining."
    recorded = _answer(
        store,
        followups,
        checkin,
        contact,
        None,
        text=raw,
        analysis=Analysis(language="en", redacted=redacted),
    )
    assert recorded is not None and recorded.answer == "text"
    with store.transaction() as session:
        row = session.get(Report, report.id)
    assert row is not None and row.redacted_text.endswith("\n\n" + redacted)
    assert row.raw_text_enc is not None
    assert store.vault.decrypt(contact.wrapped_key, row.raw_text_enc).endswith(raw)
    [(report_id, post)] = notifier.thread_posts
    assert report_id == report.id and redacted in post
    assert "Miller" not in post and "9999" not in post
    assert followups.thanks(recorded, language="en") == (
        f"Thank you. We added this to your report {report.ref}. To report something new, text NEW."
    )


def test_no_answer_after_48_hours(
    store: Store, followups: FollowUps, notifier: RecordingNotifier
) -> None:
    report, checkin, contact = _sent(store, followups)
    assert isinstance(store.clock, FixedClock)
    store.clock.advance(timedelta(hours=47, minutes=59))
    assert followups.expire_unanswered() == 0
    store.clock.advance(timedelta(minutes=1))
    assert followups.expire_unanswered() == 1
    [row, _] = store.checkins.of_report(report.id or 0)
    assert row.state == "no_answer"
    assert [e.action for e in store.reports.events(report.id or 0)][-1] == "checkin_no_answer"
    assert notifier.thread_posts == [
        (report.id, "No answer to the “were you contacted?” check-in.")
    ]
    assert _answer(store, followups, checkin, contact, 1) is None  # too late
    assert store.checkin_answers.open_of_contact(contact.id or 0, since=checkin.sent_at) is None
