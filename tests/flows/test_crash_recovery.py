"""A text saved but never answered (its handler died) is answered promptly, once.

The crash is reproduced as it happens: the inbound row is committed by the same store call the
webhook makes first, and nothing after it runs. Then a provider retry, or the clock's sweep,
finds it.
"""

from __future__ import annotations

from datetime import timedelta

from flows.conversation.catalog import Catalog
from flows.handling.incoming import IncomingMessage
from flows.handling.runner import ABANDONED_AFTER, CLAIM_LEASE
from flows.statuses import InboundState
from nlp.types import Screening
from tests.flows.resident import Resident, msg

STORY = "An officer pushed me against the wall at the bus stop"
SID = "SM" + "c" * 32


def _crash_after_saving(resident: Resident) -> int:
    """The webhook saved the text, then its process died before answering."""
    resident.screening.dictate(STORY, Screening(language="en", urgency="none", district=None))
    recorded = resident.store.inbound.receive(
        channel="sms", address=resident.phone, provider_id=SID, body=STORY, media_urls=[]
    )
    assert recorded.created and recorded.message.id is not None
    return recorded.message.id


def test_a_retry_after_the_lease_answers_at_once(resident: Resident, catalog: Catalog) -> None:
    inbound_id = _crash_after_saving(resident)
    resident.clock.advance(CLAIM_LEASE)
    retry = IncomingMessage(channel="sms", provider_id=SID, sender=resident.phone, body=STORY)
    assert list(resident.runner.handle(retry)) == [msg(catalog, "ask_anonymity")]
    row = resident.store.inbound.get(inbound_id)
    assert row is not None and row.state == InboundState.ANSWERED
    # A further retry gets the same answer and changes nothing.
    assert list(resident.runner.handle(retry)) == [msg(catalog, "ask_anonymity")]
    assert resident.state.story == (STORY,)


def test_the_sweep_answers_by_the_outbox_when_no_retry_comes(
    resident: Resident, catalog: Catalog
) -> None:
    inbound_id = _crash_after_saving(resident)
    resident.clock.advance(ABANDONED_AFTER - timedelta(seconds=1))
    assert resident.runner.answer_abandoned() == 0  # its webhook may still be answering
    resident.clock.advance(timedelta(seconds=1))
    assert resident.runner.answer_abandoned() == 1
    assert resident.texts_received() == [msg(catalog, "ask_anonymity")]
    row = resident.store.inbound.get(inbound_id)
    assert row is not None and row.state == InboundState.ANSWERED
    assert resident.runner.answer_abandoned() == 0
    assert resident.send("1") == [msg(catalog, "ask_place")]  # the conversation goes on


def test_a_message_is_answered_once_however_many_handlers_try(resident: Resident) -> None:
    """A slow first handler and a takeover: the second to finish is refused, so its effects
    (the text appended to the story again) roll back."""
    inbound_id = _crash_after_saving(resident)
    contact = resident.contact
    store = resident.store
    with store.transaction() as session:
        assert store.inbound.mark_answered(
            inbound_id=inbound_id, contact=contact, reply="first", session=session
        )
    with store.transaction() as session:
        assert not store.inbound.mark_answered(
            inbound_id=inbound_id, contact=contact, reply="second", session=session
        )
    row = store.inbound.get(inbound_id)
    assert row is not None and store.inbound.stored_reply(row, contact) == "first"
