"""Residents writing in a chat app's DMs (flows.handling.direct_messages): replies go through the
outbox, and a redelivered event is recognised."""

from __future__ import annotations

from sqlmodel import col, select

from flows.handling.direct_messages import DirectMessages
from flows.handling.incoming import IncomingMessage
from flows.models import OutboundMessage
from flows.store import Store


def _queued(store: Store) -> list[OutboundMessage]:
    with store.reading() as session:
        return list(session.exec(select(OutboundMessage).order_by(col(OutboundMessage.id))).all())


def test_a_delivery_is_taken_once(store: Store) -> None:
    dms = DirectMessages(store=store, handle=lambda m: (), dispatch=lambda: None)
    assert dms.first_delivery("Ev0001") is True
    assert dms.first_delivery("Ev0001") is False
    assert dms.first_delivery("Ev0002") is True


def test_replies_are_queued_once_for_the_sender_then_dispatched(store: Store) -> None:
    dispatched: list[int] = []
    dms = DirectMessages(
        store=store,
        handle=lambda m: ("Thanks.", "What happened?"),
        dispatch=lambda: dispatched.append(1),
    )
    message = IncomingMessage(channel="slack", provider_id="Ev0001", sender="U0RESIDENT", body="hi")
    dms.receive(message)
    dms.receive(message)  # the same event handled twice queues nothing more
    queued = _queued(store)
    assert [(m.purpose, m.dedupe_key) for m in queued] == [
        ("reply", "slack:Ev0001:0"),
        ("reply", "slack:Ev0001:1"),
    ]
    contact = store.contacts.get(queued[0].contact_id)
    assert contact is not None and contact.channel == "slack"
    assert store.contacts.address(contact) == "U0RESIDENT"
    assert dispatched == [1, 1]


def test_no_reply_sends_nothing(store: Store) -> None:
    dispatched: list[int] = []
    dms = DirectMessages(store=store, handle=lambda m: (), dispatch=lambda: dispatched.append(1))
    dms.receive(IncomingMessage(channel="slack", provider_id="Ev9", sender="U0RESIDENT", body="x"))
    assert _queued(store) == [] and dispatched == []
