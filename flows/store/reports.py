"""Reports, their audit trail, and what moderators read of them: open queues, counts, reroutes
kept as training examples."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from flows.checkins.schedule import RESOLUTION
from flows.models import Contact, ModeratorCorrection, Report, ReportEvent
from flows.statuses import CLOSED_REPORT_STATUSES, OPEN_REPORT_STATUSES, ReportState
from flows.store.base import QueryGroup
from flows.store.checkins import cancel_open_checkins
from flows.store.milestones import milestones, record
from nlp.types import Analysis


@dataclass(frozen=True)
class ReportStats:
    total: int
    by_category: Counter[str]
    by_district: Counter[str]
    by_status: Counter[str]


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


class ReportQueries(QueryGroup):
    def create(
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
        now = self._db.clock.now()
        raw_enc = (
            self._db.vault.encrypt(contact.wrapped_key, new.raw_text)
            if contact is not None and contact.wrapped_key is not None
            else None
        )
        report = Report(
            ref=ref,
            contact_id=contact.id if contact is not None else None,
            channel=new.channel,
            language=new.language,
            status=ReportState.NEW,
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

    def append(
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
            raw = self._db.vault.decrypt(contact.wrapped_key, report.raw_text_enc)
            report.raw_text_enc = self._db.vault.encrypt(
                contact.wrapped_key, raw + "\n\n" + raw_text
            )
        report.redacted_text = report.redacted_text + "\n\n" + redacted_text
        report.updated_at = self._db.clock.now()
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
        """An entry of the report's audit trail; a take-up, resolution or spam mark also sets
        the report's first time of it (flows/store/milestones.py)."""
        assert report.id is not None
        event = ReportEvent(
            report_id=report.id,
            at=self._db.clock.now(),
            actor=actor,
            action=action,
            detail=detail or {},
        )
        session.add(event)
        reached = milestones(action, event.detail)
        if reached:
            record(session, report, reached, event.at)
        return event

    def by_ref(self, ref: str) -> Report | None:
        with self._db.reading() as session:
            return self.by_ref_to_change(ref, session=session)

    def by_ref_to_change(self, ref: str, *, session: Session) -> Report | None:
        """The report, read in the caller's transaction (which is about to change it)."""
        return session.exec(select(Report).where(Report.ref == ref.upper())).first()

    def unrouted_to_route(self, ref: str, *, session: Session) -> Report | None:
        """The report `ref` if it is filed and not routed yet (its analysis came late), locked
        for the caller's transaction; None if routed already, or being routed by another
        worker this moment (on PostgreSQL its row is skipped, not waited for)."""
        query = select(Report).where(
            Report.ref == ref.upper(), col(Report.status) == ReportState.NEW
        )
        return session.exec(self._db.claiming(query)).first()

    def record_analysis(
        self,
        *,
        session: Session,
        report: Report,
        analysis: Analysis,
        destinations: list[str],
        redacted_place: str | None,
        redacted_when: str | None,
    ) -> None:
        """The analysis of a report filed before it was ready (see `unrouted_to_route`)."""
        report.redacted_text = analysis.redacted
        report.analysis = analysis.to_dict()
        report.destinations = destinations
        report.top_category = analysis.top_category
        report.triage = analysis.triage
        report.urgency = analysis.urgency
        report.urgent = report.urgent or analysis.urgency != "none"
        report.district = analysis.district
        report.place_text = redacted_place
        report.when_text = redacted_when
        report.updated_at = self._db.clock.now()
        session.add(report)
        self.add_event(
            session=session,
            report=report,
            actor="system",
            action="analysed",
            detail={"category": analysis.top_category, "urgency": analysis.urgency},
        )

    def of_contact(self, contact_id: int) -> list[Report]:
        with self._db.reading() as session:
            return list(
                session.exec(
                    select(Report)
                    .where(Report.contact_id == contact_id)
                    .order_by(col(Report.created_at).desc())
                ).all()
            )

    def events(self, report_id: int) -> list[ReportEvent]:
        with self._db.reading() as session:
            return list(
                session.exec(
                    select(ReportEvent)
                    .where(ReportEvent.report_id == report_id)
                    .order_by(col(ReportEvent.id))
                ).all()
            )

    def set_status(
        self,
        *,
        session: Session,
        report: Report,
        status: str,
        actor: str,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Move the report to `status` (a `ReportState` or its value; anything else raises)."""
        previous = report.status
        new_status = ReportState(status)
        if new_status in CLOSED_REPORT_STATUSES and report.id is not None:
            # Resolved, closed or spam: no more check-ins, except the resolution's own question
            # (see CheckinQueries.schedule_resolution).
            cancel_open_checkins(
                session,
                now=self._db.clock.now(),
                reason=new_status,
                report_id=report.id,
                keep_kinds=(RESOLUTION,) if new_status == ReportState.RESOLVED else (),
            )
        report.status = new_status
        report.updated_at = self._db.clock.now()
        session.add(report)
        self.add_event(
            session=session,
            report=report,
            actor=actor,
            action="status",
            detail={"from": previous, "to": new_status, **(detail or {})},
        )

    def get(self, report_id: int) -> Report | None:
        with self._db.reading() as session:
            return session.get(Report, report_id)

    def get_to_change(self, report_id: int, *, session: Session) -> Report | None:
        """The report, read in the caller's transaction (which is about to change it)."""
        return session.get(Report, report_id)

    def open(self, *, destinations: Collection[str] | None = None) -> list[Report]:
        """Open reports, oldest first; only those routed to one of `destinations` when given.

        Destinations are a JSON list, filtered here rather than in SQL so the query is the same on
        both databases; open reports are few (they close), so this stays cheap.
        """
        with self._db.reading() as session:
            rows = session.exec(
                select(Report)
                .where(col(Report.status).in_(OPEN_REPORT_STATUSES))
                .order_by(col(Report.created_at), col(Report.id))
            ).all()
        if destinations is None:
            return list(rows)
        wanted = set(destinations)
        return [r for r in rows if wanted.intersection(r.destinations)]

    def stats(self, *, since: datetime) -> ReportStats:
        with self._db.reading() as session:
            rows = session.exec(
                select(Report.top_category, Report.district, Report.status).where(
                    col(Report.created_at) >= since
                )
            ).all()
        return ReportStats(
            total=len(rows),
            by_category=Counter(category or "unsure" for category, _, _ in rows),
            by_district=Counter(district or "unknown" for _, district, _ in rows),
            by_status=Counter(status for _, _, status in rows),
        )

    def add_correction(
        self,
        *,
        session: Session,
        report: Report,
        category: str,
        destination: str,
        actor: str,
    ) -> None:
        assert report.id is not None
        session.add(
            ModeratorCorrection(
                report_id=report.id,
                redacted_text=report.redacted_text,
                previous_category=report.top_category,
                category=category,
                destination=destination,
                actor=actor,
                at=self._db.clock.now(),
            )
        )

    def corrections(self) -> list[tuple[str, str]]:
        """Labelled examples from moderators' reroutes: (redacted text, category).

        The latest correction of each report wins, so a report re-labelled twice counts once.
        """
        with self._db.reading() as session:
            rows = session.exec(
                select(ModeratorCorrection).order_by(col(ModeratorCorrection.id))
            ).all()
        latest: dict[int, tuple[str, str]] = {}
        for row in rows:
            latest[row.report_id] = (row.redacted_text, row.category)
        return list(latest.values())
