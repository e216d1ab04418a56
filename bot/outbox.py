"""The one send path for messages after the webhook's reply: outbox rows → the provider's API.

`OutboxDispatcher.dispatch_due()` claims due rows atomically (so two dispatchers never send one
row), decrypts the address just to send, and records the result: sent; retried on server errors,
rate limits and network failures, with a capped backoff, for as long as the time budget allows
(an outage of hours loses nothing); failed, with the reason, when the provider refuses for good
or the budget is spent. Senders are swappable: Twilio's official client in production (base URL
overridable for tests and staging), the console when there are no credentials.

A send whose outcome is unknown (the request left, no answer came: a timeout) is never simply
repeated: the provider may have accepted it, and a resident would get the text twice. The row is
marked uncertain, and its next attempt first asks the provider whether the message exists.
"""

from __future__ import annotations

import logging
import secrets
import sys
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol, TextIO

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from flows.statuses import OutboundStatus
from flows.store import Store
from flows.store.outbox import ClaimedMessage, SendResult

log = logging.getLogger(__name__)

MAX_SMS_CHARS = 1600
# Looking up a send whose outcome was unknown: how many of the recipient's latest messages to
# read, and how far our clock may be ahead of Twilio's.
_LOOKUP_PAGE = 50
_CLOCK_SKEW = timedelta(minutes=2)


class TransientSendError(Exception):
    """Worth retrying: the provider had a server error, rate-limited us, or timed out."""


class UncertainSendError(TransientSendError):
    """The request may have reached the provider (no answer came): look it up before a retry."""


class PermanentSendError(Exception):
    """Not worth retrying (bad number, blocked, …)."""


class Sender(Protocol):
    def send(self, *, to: str, body: str, contact_id: int) -> str:
        """Send one message; return the provider's message id."""
        ...

    def find_sent(self, *, to: str, body: str, since: datetime) -> tuple[str, ...]:
        """The provider's ids of messages to `to` with this body accepted after `since` (to
        settle a send whose outcome was unknown), newest first. Raises TransientSendError if the
        provider cannot tell now."""
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
        except requests.ConnectTimeout:
            raise TransientSendError("twilio unreachable") from None  # nothing was sent
        except (TwilioException, OSError) as exc:
            # A read timeout or a connection dropped mid-answer: Twilio may have the message.
            raise UncertainSendError(f"no answer from twilio ({type(exc).__name__})") from None
        return str(message.sid)

    def find_sent(self, *, to: str, body: str, since: datetime) -> tuple[str, ...]:
        # Twilio lists a recipient's messages newest first; ours is among those created since
        # the row was queued, with the same body (a resident gets few texts, so a page is plenty).
        try:
            recent = self._client.messages.list(to=to, limit=_LOOKUP_PAGE)
        except TwilioRestException as exc:
            raise TransientSendError(f"twilio lookup http {exc.status}") from None
        except (TwilioException, OSError) as exc:
            raise TransientSendError(f"twilio lookup failed ({type(exc).__name__})") from None
        wanted = body[:MAX_SMS_CHARS]
        return tuple(
            str(message.sid)
            for message in recent
            if message.body == wanted
            and message.date_created is not None
            and message.date_created >= since - _CLOCK_SKEW
        )


class ConsoleSender:
    """Development stand-in: prints what would be sent (by contact number, never the address)."""

    def __init__(self, *, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stdout

    def send(self, *, to: str, body: str, contact_id: int) -> str:
        self._stream.write(f"\n--- SMS to contact #{contact_id} (console) ---\n{body}\n---\n")
        self._stream.flush()
        # Unique across processes (`serve`, `clock --once` …), like a provider's message id.
        return "CONSOLE" + secrets.token_hex(12)

    def find_sent(self, *, to: str, body: str, since: datetime) -> tuple[str, ...]:
        return ()  # printing always answers: never uncertain


# How long the outbox keeps trying through provider errors and outages before a message expires.
DEFAULT_RETRY_FOR = timedelta(hours=24)
_FIRST_RETRY = timedelta(seconds=30)
_LONGEST_WAIT = timedelta(minutes=10)


def capped_backoff(attempt: int) -> timedelta:
    """30 s, 1 min, 2 min … then every 10 minutes: an outage's end is noticed within minutes."""
    return min(_FIRST_RETRY * 2 ** min(attempt - 1, 16), _LONGEST_WAIT)


@dataclass(frozen=True)
class NotSent:
    """A message about a report that was queued but will not go out, and why."""

    report_id: int
    message_id: int
    purpose: str  # as queued: "asked", "replied", "resolution", "checkin" …
    reason: str  # "opted out" | "erased" | "expired" (the budget was spent) | "refused"


@dataclass(frozen=True)
class DispatchResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0


# How an expired row's error begins (its reason for the people waiting on it).
_EXPIRED = "expired:"


def _failure_reason(error: str | None) -> str:
    return "expired" if (error or "").startswith(_EXPIRED) else "refused"


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
        retry_for: timedelta = DEFAULT_RETRY_FOR,
        concurrency: int = 8,
        backoff: Callable[[int], timedelta] | None = None,
        on_not_sent: list[Callable[[NotSent], None]] | None = None,
    ) -> None:
        self._store = store
        self._senders = senders
        self._retry_for = retry_for
        self._concurrency = concurrency
        self._backoff = backoff or capped_backoff
        # Told of each message about a report that will not go out (the contact opted out or
        # was erased after it was queued, the provider refused it, or the retry budget was
        # spent), e.g. to correct "relayed" in the report's thread.
        self.on_not_sent: list[Callable[[NotSent], None]] = list(on_not_sent or ())

    def dispatch_due(self, *, limit: int = 200) -> DispatchResult:
        now = self._store.clock.now()
        claimed = self._store.outbox.claim_due(now=now, limit=limit)
        blocked = [message for message in claimed if message.blocked is not None]
        claimed = [message for message in claimed if message.blocked is None]
        self._tell_not_sent(blocked)
        if not claimed:
            return DispatchResult(skipped=len(blocked))
        if len(claimed) == 1 or self._concurrency == 1:
            results = [self._send(message, now) for message in claimed]
        else:
            with ThreadPoolExecutor(max_workers=min(self._concurrency, len(claimed))) as pool:
                results = list(pool.map(lambda m: self._send(m, now), claimed))
        self._store.outbox.record_results(results)
        # A text about a report that failed for good is as unsent as a blocked one: say so.
        failed = {r.message_id: r for r in results if r.status == OutboundStatus.FAILED}
        self._tell_not_sent(
            [
                replace(message, blocked=_failure_reason(failed[message.id].error))
                for message in claimed
                if message.id in failed
            ]
        )
        counts = Counter(result.status for result in results)
        return DispatchResult(
            sent=counts[OutboundStatus.SENT],
            retried=counts[OutboundStatus.QUEUED] + counts[OutboundStatus.UNCERTAIN],
            failed=counts[OutboundStatus.FAILED],
            skipped=counts[OutboundStatus.BLOCKED] + len(blocked),
        )

    def _tell_not_sent(self, blocked: list[ClaimedMessage]) -> None:
        for message in blocked:
            if message.report_id is None:
                continue
            notice = NotSent(
                report_id=message.report_id,
                message_id=message.id,
                purpose=message.purpose,
                reason=message.blocked or "",
            )
            for hook in self.on_not_sent:
                try:
                    hook(notice)
                except Exception:
                    log.exception("not-sent hook failed for outbound #%s", message.id)

    def _send(self, message: ClaimedMessage, now: datetime) -> SendResult:
        sender = self._senders.get(message.channel)
        if message.body is None or message.address is None:
            return SendResult(message_id=message.id, status=OutboundStatus.BLOCKED, error="erased")
        if sender is None:
            return SendResult(
                message_id=message.id, status=OutboundStatus.FAILED, error="no sender"
            )
        try:
            if message.uncertain and (found := self._already_sent(sender, message)):
                log.info("outbound #%s: an earlier attempt had reached the provider", message.id)
                return SendResult(
                    message_id=message.id, status=OutboundStatus.SENT, provider_id=found
                )
            provider_id = sender.send(
                to=message.address, body=message.body, contact_id=message.contact_id
            )
        except TransientSendError as exc:
            log.warning("outbound #%s attempt %s: %s", message.id, message.attempts, exc)
            return self._retry_later(message, now, exc)
        except PermanentSendError as exc:
            log.warning("outbound #%s failed: %s", message.id, exc)
            return SendResult(message_id=message.id, status=OutboundStatus.FAILED, error=str(exc))
        return SendResult(
            message_id=message.id, status=OutboundStatus.SENT, provider_id=provider_id
        )

    def _already_sent(self, sender: Sender, message: ClaimedMessage) -> str | None:
        """The provider's id of this row's message if an earlier, unanswered attempt reached it
        (and no other row claims that id)."""
        assert message.address is not None and message.body is not None
        found = sender.find_sent(to=message.address, body=message.body, since=message.created_at)
        known = self._store.outbox.provider_ids_known(found)
        return next((sid for sid in found if sid not in known), None)

    def _retry_later(
        self, message: ClaimedMessage, now: datetime, exc: TransientSendError
    ) -> SendResult:
        """Queued again (uncertain if the provider may have it), or failed with the reason once
        the time budget is spent: a text hours late has usually lost its point."""
        uncertain = message.uncertain or isinstance(exc, UncertainSendError)
        retry_at = now + self._backoff(message.attempts)
        if retry_at - message.created_at > self._retry_for:
            hours = self._retry_for.total_seconds() / 3600
            return SendResult(
                message_id=message.id,
                status=OutboundStatus.FAILED,
                error=f"{_EXPIRED} not sent within {hours:g} h ({exc})",
            )
        return SendResult(
            message_id=message.id,
            status=OutboundStatus.UNCERTAIN if uncertain else OutboundStatus.QUEUED,
            error=str(exc),
            retry_at=retry_at,
        )
