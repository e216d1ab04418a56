"""Inbound messages: persisted before they are answered, once per provider id."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from flows.models import Contact, InboundMessage
from flows.statuses import InboundState
from flows.store.base import QueryGroup
from flows.store.contacts import find_or_add_contact

_INBOUND = InboundMessage.__table__  # type: ignore[attr-defined]
_STORED = select(_INBOUND.c.id).where(
    _INBOUND.c.channel == bindparam("channel"), _INBOUND.c.provider_id == bindparam("provider_id")
)


class ProviderIdTaken(Exception):
    """The provider id is already another sender's message: a provider id names one message,
    from one sender, so this delivery is not the provider's (nothing of it is kept)."""


@dataclass(frozen=True)
class RecordedInbound:
    message: InboundMessage
    contact: Contact
    created: bool  # False: a retry of a message already recorded


class InboundQueries(QueryGroup):
    def receive(
        self, *, channel: str, address: str, provider_id: str, body: str, media_urls: list[str]
    ) -> RecordedInbound:
        """Persist an inbound message and find (or add) its sender, in one transaction.

        Once per provider id: a retry finds the message recorded the first time. The same id
        from another sender raises `ProviderIdTaken`, and the transaction (with the contact it
        may have added) is rolled back.
        """
        for _ in range(3):
            try:
                with self._db.transaction() as session:
                    contact = find_or_add_contact(
                        session,
                        vault=self._db.vault,
                        clock=self._db.clock,
                        channel=channel,
                        address=address,
                    )
                    return self._insert_inbound(
                        session,
                        channel=channel,
                        provider_id=provider_id,
                        contact=contact,
                        body=body,
                        media_urls=media_urls,
                    )
            except IntegrityError:
                continue  # the contact was added concurrently by another request: find it again
        raise RuntimeError("could not record the inbound message")

    def _insert_inbound(
        self,
        session: Session,
        *,
        channel: str,
        provider_id: str,
        contact: Contact,
        body: str,
        media_urls: list[str],
    ) -> RecordedInbound:
        values = self._values(
            channel=channel, provider_id=provider_id, contact=contact, body=body, media=media_urls
        )
        new_id = self._db.insert_returning_key(session, InboundMessage, values)
        if new_id is not None:
            return RecordedInbound(
                message=InboundMessage(id=new_id, **values), contact=contact, created=True
            )
        first = session.exec(
            select(InboundMessage).where(
                InboundMessage.channel == channel, InboundMessage.provider_id == provider_id
            )
        ).one()
        if first.contact_id != contact.id and _readable(session, first.contact_id):
            raise ProviderIdTaken
        # (An erased sender's message is shredded: a retry of it finds nothing to read.)
        return RecordedInbound(message=first, contact=contact, created=False)

    def insert_answered(
        self,
        session: Session,
        *,
        channel: str,
        provider_id: str,
        contact: Contact,
        body: str,
        media_urls: list[str],
        reply: str,
        state: InboundState = InboundState.ANSWERED,
    ) -> int | None:
        """A new message and its reply in the caller's transaction (the one that acts on it:
        one write per text), `answered` or `limited`. None when the provider id is already
        stored (a retry, or another sender's id): the caller rolls back and receives it the
        usual way."""
        values = self._values(
            channel=channel, provider_id=provider_id, contact=contact, body=body, media=media_urls
        )
        now = values["received_at"]
        values.update(
            state=state,
            reply_enc=self._db.vault.encrypt(contact.wrapped_key, reply),
            answered_at=now,
        )
        new_id = self._db.insert_returning_key(session, InboundMessage, values)
        return None if new_id is None else int(new_id)

    def _values(
        self, *, channel: str, provider_id: str, contact: Contact, body: str, media: list[str]
    ) -> dict[str, Any]:
        """A new `received` row's columns, the words encrypted under the sender's key."""
        assert contact.id is not None
        vault = self._db.vault
        return {
            "channel": channel,
            "provider_id": provider_id,
            "contact_id": contact.id,
            "body_enc": vault.encrypt(contact.wrapped_key, body),
            "media_enc": vault.encrypt(contact.wrapped_key, json.dumps(media)) if media else None,
            "num_media": len(media),
            "state": InboundState.RECEIVED,
            "received_at": self._db.clock.now(),
        }

    def is_stored(self, *, channel: str, provider_id: str) -> bool:
        """Whether a message with this provider id is stored (a retry, or another sender's id)."""
        params = {"channel": channel, "provider_id": provider_id}
        return self._db.read_once(_STORED, params) is not None

    def get(self, inbound_id: int) -> InboundMessage | None:
        with self._db.reading() as session:
            return session.get(InboundMessage, inbound_id)

    def mark_answered(
        self, *, inbound_id: int, contact: Contact, reply: str, session: Session
    ) -> bool:
        """Record the reply; False (nothing changed) if another handler answered it first,
        which the caller must treat as "roll back": its effects would be applied twice."""
        return self._close(session, inbound_id, contact, reply, InboundState.ANSWERED)

    def mark_limited(self, *, inbound_id: int, contact: Contact, reply: str) -> None:
        """Kept, not acted on: the sender passed a limit. Final, like `answered`."""
        with self._db.transaction() as session:
            self._close(session, inbound_id, contact, reply, InboundState.LIMITED)

    def _close(
        self, session: Session, inbound_id: int, contact: Contact, reply: str, state: InboundState
    ) -> bool:
        """`received` → `state` with the reply, once: False if the message was closed already."""
        result = session.execute(
            update(InboundMessage)
            .where(
                col(InboundMessage.id) == inbound_id,
                col(InboundMessage.state) == InboundState.RECEIVED,
            )
            .values(
                state=state,
                reply_enc=self._db.vault.encrypt(contact.wrapped_key, reply),
                answered_at=self._db.clock.now(),
            )
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    def unanswered(self, *, received_before: datetime, limit: int = 50) -> list[int]:
        """Messages still `received` (their handler died before answering), oldest first,
        from contacts whose words can still be read."""
        with self._db.reading() as session:
            rows = session.exec(
                select(InboundMessage.id)
                .join(Contact, col(Contact.id) == col(InboundMessage.contact_id))
                .where(
                    col(InboundMessage.state) == InboundState.RECEIVED,
                    col(InboundMessage.received_at) <= received_before,
                    col(Contact.wrapped_key).is_not(None),
                    col(InboundMessage.body_enc).is_not(None),
                )
                .order_by(col(InboundMessage.received_at))
                .limit(limit)
            ).all()
        return [row for row in rows if row is not None]

    def stored_reply(self, message: InboundMessage, contact: Contact) -> str | None:
        if message.reply_enc is None:
            return None
        return self._db.vault.decrypt(contact.wrapped_key, message.reply_enc)


def _readable(session: Session, contact_id: int) -> bool:
    """Whether the contact still has its data key (not erased)."""
    owner = session.get(Contact, contact_id)
    return owner is not None and owner.wrapped_key is not None
