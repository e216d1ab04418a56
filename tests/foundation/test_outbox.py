"""The outbound path through the official Twilio client against a local fake Twilio REST API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.outbox import OutboxDispatcher, TwilioSender
from flows.store import Store
from tests.fakes.twilio_api import FakeTwilioAPI

ACCOUNT = "AC" + "1" * 32
TOKEN = "test-token"
PHONE = "+15551234567"


@pytest.fixture
def twilio_api() -> Iterator[FakeTwilioAPI]:
    with FakeTwilioAPI(account_sid=ACCOUNT, auth_token=TOKEN) as api:
        yield api


def _dispatcher(store: Store, api: FakeTwilioAPI, *, max_attempts: int = 3) -> OutboxDispatcher:
    sender = TwilioSender(
        account_sid=ACCOUNT,
        auth_token=TOKEN,
        from_number="+15550001111",
        api_base_url=api.base_url,
        status_callback_url="https://cpps.example.org/sms/status",
    )
    return OutboxDispatcher(
        store=store,
        senders={"sms": sender},
        max_attempts=max_attempts,
        backoff=lambda attempt: timedelta(minutes=attempt),
    )


def _queue(store: Store, body: str = "Has anyone contacted you?") -> int:
    contact = store.contacts.get_or_create(channel="sms", address=PHONE)
    with store.transaction() as session:
        row = store.outbox.enqueue(session=session, contact=contact, body=body, purpose="test")
    assert row is not None and row.id is not None
    return row.id


def test_sends_through_the_official_client(store: Store, twilio_api: FakeTwilioAPI) -> None:
    message_id = _queue(store)
    result = _dispatcher(store, twilio_api).dispatch_due()
    assert result.sent == 1
    [created] = twilio_api.created
    assert created["To"] == PHONE and created["From"] == "+15550001111"
    assert created["Body"] == "Has anyone contacted you?"
    assert created["StatusCallback"] == "https://cpps.example.org/sms/status"
    row = store.outbox.get(message_id)
    assert row is not None and row.status == "sent" and row.provider_id == created["Sid"]
    assert _dispatcher(store, twilio_api).dispatch_due().sent == 0  # nothing sent twice


def test_retries_on_500_with_backoff_then_succeeds(store: Store, twilio_api: FakeTwilioAPI) -> None:
    message_id = _queue(store)
    twilio_api.fail_next(500)
    dispatcher = _dispatcher(store, twilio_api)
    assert dispatcher.dispatch_due().retried == 1
    assert twilio_api.created == []
    assert dispatcher.dispatch_due().sent == 0  # not due yet: backoff
    store.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    assert dispatcher.dispatch_due().sent == 1
    row = store.outbox.get(message_id)
    assert row is not None and row.status == "sent" and row.attempts == 2


def test_marked_failed_after_the_limit(store: Store, twilio_api: FakeTwilioAPI) -> None:
    message_id = _queue(store)
    twilio_api.fail_next(500, 503, 500)
    dispatcher = _dispatcher(store, twilio_api, max_attempts=3)
    for _ in range(3):
        dispatcher.dispatch_due()
        store.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    row = store.outbox.get(message_id)
    assert row is not None and row.status == "failed" and row.attempts == 3
    assert twilio_api.created == []
    assert dispatcher.dispatch_due().sent == 0


def test_client_error_fails_at_once_without_leaking_the_number(
    store: Store, twilio_api: FakeTwilioAPI, caplog: pytest.LogCaptureFixture
) -> None:
    message_id = _queue(store)
    twilio_api.fail_next(400)
    assert _dispatcher(store, twilio_api).dispatch_due().failed == 1
    row = store.outbox.get(message_id)
    assert row is not None and row.status == "failed"
    assert PHONE not in (row.last_error or "")
    assert PHONE not in caplog.text and "5551234567" not in caplog.text


def test_status_callback_updates_the_row_and_never_goes_backwards(
    store: Store, twilio_api: FakeTwilioAPI
) -> None:
    message_id = _queue(store)
    _dispatcher(store, twilio_api).dispatch_due()
    sid = twilio_api.created[0]["Sid"]
    assert store.outbox.apply_delivery_status(provider_id=sid, status="delivered", error_code=None)
    assert store.outbox.apply_delivery_status(
        provider_id=sid, status="sent", error_code=None
    )  # late
    row = store.outbox.get(message_id)
    assert row is not None and row.status == "delivered"
    assert not store.outbox.apply_delivery_status(
        provider_id="SMunknown", status="delivered", error_code=None
    )


def test_opted_out_number_never_reaches_the_api(store: Store, twilio_api: FakeTwilioAPI) -> None:
    _queue(store)
    contact = store.contacts.get_or_create(channel="sms", address=PHONE)
    store.contacts.set_opted_out(contact.id or 0, opted_out=True)
    _queue(store, "after stop")
    assert _dispatcher(store, twilio_api).dispatch_due().sent == 0
    assert twilio_api.created == []
    store.contacts.set_opted_out(contact.id or 0, opted_out=False)
    _queue(store, "after start")
    _dispatcher(store, twilio_api).dispatch_due()
    assert [m["Body"] for m in twilio_api.created] == ["after start"]


def test_console_sender_ids_are_unique_across_instances(store: Store) -> None:
    """`serve` and `clock --once` are separate processes printing to the console: their
    message ids must never collide in the outbox (provider_id is unique)."""
    import io

    from bot.outbox import ConsoleSender

    first, second = _queue(store, "one"), _queue(store, "two")
    for _ in (first, second):
        stream = io.StringIO()
        result = OutboxDispatcher(
            store=store, senders={"sms": ConsoleSender(stream=stream)}
        ).dispatch_due(limit=1)
        assert result.sent == 1
        assert PHONE not in stream.getvalue()  # the console shows the contact number only
    for message_id in (first, second):
        row = store.outbox.get(message_id)
        assert row is not None and row.status == "sent"
