"""Conversations: the engine's state per reporter, saved with a compare-and-swap on its version."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, update
from sqlmodel import Session, col, select

from flows.models import Contact, Conversation
from flows.store.base import QueryGroup

_TABLE = Conversation.__table__  # type: ignore[attr-defined]
# Built once (every text saves its conversation), its values bound at each save.
_SAVE = (
    update(_TABLE)
    .where(_TABLE.c.contact_id == bindparam("id"), _TABLE.c.version == bindparam("expected"))
    .values(
        state_enc=bindparam("state_enc"),
        version=bindparam("version"),
        wake_at=bindparam("wake_at"),
        updated_at=bindparam("updated_at"),
    )
)


@dataclass(frozen=True)
class SavedConversation:
    state: dict[str, Any]
    version: int  # 0 when there is no row yet


class ConversationQueries(QueryGroup):
    def load(self, contact: Contact) -> SavedConversation:
        with self._db.reading() as session:
            row = session.get(Conversation, contact.id)
        if row is None:
            return SavedConversation(state={}, version=0)
        state = json.loads(self._db.vault.decrypt(contact.wrapped_key, row.state_enc))
        return SavedConversation(state=state, version=row.version)

    def save(
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
        now = self._db.clock.now()
        token = self._db.vault.encrypt(contact.wrapped_key, json.dumps(state))
        if expected_version == 0:
            values = {
                "contact_id": contact.id,
                "state_enc": token,
                "version": 1,
                "wake_at": wake_at,
                "updated_at": now,
            }
            return self._db.insert_ignoring_conflicts(session, Conversation, values)
        result = session.connection().execute(
            _SAVE,
            {
                "id": contact.id,
                "expected": expected_version,
                "state_enc": token,
                "version": expected_version + 1,
                "wake_at": wake_at,
                "updated_at": now,
            },
        )
        return result.rowcount == 1

    def due(self, *, now: datetime, limit: int = 500) -> list[int]:
        """Contact ids whose conversations asked to be woken (idle timeouts) by `now`."""
        with self._db.reading() as session:
            rows = session.exec(
                select(Conversation.contact_id)
                .where(col(Conversation.wake_at).is_not(None), col(Conversation.wake_at) <= now)
                .order_by(col(Conversation.wake_at))
                .limit(limit)
            ).all()
        return list(rows)
