"""Inbound messages (persisted before they are answered, once per provider id) and conversations."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from flows.models import Contact, Conversation, InboundMessage
from flows.store.base import StoreBase
from flows.store.contacts import find_or_add_contact


@dataclass(frozen=True)
class RecordedInbound:
    message: InboundMessage
    contact: Contact
    created: bool  # False: a retry of a message already recorded


@dataclass(frozen=True)
class SavedConversation:
    state: dict[str, Any]
    version: int  # 0 when there is no row yet


class MessageQueries(StoreBase):
    def receive(
        self, *, channel: str, address: str, provider_id: str, body: str, media_urls: list[str]
    ) -> RecordedInbound:
        """Persist an inbound message and find (or add) its sender, in one transaction.

        Once per provider id: a retry finds the message recorded the first time.
        """
        for _ in range(3):
            try:
                with self.transaction() as session:
                    contact = find_or_add_contact(
                        session,
                        vault=self.vault,
                        clock=self.clock,
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
        assert contact.id is not None
        values: dict[str, Any] = {
            "channel": channel,
            "provider_id": provider_id,
            "contact_id": contact.id,
            "body_enc": self.vault.encrypt(contact.wrapped_key, body),
            "media_enc": (
                self.vault.encrypt(contact.wrapped_key, json.dumps(media_urls))
                if media_urls
                else None
            ),
            "num_media": len(media_urls),
            "state": "received",
            "received_at": self.clock.now(),
        }
        new_id = self.insert_returning_key(session, InboundMessage, values)
        if new_id is not None:
            return RecordedInbound(
                message=InboundMessage(id=new_id, **values), contact=contact, created=True
            )
        first = session.exec(
            select(InboundMessage).where(
                InboundMessage.channel == channel, InboundMessage.provider_id == provider_id
            )
        ).one()
        return RecordedInbound(message=first, contact=contact, created=False)

    def inbound(self, inbound_id: int) -> InboundMessage | None:
        with self.reading() as session:
            return session.get(InboundMessage, inbound_id)

    def mark_answered(
        self, *, inbound_id: int, contact: Contact, reply: str, session: Session
    ) -> None:
        session.execute(
            update(InboundMessage)
            .where(col(InboundMessage.id) == inbound_id)
            .values(
                state="answered",
                reply_enc=self.vault.encrypt(contact.wrapped_key, reply),
                answered_at=self.clock.now(),
            )
        )

    def stored_reply(self, message: InboundMessage, contact: Contact) -> str | None:
        if message.reply_enc is None:
            return None
        return self.vault.decrypt(contact.wrapped_key, message.reply_enc)

    def load_conversation(self, contact: Contact) -> SavedConversation:
        with self.reading() as session:
            row = session.get(Conversation, contact.id)
        if row is None:
            return SavedConversation(state={}, version=0)
        state = json.loads(self.vault.decrypt(contact.wrapped_key, row.state_enc))
        return SavedConversation(state=state, version=row.version)

    def save_conversation(
        self,
        *,
        contact: Contact,
        state: dict[str, Any],
        expected_version: int,
        wake_at: datetime | None,
        session: Session,
    ) -> bool:
        """Compare-and-swap the state; False when another message saved first (retry the step)."""
        assert contact.id is not None
        now = self.clock.now()
        token = self.vault.encrypt(contact.wrapped_key, json.dumps(state))
        if expected_version == 0:
            values = {
                "contact_id": contact.id,
                "state_enc": token,
                "version": 1,
                "wake_at": wake_at,
                "updated_at": now,
            }
            return self.insert_ignoring_conflicts(session, Conversation, values)
        result = session.connection().execute(
            update(Conversation)
            .where(
                col(Conversation.contact_id) == contact.id,
                col(Conversation.version) == expected_version,
            )
            .values(state_enc=token, version=expected_version + 1, wake_at=wake_at, updated_at=now)
        )
        return result.rowcount == 1

    def conversations_due(self, *, now: datetime, limit: int = 500) -> list[int]:
        """Contact ids whose conversations asked to be woken (idle timeouts) by `now`."""
        with self.transaction() as session:
            rows = session.exec(
                select(Conversation.contact_id)
                .where(col(Conversation.wake_at).is_not(None), col(Conversation.wake_at) <= now)
                .order_by(col(Conversation.wake_at))
                .limit(limit)
            ).all()
        return list(rows)
