"""What answering a text needs to know of its sender, read in ONE statement: the contact, their
conversation, and what the sender limits count (texts in the last minute, reports and limited
texts in the last hour), with whether a check-in may be waiting for their answer.

It was five read transactions a text (the contact, the conversation twice, a count, the open
check-in); at a text's scale each cost as much as the one write that stores and answers it.
The statements are built once; on PostgreSQL the read runs without a transaction of its own
(`Database.read_once`), one round trip.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, exists, func, select
from sqlalchemy.sql import Select

from flows.models import Checkin, Contact, Conversation, InboundMessage, Report
from flows.statuses import CheckinState, InboundState
from flows.store.base import QueryGroup
from flows.store.conversations import SavedConversation

_CONTACT = Contact.__table__  # type: ignore[attr-defined]
_CONVERSATION = Conversation.__table__  # type: ignore[attr-defined]
_INBOUND = InboundMessage.__table__  # type: ignore[attr-defined]
_REPORT = Report.__table__  # type: ignore[attr-defined]
_CHECKIN = Checkin.__table__  # type: ignore[attr-defined]
# The windows the sender limits count in (`texts_per_minute`, `reports_per_hour`).
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class TextContext:
    contact: Contact
    conversation: SavedConversation
    # Stored texts of the sender in the last minute (the one being answered too, if stored).
    texts_last_minute: int
    reports_last_hour: int
    # The sender's texts kept as `limited` in the last hour (the first one is told).
    limited_last_hour: int
    # A check-in was sent in its answer window and not answered: the full one is read then.
    checkin_waiting: bool

    @classmethod
    def of_new_contact(cls, contact: Contact) -> TextContext:
        """A sender added this moment: nothing of theirs stored yet."""
        empty = SavedConversation(state={}, version=0)
        return cls(contact, empty, 0, 0, 0, checkin_waiting=False)


def _context_query() -> Select[Any]:
    contact_id = _CONTACT.c.id
    texts = (
        select(func.count())
        .where(_INBOUND.c.contact_id == contact_id, _INBOUND.c.received_at >= bindparam("minute"))
        .scalar_subquery()
    )
    limited = (
        select(func.count())
        .where(
            _INBOUND.c.contact_id == contact_id,
            _INBOUND.c.received_at >= bindparam("hour"),
            _INBOUND.c.state == InboundState.LIMITED.value,
        )
        .scalar_subquery()
    )
    reports = (
        select(func.count())
        .where(_REPORT.c.contact_id == contact_id, _REPORT.c.created_at >= bindparam("hour"))
        .scalar_subquery()
    )
    checkin = exists().where(
        _CHECKIN.c.contact_id == contact_id,
        _CHECKIN.c.state == CheckinState.SENT.value,
        _CHECKIN.c.sent_at >= bindparam("checkin"),
    )
    return select(
        *_CONTACT.c,
        _CONVERSATION.c.state_enc.label("conversation_state"),
        _CONVERSATION.c.version.label("conversation_version"),
        texts.label("texts_last_minute"),
        reports.label("reports_last_hour"),
        limited.label("limited_last_hour"),
        checkin.label("checkin_waiting"),
    ).select_from(_CONTACT.outerjoin(_CONVERSATION, _CONVERSATION.c.contact_id == contact_id))


_BY_PSEUDONYM = _context_query().where(
    and_(_CONTACT.c.channel == bindparam("channel"), _CONTACT.c.pseudonym == bindparam("pseudonym"))
)
_BY_ID = _context_query().where(_CONTACT.c.id == bindparam("contact_id"))
_CONTACT_COLUMNS = tuple(column.name for column in _CONTACT.c)


class TextContextQueries(QueryGroup):
    def of_sender(
        self,
        *,
        channel: str,
        address: str,
        now: datetime,
        checkin_window: timedelta,
    ) -> TextContext | None:
        """The sender's context, found by the pseudonym under the newest key (None for a new
        sender, or one known only under an older key: `ContactQueries.get_or_create` moves
        them)."""
        pseudonym = self._db.vault.pseudonyms(channel, address)[0]
        params = {"channel": channel, "pseudonym": pseudonym}
        return self._read(_BY_PSEUDONYM, params, now=now, checkin_window=checkin_window)

    def of_contact(
        self, contact_id: int, *, now: datetime, checkin_window: timedelta
    ) -> TextContext | None:
        params = {"contact_id": contact_id}
        return self._read(_BY_ID, params, now=now, checkin_window=checkin_window)

    def _read(
        self,
        query: Select[Any],
        params: dict[str, Any],
        *,
        now: datetime,
        checkin_window: timedelta,
    ) -> TextContext | None:
        params |= {"minute": now - MINUTE, "hour": now - HOUR, "checkin": now - checkin_window}
        row = self._db.read_once(query, params)
        if row is None:
            return None
        values = row._mapping
        contact = Contact(**{name: values[name] for name in _CONTACT_COLUMNS})
        conversation = SavedConversation(state={}, version=0)
        if values["conversation_version"] is not None and contact.wrapped_key is not None:
            state = self._db.vault.decrypt(contact.wrapped_key, values["conversation_state"])
            conversation = SavedConversation(
                state=json.loads(state), version=values["conversation_version"]
            )
        return TextContext(
            contact=contact,
            conversation=conversation,
            texts_last_minute=int(values["texts_last_minute"]),
            reports_last_hour=int(values["reports_last_hour"]),
            limited_last_hour=int(values["limited_last_hour"]),
            checkin_waiting=bool(values["checkin_waiting"]),
        )
