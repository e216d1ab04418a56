"""Check-in rows: scheduled at filing, claimed atomically when due, sent through the outbox, or
cancelled (answers: `checkin_answers.py`). Every change also goes to the report's audit trail.

Exactly once: `claim_due_checkins` moves due rows from pending to claimed in one transaction that
locks them (PostgreSQL: FOR UPDATE SKIP LOCKED, so a second clock process takes other rows;
SQLite: the engine's BEGIN IMMEDIATE serialises writers), and `enqueue_claimed_checkins` only
sends a row it can still move from claimed to sent, with the outbox's dedupe key
`checkin:{id}` as a last guard. A claim left behind by a crashed process is taken again after
`STALE_CLAIM`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, or_, update
from sqlmodel import Session, col, select

from flows.checkins.schedule import RESOLUTION, PlannedCheckin
from flows.models import Checkin, Contact, Report, ReportEvent
from flows.store.base import Database, QueryGroup
from flows.store.outbox import OutboundDraft, OutboxQueries

STALE_CLAIM = timedelta(minutes=10)
OPEN_STATES = ("pending", "claimed")
CLOSED_REPORT_STATUSES = ("resolved", "closed", "spam")


@dataclass(frozen=True)
class ClaimedCheckin:
    """What the dispatcher needs to render and queue one check-in (no personal data)."""

    id: int
    kind: str
    report_id: int
    contact_id: int
    ref: str
    destinations: tuple[str, ...]
    language: str
    note: str | None


class CheckinQueries(QueryGroup):
    def __init__(self, db: Database, *, outbox: OutboxQueries) -> None:
        super().__init__(db)
        self._outbox = outbox  # check-ins are sent through the outbox

    def schedule(
        self, *, session: Session, report: Report, planned: Iterable[PlannedCheckin]
    ) -> int:
        """Create the report's check-ins (once per kind); only for a reporter who consented."""
        if not report.consent_checkins or report.contact_id is None or report.id is None:
            return 0
        created = 0
        now = self._db.clock.now()
        for item in planned:
            values = {
                "report_id": report.id,
                "contact_id": report.contact_id,
                "kind": item.kind,
                "due_at": item.due_at,
                "state": "pending",
                "attempts": 0,
                "created_at": now,
            }
            if self._db.insert_ignoring_conflicts(session, Checkin, values):
                created += 1
                self._checkin_event(
                    session, report.id, "checkin_scheduled", kind=item.kind, due_at=item.due_at
                )
        return created

    def schedule_resolution(
        self, *, session: Session, report: Report, note: str | None, due_at: datetime
    ) -> bool:
        """On resolution: pending check-ins give way to one carrying the note and asking whether
        it resolved the matter. False when the reporter did not consent (or was erased)."""
        if report.id is None:
            return False
        self.cancel(session=session, report_id=report.id, reason="resolved")
        if not report.consent_checkins or report.contact_id is None:
            return False
        existing = session.exec(
            select(Checkin).where(Checkin.report_id == report.id, Checkin.kind == RESOLUTION)
        ).first()
        if existing is not None:
            if existing.state in ("sent", "answered", "no_answer"):
                return False  # resolved again after the question went out: not asked twice
            existing.state, existing.note, existing.due_at = "pending", note, due_at
            existing.cancel_reason = None
            session.add(existing)
        else:
            session.add(
                Checkin(
                    report_id=report.id,
                    contact_id=report.contact_id,
                    kind=RESOLUTION,
                    due_at=due_at,
                    note=note,
                    created_at=self._db.clock.now(),
                )
            )
        self._checkin_event(session, report.id, "checkin_scheduled", kind=RESOLUTION, due_at=due_at)
        return True

    def claim_due(self, *, now: datetime, limit: int = 200) -> list[ClaimedCheckin]:
        """Atomically move due check-ins to claimed (see the module doc). Check-ins whose reporter
        opted out or was erased, or whose report was closed meanwhile, are cancelled instead."""
        with self._db.transaction() as session:
            query = (
                select(Checkin.id)
                .where(
                    col(Checkin.due_at) <= now,
                    or_(
                        col(Checkin.state) == "pending",
                        (col(Checkin.state) == "claimed")
                        & (col(Checkin.claimed_at) < now - STALE_CLAIM),
                    ),
                )
                .order_by(col(Checkin.due_at), col(Checkin.id))
                .limit(limit)
            )
            query = self._db.claiming(query)
            ids = list(session.exec(query).all())
            if not ids:
                return []
            rows = session.exec(
                select(Checkin, Report, Contact)
                .join(Report, col(Report.id) == col(Checkin.report_id))
                .join(Contact, col(Contact.id) == col(Checkin.contact_id))
                .where(col(Checkin.id).in_(ids))
                .order_by(col(Checkin.due_at), col(Checkin.id))
            ).all()
            claimed: list[ClaimedCheckin] = []
            cancelled: list[tuple[Checkin, str]] = []
            for checkin, report, contact in rows:
                reason = _cancel_reason(checkin, report, contact)
                if reason is not None:
                    cancelled.append((checkin, reason))
                    continue
                assert checkin.id is not None and contact.id is not None
                claimed.append(
                    ClaimedCheckin(
                        id=checkin.id,
                        kind=checkin.kind,
                        report_id=checkin.report_id,
                        contact_id=contact.id,
                        ref=report.ref,
                        destinations=tuple(report.destinations),
                        language=contact.language or report.language,
                        note=checkin.note,
                    )
                )
            # Rows whose contact is missing (cannot happen with the FK) are left alone.
            if claimed:
                session.execute(
                    update(Checkin)
                    .where(col(Checkin.id).in_([c.id for c in claimed]))
                    .values(state="claimed", claimed_at=now, attempts=Checkin.attempts + 1)
                )
            for checkin, reason in cancelled:
                _cancel_rows(session, [checkin], reason, now)
        return claimed

    def enqueue_claimed(self, items: Sequence[tuple[ClaimedCheckin, Sequence[str]]]) -> int:
        """Queue each claimed check-in's texts in the outbox and mark it sent, in one transaction.

        A row no longer claimed (cancelled meanwhile, or taken over after a stale claim) is
        skipped; the outbox dedupe key `checkin:{id}` never queues one check-in twice. Done in a
        few statements per batch, not per row: a clock pass may queue thousands."""
        if not items:
            return 0
        now = self._db.clock.now()
        with self._db.transaction() as session:
            moved = set(
                session.connection()
                .execute(
                    update(Checkin)
                    .where(
                        col(Checkin.id).in_([claimed.id for claimed, _ in items]),
                        col(Checkin.state) == "claimed",
                    )
                    .values(state="sent", sent_at=now)
                    .returning(col(Checkin.id))
                )
                .scalars()
            )
            sending = [(claimed, bodies) for claimed, bodies in items if claimed.id in moved]
            if not sending:
                return 0
            contact_ids = {claimed.contact_id for claimed, _ in sending}
            contacts = {
                c.id: c
                for c in session.exec(select(Contact).where(col(Contact.id).in_(contact_ids)))
            }
            drafts = [
                OutboundDraft(
                    contact=contacts[claimed.contact_id],
                    body=body,
                    purpose="checkin",
                    report_id=claimed.report_id,
                    dedupe_key=_dedupe_key(claimed.id, index, len(bodies)),
                )
                for claimed, bodies in sending
                for index, body in enumerate(bodies)
            ]
            created = self._outbox.enqueue_batch(session=session, drafts=drafts)
            links = [
                {"checkin_id": claimed.id, "outbound_id": created[f"checkin:{claimed.id}"]}
                for claimed, _ in sending
                if f"checkin:{claimed.id}" in created
            ]
            if links:
                session.connection().execute(
                    update(Checkin)
                    .where(col(Checkin.id) == bindparam("checkin_id"))
                    .values(outbound_id=bindparam("outbound_id")),
                    links,
                )
            session.connection().execute(
                insert(ReportEvent),
                [
                    {
                        "report_id": claimed.report_id,
                        "at": now,
                        "actor": "system",
                        "action": "checkin_sent",
                        "detail": {"kind": claimed.kind, "id": claimed.id},
                    }
                    for claimed, _ in sending
                ],
            )
        return len(sending)

    def cancel(
        self,
        *,
        session: Session,
        reason: str,
        report_id: int | None = None,
        contact_id: int | None = None,
        states: Sequence[str] = OPEN_STATES,
    ) -> int:
        """Cancel a report's or a contact's check-ins that are still in `states`."""
        return cancel_open_checkins(
            session,
            now=self._db.clock.now(),
            reason=reason,
            report_id=report_id,
            contact_id=contact_id,
            states=states,
        )

    def of_report(self, report_id: int) -> list[Checkin]:
        """For the moderator card and `/cpps status`: every check-in of a report, by due time."""
        with self._db.reading() as session:
            return list(
                session.exec(
                    select(Checkin)
                    .where(Checkin.report_id == report_id)
                    .order_by(col(Checkin.due_at), col(Checkin.id))
                ).all()
            )

    def _checkin_event(self, session: Session, report_id: int, action: str, **detail: Any) -> None:
        add_checkin_event(session, report_id, self._db.clock.now(), action, detail)


def cancel_open_checkins(
    session: Session,
    *,
    now: datetime,
    reason: str,
    report_id: int | None = None,
    contact_id: int | None = None,
    states: Sequence[str] = OPEN_STATES,
    keep_kinds: Sequence[str] = (),
) -> int:
    """Module-level so the contact and report queries (STOP, DELETE, status) can call it."""
    if report_id is None and contact_id is None:
        raise ValueError("cancel_open_checkins needs a report or a contact")
    query = select(Checkin).where(col(Checkin.state).in_(states))
    if report_id is not None:
        query = query.where(Checkin.report_id == report_id)
    if contact_id is not None:
        query = query.where(Checkin.contact_id == contact_id)
    if keep_kinds:
        query = query.where(col(Checkin.kind).not_in(keep_kinds))
    rows = list(session.exec(query).all())
    _cancel_rows(session, rows, reason, now)
    return len(rows)


def _cancel_rows(session: Session, rows: Iterable[Checkin], reason: str, now: datetime) -> None:
    for checkin in rows:
        checkin.state = "cancelled"
        checkin.cancel_reason = reason[:32]
        session.add(checkin)
        add_checkin_event(
            session,
            checkin.report_id,
            now,
            "checkin_cancelled",
            {"kind": checkin.kind, "reason": reason},
        )


def add_checkin_event(
    session: Session, report_id: int, now: datetime, action: str, detail: dict[str, Any]
) -> None:
    session.add(
        ReportEvent(
            report_id=report_id,
            at=now,
            actor="system",
            action=action,
            detail={k: v.isoformat() if isinstance(v, datetime) else v for k, v in detail.items()},
        )
    )


def _dedupe_key(checkin_id: int, index: int, count: int) -> str:
    """`checkin:{id}` for the question (the last text); earlier texts (a long note) get a suffix."""
    return f"checkin:{checkin_id}" if index == count - 1 else f"checkin:{checkin_id}:{index}"


def _cancel_reason(checkin: Checkin, report: Report, contact: Contact) -> str | None:
    if contact.wrapped_key is None:
        return "erased"
    if contact.opted_out:
        return "opted_out"
    if report.status in CLOSED_REPORT_STATUSES and not (
        checkin.kind == RESOLUTION and report.status == "resolved"
    ):
        return report.status
    return None
