"""What Twilio's webhooks send, and the check that a signed form is exactly that.

Twilio signs the URL followed by each parameter's name and value, sorted by name and concatenated
with no separator. Text can therefore move between a value, the next name and its value without
changing the signature: a captured `Body=I was stopped by Deputy Jones` can be resent as
`Body=I was stopped by &Deputy Jones=`, and a `MessageSid` can swallow the `NumMedia0` after it.
A valid signature alone does not prove the form is the one Twilio sent. Its shape does: every
name is one Twilio documents for the webhook and appears once, the fields Twilio always sends are
there, every identifier has its documented shape, and the account and the number texted are ours.
Text moved out of or into any checked field then breaks that field's shape; what is left free
(the location metadata) is dropped at the edge anyway.

Twilio warns that it may add parameters without notice: a new one is refused here (400, logged
without its name, which could carry a resident's words) until it is added to `DOCUMENTED`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

_HEX32 = "[0-9a-fA-F]{32}"
MESSAGE_SID = re.compile(rf"\A(SM|MM){_HEX32}\Z")
ACCOUNT_SID = re.compile(rf"\AAC{_HEX32}\Z")
SERVICE_SID = re.compile(rf"\AMG{_HEX32}\Z")
E164 = re.compile(r"\A\+[1-9][0-9]{6,14}\Z")
_COUNT = re.compile(r"\A[0-9]{1,2}\Z")
_API_VERSION = re.compile(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_WORD = re.compile(r"\A[a-z_-]{1,32}\Z")
_ERROR_CODE = re.compile(r"\A[0-9]{1,6}\Z")
_CONTENT_TYPE = re.compile(r"\A[a-z]+/[a-z0-9.+-]{1,100}\Z", re.IGNORECASE)
_MEDIA = re.compile(r"\A(MediaUrl|MediaContentType)([0-9])\Z")
_MEDIA_URL = re.compile(r"\Ahttps://api\.twilio\.com/2010-04-01/Accounts/[^\s?#]{1,300}\Z")
_MAX_MEDIA = 10

# The parameters of Twilio's request to an incoming-message webhook ("Twilio's request to your
# incoming message Webhook URL", twilio.com/docs/messaging/guides/webhook-request), plus
# `SmsStatus` and `ApiVersion`, which Twilio sends with every inbound SMS.
DOCUMENTED = frozenset(
    {
        "MessageSid",
        "SmsSid",
        "SmsMessageSid",
        "AccountSid",
        "MessagingServiceSid",
        "From",
        "To",
        "Body",
        "NumMedia",
        "NumSegments",
        "ReferralNumMedia",
        "FromCity",
        "FromState",
        "FromZip",
        "FromCountry",
        "ToCity",
        "ToState",
        "ToZip",
        "ToCountry",
        "SmsStatus",
        "ApiVersion",
        "OptOutType",
        # WhatsApp and RCS senders (refused later as a channel of their own, but well-formed).
        "ProfileName",
        "WaId",
        "Forwarded",
        "FrequentlyForwarded",
        "ButtonText",
        "ButtonPayload",
        "Latitude",
        "Longitude",
        "Address",
        "Label",
        "ChannelMetadata",
    }
)
# What Twilio sends with every inbound message: a form missing one has been rewritten.
REQUIRED = ("MessageSid", "AccountSid", "From", "To", "Body", "NumMedia")


@dataclass(frozen=True)
class OurTwilio:
    """Who we are on Twilio; empty values (a local setup) are checked for shape only."""

    account_sid: str = ""
    numbers: frozenset[str] = frozenset()
    messaging_service_sid: str = ""


def inbound_refusal(pairs: Sequence[tuple[str, str]], ours: OurTwilio) -> str | None:
    """Why this signed form is not one Twilio sends to the inbound webhook (None: it is).

    The reason names fields, never their values (which may be a resident's words or number).
    """
    counts = Counter(name for name, _ in pairs)
    if any(n > 1 for n in counts.values()):
        return "a parameter is repeated"
    if any(name not in DOCUMENTED and not _MEDIA.match(name) for name in counts):
        return "an undocumented parameter"
    form = dict(pairs)
    missing = [name for name in REQUIRED if name not in form]
    if missing:
        return f"{', '.join(missing)} required"
    return (
        _ids_refusal(form, ours)
        or _recipient_refusal(form, ours)
        or _media_refusal(form)
        or _shape_refusal(form)
    )


def status_refusal(form: dict[str, str], ours: OurTwilio) -> str | None:
    """Why a status callback's identifiers, status and error code are not Twilio's (None: they
    are). The error code is stored with the row: text that is not a code (a NUL, which
    PostgreSQL refuses in text) never reaches the database."""
    sid = form.get("MessageSid") or form.get("SmsSid") or ""
    if not MESSAGE_SID.match(sid):
        return "MessageSid is not a message SID"
    status = form.get("MessageStatus") or form.get("SmsStatus") or ""
    if not _WORD.match(status.lower()):
        return "MessageStatus is not Twilio's"
    error_code = form.get("ErrorCode")
    if error_code and not _ERROR_CODE.match(error_code):
        return "ErrorCode is not Twilio's"
    return _account_refusal(form.get("AccountSid", ""), ours)


def _account_refusal(account: str, ours: OurTwilio) -> str | None:
    if not ACCOUNT_SID.match(account) or (ours.account_sid and account != ours.account_sid):
        return "AccountSid is not this service's account"
    return None


def _ids_refusal(form: dict[str, str], ours: OurTwilio) -> str | None:
    sid = form["MessageSid"]
    if not MESSAGE_SID.match(sid):
        return "MessageSid is not a message SID"
    # The deprecated copies carry the same value when Twilio sends them.
    if any(form.get(alias, sid) != sid for alias in ("SmsSid", "SmsMessageSid")):
        return "SmsSid differs from MessageSid"
    service = form.get("MessagingServiceSid")
    if service is not None and not SERVICE_SID.match(service):
        return "MessagingServiceSid is not a messaging service SID"
    return _account_refusal(form["AccountSid"], ours)


def _recipient_refusal(form: dict[str, str], ours: OurTwilio) -> str | None:
    """`To` must be our number, or a number of our messaging service (which names itself)."""
    to, service = form["To"], form.get("MessagingServiceSid")
    if not E164.match(to):
        return "To is not a phone number"
    if ours.messaging_service_sid and service is not None and service != ours.messaging_service_sid:
        return "MessagingServiceSid is not this service's"
    if not ours.numbers and not ours.messaging_service_sid:
        return None
    if to in ours.numbers:
        return None
    if ours.messaging_service_sid and service == ours.messaging_service_sid:
        return None
    return "To is not this service's number"


def _media_refusal(form: dict[str, str]) -> str | None:
    """`NumMedia` says how many media there are; each has its URL and type, and no others."""
    if not _COUNT.match(form["NumMedia"]) or int(form["NumMedia"]) > _MAX_MEDIA:
        return "NumMedia is not a count"
    count = int(form["NumMedia"])
    indexes = {int(m.group(2)) for name in form if (m := _MEDIA.match(name))}
    if indexes != set(range(count)):
        return "media parameters do not match NumMedia"
    for index in range(count):
        url, kind = form.get(f"MediaUrl{index}", ""), form.get(f"MediaContentType{index}", "")
        if not _MEDIA_URL.match(url) or not _CONTENT_TYPE.match(kind):
            return "a media parameter is not Twilio's"
    return None


def _shape_refusal(form: dict[str, str]) -> str | None:
    checks = {
        "NumSegments": _COUNT,
        "ReferralNumMedia": _COUNT,
        "ApiVersion": _API_VERSION,
        "SmsStatus": _WORD,
        "OptOutType": _WORD,
    }
    for name, shape in checks.items():
        value = form.get(name)
        if value is not None and not shape.match(value.lower()):
            return f"{name} is not Twilio's"
    return None
