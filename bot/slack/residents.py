"""Residents who write to the bot in Slack: their direct message in, the outbox's messages out.

A direct message becomes an `IncomingMessage` on the "slack" channel (its event id as provider
id, the user ID as the address, which the store keeps only encrypted) for
`flows.handling.direct_messages.DirectMessages`; the replies come back through the outbox, sent by
`SlackSender` into the DM.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from bot.outbox import PermanentSendError, TransientSendError
from bot.slack.cards import escape
from bot.slack.gateway import (
    SlackChannelError,
    SlackGateway,
    SlackPermanentError,
    SlackTransientError,
)
from flows.handling.incoming import IncomingMessage

MAX_DM_CHARS = 4000


def resident_message(event: dict[str, Any], *, event_id: object) -> IncomingMessage | None:
    """The resident's message in a `message` event, or None for anything that is not one."""
    if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
        return None  # channel chatter and card threads are internal: never relayed
    user, text = event.get("user"), event.get("text")
    if not user or not event_id or text is None:
        return None
    return IncomingMessage(
        channel="slack",
        provider_id=str(event_id)[:64],
        sender=str(user),
        body=str(text)[:MAX_DM_CHARS],
    )


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

    def find_sent(self, *, to: str, body: str, since: datetime) -> tuple[str, ...]:
        # The gateway reports a timeout as a transient error, never as "uncertain", so the
        # outbox never asks; a lookup would need the DM's history scope.
        return ()
