"""Keywords at any time: they answer, then the person carries on where they were."""

from __future__ import annotations

from flows.conversation.catalog import Catalog
from flows.conversation.effects import EraseContact, LookUpStatus, OptIn, OptOut, SetLanguage
from flows.conversation.events import ReportStatus
from tests.flows.resident import Resident, msg

STORY = "An officer pushed my son against the wall at Southfield Station"
CITY_HELP = {"en": "Riverton line. Not 911. STOP to stop.", "es": "Línea de Riverton. STOP."}


def _file_one(resident: Resident) -> None:
    resident.send(STORY)
    for answer in ["1", "skip", "skip", "2"]:
        resident.send(answer)


def test_help_mid_intake_then_carry_on(resident: Resident, catalog: Catalog) -> None:
    resident.city_help = CITY_HELP
    resident.send(STORY)
    resident.send("1")
    assert resident.send("HELP") == [CITY_HELP["en"], msg(catalog, "reask_place")]
    assert resident.send("Southfield Station", district="d4") == [msg(catalog, "ask_when")]
    assert resident.send("ayuda") == [CITY_HELP["en"], msg(catalog, "reask_when")]


def test_help_falls_back_to_the_catalogue(resident: Resident, catalog: Catalog) -> None:
    assert resident.send("info") == [msg(catalog, "help")]
    assert resident.send("AYUDA") == [msg(catalog, "help")]  # language already chosen: English


def test_first_message_keyword_sets_its_language(resident: Resident, catalog: Catalog) -> None:
    resident.city_help = CITY_HELP
    assert resident.send("Ayuda", language="other") == [CITY_HELP["es"]]
    assert resident.languages_set() == ["es"]


def test_status_mid_intake_then_carry_on(resident: Resident, catalog: Catalog) -> None:
    _file_one(resident)
    resident.send("Another time they stopped me for nothing near City Hall", after=3600)
    replies = resident.send("STATUS R-7KQ2")
    assert LookUpStatus("R-7KQ2") in resident.effects
    assert replies == [
        msg(
            catalog,
            "status_one",
            ref="R-7KQ2",
            status=msg(catalog, "status_routed"),
            destinations="the Community Police Oversight Council",
        ),
        msg(catalog, "reask_anonymity"),
    ]
    assert resident.send("2") == [msg(catalog, "ask_place")]


def test_status_of_someone_elses_reference_reveals_nothing(
    resident: Resident, catalog: Catalog
) -> None:
    _file_one(resident)
    # R-ZZ99 may exist for someone else; the service only gives us this resident's reports.
    assert resident.send("status r-zz99") == [msg(catalog, "status_not_found", ref="R-ZZ99")]
    assert resident.send("STATUS R-ZZ98") == [msg(catalog, "status_not_found", ref="R-ZZ98")]


def test_status_lists_own_reports(resident: Resident, catalog: Catalog) -> None:
    assert resident.send("STATUS") == [msg(catalog, "status_none")]
    _file_one(resident)
    resident.own_reports["R-7KQ2"] = ReportStatus("R-7KQ2", "spam", ())
    (reply,) = resident.send("estado")
    assert reply == msg(catalog, "status_list", reports="R-7KQ2 closed")  # spam shown as closed


def test_delete_confirmed(resident: Resident, catalog: Catalog) -> None:
    _file_one(resident)
    assert resident.send("DELETE") == [msg(catalog, "delete_confirm")]
    assert resident.send("1") == [msg(catalog, "delete_done")]
    assert EraseContact() in resident.effects and resident.erased
    assert "council" in msg(catalog, "delete_done")  # routed redacted copies stay, and it says so
    assert resident.state.last_ref is None and resident.state.story == ()


def test_delete_cancelled_mid_intake_carries_on(resident: Resident, catalog: Catalog) -> None:
    resident.send(STORY)
    assert resident.send("borrar") == [msg(catalog, "delete_confirm")]
    assert resident.send("2") == [msg(catalog, "delete_cancelled"), msg(catalog, "reask_anonymity")]
    assert not resident.erased and EraseContact() not in resident.effects
    assert resident.send("1") == [msg(catalog, "ask_place")]  # "1" now answers the question
    assert not resident.erased


def test_delete_cancelled_by_more_story_keeps_the_words(
    resident: Resident, catalog: Catalog
) -> None:
    resident.send(STORY)
    resident.send("DELETE")
    more = "actually I want to add that it was the second time this month"
    replies = resident.send(more, after=600)
    assert replies == [
        msg(catalog, "delete_cancelled"),
        f"{msg(catalog, 'story_added')} {msg(catalog, 'reask_anonymity')}",
    ]
    assert resident.state.story == (STORY, more)


def test_delete_cancelled_by_another_keyword(resident: Resident, catalog: Catalog) -> None:
    resident.send("DELETE")
    assert resident.send("HELP") == [msg(catalog, "delete_cancelled"), msg(catalog, "help")]
    assert resident.send("1") != [msg(catalog, "delete_done")]
    assert not resident.erased


def test_stop_and_start(resident: Resident, catalog: Catalog) -> None:
    resident.send(STORY)
    assert resident.send("stop") == [msg(catalog, "opted_out")]
    assert resident.effects[-1] == OptOut() and resident.opted_out
    assert resident.send("START") == [msg(catalog, "opted_in"), msg(catalog, "reask_anonymity")]
    assert resident.effects[-1] == OptIn() and not resident.opted_out
    assert resident.send("1") == [msg(catalog, "ask_place")]  # the report was not lost


def test_cancel_is_a_carrier_opt_out_even_when_confirming_delete(
    resident: Resident, catalog: Catalog
) -> None:
    resident.send("DELETE")
    assert resident.send("Cancel") == [msg(catalog, "opted_out")]
    assert resident.opted_out and not resident.erased
    assert resident.state.pending is None


def test_language_switch_mid_flow(resident: Resident, catalog: Catalog) -> None:
    resident.send(STORY)
    resident.send("1")
    replies = resident.send("ESPAÑOL")
    assert replies == [msg(catalog, "language_set", "es"), msg(catalog, "ask_place", "es")]
    assert SetLanguage("es") in resident.effects
    # An English-looking answer does not switch it back: the choice was explicit.
    assert resident.send("Southfield Station", district="d4") == [msg(catalog, "ask_when", "es")]
    assert resident.send("inglés") == [msg(catalog, "language_set"), msg(catalog, "ask_when")]
    resident.send("skip")
    resident.send("1")
    assert resident.filed[0].language == "en"


def test_language_switch_when_idle_invites_the_story(resident: Resident, catalog: Catalog) -> None:
    assert resident.send("spanish") == [
        msg(catalog, "language_set", "es"),
        msg(catalog, "ask_story", "es"),
    ]


def test_new_discards_the_unfinished_report(resident: Resident, catalog: Catalog) -> None:
    resident.send(STORY)
    resident.send("1")
    opening = f"{msg(catalog, 'new_report_discarded')} {msg(catalog, 'ask_story')}"
    assert resident.send("NEW") == [opening]
    assert resident.state.phase == "idle" and resident.state.story == ()
    other = "Different thing: the streetlights on Oak Street have been out for weeks"
    assert resident.send(other) == [msg(catalog, "ask_anonymity")]
    for answer in ["2", "skip", "skip", "1"]:
        resident.send(answer)
    assert [r.story for r in resident.filed] == [other]


def test_new_right_after_filing_starts_a_separate_report(
    resident: Resident, catalog: Catalog
) -> None:
    _file_one(resident)
    assert resident.send("nuevo", after=10) == [
        f"{msg(catalog, 'new_report')} {msg(catalog, 'ask_story')}"
    ]
    assert resident.send("Another officer was rude at the station", after=10) == [
        msg(catalog, "ask_anonymity")
    ]
    assert resident.appended == []
