"""The engine and check-ins: the reporter's next text answers their open check-in."""

from __future__ import annotations

from flows.conversation.catalog import Catalog
from flows.conversation.effects import AnswerCheckin, AppendToReport, LookUpStatus
from flows.conversation.events import OpenCheckin
from tests.flows.resident import Resident, msg

CONTACTED = OpenCheckin(id=41, kind="contacted", ref="R-7KQ2", choices=2)
SATISFACTION = OpenCheckin(id=42, kind="satisfaction", ref="R-7KQ2", choices=5)
STORY = "An officer pushed my son against the wall at Southfield Station"


def test_a_number_among_the_choices_answers(resident: Resident, catalog: Catalog) -> None:
    resident.open_checkin = SATISFACTION
    assert resident.send("4") == [msg(catalog, "checkin_thanks")]
    assert resident.answers == [AnswerCheckin(checkin_id=42, number=4, text=None)]
    assert resident.filed == [] and resident.state.phase == "idle"


def test_number_words_and_spanish(resident: Resident, catalog: Catalog) -> None:
    resident.open_checkin = CONTACTED
    resident.state = resident.state.__class__(language="es", language_source="explicit")
    assert resident.send("uno") == [msg(catalog, "checkin_thanks", "es")]
    assert resident.answers == [AnswerCheckin(checkin_id=41, number=1, text=None)]


def test_a_number_out_of_range_is_not_an_answer(resident: Resident, catalog: Catalog) -> None:
    resident.open_checkin = CONTACTED
    replies = resident.send("5")
    assert resident.answers == [] and resident.open_checkin == CONTACTED
    assert replies == [msg(catalog, "welcome")]  # what a bare text gets anyway


def test_words_are_new_information_for_that_report(resident: Resident, catalog: Catalog) -> None:
    resident.open_checkin = CONTACTED
    first = "Nobody called me. The same officer was parked outside my house again"
    assert resident.send(first) == [msg(catalog, "checkin_added", ref="R-7KQ2")]
    assert resident.answers == [AnswerCheckin(checkin_id=41, number=None, text=first)]
    # The carrier's second part joins the same report, silently.
    assert resident.send("and he took photos of my car", after=5) == []
    assert resident.appended == [AppendToReport(ref="R-7KQ2", text="and he took photos of my car")]
    assert resident.filed == []


def test_keywords_come_first(resident: Resident, catalog: Catalog) -> None:
    resident.open_checkin = CONTACTED
    resident.send("STATUS R-7KQ2")
    assert LookUpStatus("R-7KQ2") in resident.effects and resident.answers == []
    resident.send("STOP")
    assert resident.answers == []


def test_an_intake_in_progress_comes_first(resident: Resident, catalog: Catalog) -> None:
    resident.send(STORY)
    resident.open_checkin = CONTACTED  # sent while they were telling a new story
    assert resident.send("1") == [msg(catalog, "ask_place")]  # the anonymity answer
    assert resident.answers == []
    assert resident.state.anonymous is True
