"""The outbox: each message sent after the webhook's own reply is a row before an API call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from flows.models import Contact, OutboundMessage
from flows.statuses import OutboundStatus
from flows.store.base import QueryGroup

# A row still `sending` this long after its claim was left by a process that died mid-send
# (a batch sends 8 at a time with a 10 s timeout each; the takeover looks the text up first).
STALE_SENDING = timedelta(minutes=2)

# Twilio's delivery states, in the order they can follow one another.
_PROVIDER_STATUS_RANK = {
    OutboundStatus.QUEUED: 0,
    OutboundStatus.ACCEPTED: 0,
    OutboundStatus.SCHEDULED: 0,
    OutboundStatus.SENDING: 1,
    OutboundStatus.SENT: 2,
    OutboundStatus.FAILED: 3,
    OutboundStatus.UNDELIVERED: 3,
    OutboundStatus.DELIVERED: 3,
    OutboundStatus.READ: 4,
}

_PROVIDER_STATUSES = {str(status): status for status in _PROVIDER_STATUS_RANK}


@dataclass(frozen=True)
class OutboundDraft:
    """One message for `enqueue_outbound_batch`."""

    contact: Contact
    body: str
    purpose: str
    dedupe_key: str
    report_id: int | None = None


@dataclass(frozen=True)
class ClaimedMessage:
    id: int
    contact_id: int
    channel: str
    attempts: int
    # Decrypted only here, just before sending; None when the contact was erased meanwhile.
    body: str | None
    address: str | None
    created_at: datetime
    # An earlier attempt may have reached the provider: look it up before sending again.
    uncertain: bool = False
    report_id: int | None = None
    purpose: str = ""
    # Set for a row found unsendable when claimed ("opted out", "erased"): already recorded as
    # blocked, returned so the caller can tell whoever expected it to go out.
    blocked: str | None = None


@dataclass(frozen=True)
class SendResult:
    message_id: int
    status: OutboundStatus  # sent | queued (retry) | failed | blocked
    provider_id: str | None = None
    error: str | None = None
    retry_at: datetime | None = None


class OutboxQueries(QueryGroup):
    def enqueue(
        self,
        *,
        session: Session,
        contact: Contact,
        body: str,
        purpose: str,
        report_id: int | None = None,
        dedupe_key: str | None = None,
        not_before: datetime | None = None,
    ) -> OutboundMessage | None:
        """Queue a message; an opted-out or erased contact gets a `blocked` row, never a send.

        With a `dedupe_key`, queueing the same logical message twice makes one row (None the
        second time). `not_before` holds it back (the end of the city's quiet hours).
        """
        values = self._outbound_values(
            contact=contact, body=body, purpose=purpose, report_id=report_id, dedupe_key=dedupe_key
        )
        if not_before is not None and values["next_attempt_at"] is not None:
            values["next_attempt_at"] = max(values["next_attempt_at"], not_before)
        if dedupe_key is None:
            row = OutboundMessage(**values)
            session.add(row)
            session.flush()
            return row
        if not self._db.insert_ignoring_conflicts(session, OutboundMessage, values):
            return None
        return session.exec(
            select(OutboundMessage).where(OutboundMessage.dedupe_key == dedupe_key)
        ).one()

    def enqueue_batch(self, *, session: Session, drafts: Sequence[OutboundDraft]) -> dict[str, int]:
        """Queue many messages, each with its dedupe key, in a few statements (the check-in
        dispatcher's batches). Returns dedupe key → row id for the rows created; keys already
        queued are left out. Opted-out and erased contacts get `blocked` rows, as one by one."""
        created: dict[str, int] = {}
        rows = [
            self._outbound_values(
                contact=d.contact,
                body=d.body,
                purpose=d.purpose,
                report_id=d.report_id,
                dedupe_key=d.dedupe_key,
            )
            for d in drafts
        ]
        insert_: Any
        if self._db.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as insert_
        else:
            from sqlalchemy.dialects.sqlite import insert as insert_
        if not rows:
            return created
        # executemany: SQLAlchemy batches it as "insertmanyvalues" with RETURNING on both backends.
        statement = (
            insert_(OutboundMessage)
            .on_conflict_do_nothing()
            .returning(col(OutboundMessage.id), col(OutboundMessage.dedupe_key))
        )
        for row_id, key in session.connection().execute(statement, rows):
            created[key] = row_id
        return created

    def _outbound_values(
        self,
        *,
        contact: Contact,
        body: str,
        purpose: str,
        report_id: int | None,
        dedupe_key: str | None,
    ) -> dict[str, Any]:
        assert contact.id is not None
        now = self._db.clock.now()
        blocked = contact.opted_out or contact.wrapped_key is None
        return {
            "contact_id": contact.id,
            "report_id": report_id,
            "channel": contact.channel,
            "purpose": purpose,
            "dedupe_key": dedupe_key,
            "body_enc": None
            if contact.wrapped_key is None
            else self._db.vault.encrypt(contact.wrapped_key, body),
            "status": OutboundStatus.BLOCKED if blocked else OutboundStatus.QUEUED,
            "last_error": ("opted out" if contact.opted_out else "erased") if blocked else None,
            "attempts": 0,
            "next_attempt_at": None if blocked else now,
            "created_at": now,
            "updated_at": now,
        }

    def claim_due(
        self, *, now: datetime, limit: int = 100, stale_after: timedelta = STALE_SENDING
    ) -> list[ClaimedMessage]:
        """Atomically move due rows (queued or uncertain) to sending, so two senders never send
        one row. A row left `sending` for `stale_after` belongs to a process that died mid-send:
        it is taken over as uncertain (looked up before any second send). Rows whose contact
        opted out or was erased since they were queued are blocked here and returned with
        `blocked` set."""
        with self._db.transaction() as session:
            due = col(OutboundMessage.status).in_(
                [OutboundStatus.QUEUED, OutboundStatus.UNCERTAIN]
            ) & (col(OutboundMessage.next_attempt_at) <= now)
            abandoned = (col(OutboundMessage.status) == OutboundStatus.SENDING) & (
                col(OutboundMessage.updated_at) <= now - stale_after
            )
            query = (
                select(OutboundMessage, Contact)
                .join(Contact, col(Contact.id) == col(OutboundMessage.contact_id))
                .where(due | abandoned)
                .order_by(col(OutboundMessage.next_attempt_at), col(OutboundMessage.id))
                .limit(limit)
            )
            query = self._db.claiming(query, of=OutboundMessage)
            claimed: list[ClaimedMessage] = []
            for message, contact in session.exec(query).all():
                assert message.id is not None
                blocked = contact.opted_out or contact.wrapped_key is None
                uncertain = message.status != OutboundStatus.QUEUED
                body = address = None
                if blocked:
                    message.status = OutboundStatus.BLOCKED
                    message.last_error = "opted out" if contact.opted_out else "erased"
                else:
                    message.status = OutboundStatus.SENDING
                    message.attempts += 1
                    message.updated_at = now
                    body, address = self._readable(message, contact)
                session.add(message)
                claimed.append(
                    ClaimedMessage(
                        id=message.id,
                        contact_id=contact.id or 0,
                        channel=message.channel,
                        attempts=message.attempts,
                        body=body,
                        address=address,
                        created_at=message.created_at,
                        uncertain=uncertain and not blocked,
                        report_id=message.report_id,
                        purpose=message.purpose,
                        blocked=message.last_error if blocked else None,
                    )
                )
        return claimed

    def _readable(
        self, message: OutboundMessage, contact: Contact
    ) -> tuple[str | None, str | None]:
        """The body and the address, decrypted just before sending."""
        key = contact.wrapped_key

        def decrypt(token: str | None) -> str | None:
            return None if token is None else self._db.vault.decrypt(key, token)

        return decrypt(message.body_enc), decrypt(contact.address_enc)

    def provider_ids_known(self, provider_ids: Sequence[str]) -> set[str]:
        """Which of these provider message ids some outbox row already holds."""
        if not provider_ids:
            return set()
        with self._db.reading() as session:
            rows = session.exec(
                select(OutboundMessage.provider_id).where(
                    col(OutboundMessage.provider_id).in_(list(provider_ids))
                )
            ).all()
        return {row for row in rows if row is not None}

    def record_results(self, results: list[SendResult]) -> None:
        """After a batch of API calls: each row sent, queued again for a retry, or failed."""
        if not results:
            return
        now = self._db.clock.now()
        with self._db.transaction() as session:
            # One executemany by primary key, not a statement per row: a batch may be thousands.
            session.execute(
                update(OutboundMessage),
                [
                    {
                        "id": result.message_id,
                        "provider_id": result.provider_id,
                        "status": result.status,
                        "last_error": result.error[:500] if result.error else None,
                        "next_attempt_at": result.retry_at,
                        "updated_at": now,
                    }
                    for result in results
                ],
            )

    def apply_delivery_status(
        self, *, provider_id: str, status: str, error_code: str | None
    ) -> bool:
        """A provider status callback (`status` as the provider spells it); out-of-order
        callbacks never move a row backwards, and a status we do not know leaves it as it is."""
        with self._db.transaction() as session:
            row = session.exec(
                select(OutboundMessage).where(OutboundMessage.provider_id == provider_id)
            ).first()
            if row is None:
                return False
            reported = _PROVIDER_STATUSES.get(status)
            if reported is None or _PROVIDER_STATUS_RANK[reported] < _PROVIDER_STATUS_RANK.get(
                row.status, -1
            ):
                return True
            row.status = reported
            if error_code:
                row.last_error = f"provider error {error_code}"
            row.updated_at = self._db.clock.now()
            session.add(row)
            return True

    def get(self, message_id: int) -> OutboundMessage | None:
        with self._db.reading() as session:
            return session.get(OutboundMessage, message_id)
