"""Check-ins in the conversation: the reporter's next text answers their open check-in.

The check-ins are the real ones: scheduled when a consenting reporter files, sent by the check-in
job through the outbox, found open by the runner for the next text.
"""

from __future__ import annotations

from datetime import timedelta

from flows.conversation.catalog import Catalog
from nlp.types import Language
from tests.flows.resident import Resident, msg

STORY = "An officer pushed my son against the wall at Southfield Station"
CONTACTED_DUE = timedelta(days=3, hours=1)  # the city's first check-in: "were you contacted?"
SATISFACTION_DUE = timedelta(days=11)  # the second, 14 days after filing


def _filed_with_consent(resident: Resident, language: Language = "en") -> str:
    resident.send(STORY, language=language)
    for answer in ["1", "skip", "skip", "1"]:  # anonymous; no place; no time; check-ins: yes
        resident.send(answer, language=language)
    (report,) = resident.filed()
    assert report.consent_checkins
    return report.ref


def _contacted_sent(resident: Resident, language: Language = "en") -> str:
    ref = _filed_with_consent(resident, language)
    [checkin] = resident.checkins_sent(after=CONTACTED_DUE)
    assert ref in checkin
    return ref


def _answers(resident: Resident, ref: str) -> list[tuple[str, str | None]]:
    return [(c.kind, c.answer) for c in resident.checkins(ref) if c.state == "answered"]


def test_a_number_among_the_choices_answers(resident: Resident, catalog: Catalog) -> None:
    ref = _contacted_sent(resident)
    assert resident.send("1") == [msg(catalog, "checkin_thanks")]
    [satisfaction] = resident.checkins_sent(after=SATISFACTION_DUE)
    assert ref in satisfaction
    assert resident.send("4") == [msg(catalog, "checkin_thanks")]
    assert _answers(resident, ref) == [("contacted", "1"), ("satisfaction", "4")]
    assert len(resident.filed()) == 1 and resident.state.phase == "idle"


def test_number_words_and_spanish(resident: Resident, catalog: Catalog) -> None:
    ref = _contacted_sent(resident, "es")
    assert resident.send("uno", language="es") == [msg(catalog, "checkin_thanks", "es")]
    assert _answers(resident, ref) == [("contacted", "1")]


def test_a_number_out_of_range_is_not_an_answer(resident: Resident, catalog: Catalog) -> None:
    ref = _contacted_sent(resident)
    replies = resident.send("5")
    assert _answers(resident, ref) == []
    assert replies == [msg(catalog, "idle_ack", ref=ref)]  # what a bare text gets anyway
    assert resident.send("2") == [msg(catalog, "checkin_thanks")]  # still open
    assert _answers(resident, ref) == [("contacted", "2")]


def test_words_are_new_information_for_that_report(resident: Resident, catalog: Catalog) -> None:
    ref = _contacted_sent(resident)
    first = "Nobody called me. The same officer was parked outside my house again"
    assert resident.send(first) == [msg(catalog, "checkin_added", ref=ref)]
    assert _answers(resident, ref) == [("contacted", "text")]
    # The carrier's second part joins the same report, silently.
    assert resident.send("and he took photos of my car", after=5) == []
    assert resident.trail(ref, "added_text") == [first, "and he took photos of my car"]
    (report,) = resident.filed()
    assert report.story == f"{STORY}\n\n{first}\n\nand he took photos of my car"


def test_keywords_come_first(resident: Resident, catalog: Catalog) -> None:
    ref = _contacted_sent(resident)
    replies = resident.send(f"STATUS {ref}")
    assert replies == [
        msg(
            catalog,
            "status_one",
            ref=ref,
            status=msg(catalog, "status_routed"),
            destinations="the Community Police Oversight Council",
        )
    ]
    assert _answers(resident, ref) == []
    assert resident.send("STOP") == [msg(catalog, "opted_out")]
    assert _answers(resident, ref) == [] and resident.contact.opted_out


def test_an_intake_in_progress_comes_first(resident: Resident, catalog: Catalog) -> None:
    ref = _filed_with_consent(resident)
    # A new story, just before the check-in goes out, so it is sent mid-intake.
    resident.send(
        "Another officer shouted at me on Oak Street", after=CONTACTED_DUE.total_seconds()
    )
    assert resident.checkins_sent(after=timedelta(hours=1)) != []
    assert resident.send("1") == [msg(catalog, "ask_place")]  # the anonymity answer
    assert _answers(resident, ref) == []
    assert resident.state.anonymous is True
