"""Answers to check-ins: the one a reporter's next text may answer, recording it, and the
check-ins that got no answer. (Scheduling, claiming and sending are in `checkins.py`.)"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from flows.checkins.schedule import CHOICES
from flows.conversation.events import OpenCheckin
from flows.models import Checkin, Report
from flows.store.base import StoreBase
from flows.store.checkins import add_checkin_event


class CheckinAnswerQueries(StoreBase):
    def open_checkin_of_contact(
        self, contact_id: int, *, since: datetime, session: Session | None = None
    ) -> Checkin | None:
        """The latest check-in sent to this contact since `since` and not yet answered."""
        query = (
            select(Checkin)
            .where(
                Checkin.contact_id == contact_id,
                Checkin.state == "sent",
                col(Checkin.sent_at) >= since,
            )
            .order_by(col(Checkin.sent_at).desc(), col(Checkin.id).desc())
        )
        if session is not None:
            return session.exec(query).first()
        with self.transaction() as s:
            return s.exec(query).first()

    def open_checkin_for_answer(self, contact_id: int, *, since: datetime) -> OpenCheckin | None:
        """What the conversation engine needs to take the reporter's next text as the answer."""
        with self.reading() as session:
            checkin = self.open_checkin_of_contact(contact_id, since=since, session=session)
            if checkin is None or checkin.id is None:
                return None
            report = session.get(Report, checkin.report_id)
            if report is None:
                return None
            return OpenCheckin(
                id=checkin.id, kind=checkin.kind, ref=report.ref, choices=CHOICES[checkin.kind]
            )

    def record_checkin_answer(
        self, *, session: Session, checkin_id: int, answer: str, label: str
    ) -> Checkin | None:
        """A sent check-in answered (`answer`: the choice, or "text"); None if not open."""
        checkin = session.get(Checkin, checkin_id, with_for_update=self.dialect == "postgresql")
        if checkin is None or checkin.state != "sent":
            return None
        checkin.state = "answered"
        checkin.answer = answer
        checkin.answered_at = self.clock.now()
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

    def expire_unanswered_checkins(self, *, now: datetime, after: timedelta) -> list[Checkin]:
        """Sent check-ins with no answer for `after`: recorded as no answer."""
        with self.transaction() as session:
            query = select(Checkin).where(
                Checkin.state == "sent", col(Checkin.sent_at) <= now - after
            )
            if self.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = list(session.exec(query).all())
            for checkin in rows:
                checkin.state = "no_answer"
                session.add(checkin)
                self._checkin_event(
                    session, checkin.report_id, "checkin_no_answer", kind=checkin.kind
                )
        return rows

    def checkins_of_report(self, report_id: int) -> list[Checkin]:
        """For the moderator card and `/cpps status`: every check-in of a report, by due time."""
        with self.transaction() as session:
            return list(
                session.exec(
                    select(Checkin)
                    .where(Checkin.report_id == report_id)
                    .order_by(col(Checkin.due_at), col(Checkin.id))
                ).all()
            )

    def _checkin_event(self, session: Session, report_id: int, action: str, **detail: Any) -> None:
        add_checkin_event(session, report_id, self.clock.now(), action, detail)
