"""Reporters: found by pseudonym, their address decrypted only to send, erased by shredding."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from flows.clocks import Clock
from flows.models import Contact, Conversation, InboundMessage, OutboundMessage, Report
from flows.privacy import Vault
from flows.statuses import OPEN_CHECKIN_STATES, CheckinState, OutboundStatus
from flows.store.base import QueryGroup
from flows.store.checkins import cancel_open_checkins
from flows.store.model_jobs import forget_contact_jobs


class ContactQueries(QueryGroup):
    def get_or_create(self, *, channel: str, address: str, language: str = "en") -> Contact:
        """The contact for this address, created (with its own data key) on first contact."""
        for _ in range(3):
            try:
                with self._db.transaction() as session:
                    return find_or_add_contact(
                        session,
                        vault=self._db.vault,
                        clock=self._db.clock,
                        channel=channel,
                        address=address,
                        language=language,
                    )
            except IntegrityError:
                continue  # created concurrently by another request: find it next time round
        raise RuntimeError("could not create contact")

    def add_new(self, *, channel: str, address: str) -> Contact | None:
        """A sender never seen before, added in one write (a new sender's first text); None when
        they may be known after all (added this moment by another request, or known under an
        older key while keys rotate): `get_or_create` then finds them."""
        vault = self._db.vault
        candidates = vault.pseudonyms(channel, address)
        if len(candidates) > 1:
            return None
        wrapped = vault.new_wrapped_key()
        values: dict[str, Any] = {
            "channel": channel,
            "pseudonym": candidates[0],
            "wrapped_key": wrapped,
            "address_enc": vault.encrypt(wrapped, address),
            "language": "en",
            "opted_out": False,
            "created_at": self._db.clock.now(),
        }
        with self._db.transaction() as session:
            new_id = self._db.insert_returning_key(session, Contact, values)
        return None if new_id is None else Contact(id=new_id, **values)

    def get(self, contact_id: int) -> Contact | None:
        with self._db.reading() as session:
            return session.get(Contact, contact_id)

    def get_to_change(self, contact_id: int, *, session: Session) -> Contact | None:
        """The contact, read in the caller's transaction (which may message or change them)."""
        return session.get(Contact, contact_id)

    def set_opted_out(self, contact_id: int, *, opted_out: bool) -> None:
        """STOP / START. Messages still queued for the contact are blocked when the outbox
        next claims them (`OutboxQueries.claim_due` reads the flag): the outbox, not this, then
        tells moderators that a relayed text did not go out."""
        with self._db.transaction() as session:
            self._set_opted_out(session, contact_id, opted_out=opted_out)

    def _set_opted_out(self, session: Session, contact_id: int, *, opted_out: bool) -> None:
        contact = session.get(Contact, contact_id)
        if contact is None:
            return
        contact.opted_out = opted_out
        contact.opted_out_at = self._db.clock.now() if opted_out else None
        session.add(contact)
        if opted_out:
            # STOP ends check-ins for good; START does not bring them back.
            cancel_open_checkins(
                session, now=self._db.clock.now(), reason="opted_out", contact_id=contact_id
            )

    def set_language(self, contact_id: int, language: str, *, session: Session) -> None:
        contact = session.get(Contact, contact_id)
        if contact is not None:
            contact.language = language
            session.add(contact)

    def erase(self, contact_id: int, *, session: Session) -> None:
        """Shred the contact's data key and everything only they could read.

        Routed reports keep their redacted text and analysis (the council's copy) but lose their
        link to the contact; the pseudonym is replaced so the number is no longer recognised.
        """
        now = self._db.clock.now()
        contact = session.get(Contact, contact_id)
        if contact is None:
            return
        # Before the reports lose their link: no check-in reaches an erased reporter, and one
        # already sent can no longer be answered.
        cancel_open_checkins(
            session,
            now=now,
            reason="erased",
            contact_id=contact_id,
            states=(*OPEN_CHECKIN_STATES, CheckinState.SENT),
        )
        # Their texts waiting for the worker are sealed under the master keys, not their own.
        forget_contact_jobs(session, contact_id=contact_id, now=now)
        contact.wrapped_key = None
        contact.address_enc = None
        contact.pseudonym = "erased-" + secrets.token_hex(16)
        contact.erased_at = now
        session.add(contact)
        session.execute(
            update(Report)
            .where(col(Report.contact_id) == contact_id)
            .values(raw_text_enc=None, contact_id=None, updated_at=now)
        )
        session.execute(
            update(InboundMessage)
            .where(col(InboundMessage.contact_id) == contact_id)
            .values(body_enc=None, media_enc=None, reply_enc=None)
        )
        session.execute(
            update(OutboundMessage)
            .where(col(OutboundMessage.contact_id) == contact_id)
            .values(body_enc=None)
        )
        session.execute(
            update(OutboundMessage)
            .where(
                col(OutboundMessage.contact_id) == contact_id,
                col(OutboundMessage.status) == OutboundStatus.QUEUED,
            )
            .values(status=OutboundStatus.BLOCKED, last_error="erased", updated_at=now)
        )
        conversation = session.get(Conversation, contact_id)
        if conversation is not None:
            session.delete(conversation)


def find_or_add_contact(
    session: Session,
    *,
    vault: Vault,
    clock: Clock,
    channel: str,
    address: str,
    language: str = "en",
) -> Contact:
    """Inside the caller's transaction: the contact for this address, added if new.

    Raises IntegrityError when another transaction added it first (the caller retries).
    """
    candidates = vault.pseudonyms(channel, address)
    found = session.exec(
        select(Contact).where(Contact.channel == channel, col(Contact.pseudonym).in_(candidates))
    ).first()
    if found is not None:
        if found.pseudonym != candidates[0]:
            # Found under an older key: move it to the newest key (rotation without downtime).
            found.pseudonym = candidates[0]
            if found.wrapped_key is not None:
                found.wrapped_key = vault.rewrap(found.wrapped_key)
            session.add(found)
        return found
    wrapped = vault.new_wrapped_key()
    contact = Contact(
        channel=channel,
        pseudonym=candidates[0],
        wrapped_key=wrapped,
        address_enc=vault.encrypt(wrapped, address),
        language=language,
        created_at=clock.now(),
    )
    session.add(contact)
    session.flush()
    return contact
