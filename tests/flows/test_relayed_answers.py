"""A moderator's relayed question: the reporter's next text is the answer, passed to the report."""

from __future__ import annotations

from datetime import timedelta

from flows.conversation.catalog import Catalog
from flows.conversation.effects import AppendToReport, FileReport, RelayAnswer
from flows.conversation.events import AnswerExpected
from tests.flows.resident import Resident, msg

STORY = "An officer stopped me outside the Millbrook library and searched my bag for no reason"


def _file(resident: Resident) -> str:
    resident.send(STORY)
    resident.send("1")
    resident.send("SKIP")
    resident.send("SKIP")
    resident.send("2")
    assert resident.state.last_ref == "R-7KQ2"
    return "R-7KQ2"


def _asked(resident: Resident, ref: str, *, after: timedelta = timedelta(days=1)) -> list[str]:
    resident.now += after
    return resident.feed(AnswerExpected(ref=ref, at=resident.now))


def test_the_next_text_after_a_question_is_the_answer(resident: Resident, catalog: Catalog) -> None:
    ref = _file(resident)
    assert _asked(resident, ref) == []  # the question itself is sent by the relay, not the engine
    replies = resident.send("It was around 9pm, near the bus stop", after=3600)
    assert replies == [msg(catalog, "answer_relayed", ref=ref)]
    assert resident.relayed == [RelayAnswer(ref=ref, text="It was around 9pm, near the bus stop")]
    assert resident.appended == [] and len(resident.filed) == 1
    # Answered: the following text is an ordinary one again (here, a new report).
    resident.send("Another thing: a patrol car blocks the crosswalk on Cedar Street every day")
    assert len(resident.relayed) == 1 and resident.state.phase == "intake"


def test_a_short_answer_counts(resident: Resident) -> None:
    ref = _file(resident)
    _asked(resident, ref)
    resident.send("no", after=60)
    assert resident.relayed == [RelayAnswer(ref=ref, text="no")]


def test_keywords_still_work_and_keep_the_question_open(
    resident: Resident, catalog: Catalog
) -> None:
    ref = _file(resident)
    _asked(resident, ref)
    replies = resident.send("STATUS", after=60)
    assert replies and "R-7KQ2" in replies[0]
    assert resident.relayed == []
    resident.send("Yes, I would recognise him", after=60)
    assert resident.relayed == [RelayAnswer(ref=ref, text="Yes, I would recognise him")]


def test_the_answer_window_closes(resident: Resident) -> None:
    ref = _file(resident)
    _asked(resident, ref)
    resident.send("A different story about the park lights being out for weeks", after=15 * 86400)
    assert resident.relayed == []
    assert resident.state.awaiting_answer is None


def test_a_question_during_a_new_intake_waits_for_it(resident: Resident) -> None:
    ref = _file(resident)
    resident.send("New thing: officers were rude to my neighbour at the market", after=86400)
    assert resident.state.phase == "intake"
    _asked(resident, ref, after=timedelta(minutes=1))
    resident.send("1", after=30)  # answers the intake's question, not the moderator's
    assert resident.relayed == []
    assert resident.state.awaiting_answer == ref
    resident.send("SKIP")
    resident.send("SKIP")
    resident.send("2")
    assert len(resident.filed) == 2
    resident.send("About the first report: it was 9pm", after=60)
    assert resident.relayed == [RelayAnswer(ref=ref, text="About the first report: it was 9pm")]


def test_an_answer_is_not_appended_to_the_report(resident: Resident) -> None:
    """Right after filing, more words are normally appended; an awaited answer is relayed."""
    ref = _file(resident)
    _asked(resident, ref, after=timedelta(minutes=1))
    resident.send("He had a tattoo on his left arm", after=30)
    assert not any(isinstance(e, AppendToReport) for e in resident.effects)
    assert resident.relayed == [RelayAnswer(ref=ref, text="He had a tattoo on his left arm")]
    assert isinstance(resident.filed[0], FileReport)
