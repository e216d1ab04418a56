"""Keywords at any time: they answer, then the person carries on where they were."""

from __future__ import annotations

from datetime import UTC, datetime

from flows.city import CityConfig
from flows.conversation.catalog import Catalog
from flows.conversation.engine import step
from flows.conversation.events import Screening, TextReceived
from flows.conversation.flowdef import Flow
from flows.conversation.state import ConversationState
from flows.store import Store
from tests.flows.resident import Resident, msg
from tests.support.checkins import file_report

STORY = "An officer pushed my son against the wall at Southfield Station"


def _file_one(resident: Resident) -> str:
    resident.send(STORY)
    for answer in ["1", "skip", "skip", "2"]:
        resident.send(answer)
    return resident.last_ref()


def test_help_mid_intake_then_carry_on(
    resident: Resident, catalog: Catalog, city: CityConfig
) -> None:
    help_en = city.city.help_text["en"]
    resident.send(STORY)
    resident.send("1")
    assert resident.send("HELP") == [help_en, msg(catalog, "reask_place")]
    assert resident.send("Southfield Station", district="d4") == [msg(catalog, "ask_when")]
    assert resident.send("ayuda") == [help_en, msg(catalog, "reask_when")]


def test_help_falls_back_to_the_catalogue(flow: Flow, catalog: Catalog) -> None:
    """The engine alone: a city always has a help text, so only the engine can lack one."""
    at = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    first = step(
        ConversationState(), TextReceived("info", at, Screening("en")), flow=flow, catalog=catalog
    )
    assert first.replies == (msg(catalog, "help"),)
    again = step(
        first.state, TextReceived("AYUDA", at, Screening("es")), flow=flow, catalog=catalog
    )
    assert again.replies == (msg(catalog, "help"),)  # language already chosen: English


def test_help_is_the_citys(resident: Resident, city: CityConfig) -> None:
    assert resident.send("info") == [city.city.help_text["en"]]
    assert resident.send("AYUDA") == [city.city.help_text["en"]]  # language already chosen


def test_first_message_keyword_sets_its_language(resident: Resident, city: CityConfig) -> None:
    assert resident.send("Ayuda", language="other") == [city.city.help_text["es"]]
    assert resident.contact.language == "es"


def test_status_mid_intake_then_carry_on(resident: Resident, catalog: Catalog) -> None:
    ref = _file_one(resident)
    resident.send("Another time they stopped me for nothing near City Hall", after=3600)
    replies = resident.send(f"STATUS {ref}")
    assert replies == [
        msg(
            catalog,
            "status_one",
            ref=ref,
            status=msg(catalog, "status_routed"),
            destinations="the Community Police Oversight Council",
        ),
        msg(catalog, "reask_anonymity"),
    ]
    assert resident.send("2") == [msg(catalog, "ask_place")]


def test_status_of_someone_elses_reference_reveals_nothing(
    resident: Resident, catalog: Catalog, sqlite_store: Store
) -> None:
    _file_one(resident)
    file_report(sqlite_store, resident.followups, phone="+15550109999", ref="R-ZZ99")
    # R-ZZ99 is someone else's; R-ZZ98 is no one's: the same answer.
    assert resident.send("status r-zz99") == [msg(catalog, "status_not_found", ref="R-ZZ99")]
    assert resident.send("STATUS R-ZZ98") == [msg(catalog, "status_not_found", ref="R-ZZ98")]


def test_status_lists_own_reports(
    resident: Resident, catalog: Catalog, sqlite_store: Store
) -> None:
    assert resident.send("STATUS") == [msg(catalog, "status_none")]
    ref = _file_one(resident)
    store = sqlite_store
    with store.transaction() as session:
        report = store.reports.by_ref_to_change(ref, session=session)
        assert report is not None
        store.reports.set_status(session=session, report=report, status="spam", actor="UMOD")
    (reply,) = resident.send("estado")
    assert reply == msg(catalog, "status_list", reports=f"{ref} closed")  # spam shown as closed


def test_delete_confirmed(resident: Resident, catalog: Catalog) -> None:
    ref = _file_one(resident)
    erased = resident.contact_id
    assert resident.send("DELETE") == [msg(catalog, "delete_confirm")]
    assert resident.send("1") == [msg(catalog, "delete_done")]
    contact = resident.store.contacts.get(erased)
    assert contact is not None and contact.wrapped_key is None and contact.address_enc is None
    report = resident.report(ref)
    assert report.contact_id is None and report.raw_text_enc is None
    assert "council" in msg(catalog, "delete_done")  # routed redacted copies stay, and it says so
    # The same number is a stranger now: no state, no reports.
    assert resident.contact_id != erased
    assert resident.state == resident.state.__class__() and resident.filed() == []


def test_delete_cancelled_mid_intake_carries_on(resident: Resident, catalog: Catalog) -> None:
    resident.send(STORY)
    assert resident.send("borrar") == [msg(catalog, "delete_confirm")]
    contact_id = resident.contact_id
    assert resident.send("2") == [msg(catalog, "delete_cancelled"), msg(catalog, "reask_anonymity")]
    assert resident.contact_id == contact_id and resident.contact.wrapped_key is not None
    assert resident.send("1") == [msg(catalog, "ask_place")]  # "1" now answers the question
    assert resident.contact_id == contact_id and resident.state.story == (STORY,)


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


def test_delete_cancelled_by_another_keyword(
    resident: Resident, catalog: Catalog, city: CityConfig
) -> None:
    resident.send("DELETE")
    contact_id = resident.contact_id
    help_en = city.city.help_text["en"]
    assert resident.send("HELP") == [msg(catalog, "delete_cancelled"), help_en]
    assert resident.send("1") == [msg(catalog, "welcome")]
    assert resident.contact_id == contact_id and resident.contact.wrapped_key is not None


def test_stop_and_start(resident: Resident, catalog: Catalog) -> None:
    resident.send(STORY)
    assert resident.send("stop") == [msg(catalog, "opted_out")]
    assert resident.contact.opted_out
    assert resident.send("I still want to say something") == []  # nothing while opted out
    assert resident.send("START") == [msg(catalog, "opted_in"), msg(catalog, "reask_anonymity")]
    assert not resident.contact.opted_out
    assert resident.send("1") == [msg(catalog, "ask_place")]  # the report was not lost


def test_cancel_is_a_carrier_opt_out_even_when_confirming_delete(
    resident: Resident, catalog: Catalog
) -> None:
    resident.send("DELETE")
    contact_id = resident.contact_id
    assert resident.send("Cancel") == [msg(catalog, "opted_out")]
    assert resident.contact_id == contact_id and resident.contact.wrapped_key is not None
    assert resident.contact.opted_out and resident.state.pending is None


def test_language_switch_mid_flow(resident: Resident, catalog: Catalog) -> None:
    resident.send(STORY)
    resident.send("1")
    replies = resident.send("ESPAÑOL")
    assert replies == [msg(catalog, "language_set", "es"), msg(catalog, "ask_place", "es")]
    assert resident.contact.language == "es"
    # An English-looking answer does not switch it back: the choice was explicit.
    assert resident.send("Southfield Station", district="d4") == [msg(catalog, "ask_when", "es")]
    assert resident.send("inglés") == [msg(catalog, "language_set"), msg(catalog, "ask_when")]
    resident.send("skip")
    resident.send("1")
    (report,) = resident.filed()
    assert report.language == "en" and resident.contact.language == "en"


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
    assert [r.story for r in resident.filed()] == [other]


def test_new_right_after_filing_starts_a_separate_report(
    resident: Resident, catalog: Catalog
) -> None:
    ref = _file_one(resident)
    assert resident.send("nuevo", after=10) == [
        f"{msg(catalog, 'new_report')} {msg(catalog, 'ask_story')}"
    ]
    assert resident.send("Another officer was rude at the station", after=10) == [
        msg(catalog, "ask_anonymity")
    ]
    assert resident.trail(ref, "added_text") == []
