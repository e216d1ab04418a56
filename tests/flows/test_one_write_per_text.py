"""Receiving a text is one write transaction (issue #15): a known sender's text is stored and
answered in the transaction that commits its effects; the other paths still store it first."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

import pytest
from sqlmodel import Session

from flows.city import CityConfig
from flows.conversation.catalog import Catalog
from flows.handling.incoming import IncomingMessage
from flows.handling.runner import ABANDONED_AFTER
from flows.models import InboundMessage
from flows.statuses import InboundState
from tests.flows.resident import Resident, msg
from tests.support.writes import count_writes


@pytest.fixture
def writes(resident: Resident, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many write transactions the store opened, counted as they open."""
    return count_writes(resident.store.db, monkeypatch)


@pytest.fixture
def reads(resident: Resident, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The reads outside a write: sessions (`reading`) and single statements (`read_once`)."""
    made: list[str] = []
    db = resident.store.db
    reading, read_once = db.reading, db.read_once

    def counted_reading() -> AbstractContextManager[Session]:
        made.append("session")
        return reading()

    def counted_read_once(*args: Any, **kwargs: Any) -> Any:
        made.append("statement")
        return read_once(*args, **kwargs)

    monkeypatch.setattr(db, "reading", counted_reading)
    monkeypatch.setattr(db, "read_once", counted_read_once)
    return made


def test_a_known_sender_s_text_is_one_read_and_one_write(
    resident: Resident, writes: list[int], reads: list[str]
) -> None:
    resident.send("An officer pushed my brother on Water Street")
    writes.clear()
    reads.clear()
    resident.send("1")
    assert len(writes) == 1
    # The contact, the conversation and the limits' counts in one statement (TextContext).
    assert reads == ["statement"]
    (stored,) = [m for m in _messages(resident) if m.received_at == resident.clock.now()]
    assert stored.state == InboundState.ANSWERED and stored.reply_enc is not None


def test_a_new_sender_s_first_text_is_two_writes(
    resident: Resident, writes: list[int], reads: list[str]
) -> None:
    resident.send("An officer pushed my brother on Water Street")
    # The contact, then the text stored and answered; reads found nobody and no such id.
    assert len(writes) == 2 and reads == ["statement", "statement"]
    [stored] = _messages(resident)
    assert stored.state == InboundState.ANSWERED


def test_a_text_past_the_limit_is_kept_in_one_write(
    resident: Resident, writes: list[int], reads: list[str], catalog: Catalog, city: CityConfig
) -> None:
    for i in range(city.limits.texts_per_minute):
        resident.send(f"An officer pushed my brother on Water Street ({i})", after=1)
    writes.clear()
    reads.clear()
    assert resident.send("and again", after=1) == [msg(catalog, "sender_limited")]
    assert len(writes) == 1 and reads == ["statement"]
    assert _messages(resident)[-1].state == InboundState.LIMITED
    writes.clear()
    assert resident.send("and again", after=1) == []  # told once
    assert len(writes) == 1


def test_a_retry_of_a_text_answered_at_once_gets_the_same_reply(
    resident: Resident, catalog: Catalog
) -> None:
    resident.send("An officer pushed my brother on Water Street")
    message = IncomingMessage(
        channel="sms", provider_id="SM" + "7" * 32, sender=resident.phone, body="1"
    )
    first = resident.runner.handle(message)
    assert first == (msg(catalog, "ask_place"),)
    assert resident.runner.handle(message) == first
    assert len([m for m in _messages(resident) if m.provider_id == message.provider_id]) == 1
    assert resident.state.step == "place"  # acted on once


def test_a_text_that_fails_is_still_stored(
    resident: Resident, monkeypatch: pytest.MonkeyPatch
) -> None:
    resident.send("An officer pushed my brother on Water Street")

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("the engine failed")

    monkeypatch.setattr(resident.runner, "_plan", broken)
    with pytest.raises(RuntimeError):
        resident.send("1")
    # Stored, unanswered: the clock's sweep answers it (flows/handling/runner.py).
    assert [m.state for m in _messages(resident)][-1] == InboundState.RECEIVED


def _messages(resident: Resident) -> list[InboundMessage]:
    with resident.store.reading() as session:
        return list(session.query(InboundMessage).order_by(InboundMessage.id).all())


def test_a_text_racing_another_of_its_sender_is_received_first(
    resident: Resident, writes: list[int], catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    resident.send("An officer pushed my brother on Water Street")
    save = resident.store.conversations.save
    lost: list[bool] = []

    def another_text_committed_first(**kwargs: object) -> bool:
        if not lost:
            lost.append(True)
            return False  # the conversation's version moved under this run
        return save(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(resident.store.conversations, "save", another_text_committed_first)
    writes.clear()
    assert resident.send("1") == [msg(catalog, "ask_place")]
    # The one-write attempt rolled back; then received on its own, then answered.
    assert len(writes) == 3
    last = _messages(resident)[-1]
    assert last.state == InboundState.ANSWERED
    assert len(_messages(resident)) == 2


def test_a_text_whose_conversation_never_settles_is_left_for_the_sweep(
    resident: Resident, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A new sender's first text is received first; every attempt to answer it loses its race.
    with monkeypatch.context() as patch:
        patch.setattr(resident.store.conversations, "save", lambda **_: False)
        assert resident.send("An officer pushed my brother on Water Street") == []
    assert _messages(resident)[-1].state == InboundState.RECEIVED
    resident.clock.advance(ABANDONED_AFTER)
    assert resident.runner.answer_abandoned() == 1
    assert resident.texts_received() == [msg(catalog, "ask_anonymity")]
