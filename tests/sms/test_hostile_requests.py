"""Signed requests that Twilio never sends: rewritten forms, borrowed message ids, odd senders.

Each is refused with a 4xx and leaves nothing stored (issue 13, findings 1, 2 and 7).
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from bot.wiring import Services
from tests.service_harness import AUTH_TOKEN, PUBLIC_URL, Resident, signed_form
from tests.support.rewrites import Pairs, issue_rewrite, still_signed, swallow_next
from tests.support.rows import count, stored_rows
from tests.support.sms_replies import ASK_ANONYMITY, openings

FORM = "application/x-www-form-urlencoded"
STORY = "I was stopped by Deputy Jones"


@pytest.fixture
def client(service: tuple[Services, TestClient]) -> TestClient:
    return service[1]


@pytest.fixture
def services(service: tuple[Services, TestClient]) -> Services:
    return service[0]


def _post(client: TestClient, pairs: Pairs, signature: str) -> int:
    response = client.post(
        "/sms",
        content=urlencode(pairs),
        headers={"Content-Type": FORM, "X-Twilio-Signature": signature},
    )
    return response.status_code


def _still_signed(pairs: Pairs, signature: str) -> bool:
    return still_signed(pairs, signature, token=AUTH_TOKEN, url=PUBLIC_URL + "/sms")


def _captured(client: TestClient) -> tuple[Pairs, str]:
    """A genuine inbound SMS, in the order Twilio's signature reads it, and its signature."""
    form = Resident(client).form(STORY)
    return sorted(form.items()), signed_form(form)["X-Twilio-Signature"]


def test_the_issues_rewrite_keeps_its_signature_and_is_refused(
    client: TestClient, services: Services
) -> None:
    pairs, signature = _captured(client)
    # `Body=I was stopped by &Deputy Jones=&…&MessageSid=SM…NumMedia0` (no NumMedia).
    rewritten = issue_rewrite(pairs)
    assert ("Deputy Jones", "") in rewritten and "NumMedia" not in dict(rewritten)
    assert _still_signed(rewritten, signature)
    assert _post(client, rewritten, signature) == 400
    assert stored_rows(services.store.engine) == dict.fromkeys(
        stored_rows(services.store.engine), 0
    )


@pytest.mark.parametrize("index", range(11))
def test_no_field_can_swallow_the_next_one(
    client: TestClient, services: Services, index: int
) -> None:
    pairs, signature = _captured(client)
    rewritten = swallow_next(pairs, index)
    assert _still_signed(rewritten, signature)
    assert _post(client, rewritten, signature) == 400, pairs[index][0]
    assert count(services.store.engine, "inboundmessage") == 0
    assert count(services.store.engine, "contact") == 0


def test_the_body_cannot_lend_words_to_a_new_name(client: TestClient, services: Services) -> None:
    pairs, signature = _captured(client)
    rewritten = sorted(
        [(k, v) for k, v in pairs if k != "Body"] + [("Body" + STORY[:1], STORY[1:])]
    )
    assert _still_signed(rewritten, signature)
    assert _post(client, rewritten, signature) == 400
    assert count(services.store.engine, "inboundmessage") == 0


@pytest.mark.parametrize(
    "change",
    [
        {"MessageSid": "SM123"},
        {"MessageSid": "XX" + "a" * 32},
        {"MessageSid": "SM" + "g" * 32},
        {"SmsSid": "SM" + "b" * 32},
        {"AccountSid": "AC" + "9" * 32},  # well-formed, but not our account
        {"AccountSid": "not-an-account"},
        {"To": "+15559990000"},  # not our number
        {"MessagingServiceSid": "MGnope"},
        {"NumMedia": "1"},  # no MediaUrl0
        {"NumMedia": "x"},
        {"MediaUrl0": "https://api.twilio.com/x"},  # media NumMedia does not announce
        {"ApiVersion": "2010-04-01Body"},
        {"Favourite": "1"},  # a name Twilio does not send
    ],
    ids=lambda change: ",".join(change),
)
def test_freshly_signed_forms_twilio_never_sends_are_refused(
    client: TestClient, services: Services, change: dict[str, str]
) -> None:
    form = {**Resident(client).form(STORY), **change}
    assert client.post("/sms", data=form, headers=signed_form(form)).status_code == 400
    assert count(services.store.engine, "inboundmessage") == 0
    assert count(services.store.engine, "contact") == 0


def test_a_repeated_parameter_is_refused(client: TestClient, services: Services) -> None:
    form = Resident(client).form(STORY)
    pairs = [*form.items(), ("Body", STORY)]  # the validator reads a repeated value once
    signature = signed_form(form)["X-Twilio-Signature"]
    assert _still_signed(pairs, signature)
    assert _post(client, pairs, signature) == 400
    assert count(services.store.engine, "inboundmessage") == 0


# -- finding 2: a provider id belongs to one sender ------------------------------------------


def test_a_message_id_from_another_number_is_refused_and_stores_nothing(
    client: TestClient, services: Services
) -> None:
    sid = "SM" + "c" * 32
    first = Resident(client).text(STORY, sid=sid)
    assert openings(first, ASK_ANONYMITY)
    before = stored_rows(services.store.engine)
    other = Resident(client, phone="+15557770001")
    form = other.form("something else", sid=sid)
    response = client.post("/sms", data=form, headers=signed_form(form))
    assert response.status_code == 409
    assert "+15557770001" not in response.text
    assert stored_rows(services.store.engine) == before  # no contact for the borrowed id
    # The real sender's retry is still answered with the first reply.
    assert Resident(client).text(STORY, sid=sid) == first


# -- finding 7: one number, one contact; no address that is not a phone number ---------------


def test_one_number_written_three_ways_is_one_contact(
    client: TestClient, services: Services
) -> None:
    for phone in ("+1 (555) 777-0006", "15557770006", "+15557770006", "555.777.0006"):
        Resident(client, phone=phone).text("hi")
    assert count(services.store.engine, "contact") == 1
    assert count(services.store.engine, "inboundmessage") == 4


@pytest.mark.parametrize(
    "sender",
    ["client:alice", " ", "", "5" * 500, "+1555", "+1 555 CALL NOW", "whatsapp:+15557770006"],
    ids=["client", "space", "empty", "500", "short", "letters", "whatsapp"],
)
def test_a_sender_that_is_not_a_phone_number_is_refused(
    client: TestClient, services: Services, sender: str
) -> None:
    form = Resident(client, phone=sender).form("hello")
    response = client.post("/sms", data=form, headers=signed_form(form))
    assert response.status_code == 400 and response.text.startswith("From:")
    if sender.startswith("whatsapp:"):
        assert "channel" in response.text  # said clearly, never read as a number
    assert stored_rows(services.store.engine) == dict.fromkeys(
        stored_rows(services.store.engine), 0
    )
