"""Residents who write to the bot in Slack: the same intake as SMS, answered in their DM.

A direct message becomes an `IncomingMessage` on the "slack" channel (its event id as provider
id, the user ID as the address, which the store keeps only encrypted); the conversation's replies
go through the outbox like every later message, sent by `SlackSender` into the DM. One send path:
retries, opt-outs and erasure apply to Slack residents exactly as to SMS ones.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from bot.outbox import PermanentSendError, TransientSendError
from bot.slack.cards import escape
from bot.slack.gateway import (
    SlackChannelError,
    SlackGateway,
    SlackPermanentError,
    SlackTransientError,
)
from flows.handling.incoming import IncomingMessage
from flows.store import Store


class SlackSender:
    """The outbox's sender for the "slack" channel: a message in the resident's DM with the bot."""

    def __init__(self, *, gateway: SlackGateway) -> None:
        self._gateway = gateway

    def send(self, *, to: str, body: str, contact_id: int) -> str:
        try:
            channel = self._gateway.open_dm(user=to)
            channel_id, ts = self._gateway.post(channel=channel, text=escape(body))
        except SlackTransientError as exc:
            raise TransientSendError(f"slack {exc.code}") from None
        except (SlackChannelError, SlackPermanentError) as exc:
            raise PermanentSendError(f"slack {exc.code}") from None
        # Not the DM's ID itself: stored ids should not point back at the resident.
        return "slack:" + hashlib.sha256(f"{channel_id}:{ts}".encode()).hexdigest()[:40]


class SlackResidents:
    """Handles one resident DM: run the conversation, queue its replies, send them now."""

    def __init__(
        self,
        *,
        handle: Callable[[IncomingMessage], Sequence[str]],
        store: Store,
        dispatch: Callable[[], object],
    ) -> None:
        self._handle = handle
        self._store = store
        self._dispatch = dispatch

    def __call__(self, message: IncomingMessage) -> None:
        replies = self._handle(message)
        if not replies:
            return
        contact = self._store.contacts.get_or_create(channel="slack", address=message.sender)
        with self._store.transaction() as session:
            for index, reply in enumerate(replies):
                self._store.outbox.enqueue(
                    session=session,
                    contact=contact,
                    body=reply,
                    purpose="reply",
                    dedupe_key=f"slack:{message.provider_id}:{index}",
                )
        self._dispatch()
