"""Whole conversations as a resident has them: signed SMS in, TwiML out, real NLP and database."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from bot.wiring import Services
from flows.clocks import FixedClock
from flows.handling.effect_prep import Analyser
from flows.handling.segments import count_segments
from flows.models import Report
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.recording_analyser import RecordingAnalyser
from tests.service_harness import (
    Resident,
    make_settings,
    start_service,
)
from tests.support.sms_replies import (
    ASK_ANONYMITY,
    ASK_CONSENT,
    ASK_PLACE,
    ASK_WHEN,
    CRISIS,
    EMERGENCY,
    ES_ASK_ANONYMITY,
    ES_ASK_CONSENT,
    ES_ASK_PLACE,
    ES_ASK_WHEN,
    ES_FILED,
    FILED,
    REASK_ANONYMITY,
    STATUS_NONE,
    WELCOME,
    openings,
)

REF = re.compile(r"R-[2-9A-HJ-NP-Z]{4}")


def _reports(services: Services) -> list[Report]:
    with services.store.transaction() as session:
        return list(session.exec(select(Report)).all())


def _walk(resident: Resident, clock: FixedClock, texts: list[str]) -> list[list[str]]:
    replies = []
    for body in texts:
        clock.advance(timedelta(minutes=3))  # a person answering, not a burst
        replies.append(resident.text(body))
    return replies


def _answers(resident: Resident, clock: FixedClock, script: list[tuple[str, str]]) -> None:
    """Text each answer; each gets exactly one reply, starting with its opening."""
    for body, opening in script:
        clock.advance(timedelta(minutes=3))
        replies = resident.text(body)
        assert openings(replies, opening), (body, replies)


def test_english_intake_end_to_end(service: tuple[Services, TestClient], clock: FixedClock) -> None:
    services, client = service
    resident = Resident(client)
    welcome = resident.text("hi")
    assert openings(welcome, WELCOME) and "911" in welcome[0] and "anonymous" in welcome[0]
    replies = _walk(
        resident,
        clock,
        [
            "An officer pushed me to the ground at the bus stop on Cedar Street and laughed at me. "
            "His badge number was 4471.",
            "1",
            "Cedar Street by Millbrook Park",
            "last friday around 6pm",
            "1",
        ],
    )
    expected = [ASK_ANONYMITY, ASK_PLACE, ASK_WHEN, ASK_CONSENT, FILED]
    assert [openings(r, e) for r, e in zip(replies, expected, strict=True)] == [True] * 5
    confirmation = replies[4][-1]
    ref = REF.search(confirmation)
    assert ref is not None
    assert "Community Police Oversight Council" in confirmation
    [report] = _reports(services)
    assert report.ref == ref.group(0)
    assert report.anonymous and report.consent_checkins
    assert report.district == "d1"
    assert report.top_category == "use_of_force"
    assert report.status == "routed" and "oversight" in report.destinations
    assert "4471" in report.redacted_text  # the badge is kept for the council
    assert report.raw_text_enc and "pushed" not in report.raw_text_enc
    status = resident.text(f"STATUS {report.ref}")
    assert status == [
        f"Report {report.ref}: sent to the council. "
        "It went to the Community Police Oversight Council."
    ]


def test_the_report_is_analysed_while_the_questions_are_asked(
    settings_kwargs: dict[str, object], clock: FixedClock, analyser: Analyser
) -> None:
    recording = RecordingAnalyser(analyser)
    services, client = start_service(
        settings=make_settings(**settings_kwargs),  # type: ignore[arg-type]
        clock=clock,
        analyser=recording,
    )
    story = "An officer pushed me to the ground on Cedar Street. My name is Ana Lopez."
    replies = _walk(Resident(client), clock, [story, "1", "SKIP", "last night", "2"])
    expected = [ASK_ANONYMITY, ASK_PLACE, ASK_WHEN, ASK_CONSENT, FILED]
    assert [openings(r, e) for r, e in zip(replies, expected, strict=True)] == [True] * 5
    # Started once the first question was answered, not in the webhook that filed the report.
    # (The answer just before filing may still be queued then: filing takes it back and does it.)
    assert recording.thread_of(story).startswith("analyse-ahead")
    [report] = _reports(services)
    assert report.top_category == "use_of_force"
    assert "[NAME]" in report.redacted_text and "Ana" not in report.redacted_text
    assert report.when_text == "last night"
    # The answer is read for personal data and places, never classified; the story always is.
    assert "last night" in recording.uncategorised and story not in recording.uncategorised


def test_spanish_intake_end_to_end(service: tuple[Services, TestClient], clock: FixedClock) -> None:
    services, client = service
    resident = Resident(client, phone="+15558675310")
    replies = _walk(
        resident,
        clock,
        [
            "Hola, quiero reportar que un policía me insultó y me revisó la mochila sin razón "
            "cuando salía del mercado Las Flores.",
            "2",
            "en Las Flores, cerca del mercado",
            "OMITIR",
            "2",
        ],
    )
    expected = [ES_ASK_ANONYMITY, ES_ASK_PLACE, ES_ASK_WHEN, ES_ASK_CONSENT, ES_FILED]
    assert [openings(r, e) for r, e in zip(replies, expected, strict=True)] == [True] * 5
    confirmation = replies[-1][-1]
    assert "su reporte" in confirmation and REF.search(confirmation)
    assert "Council" not in confirmation and "Desk" not in confirmation  # named in Spanish
    [report] = _reports(services)
    assert report.language == "es"
    assert not report.anonymous and report.contact_ok and not report.consent_checkins
    assert report.district == "d3"


def test_help_and_status_mid_intake_then_carry_on(
    service: tuple[Services, TestClient], clock: FixedClock
) -> None:
    services, client = service
    resident = Resident(client)
    story = "The police car blocked my driveway for hours and the officer was rude to me."
    assert openings(resident.text(story), ASK_ANONYMITY)
    clock.advance(timedelta(minutes=5))
    help_reply = resident.text("HELP")
    assert help_reply == [services.city.city.help_text["en"], REASK_ANONYMITY]
    assert "911" in help_reply[0]
    assert resident.text("STATUS") == [STATUS_NONE, REASK_ANONYMITY]
    _answers(resident, clock, [("1", ASK_PLACE), ("SKIP", ASK_WHEN)])
    _answers(resident, clock, [("SKIP", ASK_CONSENT), ("2", FILED)])
    assert len(_reports(services)) == 1


@pytest.mark.parametrize(
    ("story", "safety", "question"),
    [
        (
            "my neighbor is beating his wife right now, I can hear her screaming",
            EMERGENCY,
            ASK_ANONYMITY,
        ),
        (
            "there is a man with a gun outside my building on Water Street right now",
            EMERGENCY,
            ASK_ANONYMITY,
        ),
        ("I want to end my life tonight, I can't do this anymore", CRISIS, ASK_ANONYMITY),
        ("quiero quitarme la vida, ya no aguanto", "Si está en crisis", ES_ASK_ANONYMITY),
    ],
)
def test_safety_first_reply(
    service: tuple[Services, TestClient], story: str, safety: str, question: str
) -> None:
    _, client = service
    replies = Resident(client).text(story)
    assert openings(replies, safety, question), replies
    assert ("911" if safety == EMERGENCY else "988") in replies[0]


def test_four_quick_texts_become_one_report(
    service: tuple[Services, TestClient], clock: FixedClock
) -> None:
    services, client = service
    resident = Resident(client)
    parts = [
        "So last night I was walking home from work near Union Station",
        "and two cops stopped me and asked for ID for no reason",
        "when I asked why they said shut up and pushed me against the wall",
        "I am Black and they did not stop the white guys walking right beside me",
    ]
    answered = []
    for part in parts:
        clock.advance(timedelta(seconds=15))
        answered.append(resident.text(part))
    assert openings(answered[0], ASK_ANONYMITY) and all(r == [] for r in answered[1:])
    _answers(resident, clock, [("1", ASK_PLACE), ("Union Station", ASK_WHEN)])
    _answers(resident, clock, [("SKIP", ASK_CONSENT), ("2", FILED)])
    [report] = _reports(services)
    for part in ("Union Station", "asked for ID", "pushed me", "white guys"):
        assert part in report.redacted_text


def test_duplicate_webhook_mid_flow_and_restart_resume(
    service: tuple[Services, TestClient],
    settings_kwargs: dict[str, object],
    clock: FixedClock,
    analyser: Analyser,
) -> None:
    services, client = service
    resident = Resident(client)
    story = "Officers searched my car on Harbor Boulevard and took my phone without a warrant."
    assert openings(resident.text(story), ASK_ANONYMITY)
    clock.advance(timedelta(minutes=3))
    first = resident.text("1", sid="SM" + "c" * 32)
    assert openings(first, ASK_PLACE)
    assert resident.text("1", sid="SM" + "c" * 32) == first
    # A new process on the same database picks up where the resident was.
    _, restarted_client = start_service(
        settings=make_settings(**settings_kwargs),  # type: ignore[arg-type]
        clock=clock,
        analyser=analyser,
    )
    resumed = Resident(restarted_client, phone=resident.phone)
    clock.advance(timedelta(minutes=3))
    assert openings(resumed.text("Harbor Boulevard"), ASK_WHEN)
    _answers(resumed, clock, [("SKIP", ASK_CONSENT), ("2", FILED)])
    [report] = _reports(services)
    assert report.district == "d2" and report.anonymous


def test_status_with_someone_elses_reference_reveals_nothing(
    service: tuple[Services, TestClient], clock: FixedClock
) -> None:
    services, client = service
    owner = Resident(client, phone="+15558675311")
    assert openings(
        owner.text("A cop took my skateboard and would not give it back."), ASK_ANONYMITY
    )
    _answers(owner, clock, [("1", ASK_PLACE), ("SKIP", ASK_WHEN)])
    _answers(owner, clock, [("SKIP", ASK_CONSENT), ("2", FILED)])
    [report] = _reports(services)
    stranger = Resident(client, phone="+15558675312")
    reply = stranger.text(f"STATUS {report.ref}")
    assert reply == [
        f"We found no report {report.ref} from you. Check the code, or text STATUS to list "
        "your reports."
    ]
    never = stranger.text("STATUS R-ZZZZ")
    assert [r.replace(report.ref, "R-ZZZZ") for r in reply] == never


def test_delete_erases_contact_and_raw_text(
    service: tuple[Services, TestClient], clock: FixedClock, twilio_api: FakeTwilioAPI
) -> None:
    services, client = service
    resident = Resident(client)
    story = "Officer Ramirez insulted my mother at the Eastgate Plaza."
    assert openings(resident.text(story), ASK_ANONYMITY)
    _answers(resident, clock, [("2", ASK_PLACE), ("Eastgate Plaza", ASK_WHEN)])
    _answers(resident, clock, [("SKIP", ASK_CONSENT), ("1", FILED)])
    [report] = _reports(services)
    contact_id = report.contact_id
    assert contact_id is not None
    assert resident.text("DELETE") == [
        "Erase your number and the words you sent us? Copies with personal details removed stay "
        "with the council. Reply 1 to erase, anything else to keep them."
    ]
    assert resident.text("1") == [
        "Done. Your number and your own words are erased. Copies already sent to the council, "
        "with personal details removed, stay with them."
    ]
    [report] = _reports(services)
    assert report.raw_text_enc is None and report.contact_id is None
    assert "Ramirez" in report.redacted_text  # the council's redacted copy stays
    contact = services.store.contacts.get(contact_id)
    assert contact is not None and contact.address_enc is None and contact.wrapped_key is None
    with services.store.transaction() as session:
        services.store.outbox.enqueue(session=session, contact=contact, body="x", purpose="t")
    services.dispatcher.dispatch_due()
    assert twilio_api.created == []


def test_every_reply_fits_two_segments(
    service: tuple[Services, TestClient], clock: FixedClock
) -> None:
    _, client = service
    replies: list[str] = []
    for phone, texts in (
        (
            "+15558675313",
            [
                "hi",
                "HELP",
                "Police ignored my call about the break-in.",
                "1",
                "Oak Street",
                "yesterday",
                "1",
                "STATUS",
            ],
        ),
        (
            "+15558675314",
            [
                "hola",
                "AYUDA",
                "La policía no vino cuando llamé.",
                "1",
                "SKIP",
                "ayer",
                "2",
                "ESTADO",
            ],
        ),
    ):
        resident = Resident(client, phone=phone)
        answered = _walk(resident, clock, texts)
        assert all(answered), list(zip(texts, answered, strict=True))  # every text answered
        replies.extend(r for reply in answered for r in reply)
    for reply in replies:
        assert count_segments(reply) <= 2, reply


def test_idle_conversation_is_submitted_after_24_hours(
    service: tuple[Services, TestClient], clock: FixedClock, twilio_api: FakeTwilioAPI
) -> None:
    services, client = service
    resident = Resident(client)
    story = "The officer at the Southfield station refused to take my report about my stolen bike."
    assert openings(resident.text(story), ASK_ANONYMITY)
    clock.advance(timedelta(hours=25))
    assert services.wake_conversations() == 1
    [report] = _reports(services)
    assert report.anonymous and not report.consent_checkins
    services.dispatcher.dispatch_due()
    assert len(twilio_api.created) == 1 and report.ref in twilio_api.created[0]["Body"]
