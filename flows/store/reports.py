"""Reports and their audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from flows.models import Contact, Report, ReportEvent
from flows.store.base import StoreBase
from flows.store.checkins import CLOSED_REPORT_STATUSES, cancel_open_checkins
from nlp.types import Analysis


@dataclass(frozen=True)
class NewReport:
    """What the conversation collected, ready to file."""

    channel: str
    language: str
    raw_text: str
    anonymous: bool
    contact_ok: bool
    consent_checkins: bool
    urgent: bool
    place_text: str | None = None
    when_text: str | None = None


class ReportQueries(StoreBase):
    def create_report(
        self,
        *,
        session: Session,
        contact: Contact | None,
        ref: str,
        new: NewReport,
        analysis: Analysis,
        destinations: list[str],
        redacted_place: str | None,
        redacted_when: str | None,
        actor: str = "system",
    ) -> Report:
        """Insert a report; a reference already taken raises IntegrityError (pick another)."""
        now = self.clock.now()
        raw_enc = (
            self.vault.encrypt(contact.wrapped_key, new.raw_text)
            if contact is not None and contact.wrapped_key is not None
            else None
        )
        report = Report(
            ref=ref,
            contact_id=contact.id if contact is not None else None,
            channel=new.channel,
            language=new.language,
            status="new",
            anonymous=new.anonymous,
            contact_ok=new.contact_ok,
            consent_checkins=new.consent_checkins,
            urgent=new.urgent or analysis.urgency != "none",
            raw_text_enc=raw_enc,
            redacted_text=analysis.redacted,
            analysis=analysis.to_dict(),
            destinations=destinations,
            top_category=analysis.top_category,
            triage=analysis.triage,
            urgency=analysis.urgency,
            district=analysis.district,
            place_text=redacted_place,
            when_text=redacted_when,
            created_at=now,
            updated_at=now,
        )
        session.add(report)
        session.flush()
        self.add_event(
            session=session,
            report=report,
            actor=actor,
            action="filed",
            detail={"category": analysis.top_category, "urgency": analysis.urgency},
        )
        return report

    def append_to_report(
        self,
        *,
        session: Session,
        report: Report,
        contact: Contact,
        raw_text: str,
        redacted_text: str,
        actor: str = "reporter",
    ) -> None:
        """More words from the reporter: raw kept encrypted, redacted appended for the council."""
        if report.raw_text_enc is not None and contact.wrapped_key is not None:
            raw = self.vault.decrypt(contact.wrapped_key, report.raw_text_enc)
            report.raw_text_enc = self.vault.encrypt(contact.wrapped_key, raw + "\n\n" + raw_text)
        report.redacted_text = report.redacted_text + "\n\n" + redacted_text
        report.updated_at = self.clock.now()
        session.add(report)
        self.add_event(
            session=session,
            report=report,
            actor=actor,
            action="added_text",
            detail={"text": redacted_text},
        )

    def add_event(
        self,
        *,
        session: Session,
        report: Report,
        actor: str,
        action: str,
        detail: dict[str, Any] | None = None,
    ) -> ReportEvent:
        assert report.id is not None
        event = ReportEvent(
            report_id=report.id,
            at=self.clock.now(),
            actor=actor,
            action=action,
            detail=detail or {},
        )
        session.add(event)
        return event

    def report_by_ref(self, ref: str, *, session: Session | None = None) -> Report | None:
        query = select(Report).where(Report.ref == ref.upper())
        if session is not None:
            return session.exec(query).first()
        with self.transaction() as s:
            return s.exec(query).first()

    def reports_of_contact(self, contact_id: int) -> list[Report]:
        with self.transaction() as session:
            return list(
                session.exec(
                    select(Report)
                    .where(Report.contact_id == contact_id)
                    .order_by(col(Report.created_at).desc())
                ).all()
            )

    def report_events(self, report_id: int) -> list[ReportEvent]:
        with self.transaction() as session:
            return list(
                session.exec(
                    select(ReportEvent)
                    .where(ReportEvent.report_id == report_id)
                    .order_by(col(ReportEvent.id))
                ).all()
            )

    def set_report_status(
        self,
        *,
        session: Session,
        report: Report,
        status: str,
        actor: str,
        detail: dict[str, Any] | None = None,
    ) -> None:
        previous = report.status
        if status in CLOSED_REPORT_STATUSES and report.id is not None:
            # Resolved, closed or spam: no more check-ins, except the resolution's own question
            # (see CheckinQueries.schedule_resolution_checkin).
            cancel_open_checkins(
                session,
                now=self.clock.now(),
                reason=status,
                report_id=report.id,
                keep_kinds=("resolution",) if status == "resolved" else (),
            )
        report.status = status
        report.updated_at = self.clock.now()
        session.add(report)
        self.add_event(
            session=session,
            report=report,
            actor=actor,
            action="status",
            detail={"from": previous, "to": status, **(detail or {})},
        )
