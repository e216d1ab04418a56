"""The Twilio SMS adapter: a signed webhook → `IncomingMessage` → replies → TwiML.

It only translates and verifies. It never touches the database or NLP: the `handle` callable it is
given does. Twilio's location metadata (FromCity, FromZip, …) is dropped here, at the edge.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import ImmutableMultiDict
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from flows.handling.incoming import DeliveryStatus, IncomingMessage

log = logging.getLogger(__name__)

# Twilio's own limit for an inbound SMS body is 1,600 characters; anything far larger is not
# from Twilio, so refuse it before parsing.
MAX_REQUEST_BYTES = 64 * 1024
MAX_BODY_CHARS = 10_000
TWIML = "application/xml"


def _text(status: int, message: str) -> Response:
    return Response(content=message + "\n", status_code=status, media_type="text/plain")


def build_sms_router(
    *,
    handle: Callable[[IncomingMessage], Sequence[str]],
    on_status: Callable[[DeliveryStatus], None],
    auth_token: str,
    public_base_url: str,
    verify_signatures: bool = True,
) -> APIRouter:
    router = APIRouter()
    forms = TwilioForms(
        validator=RequestValidator(auth_token) if verify_signatures else None,
        public_base_url=public_base_url,
    )

    @router.post("/sms")
    async def inbound_sms(request: Request) -> Response:
        form = await forms.read(request)
        if isinstance(form, Response):
            return form
        message = _incoming_message(form)
        if isinstance(message, Response):
            return message
        replies = await run_in_threadpool(handle, message)
        twiml = MessagingResponse()
        for reply in replies:
            twiml.message(reply)
        return Response(content=str(twiml), media_type=TWIML)

    @router.post("/sms/status")
    async def delivery_status(request: Request) -> Response:
        form = await forms.read(request)
        if isinstance(form, Response):
            return form
        sid = form.get("MessageSid") or form.get("SmsSid") or ""
        status = form.get("MessageStatus") or form.get("SmsStatus") or ""
        if not sid or not status:
            return _text(400, "MessageSid and MessageStatus are required")
        update = DeliveryStatus(
            provider_id=sid[:64], status=status, error_code=form.get("ErrorCode")
        )
        await run_in_threadpool(on_status, update)
        return Response(status_code=204)

    return router


@dataclass(frozen=True)
class TwilioForms:
    """Reads the form of a Twilio webhook request and refuses any that is not genuine."""

    # None: signatures are not checked (a local setup without Twilio in front).
    validator: RequestValidator | None
    public_base_url: str

    async def read(self, request: Request) -> dict[str, str] | Response:
        """The form fields of a genuine Twilio request, or the response refusing it."""
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            return _text(415, "expected application/x-www-form-urlencoded")
        raw = await request.body()
        if len(raw) > MAX_REQUEST_BYTES:
            return _text(413, "request too large")
        try:
            pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            return _text(400, "body is not UTF-8")
        if self.validator is not None and not self._signed(request, pairs, self.validator):
            log.warning("rejected a Twilio request with a bad signature on %s", request.url.path)
            return _text(403, "invalid signature")
        form: dict[str, str] = {}
        for key, value in pairs:
            form.setdefault(key, value)
        return form

    def _signed(
        self, request: Request, pairs: list[tuple[str, str]], validator: RequestValidator
    ) -> bool:
        # The URL Twilio signed is the public one, not what a TLS-terminating proxy forwards.
        url = self.public_base_url + request.url.path
        if request.url.query:
            url += "?" + request.url.query
        signature = request.headers.get("x-twilio-signature", "")
        # Validate over every value (repeated keys included), as Twilio signs them; the
        # validator reads repeated keys through `getlist`, which starlette's multidict has.
        params = ImmutableMultiDict(pairs)
        return bool(signature) and bool(validator.validate(url, params, signature))


def _incoming_message(form: dict[str, str]) -> IncomingMessage | Response:
    """The inbound SMS in a verified form; location metadata (FromCity, FromZip, …) is dropped."""
    message_sid = form.get("MessageSid") or form.get("SmsMessageSid") or ""
    sender = form.get("From", "")
    if not message_sid or not sender:
        return _text(400, "MessageSid and From are required")
    media = tuple(
        url for index in range(_int(form.get("NumMedia"))) if (url := form.get(f"MediaUrl{index}"))
    )
    return IncomingMessage(
        channel="sms",
        provider_id=message_sid[:64],
        sender=sender,
        body=_clean(form.get("Body", ""))[:MAX_BODY_CHARS],
        media_urls=media,
    )


def _int(value: str | None) -> int:
    try:
        return max(0, min(int(value or 0), 10))
    except ValueError:
        return 0


def _clean(body: str) -> str:
    """Drop control characters (keeping newlines and tabs): they only break storage and display."""
    return "".join(ch for ch in body if ch in "\n\t" or (ord(ch) >= 32 and ord(ch) != 127))
