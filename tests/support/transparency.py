"""Seeding the transparency page's data through the real store: reports filed at given times,
taken up and resolved by a moderator, marked spam, check-ins answered, and decisions recorded
and published (corrected too) as the Slack listeners record them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import col, select

from flows.clocks import FixedClock
from flows.models import Checkin, Report
from flows.reports.refs import new_ref
from flows.statuses import CheckinState
from flows.store import NewReport, Store
from nlp.types import Analysis, CategoryScore

MODERATOR = "U0MODERATOR"

# Every seeded report's words (raw and redacted): never published.
STORY = "A story that is never published"


@dataclass(frozen=True)
class Seeded:
    """One report: when it was filed, what and where, and what happened to it after."""

    at: datetime
    category: str
    district: str | None
    acknowledged_after: timedelta | None = None
    resolved_after: timedelta | None = None
    spam: bool = False
    # check-in kind → the reporter's choice ("1".."5")
    answers: dict[str, str] = field(default_factory=dict)


def seed(store: Store, clock: FixedClock, reports: Iterable[Seeded]) -> None:
    """File each report at its time (the clock is moved), then act on it as moderators do;
    the clock is put back where it was."""
    now = clock.now()
    for item in reports:
        clock.set(item.at)
        analysis = Analysis(
            language="en",
            redacted=STORY,
            categories=(CategoryScore(label=item.category, score=0.9),),
            triage=False,
            district=item.district,
        )
        new = NewReport(
            channel="sms",
            language="en",
            raw_text=STORY,
            anonymous=True,
            contact_ok=False,
            consent_checkins=bool(item.answers),
            urgent=False,
        )
        with store.transaction() as session:
            report = store.reports.create(
                session=session,
                contact=None,
                ref=new_ref(length=8),  # a resident's 4 would collide among hundreds seeded
                new=new,
                analysis=analysis,
                destinations=["oversight"],
                redacted_place=None,
                redacted_when=None,
            )
        for after, status in (
            (item.acknowledged_after, "acknowledged"),
            (item.resolved_after, "resolved"),
        ):
            if after is not None:
                clock.set(item.at + after)
                _set_status(store, report.id, status)
        if item.spam:
            _set_status(store, report.id, "spam")
        for kind, answer in item.answers.items():
            clock.set(item.at + timedelta(days=3))
            answer_checkin(store, report.id, kind, answer)
    clock.set(now)


def _set_status(store: Store, report_id: int | None, status: str) -> None:
    assert report_id is not None
    with store.transaction() as session:
        report = store.reports.get_to_change(report_id, session=session)
        assert report is not None
        store.reports.set_status(session=session, report=report, status=status, actor=MODERATOR)


def answer_checkin(store: Store, report_id: int | None, kind: str, answer: str) -> None:
    assert report_id is not None
    now = store.clock.now()
    with store.transaction() as session:
        checkin = Checkin(
            report_id=report_id,
            kind=kind,
            due_at=now,
            state=CheckinState.SENT,
            created_at=now,
            sent_at=now,
        )
        session.add(checkin)
        session.flush()
        assert checkin.id is not None
        store.checkin_answers.record(
            session=session, checkin_id=checkin.id, answer=answer, label=answer
        )


@dataclass(frozen=True)
class SeededDecision:
    """A decision on the first seeded report of `category` in `district`, published at `at`:
    one version per summary, each correcting the one before (so two summaries: corrected)."""

    at: datetime
    category: str
    district: str | None
    summaries: Sequence[str]
    parties: Sequence[str]  # party keys of the city file


def publish_decisions(store: Store, clock: FixedClock, decisions: Iterable[SeededDecision]) -> None:
    """Record and publish each version at its time; the clock is put back where it was."""
    now = clock.now()
    for item in decisions:
        report = first_report(store, item.category, item.district)
        clock.set(item.at)
        for summary in item.summaries:
            publish_decision(store, report, summary=summary, parties=item.parties)
    clock.set(now)


def first_report(store: Store, category: str, district: str | None) -> Report:
    """The first report seeded with `category` in `district`."""
    with store.reading() as session:
        report = session.exec(
            select(Report)
            .where(Report.top_category == category, Report.district == district)
            .order_by(col(Report.id))
        ).first()
    assert report is not None, (category, district)
    return report


def publish_decision(store: Store, report: Report, *, summary: str, parties: Sequence[str]) -> None:
    """A new version of the report's decision, published now (by the store's clock)."""
    with store.transaction() as session:
        recorded = store.decisions.record(
            session=session,
            report=report,
            summary=summary,
            parties=list(parties),
            actor=MODERATOR,
            action_key=None,
        )
        store.decisions.publish(session=session, decision=recorded.decision)
