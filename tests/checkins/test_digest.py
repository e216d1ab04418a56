"""The weekly digest: its content (pure), and the job posting it once a week per destination."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flows.checkins.digest import DigestAnswer, DigestReport, build_digest, render_digest
from flows.checkins.digest_job import WeeklyDigest
from flows.checkins.jobs import FollowUps
from flows.city import CityConfig
from flows.clocks import FixedClock
from flows.models import Report
from flows.store import Store
from tests.fakes.notifier import RecordingNotifier
from tests.support.checkins import file_report

NOW = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
CHICAGO = ZoneInfo("America/Chicago")


def _report(ref: str, age_days: float, **kwargs: object) -> DigestReport:
    values: dict[str, object] = {
        "ref": ref,
        "status": "routed",
        "created_at": NOW - timedelta(days=age_days),
        "last_moderator_action_at": None,
        "question_unanswered": False,
        "checkins_unanswered": 0,
    }
    values.update(kwargs)
    return DigestReport(**values)  # type: ignore[arg-type]


def test_digest_content() -> None:
    reports = [
        _report("R-AAAA", 1),
        _report("R-BBBB", 5, last_moderator_action_at=NOW - timedelta(days=1)),
        _report("R-CCCC", 10, question_unanswered=True, last_moderator_action_at=NOW),
        _report("R-DDDD", 40, checkins_unanswered=1),
        _report("R-EEEE", 2.5),
    ]
    answers = [
        DigestAnswer("satisfaction", "5"),
        DigestAnswer("satisfaction", "2"),
        DigestAnswer("satisfaction", "text"),
        DigestAnswer("contacted", "1"),
        DigestAnswer("contacted", "2"),
        DigestAnswer("contacted", "2"),
        DigestAnswer("resolution", "1"),
    ]
    digest = build_digest(
        destination_id="oversight",
        reports=reports,
        answers=answers,
        now=NOW,
        stale_after=timedelta(days=3),
    )
    assert digest.open_total == 5
    assert dict(digest.open_by_age) == {
        "under 3 days": 2,
        "3–7 days": 1,
        "1–4 weeks": 1,
        "over 4 weeks": 1,
    }
    assert [ref for ref, _ in digest.oldest] == ["R-DDDD", "R-CCCC", "R-BBBB", "R-EEEE", "R-AAAA"]
    assert digest.awaiting_reporter == ("R-DDDD", "R-CCCC")
    # No moderator action for 3 days: never acted on and older than 3 days (B acted yesterday).
    assert digest.stale == (("R-DDDD", 40),)
    assert digest.satisfaction_count == 2 and digest.satisfaction_mean == 3.5
    assert digest.satisfaction_distribution == (0, 1, 0, 0, 1)
    assert (digest.contacted_yes, digest.contacted_no) == (1, 2)
    assert (digest.resolved_yes, digest.resolved_no) == (1, 0)
    assert digest.text_answers == 1
    text = render_digest(digest, destination_name="Community Police Oversight Council")
    assert "*Open reports: 5*" in text
    assert "Satisfaction: 3.5/5 from 2 answers" in text
    assert "Contacted by the council: 1 yes, 2 no" in text
    assert "*No moderator action for 3 days or more: 1*\n  R-DDDD (40 d)" in text


def test_an_empty_week() -> None:
    digest = build_digest(
        destination_id="budget", reports=[], answers=[], now=NOW, stale_after=timedelta(days=3)
    )
    assert digest.open_total == 0 and digest.satisfaction_mean is None
    assert "Satisfaction: no answers" in render_digest(digest, destination_name="Budget")


def _weekly(store: Store, city: CityConfig, notifier: RecordingNotifier) -> WeeklyDigest:
    return WeeklyDigest(store=store, city=city, notifier=notifier)


def test_the_job_posts_once_a_week_to_each_destination(
    store: Store, followups: FollowUps, city: CityConfig, notifier: RecordingNotifier
) -> None:
    weekly = _weekly(store, city, notifier)
    destinations = len(city.destinations)
    assert isinstance(store.clock, FixedClock)
    clock = store.clock
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=CHICAGO) - timedelta(days=10))
    old = file_report(store, followups, destinations=["oversight"])
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=CHICAGO) - timedelta(days=4))
    answered = file_report(store, followups, destinations=["oversight", "council-d1"])
    with store.transaction() as session:
        row = session.get(Report, old.id)
        assert row is not None
        store.reports.add_event(session=session, report=row, actor="U0MOD", action="asked")
    # The contacted check-in of `answered` goes out and gets a 1 (yes).
    clock.advance(timedelta(days=3))
    assert followups.dispatch_due() >= 1
    contact = store.contacts.get(answered.contact_id or 0)
    assert contact is not None
    checkin = store.checkin_answers.open_of_contact(
        contact.id or 0, since=clock.now() - timedelta(hours=1)
    )
    assert checkin is not None
    with store.transaction() as session:
        followups.record_answer(
            session=session, checkin_id=checkin.id or 0, contact=contact, number=1
        )

    clock.set(datetime(2026, 3, 2, 8, 59, tzinfo=CHICAGO))  # Monday, before 09:00
    assert weekly.post_due() == 0
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=CHICAGO))
    assert weekly.post_due() == destinations
    assert weekly.post_due() == 0  # once per week, whatever runs it again
    digests = dict(notifier.digests)
    oversight = digests["oversight"]
    assert "*Open reports: 2*" in oversight
    # old: a question asked and its check-in unanswered; answered: its check-in was answered.
    assert f"*Waiting for the reporter: 1*\n  {old.ref}\n" in oversight
    # old: asked 4 days ago by a moderator, nothing since; answered: never acted on, 4 days old.
    stale = f"*No moderator action for 3 days or more: 2*\n  {old.ref} (4 d), {answered.ref} (4 d)"
    assert stale in oversight
    assert "Contacted by the council: 1 yes, 0 no" in oversight
    assert "*Open reports: 1*" in digests["council-d1"]
    assert "*Open reports: 0*" in digests["budget"]
    clock.advance(timedelta(days=7))
    assert weekly.post_due() == destinations


def test_a_failed_post_is_retried_on_the_next_pass(
    store: Store, city: CityConfig, notifier: RecordingNotifier
) -> None:
    weekly = _weekly(store, city, notifier)
    destinations = len(city.destinations)
    assert isinstance(store.clock, FixedClock)
    store.clock.set(datetime(2026, 3, 2, 10, 0, tzinfo=CHICAGO))
    notifier.fail_digests = True
    assert weekly.post_due() == 0
    notifier.fail_digests = False
    assert weekly.post_due() == destinations
