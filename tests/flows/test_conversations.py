"""Whole scripted conversations, English and Spanish, through the real runner, the shipped flow
and catalogues.

The state lives in the database between messages (see `Resident`), so these also prove a restart
resumes.
"""

from __future__ import annotations

from flows.conversation.catalog import Catalog
from flows.handling.segments import count_segments
from nlp.types import Language
from tests.flows.resident import Filed, Resident, msg

STORY_EN = "An officer stopped me outside the Millbrook library and searched my bag for no reason"
STORY_ES = "Un policía me detuvo en la calle Flores y me revisó la mochila sin ninguna razón"


def test_english_report_end_to_end(resident: Resident, catalog: Catalog) -> None:
    m = lambda key, **p: msg(catalog, key, "en", **p)  # noqa: E731

    assert resident.send("hi") == [m("welcome")]
    assert resident.send(STORY_EN) == [m("ask_anonymity")]
    assert resident.send("2") == [m("ask_place")]
    assert resident.send("Millbrook library", district="d1") == [m("ask_when")]
    assert resident.send("yesterday around 6pm") == [m("ask_consent")]
    replies = resident.send("1")
    ref = resident.last_ref()
    destinations = "the Community Police Oversight Council"
    assert replies == [m("filed", ref=ref, destinations=destinations)]
    assert replies[0] == (
        f"Thank you. Your report {ref} goes to the Community Police Oversight Council. "
        f"Text STATUS {ref} any time."
    )
    assert resident.filed() == [
        Filed(
            ref=ref,
            story=STORY_EN,
            anonymous=False,
            contact_ok=True,
            consent_checkins=True,
            language="en",
            urgency="none",
            district="d1",
            place_text="Millbrook library",
            when_text="yesterday around 6pm",
            destinations=("oversight",),
        )
    ]
    assert resident.state.phase == "idle" and resident.state.story == ()
    assert resident.state.last_ref == ref


def test_spanish_report_end_to_end(resident: Resident, catalog: Catalog) -> None:
    m = lambda key, **p: msg(catalog, key, "es", **p)  # noqa: E731

    assert resident.send("Hola", language="other") == [m("welcome")]
    assert resident.send(STORY_ES, language="es") == [m("ask_anonymity")]
    assert resident.send("uno", language="es") == [m("ask_place")]
    # Nothing matched: asked once more, then the answer is taken as written.
    assert resident.send("cerca de la tienda", language="es") == [m("ask_place_again")]
    assert resident.send("por la escuela", language="es") == [m("ask_when")]
    assert resident.send("OMITIR", language="es") == [m("ask_consent")]
    replies = resident.send("2", language="es")
    (report,) = resident.filed()
    # No keyword of the test analyser in the story: unsure, so the triage desk, named in Spanish.
    assert report.destinations == ("triage",)
    assert replies == [m("filed", ref=report.ref, destinations="Equipo de Revision")]
    assert replies[0].startswith(f"Gracias. Enviamos su reporte {report.ref} a: ")
    assert report.story == STORY_ES and report.language == "es"
    assert (report.anonymous, report.contact_ok, report.consent_checkins) == (True, False, False)
    assert report.place_text == "cerca de la tienda / por la escuela"
    assert report.when_text is None and report.district is None
    assert resident.contact.language == "es"


def test_every_reply_of_a_conversation_fits_two_segments(
    resident: Resident, catalog: Catalog
) -> None:
    script: list[tuple[str, Language]] = [
        ("hola", "es"), (STORY_ES, "es"), ("ayuda", "es"), ("1", "es"), ("calle Flores", "es"),
        ("ayer", "es"), ("1", "es"), ("estado", "es"), ("english", "en"), ("status", "en"),
    ]  # fmt: skip
    replies = [r for text, language in script for r in resident.send(text, language=language)]
    assert len(replies) >= len(script)  # every text was answered (the status too)
    for reply in replies:
        assert count_segments(reply) <= 2, reply


def test_replies_never_echo_the_story(resident: Resident) -> None:
    secret = "Officer Dana Whitfield grabbed my arm at 42 Kessler Road"
    replies = resident.send(secret)
    replies += resident.send("more: my neighbour Ramirez saw it all happen", after=600)
    replies += resident.send("1") + resident.send("42 Kessler Road", district="d1")
    replies += resident.send("skip")
    replies += resident.send("2")
    joined = " ".join(replies)
    for fragment in ("Whitfield", "Kessler", "Ramirez", "42"):
        assert fragment not in joined
    (report,) = resident.filed()
    assert report.story.startswith(secret)  # the words reached the report, not the replies
