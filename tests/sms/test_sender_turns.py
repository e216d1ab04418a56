"""A sender's texts one at a time in a web process (bot/sender_turns.py): texts of one number
sent at once are each stored and answered in one write, in turn, while other senders go on."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from bot.chat import replies_of
from bot.sender_turns import SenderTurns
from bot.wiring import Services
from tests.service_harness import PUBLIC_URL, Resident, signed_form
from tests.support.writes import count_writes


def test_one_sender_waits_its_turn_while_another_goes_on() -> None:
    turns = SenderTurns()
    log: list[str] = []

    async def text(sender: str, name: str, seconds: float) -> None:
        async with turns.turn(sender):
            log.append(f"{name} starts")
            await asyncio.sleep(seconds)
            log.append(f"{name} ends")

    async def main() -> None:
        await asyncio.gather(text("A", "a1", 0.05), text("A", "a2", 0.01), text("B", "b1", 0.01))

    asyncio.run(main())
    assert log.index("a2 starts") > log.index("a1 ends")  # A's second waited for its first
    assert log.index("b1 ends") < log.index("a1 ends")  # B did not wait for A
    assert turns.in_flight() == 0  # nothing of a sender is kept once their texts are done


def test_a_text_that_waited_too_long_goes_on() -> None:
    turns = SenderTurns(max_wait=0.02)
    log: list[str] = []

    async def text(name: str, seconds: float) -> None:
        async with turns.turn("A"):
            log.append(f"{name} starts")
            await asyncio.sleep(seconds)
            log.append(f"{name} ends")

    async def main() -> None:
        await asyncio.gather(text("slow", 0.2), text("next", 0.0))

    asyncio.run(main())
    assert log.index("next starts") < log.index("slow ends")
    assert turns.in_flight() == 0


@pytest.fixture
def services(service: tuple[Services, TestClient]) -> Services:
    return service[0]


def test_texts_of_one_number_at_once_are_each_one_write(
    service: tuple[Services, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without turns they raced on the conversation's version: stored first, then answered
    (two writes, or left for the sweep)."""
    services, client = service
    resident = Resident(client)
    resident.text("Two officers stopped me on Millbrook Avenue and searched my bag")
    writes = count_writes(services.store.db, monkeypatch)
    forms = [resident.form(body) for body in ["1", "Millbrook Avenue", "yesterday", "more"]]

    async def send_all() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http:
            return await asyncio.gather(
                *(http.post("/sms", data=form, headers=signed_form(form)) for form in forms)
            )

    responses = asyncio.run(send_all())
    assert [r.status_code for r in responses] == [200] * len(forms)
    assert all(replies_of(r.text) for r in responses)  # each answered now, none left empty
    assert len(writes) == len(forms)
    with services.store.engine.connect() as connection:
        states = connection.execute(text("SELECT state FROM inboundmessage")).scalars().all()
    assert sorted(states) == ["answered"] * (len(forms) + 1)
