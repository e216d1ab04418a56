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


def test_a_story_misread_as_english_goes_on_in_spanish(
    resident: Resident, catalog: Catalog
) -> None:
    # The reply's model-free screen read English; the worker's n-grams read Spanish.
    story = "Anoche dos agentes revisaron mi carro sin permiso en Millbrook"
    assert resident.send(story, language="en") == [msg(catalog, "ask_anonymity")]
    corrected = resident.screened(language="es", language_corrected=True)
    assert corrected == [msg(catalog, "ask_anonymity", "es")]
    assert resident.state.language == "es"
    assert resident.contact.language == "es"
    resident.send("1")
    assert resident.send("skip") == [msg(catalog, "ask_when", "es")]


def test_the_language_is_not_changed_after_the_first_answer_or_a_choice(
    resident: Resident, catalog: Catalog
) -> None:
    resident.send("Two officers searched my car last night without asking")
    resident.send("1")
    assert resident.screened(language="es", language_corrected=True) == []
    assert resident.state.language == "en"
    resident.send("NEW")
    resident.send("ESPAÑOL")
    resident.send("Two officers searched my car last night without asking", language="es")
    assert resident.screened(language="en", language_corrected=True) == []
    assert resident.state.language == "es"


def test_a_reading_that_agrees_with_the_reply_changes_no_language(resident: Resident) -> None:
    resident.send("Anoche dos agentes revisaron mi carro sin permiso", language="es")
    # Another language in the full screening of a later text, not a correction of the story's.
    resident.screened(language="en", category="stop_search_arrest")
    assert resident.state.language == "es"
