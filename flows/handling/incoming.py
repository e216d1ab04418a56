"""The plain message objects that channel adapters translate to and from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Channel = Literal["sms", "slack"]


@dataclass(frozen=True)
class IncomingMessage:
    """One message from a resident, whatever the channel.

    `sender` is the channel address (E.164 phone number or Slack user ID): it is used to find the
    contact's pseudonym and is stored only encrypted; it never goes further than that.
    """

    channel: Channel
    provider_id: str
    sender: str
    body: str
    media_urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeliveryStatus:
    """A provider's report on an outbound message (Twilio status callback)."""

    provider_id: str
    status: str
    error_code: str | None = None


class RefusedMessage(Exception):
    """A message the service will not take (the adapter answers 4xx; nothing was stored).

    The message is safe to return to the caller: it never repeats the sender or the text.
    """
