"""The one send path for messages after the webhook's reply: outbox rows → the provider's API.

`OutboxDispatcher.dispatch_due()` claims due rows atomically (so two dispatchers never send one
row), decrypts the address just to send, and records the result: sent, retried with backoff on
server errors and timeouts, or failed after the limit. Senders are swappable: Twilio's official
client in production (base URL overridable for tests and staging), the console when there are no
credentials.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol, TextIO

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from flows.privacy import ShreddedError
from flows.store import Store

log = logging.getLogger(__name__)

MAX_SMS_CHARS = 1600


class TransientSendError(Exception):
    """Worth retrying: the provider had a server error, rate-limited us, or timed out."""


class PermanentSendError(Exception):
    """Not worth retrying (bad number, blocked, …)."""


class Sender(Protocol):
    def send(self, *, to: str, body: str, contact_id: int) -> str:
        """Send one message; return the provider's message id."""
        ...


class TwilioSender:
    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        from_number: str = "",
        messaging_service_sid: str = "",
        api_base_url: str = "",
        status_callback_url: str = "",
        timeout_seconds: float = 10.0,
    ) -> None:
        if not (from_number or messaging_service_sid):
            raise ValueError("TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID is required")
        http = TwilioHttpClient(timeout=timeout_seconds)
        self._client = Client(account_sid, auth_token, http_client=http)
        if api_base_url:
            self._client.api.base_url = api_base_url.rstrip("/")
        self._from = from_number
        self._service = messaging_service_sid
        self._callback = status_callback_url

    def send(self, *, to: str, body: str, contact_id: int) -> str:
        kwargs: dict[str, str] = {"to": to, "body": body[:MAX_SMS_CHARS]}
        if self._service:
            kwargs["messaging_service_sid"] = self._service
        else:
            kwargs["from_"] = self._from
        if self._callback:
            kwargs["status_callback"] = self._callback
        try:
            message = self._client.messages.create(**kwargs)
        except TwilioRestException as exc:
            # Never put the exception text in logs: Twilio echoes the destination number in it.
            if exc.status >= 500 or exc.status == 429:
                raise TransientSendError(f"twilio http {exc.status}") from None
            raise PermanentSendError(f"twilio http {exc.status} code {exc.code}") from None
        except TwilioException:
            raise TransientSendError("twilio connection error") from None
        except OSError:
            raise TransientSendError("network error") from None
        return str(message.sid)


class ConsoleSender:
    """Development stand-in: prints what would be sent (by contact number, never the address)."""

    def __init__(self, *, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stdout
        self._count = 0

    def send(self, *, to: str, body: str, contact_id: int) -> str:
        self._count += 1
        self._stream.write(f"\n--- SMS to contact #{contact_id} (console) ---\n{body}\n---\n")
        self._stream.flush()
        return f"CONSOLE{self._count:06d}"


@dataclass(frozen=True)
class DispatchResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0


class OutboxDispatcher:
    def __init__(
        self,
        *,
        store: Store,
        senders: dict[str, Sender],
        max_attempts: int = 5,
        backoff: Callable[[int], timedelta] | None = None,
    ) -> None:
        self._store = store
        self._senders = senders
        self._max_attempts = max_attempts
        self._backoff = backoff or (
            lambda attempt: timedelta(seconds=min(30 * 2 ** (attempt - 1), 3600))
        )

    def dispatch_due(self, *, limit: int = 100) -> DispatchResult:
        now = self._store.clock.now()
        sent = retried = failed = skipped = 0
        for message in self._store.claim_due_outbound(now=now, limit=limit):
            contact = self._store.contact(message.contact_id)
            sender = self._senders.get(message.channel)
            if contact is None or message.body is None or sender is None:
                self._store.record_send_result(
                    message_id=message.id,
                    provider_id=None,
                    status="failed",
                    error="no sender" if sender is None else "contact erased",
                )
                skipped += 1
                continue
            try:
                address = self._store.contact_address(contact)
                provider_id = sender.send(
                    to=address, body=message.body, contact_id=message.contact_id
                )
            except ShreddedError:
                self._store.record_send_result(
                    message_id=message.id, provider_id=None, status="blocked", error="erased"
                )
                skipped += 1
            except TransientSendError as exc:
                if message.attempts >= self._max_attempts:
                    self._store.record_send_result(
                        message_id=message.id, provider_id=None, status="failed", error=str(exc)
                    )
                    failed += 1
                else:
                    self._store.record_send_result(
                        message_id=message.id,
                        provider_id=None,
                        status="queued",
                        error=str(exc),
                        retry_at=now + self._backoff(message.attempts),
                    )
                    retried += 1
                log.warning("outbound #%s attempt %s: %s", message.id, message.attempts, exc)
            except PermanentSendError as exc:
                self._store.record_send_result(
                    message_id=message.id, provider_id=None, status="failed", error=str(exc)
                )
                log.warning("outbound #%s failed: %s", message.id, exc)
                failed += 1
            else:
                self._store.record_send_result(
                    message_id=message.id, provider_id=provider_id, status="sent"
                )
                sent += 1
        return DispatchResult(sent=sent, retried=retried, failed=failed, skipped=skipped)
