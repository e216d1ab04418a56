"""Queries for the clock's periodic upkeep: the weekly digest's inputs, retention, and marking a
job's period done so it runs once per period whichever clock process gets there first."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import col, select

from flows.checkins.digest import DigestAnswer, DigestReport
from flows.models import Checkin, InboundMessage, PeriodicRun, Report, ReportEvent
from flows.store.base import QueryGroup
from flows.store.checkins import CLOSED_REPORT_STATUSES

# Actors that are not moderators (moderators are recorded by their Slack user ID).
NON_MODERATOR_ACTORS = frozenset({"system", "reporter"})
QUESTION_ACTION = "asked"


@dataclass
class DigestInputs:
    reports: list[DigestReport] = field(default_factory=list)
    answers: list[DigestAnswer] = field(default_factory=list)


@dataclass(frozen=True)
class RetentionResult:
    reports: int
    inbound_messages: int


class UpkeepQueries(QueryGroup):
    def claim_period(self, job: str, period: str) -> bool:
        """True for the one caller that marks (job, period) done first."""
        with self._db.transaction() as session:
            return self._db.insert_ignoring_conflicts(
                session,
                PeriodicRun,
                {"job": job, "period": period, "done_at": self._db.clock.now()},
            )

    def release_period(self, job: str, period: str) -> None:
        """Undo `claim_period` after the job failed, so the next pass tries again."""
        with self._db.transaction() as session:
            session.execute(
                delete(PeriodicRun).where(
                    col(PeriodicRun.job) == job, col(PeriodicRun.period) == period
                )
            )

    def digest_inputs(self, *, now: datetime, week: timedelta) -> dict[str, DigestInputs]:
        """Per destination id: its open reports and the check-in answers of the last `week`."""
        by_destination: dict[str, DigestInputs] = defaultdict(DigestInputs)
        with self._db.reading() as session:
            open_reports = list(
                session.exec(
                    select(Report).where(col(Report.status).not_in(CLOSED_REPORT_STATUSES))
                ).all()
            )
            ids = [r.id for r in open_reports]
            events: dict[int, list[ReportEvent]] = defaultdict(list)
            unanswered: dict[int, int] = defaultdict(int)
            if ids:
                for event in session.exec(
                    select(ReportEvent)
                    .where(col(ReportEvent.report_id).in_(ids))
                    .order_by(col(ReportEvent.id))
                ):
                    events[event.report_id].append(event)
                for checkin in session.exec(
                    select(Checkin).where(
                        col(Checkin.report_id).in_(ids),
                        col(Checkin.state).in_(("sent", "no_answer")),
                    )
                ):
                    unanswered[checkin.report_id] += 1
            for report in open_reports:
                assert report.id is not None
                item = _digest_report(report, events[report.id], unanswered[report.id])
                for destination in report.destinations:
                    by_destination[destination].reports.append(item)
            answered = session.exec(
                select(Checkin, Report)
                .join(Report, col(Report.id) == col(Checkin.report_id))
                .where(
                    Checkin.state == "answered",
                    col(Checkin.answered_at) > now - week,
                    col(Checkin.answered_at) <= now,
                )
            ).all()
            for checkin, report in answered:
                answer = DigestAnswer(kind=checkin.kind, answer=checkin.answer or "")
                for destination in report.destinations:
                    by_destination[destination].answers.append(answer)
        return dict(by_destination)

    def erase_raw_texts_before(self, cutoff: datetime) -> RetentionResult:
        """Retention: drop the encrypted raw words older than `cutoff` (reports by filing time,
        inbound messages by arrival); redacted text and analysis stay."""
        now = self._db.clock.now()
        with self._db.transaction() as session:
            report_ids = list(
                session.exec(
                    select(Report.id).where(
                        col(Report.created_at) < cutoff, col(Report.raw_text_enc).is_not(None)
                    )
                ).all()
            )
            if report_ids:
                session.execute(
                    update(Report)
                    .where(col(Report.id).in_(report_ids))
                    .values(raw_text_enc=None, updated_at=now)
                )
                for report_id in report_ids:
                    assert report_id is not None
                    session.add(
                        ReportEvent(
                            report_id=report_id,
                            at=now,
                            actor="system",
                            action="raw_text_erased",
                            detail={"reason": "retention"},
                        )
                    )
            inbound = session.connection().execute(
                update(InboundMessage)
                .where(
                    col(InboundMessage.received_at) < cutoff,
                    col(InboundMessage.body_enc).is_not(None)
                    | col(InboundMessage.media_enc).is_not(None),
                )
                .values(body_enc=None, media_enc=None)
            )
        return RetentionResult(reports=len(report_ids), inbound_messages=inbound.rowcount)


def _digest_report(report: Report, events: list[ReportEvent], unanswered: int) -> DigestReport:
    last_moderator = max(
        (e.at for e in events if e.actor not in NON_MODERATOR_ACTORS), default=None
    )
    last_question = max((e.at for e in events if e.action == QUESTION_ACTION), default=None)
    last_reporter = max((e.at for e in events if e.actor == "reporter"), default=None)
    return DigestReport(
        ref=report.ref,
        status=report.status,
        created_at=report.created_at,
        last_moderator_action_at=last_moderator,
        question_unanswered=last_question is not None
        and (last_reporter is None or last_reporter < last_question),
        checkins_unanswered=unanswered,
    )
