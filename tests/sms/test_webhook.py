"""The Twilio webhook end to end: signatures, replays, keywords, bad input, privacy at rest."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from bot.wiring import Services
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.service_harness import (
    ACCOUNT_SID,
    Resident,
    signed_form,
)
from tests.support.rows import count
from tests.support.sms_replies import (
    ASK_ANONYMITY,
    ASK_CONSENT,
    ASK_PLACE,
    ASK_WHEN,
    ES_ASK_ANONYMITY,
    ES_WELCOME,
    FILED,
    OPTED_IN,
    OPTED_OUT,
    WELCOME,
    openings,
)

PHONE = "+15558675309"
STORY = (
    "Two officers stopped me on Millbrook Avenue last night, searched my bag without asking "
    "and called me names. My name is Dana Whitfield, call me at 555-201-7788."
)


@pytest.fixture
def client(service: tuple[Services, TestClient]) -> TestClient:
    return service[1]


@pytest.fixture
def services(service: tuple[Services, TestClient]) -> Services:
    return service[0]


def _all_text(engine: Engine) -> str:
    """Every value of every column of every table, as one string to search."""
    chunks: list[str] = []
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            for row in connection.execute(text(f"SELECT * FROM {table}")):
                chunks.extend(str(value) for value in row)
    return "\n".join(chunks)


def test_signed_webhook_is_answered_and_persisted(client: TestClient, services: Services) -> None:
    replies = Resident(client).text("hi")
    assert openings(replies, WELCOME) and "911" in replies[0]
    assert count(services.store.engine, "inboundmessage") == 1


@pytest.mark.parametrize("forgery", ["wrong", "missing", "other_url", "tampered", "other_token"])
def test_forged_signatures_get_403_and_store_nothing(
    client: TestClient, services: Services, forgery: str
) -> None:
    resident = Resident(client)
    form = resident.form(STORY)
    headers = signed_form(form)
    if forgery == "wrong":
        headers = {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}
    elif forgery == "missing":
        headers = {}
    elif forgery == "other_url":
        headers = {"X-Twilio-Signature": signed_form(form, path="/other")["X-Twilio-Signature"]}
    elif forgery == "tampered":
        form = {**form, "Body": "something else"}
    elif forgery == "other_token":
        headers = signed_form(form, token="not-the-token")
    response = client.post("/sms", data=form, headers=headers)
    assert response.status_code == 403
    assert count(services.store.engine, "inboundmessage") == 0
    assert count(services.store.engine, "contact") == 0


def test_a_retried_message_sid_is_processed_once_with_the_same_reply(
    client: TestClient, services: Services
) -> None:
    resident = Resident(client)
    first = resident.text(STORY, sid="SM" + "a" * 32)
    again = resident.text(STORY, sid="SM" + "a" * 32)
    assert first == again and openings(first, ASK_ANONYMITY)
    assert count(services.store.engine, "inboundmessage") == 1
    # Walk to the end; a retry of the final answer files one report, not two.
    assert openings(resident.text("1"), ASK_PLACE)
    assert openings(resident.text("Millbrook Avenue"), ASK_WHEN)
    assert openings(resident.text("SKIP"), ASK_CONSENT)
    final = resident.text("2", sid="SM" + "b" * 32)
    assert openings(final, FILED)
    assert resident.text("2", sid="SM" + "b" * 32) == final
    assert count(services.store.engine, "report") == 1


def test_stop_blocks_every_outbound_path_until_start(
    client: TestClient, services: Services, twilio_api: FakeTwilioAPI
) -> None:
    resident = Resident(client)
    assert resident.text("STOP") == [OPTED_OUT]
    contact = services.store.contacts.get_or_create(channel="sms", address=PHONE)
    assert contact.opted_out
    with services.store.transaction() as session:
        services.store.outbox.enqueue(session=session, contact=contact, body="x", purpose="t")
    services.dispatcher.dispatch_due()
    assert twilio_api.created == []
    assert resident.text("I want to report something") == []  # no texts while opted out
    assert resident.text("START") == [OPTED_IN]  # that text opened no report
    contact = services.store.contacts.get_or_create(channel="sms", address=PHONE)
    with services.store.transaction() as session:
        services.store.outbox.enqueue(session=session, contact=contact, body="y", purpose="t")
    services.dispatcher.dispatch_due()
    assert [m["Body"] for m in twilio_api.created] == ["y"]
    assert twilio_api.created[0]["To"] == PHONE


def test_stop_then_start_each_reply(client: TestClient) -> None:
    """What the resident reads at every step: START after STOP is confirmed, and the
    conversation resumes where it was."""
    resident = Resident(client)
    assert resident.text("STOP") == [OPTED_OUT]
    story = "An officer pushed me against a car on Cedar Street and laughed at me"
    assert resident.text(story) == []  # nothing at all while opted out
    # The text is stored (nothing lost) but not acted on: it does not open the next report.
    assert resident.text("START") == [OPTED_IN]
    assert openings(resident.text(story), ASK_ANONYMITY)
    assert openings(resident.text("1"), ASK_PLACE)


@pytest.mark.parametrize("word", ["stop", " STOP. ", "Unsubscribe", "quit!", "OPTOUT"])
def test_carrier_stop_words(client: TestClient, services: Services, word: str) -> None:
    assert Resident(client).text(word) == [OPTED_OUT]
    assert services.store.contacts.get_or_create(channel="sms", address=PHONE).opted_out


def test_help_names_the_service_and_911(client: TestClient) -> None:
    [reply] = Resident(client).text("HELP")
    assert "911" in reply and "STOP" in reply


def test_no_phone_number_or_text_at_rest_or_in_logs(
    client: TestClient, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    resident = Resident(client)
    replies = [
        resident.text(body, FromCity="RIVERTON", FromZip="60601", FromState="IL")
        for body in (STORY, "1", "Millbrook Avenue", "yesterday", "2")
    ]
    expected = (ASK_ANONYMITY, ASK_PLACE, ASK_WHEN, ASK_CONSENT, FILED)
    assert [openings(r, e) for r, e in zip(replies, expected, strict=True)] == [True] * 5
    everything = _all_text(services.store.engine)
    # Personal data never rests in plaintext (the redacted story does: it is the council's copy).
    for secret in (PHONE, PHONE[2:], "8675309", "Dana Whitfield", "201-7788", "RIVERTON", "60601"):
        assert secret not in everything
    # And no log line carries personal data or the words of the report.
    for secret in (PHONE, "8675309", "Dana Whitfield", "searched my bag", "Millbrook"):
        assert secret not in caplog.text
    assert count(services.store.engine, "report") == 1


@pytest.mark.parametrize(
    ("body", "opening"),
    [
        ("", WELCOME),
        ("   ", WELCOME),
        # Noise and a bare "I'm fine" are no story: the welcome, in the text's language.
        ("x" * 1600, WELCOME),
        ("🙂🙂🙂 estoy bien 🙂", ES_WELCOME),
        ("bad\x00\x07\x1bbytes\x7f here", ASK_ANONYMITY),
        ("ÑANDÚ " * 200, ES_ASK_ANONYMITY),  # read as Spanish
    ],
)
def test_odd_bodies_get_a_normal_reply_and_are_kept(
    client: TestClient, services: Services, body: str, opening: str
) -> None:
    replies = Resident(client).text(body)
    assert openings(replies, opening), replies  # something sensible, never a 500
    assert not any("988" in reply for reply in replies)  # no crisis line for noise
    assert count(services.store.engine, "inboundmessage") == 1


def test_missing_fields_and_wrong_content_type_get_clear_4xx(
    client: TestClient, services: Services
) -> None:
    form = {"AccountSid": ACCOUNT_SID, "Body": "hello"}  # no MessageSid, no From
    response = client.post("/sms", data=form, headers=signed_form(form))
    assert response.status_code == 400 and "MessageSid" in response.text
    response = client.post("/sms", json={"Body": "hi"})
    assert response.status_code == 415
    binary = client.post(
        "/sms",
        content=b"\xff\xfe\x00garbage",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert binary.status_code in (400, 403)
    assert count(services.store.engine, "inboundmessage") == 0


def test_mms_media_is_kept_as_encrypted_references(client: TestClient, services: Services) -> None:
    url = (
        f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MM{'1' * 32}/Media/ME1"
    )
    replies = Resident(client).text(
        STORY, NumMedia="1", MediaUrl0=url, MediaContentType0="image/jpeg"
    )
    assert openings(replies, ASK_ANONYMITY)
    with services.store.engine.connect() as connection:
        row = connection.execute(text("SELECT num_media, media_enc FROM inboundmessage")).one()
    assert row.num_media == 1 and row.media_enc and url not in row.media_enc


def test_status_callback_is_signed_and_updates_the_row(
    client: TestClient, services: Services, twilio_api: FakeTwilioAPI
) -> None:
    contact = services.store.contacts.get_or_create(channel="sms", address=PHONE)
    with services.store.transaction() as session:
        row = services.store.outbox.enqueue(session=session, contact=contact, body="q", purpose="t")
    assert row is not None and row.id is not None
    services.dispatcher.dispatch_due()
    sid = twilio_api.created[0]["Sid"]
    form = {"MessageSid": sid, "MessageStatus": "delivered", "AccountSid": ACCOUNT_SID}
    assert client.post("/sms/status", data=form).status_code == 403
    assert (
        client.post(
            "/sms/status", data=form, headers=signed_form(form, path="/sms/status")
        ).status_code
        == 204
    )
    updated = services.store.outbox.get(row.id)
    assert updated is not None and updated.status == "delivered"


def test_a_flood_from_one_number_is_kept_but_not_acted_on(
    client: TestClient, services: Services
) -> None:
    """20 texts at once: every one stored and none left `received`; past the city's limit the
    sender is told once and nothing more is read or filed."""
    limit = services.city.limits.texts_per_minute
    resident = Resident(client)
    replies = [resident.text(f"{STORY} ({i})") for i in range(limit + 8)]
    told = services.catalog.render("sender_limited", "en")
    assert replies[limit] == [told]
    assert all(reply == [] for reply in replies[limit + 1 :])
    engine = services.store.engine
    assert count(engine, "inboundmessage") == limit + 8
    with engine.connect() as connection:
        states = dict(
            connection.execute(text("SELECT state, count(*) FROM inboundmessage GROUP BY state"))
            .tuples()
            .all()
        )
    assert states == {"answered": limit, "limited": 8}
    assert resident.text("STOP") == [OPTED_OUT]
