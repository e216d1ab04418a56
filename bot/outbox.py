"""The one send path for messages after the webhook's reply: outbox rows → the provider's API.

`OutboxDispatcher.dispatch_due()` claims due rows atomically (so two dispatchers never send one
row), decrypts the address just to send, and records the result: sent, retried with backoff on
server errors and timeouts, or failed after the limit. Senders are swappable: Twilio's official
client in production (base URL overridable for tests and staging), the console when there are no
credentials.
"""

from __future__ import annotations

import logging
import secrets
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TextIO

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from flows.store import Store
from flows.store.outbox import ClaimedMessage, SendResult

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

    def send(self, *, to: str, body: str, contact_id: int) -> str:
        self._stream.write(f"\n--- SMS to contact #{contact_id} (console) ---\n{body}\n---\n")
        self._stream.flush()
        # Unique across processes (`serve`, `clock --once` …), like a provider's message id.
        return "CONSOLE" + secrets.token_hex(12)


@dataclass(frozen=True)
class DispatchResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0


class OutboxDispatcher:
    """Sends due outbox rows: claimed in one transaction, sent concurrently, recorded in one.

    Delivery is at most once: a row is `sending` from its claim until its result is recorded, and
    a process that dies in between leaves it `sending` rather than risk a second text.
    """

    def __init__(
        self,
        *,
        store: Store,
        senders: dict[str, Sender],
        max_attempts: int = 5,
        concurrency: int = 8,
        backoff: Callable[[int], timedelta] | None = None,
    ) -> None:
        self._store = store
        self._senders = senders
        self._max_attempts = max_attempts
        self._concurrency = concurrency
        self._backoff = backoff or _exponential_backoff

    def dispatch_due(self, *, limit: int = 200) -> DispatchResult:
        now = self._store.clock.now()
        claimed = self._store.outbox.claim_due(now=now, limit=limit)
        if not claimed:
            return DispatchResult()
        if len(claimed) == 1 or self._concurrency == 1:
            results = [self._send(message, now) for message in claimed]
        else:
            with ThreadPoolExecutor(max_workers=min(self._concurrency, len(claimed))) as pool:
                results = list(pool.map(lambda m: self._send(m, now), claimed))
        self._store.outbox.record_results(results)
        counts = {"sent": 0, "queued": 0, "failed": 0, "blocked": 0}
        for result in results:
            counts[result.status] += 1
        return DispatchResult(
            sent=counts["sent"],
            retried=counts["queued"],
            failed=counts["failed"],
            skipped=counts["blocked"],
        )

    def _send(self, message: ClaimedMessage, now: datetime) -> SendResult:
        sender = self._senders.get(message.channel)
        if message.body is None or message.address is None:
            return SendResult(message_id=message.id, status="blocked", error="erased")
        if sender is None:
            return SendResult(message_id=message.id, status="failed", error="no sender")
        try:
            provider_id = sender.send(
                to=message.address, body=message.body, contact_id=message.contact_id
            )
        except TransientSendError as exc:
            log.warning("outbound #%s attempt %s: %s", message.id, message.attempts, exc)
            if message.attempts >= self._max_attempts:
                return SendResult(message_id=message.id, status="failed", error=str(exc))
            return SendResult(
                message_id=message.id,
                status="queued",
                error=str(exc),
                retry_at=now + self._backoff(message.attempts),
            )
        except PermanentSendError as exc:
            log.warning("outbound #%s failed: %s", message.id, exc)
            return SendResult(message_id=message.id, status="failed", error=str(exc))
        return SendResult(message_id=message.id, status="sent", provider_id=provider_id)


def _exponential_backoff(attempt: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempt - 1), 3600))
