"""The full screening that follows a reply (`Screened`: the worker's models read the text after
the web process answered with the model-free screening), through the real runner and store."""

from __future__ import annotations

from flows.conversation.catalog import Catalog
from tests.flows.resident import Resident, msg


def test_a_crisis_the_lexicon_missed_gets_its_message_by_text(
    resident: Resident, catalog: Catalog
) -> None:
    # Indirect wording: the web process's lexicon reads no urgency, the reply asks on.
    assert resident.send("Since they took my son I have been giving my things away") == [
        msg(catalog, "ask_anonymity")
    ]
    assert resident.screened(urgency="crisis") == [msg(catalog, "safety_crisis")]
    # Said once per report, however many readings agree.
    assert resident.screened(urgency="crisis") == []
    resident.send("1")
    resident.send("skip")
    resident.send("skip")
    resident.send("2")
    (report,) = resident.filed()
    assert report.urgency == "crisis"


def test_the_late_message_is_in_the_language_of_the_text(
    resident: Resident, catalog: Catalog
) -> None:
    resident.send("La policía se llevó a mi hijo y ya no tengo fuerzas", language="es")
    assert resident.screened(language="es", urgency="crisis") == [
        msg(catalog, "safety_crisis", "es")
    ]


def test_a_reading_no_more_urgent_than_the_reply_s_says_nothing(resident: Resident) -> None:
    resident.send("He has a gun and he is outside my door right now", urgency="emergency")
    assert resident.screened(urgency="emergency") == []
    assert resident.screened(urgency="none") == []
    assert resident.state.urgency == "emergency"


def test_an_opted_out_reporter_gets_no_late_message(resident: Resident, catalog: Catalog) -> None:
    resident.send("Since they took my son I have been giving my things away")
    assert resident.send("STOP") == [msg(catalog, "opted_out")]
    assert resident.screened(urgency="crisis") == []


def test_a_sure_category_skips_the_questions_that_do_not_fit(
    resident: Resident, catalog: Catalog
) -> None:
    resident.send("The city should spend less on patrol cars and more on youth centers")
    assert resident.screened(category="funding_priorities") == []
    # funding_priorities skips the place and time questions (flows/conversation/intake.yaml).
    assert resident.send("1") == [msg(catalog, "ask_consent")]


def test_without_the_late_category_every_question_is_asked(
    resident: Resident, catalog: Catalog
) -> None:
    resident.send("The city should spend less on patrol cars and more on youth centers")
    assert resident.send("1") == [msg(catalog, "ask_place")]
