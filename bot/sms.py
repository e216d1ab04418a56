"""The Twilio SMS adapter: a signed webhook → `IncomingMessage` → replies → TwiML.

It only translates and verifies. It never touches the database or NLP: the `handle` callable it is
given does. A signed form must also be one Twilio sends (`bot.twilio_wire`: a signature does not
stop text moving between fields), and the sender is written as E.164 (one number, one contact).
Twilio's location metadata (FromCity, FromZip, …) is dropped here, at the edge.
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

from bot.request_body import read_body
from bot.sender_turns import SenderTurns
from bot.twilio_wire import OurTwilio, inbound_refusal, status_refusal
from flows.handling.addresses import AddressError, phone_address
from flows.handling.incoming import DeliveryStatus, IncomingMessage, RefusedMessage

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
    ours: OurTwilio | None = None,
    default_region: str = "US",
) -> APIRouter:
    """`ours`: our account, numbers and messaging service (forms for others are refused);
    `default_region`: the city's, to read a national number as E.164."""
    router = APIRouter()
    ours = ours or OurTwilio()
    turns = SenderTurns()
    forms = TwilioForms(
        validator=RequestValidator(auth_token) if verify_signatures else None,
        public_base_url=public_base_url,
    )

    @router.post("/sms")
    async def inbound_sms(request: Request) -> Response:
        pairs = await forms.read(request)
        if isinstance(pairs, Response):
            return pairs
        refusal = inbound_refusal(pairs, ours)
        if refusal is not None:
            log.warning("refused a signed Twilio request that Twilio does not send: %s", refusal)
            return _text(400, refusal)
        message = _incoming_message(dict(pairs), default_region=default_region)
        if isinstance(message, Response):
            return message
        try:
            # A sender's texts one at a time (bot/sender_turns.py): a flood from one number
            # takes one thread of this process, not all of them.
            async with turns.turn(message.sender):
                replies = await run_in_threadpool(handle, message)
        except RefusedMessage as exc:
            return _text(409, str(exc))
        twiml = MessagingResponse()
        for reply in replies:
            twiml.message(reply)
        return Response(content=str(twiml), media_type=TWIML)

    @router.post("/sms/status")
    async def delivery_status(request: Request) -> Response:
        pairs = await forms.read(request)
        if isinstance(pairs, Response):
            return pairs
        form = dict(pairs)
        sid = form.get("MessageSid") or form.get("SmsSid") or ""
        status = form.get("MessageStatus") or form.get("SmsStatus") or ""
        if not sid or not status:
            return _text(400, "MessageSid and MessageStatus are required")
        refusal = status_refusal(form, ours)
        if refusal is not None:
            return _text(400, refusal)
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

    async def read(self, request: Request) -> list[tuple[str, str]] | Response:
        """The form fields of a signed Twilio request, in order, or the response refusing it."""
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            return _text(415, "expected application/x-www-form-urlencoded")
        raw = await read_body(request, limit=MAX_REQUEST_BYTES)
        if isinstance(raw, Response):
            return raw
        try:
            pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            return _text(400, "body is not UTF-8")
        if self.validator is not None and not self._signed(request, pairs, self.validator):
            log.warning("rejected a Twilio request with a bad signature on %s", request.url.path)
            return _text(403, "invalid signature")
        return pairs

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


def _incoming_message(form: dict[str, str], *, default_region: str) -> IncomingMessage | Response:
    """The inbound SMS in a checked form; location metadata (FromCity, FromZip, …) is dropped."""
    try:
        sender = phone_address(form["From"], region=default_region)
    except AddressError as exc:
        return _text(400, f"From: {exc}")
    message_sid = form["MessageSid"]
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
