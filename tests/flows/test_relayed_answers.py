"""A moderator's relayed question: the reporter's next text is the answer, passed to the report."""

from __future__ import annotations

from datetime import timedelta

from flows.conversation.catalog import Catalog
from tests.flows.resident import Resident, msg

STORY = "An officer stopped me outside the Millbrook library and searched my bag for no reason"


def _file(resident: Resident) -> str:
    resident.send(STORY)
    resident.send("1")
    resident.send("SKIP")
    resident.send("SKIP")
    resident.send("2")
    ref = resident.last_ref()
    assert resident.state.last_ref == ref
    return ref


def test_the_next_text_after_a_question_is_the_answer(resident: Resident, catalog: Catalog) -> None:
    ref = _file(resident)
    assert resident.asked(ref) == []  # the question itself is sent by the relay, not the engine
    replies = resident.send("It was around 9pm, near the bus stop", after=3600)
    assert replies == [msg(catalog, "answer_relayed", ref=ref)]
    assert resident.trail(ref, "answered") == ["It was around 9pm, near the bus stop"]
    assert resident.trail(ref, "added_text") == [] and len(resident.filed()) == 1
    # Answered: the following text is an ordinary one again (here, a new report).
    resident.send("Another thing: a patrol car blocks the crosswalk on Cedar Street every day")
    assert len(resident.trail(ref, "answered")) == 1 and resident.state.phase == "intake"


def test_a_short_answer_counts(resident: Resident) -> None:
    ref = _file(resident)
    resident.asked(ref)
    resident.send("no", after=60)
    assert resident.trail(ref, "answered") == ["no"]


def test_the_answer_is_redacted_before_it_reaches_the_trail(resident: Resident) -> None:
    ref = _file(resident)
    resident.asked(ref)
    resident.send("My name is Dana Whitfield, call me on 555 201 7788", after=60)
    assert resident.trail(ref, "answered") == ["My name is [NAME], call me on [PHONE]"]


def test_keywords_still_work_and_keep_the_question_open(
    resident: Resident, catalog: Catalog
) -> None:
    ref = _file(resident)
    resident.asked(ref)
    replies = resident.send("STATUS", after=60)
    assert replies == [
        msg(catalog, "status_list", reports=f"{ref} {msg(catalog, 'status_routed')}")
    ]
    assert resident.trail(ref, "answered") == []
    resident.send("Yes, I would recognise him", after=60)
    assert resident.trail(ref, "answered") == ["Yes, I would recognise him"]


def test_the_answer_window_closes(resident: Resident) -> None:
    ref = _file(resident)
    resident.asked(ref)
    resident.send("A different story about the park lights being out for weeks", after=15 * 86400)
    assert resident.trail(ref, "answered") == []
    assert resident.state.awaiting_answer is None


def test_a_question_during_a_new_intake_waits_for_it(resident: Resident) -> None:
    ref = _file(resident)
    resident.send("New thing: officers were rude to my neighbour at the market", after=86400)
    assert resident.state.phase == "intake"
    resident.asked(ref, after=timedelta(minutes=1))
    resident.send("1", after=30)  # answers the intake's question, not the moderator's
    assert resident.trail(ref, "answered") == []
    assert resident.state.awaiting_answer == ref
    resident.send("SKIP")
    resident.send("SKIP")
    resident.send("2")
    assert len(resident.filed()) == 2
    resident.send("About the first report: it was 9pm", after=60)
    assert resident.trail(ref, "answered") == ["About the first report: it was 9pm"]


def test_an_answer_is_not_appended_to_the_report(resident: Resident) -> None:
    """Right after filing, more words are normally appended; an awaited answer is relayed."""
    ref = _file(resident)
    resident.asked(ref, after=timedelta(minutes=1))
    resident.send("He had a tattoo on his left arm", after=30)
    assert resident.trail(ref, "added_text") == []
    assert resident.trail(ref, "answered") == ["He had a tattoo on his left arm"]
    (report,) = resident.filed()
    assert report.story == STORY
