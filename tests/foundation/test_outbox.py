"""The outbound path through the official Twilio client against a local fake Twilio REST API."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
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


def _dispatcher(
    store: Store,
    api: FakeTwilioAPI,
    *,
    retry_for: timedelta = timedelta(hours=24),
    backoff: Callable[[int], timedelta] | None = lambda attempt: timedelta(minutes=attempt),
    timeout_seconds: float = 10.0,
) -> OutboxDispatcher:
    sender = TwilioSender(
        account_sid=ACCOUNT,
        auth_token=TOKEN,
        from_number="+15550001111",
        api_base_url=api.base_url,
        status_callback_url="https://cpps.example.org/sms/status",
        timeout_seconds=timeout_seconds,
    )
    return OutboxDispatcher(
        store=store, senders={"sms": sender}, retry_for=retry_for, backoff=backoff
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


def _outage(store: Store, dispatcher: OutboxDispatcher, api: FakeTwilioAPI, hours: float) -> None:
    """Twilio answers 500 to everything for `hours` (simulated), the clock's job runs each
    minute."""
    for _ in range(int(hours * 60)):
        api.fail_next(500)
        dispatcher.dispatch_due()
        api.reset()  # the failure was not used if nothing was due
        store.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]


def test_an_outage_of_hours_loses_nothing(store: Store, twilio_api: FakeTwilioAPI) -> None:
    """Retries are budgeted in time with a capped interval: the text goes out within
    minutes of the end of a 6-hour outage, once."""
    message_id = _queue(store)
    dispatcher = _dispatcher(store, twilio_api, backoff=None)
    _outage(store, dispatcher, twilio_api, hours=6)
    for _ in range(10):
        dispatcher.dispatch_due()
        store.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    row = store.outbox.get(message_id)
    assert row is not None and row.status == "sent"
    assert [m["Body"] for m in twilio_api.created] == ["Has anyone contacted you?"]
    assert 20 < row.attempts < 60  # every 10 minutes at most, not every minute


def test_expires_with_its_reason_once_the_budget_is_spent(
    store: Store, twilio_api: FakeTwilioAPI
) -> None:
    message_id = _queue(store)
    dispatcher = _dispatcher(store, twilio_api, retry_for=timedelta(hours=2), backoff=None)
    _outage(store, dispatcher, twilio_api, hours=3)
    row = store.outbox.get(message_id)
    assert row is not None and row.status == "failed"
    assert (row.last_error or "").startswith("expired: not sent within 2 h (twilio http 500)")
    assert twilio_api.created == [] and dispatcher.dispatch_due().sent == 0


def test_a_timeout_after_twilio_accepted_the_message_does_not_send_it_twice(
    store: Store, twilio_api: FakeTwilioAPI
) -> None:
    message_id = _queue(store)
    twilio_api.answer_slowly(1.5)
    dispatcher = _dispatcher(store, twilio_api, timeout_seconds=0.3)
    assert dispatcher.dispatch_due().retried == 1  # no answer in time: outcome unknown
    row = store.outbox.get(message_id)
    assert row is not None and row.status == "uncertain"
    store.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    assert dispatcher.dispatch_due().sent == 1  # looked up, found, not sent again
    [created] = twilio_api.created
    row = store.outbox.get(message_id)
    assert row is not None and row.status == "sent" and row.provider_id == created["Sid"]


def test_a_timeout_where_twilio_has_nothing_is_sent_again(
    store: Store, twilio_api: FakeTwilioAPI
) -> None:
    _queue(store)
    twilio_api.answer_slowly(1.5)
    dispatcher = _dispatcher(store, twilio_api, timeout_seconds=0.3)
    dispatcher.dispatch_due()
    time.sleep(1.5)
    twilio_api.reset()  # Twilio lost it
    store.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    assert dispatcher.dispatch_due().sent == 1
    assert [m["Body"] for m in twilio_api.created] == ["Has anyone contacted you?"]


def test_a_same_text_sent_by_another_row_is_not_taken_for_this_one(
    store: Store, twilio_api: FakeTwilioAPI
) -> None:
    """Two identical texts (two check-ins alike): an uncertain row does not claim the other's."""
    dispatcher = _dispatcher(store, twilio_api)
    first = _queue(store)
    dispatcher.dispatch_due()
    second = _queue(store)
    store.outbox.claim_due(now=store.clock.now())  # a process claims it, then dies
    store.clock.advance(timedelta(minutes=6))  # type: ignore[attr-defined]
    assert dispatcher.dispatch_due().sent == 1
    rows = [store.outbox.get(first), store.outbox.get(second)]
    assert [m["Body"] for m in twilio_api.created] == ["Has anyone contacted you?"] * 2
    assert {row.provider_id for row in rows if row} == {m["Sid"] for m in twilio_api.created}


def test_a_send_left_by_a_dead_process_is_taken_over(
    store: Store, twilio_api: FakeTwilioAPI
) -> None:
    """Claimed, then the process died before recording anything: after a few minutes the row
    is looked up and sent (once), not left `sending` for ever."""
    message_id = _queue(store)
    assert len(store.outbox.claim_due(now=store.clock.now())) == 1  # a process claims it, dies
    dispatcher = _dispatcher(store, twilio_api)
    assert dispatcher.dispatch_due().sent == 0  # still someone else's for now
    store.clock.advance(timedelta(minutes=6))  # type: ignore[attr-defined]
    assert dispatcher.dispatch_due().sent == 1
    row = store.outbox.get(message_id)
    assert row is not None and row.status == "sent" and len(twilio_api.created) == 1


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
