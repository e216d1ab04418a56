"""One number flooding the line: everything is kept, nothing new is filed past the city's
limits, the sender is told once and moderators see one line; STOP still works."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from flows.city import CityConfig
from flows.conversation.catalog import Catalog
from flows.models import InboundMessage
from flows.statuses import InboundState
from tests.flows.resident import Resident, msg

STORY = "An officer pushed me against the wall at the bus stop"


def _states(resident: Resident) -> list[str]:
    with resident.store.reading() as session:
        rows = session.exec(select(InboundMessage).order_by(col(InboundMessage.id))).all()
        return [row.state for row in rows]


def test_a_burst_past_the_texts_limit_is_kept_and_told_once(
    resident: Resident, catalog: Catalog, city: CityConfig
) -> None:
    limit = city.limits.texts_per_minute
    replies = [resident.send(f"{STORY} ({i})", after=1) for i in range(limit + 8)]
    assert replies[limit] == [msg(catalog, "sender_limited")]  # the first text past the limit
    assert all(r == [] for r in replies[limit + 1 :])  # told once
    states = _states(resident)
    assert len(states) == limit + 8  # every text kept
    assert states.count(InboundState.LIMITED) == 8 and InboundState.RECEIVED not in states
    assert len(resident.notifier.notices) == 1
    [(channel, line)] = resident.notifier.notices
    assert channel == "triage" and "texts in a minute" in line and "pushed" not in line
    # STOP is never limited.
    assert resident.send("STOP", after=1) == [msg(catalog, "opted_out")]
    assert resident.contact.opted_out


def test_a_filing_loop_stops_at_the_reports_limit(
    resident: Resident, catalog: Catalog, city: CityConfig
) -> None:
    limit = city.limits.reports_per_hour
    for i in range(limit):
        resident.send("NEW", after=15)
        resident.send(f"{STORY} number {i}", after=15)
        for answer in ["1", "SKIP", "SKIP", "2"]:
            resident.send(answer, after=15)
    assert len(resident.filed()) == limit
    resident.send("NEW", after=15)
    assert resident.send(f"{STORY} again", after=15) == [msg(catalog, "sender_limited")]
    assert resident.send("1", after=15) == []  # nothing open: no new intake either
    assert len(resident.filed()) == limit
    assert len(resident.notifier.notices) == 1
    # An hour later the line is open again.
    assert resident.send(STORY, after=3600) == [msg(catalog, "ask_anonymity")]


def test_past_the_reports_limit_a_moderators_question_still_gets_its_answer(
    resident: Resident, catalog: Catalog, city: CityConfig
) -> None:
    for i in range(city.limits.reports_per_hour):
        resident.send("NEW", after=15)
        resident.send(f"{STORY} number {i}", after=15)
        for answer in ["1", "SKIP", "SKIP", "2"]:
            resident.send(answer, after=15)
    ref = resident.last_ref()
    resident.asked(ref, after=timedelta(minutes=1))
    assert resident.send("It was about 9pm", after=15) == [msg(catalog, "answer_relayed", ref=ref)]
    assert resident.trail(ref, "answered") == ["It was about 9pm"]
