"""Answers to check-ins: the one a reporter's next text may answer, recording it, and the
check-ins that got no answer. (Scheduling, claiming and sending are in `checkins.py`.)"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from flows.checkins.schedule import CHOICES
from flows.conversation.events import OpenCheckin
from flows.models import Checkin, Report
from flows.store.base import QueryGroup
from flows.store.checkins import add_checkin_event


class CheckinAnswerQueries(QueryGroup):
    def open_of_contact(self, contact_id: int, *, since: datetime) -> Checkin | None:
        """The latest check-in sent to this contact since `since` and not yet answered."""
        with self._db.reading() as session:
            return session.exec(_open_checkin(contact_id, since=since)).first()

    def open_for_answer(self, contact_id: int, *, since: datetime) -> OpenCheckin | None:
        """What the conversation engine needs to take the reporter's next text as the answer."""
        with self._db.reading() as session:
            checkin = session.exec(_open_checkin(contact_id, since=since)).first()
            if checkin is None or checkin.id is None:
                return None
            report = session.get(Report, checkin.report_id)
            if report is None:
                return None
            return OpenCheckin(
                id=checkin.id, kind=checkin.kind, ref=report.ref, choices=CHOICES[checkin.kind]
            )

    def record(
        self, *, session: Session, checkin_id: int, answer: str, label: str
    ) -> Checkin | None:
        """A sent check-in answered (`answer`: the choice, or "text"); None if not open."""
        checkin = session.get(Checkin, checkin_id, with_for_update=self._db.dialect == "postgresql")
        if checkin is None or checkin.state != "sent":
            return None
        checkin.state = "answered"
        checkin.answer = answer
        checkin.answered_at = self._db.clock.now()
        session.add(checkin)
        self._checkin_event(
            session,
            checkin.report_id,
            "checkin_answered",
            kind=checkin.kind,
            answer=answer,
            label=label,
        )
        return checkin

    def expire_unanswered(self, *, now: datetime, after: timedelta) -> list[Checkin]:
        """Sent check-ins with no answer for `after`: recorded as no answer."""
        with self._db.transaction() as session:
            query = select(Checkin).where(
                Checkin.state == "sent", col(Checkin.sent_at) <= now - after
            )
            query = self._db.claiming(query)
            rows = list(session.exec(query).all())
            for checkin in rows:
                checkin.state = "no_answer"
                session.add(checkin)
                self._checkin_event(
                    session, checkin.report_id, "checkin_no_answer", kind=checkin.kind
                )
        return rows

    def _checkin_event(self, session: Session, report_id: int, action: str, **detail: Any) -> None:
        add_checkin_event(session, report_id, self._db.clock.now(), action, detail)


def _open_checkin(contact_id: int, *, since: datetime) -> SelectOfScalar[Checkin]:
    return (
        select(Checkin)
        .where(
            Checkin.contact_id == contact_id,
            Checkin.state == "sent",
            col(Checkin.sent_at) >= since,
        )
        .order_by(col(Checkin.sent_at).desc(), col(Checkin.id).desc())
    )
