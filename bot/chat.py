"""`cpps chat`: a terminal that texts the local service like a phone, signing like Twilio."""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET

import httpx
from twilio.request_validator import RequestValidator

LOCAL_ACCOUNT_SID = "AC" + "0" * 32
LOCAL_NUMBER = "+15550000000"


def signed_sms_request(
    *,
    public_base_url: str,
    auth_token: str,
    phone: str,
    to: str,
    body: str,
    sid: str | None = None,
    account_sid: str = LOCAL_ACCOUNT_SID,
) -> tuple[dict[str, str], dict[str, str]]:
    """Form fields and headers of an inbound-SMS webhook, signed the way Twilio signs them."""
    form = {
        "MessageSid": sid or "SM" + secrets.token_hex(16),
        "AccountSid": account_sid,
        "From": phone,
        "To": to,
        "Body": body,
        "NumMedia": "0",
    }
    signature = RequestValidator(auth_token).compute_signature(public_base_url + "/sms", form)
    return form, {"X-Twilio-Signature": signature}


def replies_of(twiml: str) -> list[str]:
    root = ET.fromstring(twiml)
    return ["".join(message.itertext()).strip() for message in root.iter("Message")]


def run_chat(
    *,
    url: str,
    public_base_url: str,
    auth_token: str,
    phone: str,
    to: str = LOCAL_NUMBER,
    account_sid: str = LOCAL_ACCOUNT_SID,
) -> None:
    """`to` and `account_sid`: the service's own (it refuses texts for another number)."""
    print(f"Texting {url}/sms as {phone}. Ctrl-D to quit.")
    with httpx.Client(timeout=30) as client:
        while True:
            try:
                line = input("you> ")
            except (EOFError, KeyboardInterrupt):
                print()
                return
            form, headers = signed_sms_request(
                public_base_url=public_base_url,
                auth_token=auth_token,
                phone=phone,
                to=to,
                body=line,
                account_sid=account_sid,
            )
            try:
                response = client.post(url + "/sms", data=form, headers=headers)
            except httpx.HTTPError as exc:
                print(f"(could not reach the service: {exc.__class__.__name__})")
                continue
            if response.status_code != 200:
                print(f"(service answered {response.status_code}: {response.text.strip()})")
                continue
            for reply in replies_of(response.text):
                print(f"bot> {reply}")
