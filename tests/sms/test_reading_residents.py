"""Reading residents right, through the real webhook: signed SMS in, TwiML out, the real NLP and
database. Each case is a failure a resident met: a crisis without 988, a bias report whose key word
was redacted, a short complaint filed as praise, noise filed as a report, a question that did not
fit what was said."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from bot.wiring import Services
from flows.clocks import FixedClock
from flows.models import Report
from tests.service_harness import Resident

REF = re.compile(r"R-[2-9A-HJ-NP-Z]{4}")
ENGLISH_988 = "call or text 988"
SPANISH_988 = "escriba al 988"


def _file(resident: Resident, clock: FixedClock, story: str) -> list[list[str]]:
    """Tell `story`, then answer every question the way a hurried resident does (1, SKIP…)."""
    replies = [resident.text(story)]
    for _ in range(6):
        if REF.search(" ".join(replies[-1])):
            break
        clock.advance(timedelta(minutes=2))
        last = replies[-1][-1].lower()
        answer = "SKIP" if ("where" in last or "when" in last or "donde" in last) else "1"
        replies.append(resident.text(answer))
    return replies


def _only_report(services: Services) -> Report:
    with services.store.reading() as session:
        [report] = session.exec(select(Report)).all()
    return report


@pytest.mark.parametrize(
    "text",
    [
        "I can't do this anymore, I want to end it",
        "I want to end it",
        "I took a bunch of pills like 20 min ago",
        "i just want everything to end",
        "tonight's the night",
    ],
)
def test_a_person_in_crisis_gets_988_first(service: tuple[Services, TestClient], text: str) -> None:
    _, client = service
    replies = Resident(client).text(text)
    assert ENGLISH_988 in replies[0]


def test_a_crisis_is_filed_with_the_crisis_service_not_as_what_it_mentions(
    service: tuple[Services, TestClient], clock: FixedClock
) -> None:
    # The category head alone reads a husband and a garage as domestic violence.
    services, client = service
    replies = _file(
        Resident(client),
        clock,
        "my husband shut himself in the garage with the car running and texted me goodbye",
    )
    assert ENGLISH_988 in replies[0][0]
    report = _only_report(services)
    assert report.top_category == services.city.city.crisis_category
    assert "crisis-team" in report.destinations


def test_a_spanish_crisis_text_gets_the_spanish_988_text_in_an_english_conversation(
    service: tuple[Services, TestClient], clock: FixedClock
) -> None:
    _, client = service
    resident = Resident(client)
    assert "anonymous" in resident.text("hi")[0]  # the conversation is in English
    clock.advance(timedelta(minutes=1))
    replies = resident.text("me voy a matar esta noche")
    assert SPANISH_988 in replies[0]


def test_a_figure_of_speech_gets_no_crisis_line(service: tuple[Services, TestClient]) -> None:
    _, client = service
    replies = Resident(client).text(
        "These parking fees are killing me, the city should fix the meters on Water Street"
    )
    assert not any("988" in reply or "911" in reply for reply in replies)


def test_the_words_a_bias_report_rests_on_reach_the_council(
    service: tuple[Services, TestClient], clock: FixedClock
) -> None:
    services, client = service
    _file(
        Resident(client),
        clock,
        "Two officers stopped me outside the Northside Library because I'm Black. "
        "My name is Dana Whitfield.",
    )
    report = _only_report(services)
    assert "because I'm Black" in report.redacted_text
    assert "Northside Library" in report.redacted_text
    assert "Dana Whitfield" not in report.redacted_text


def test_a_spanish_bias_report_keeps_its_words(
    service: tuple[Services, TestClient], clock: FixedClock
) -> None:
    services, client = service
    _file(Resident(client), clock, "me detuvieron por ser moreno, en la escuela Roosevelt")
    report = _only_report(services)
    assert "me detuvieron por ser moreno" in report.redacted_text
    assert "[" not in report.redacted_text


def test_a_short_complaint_about_force_goes_to_oversight(
    service: tuple[Services, TestClient], clock: FixedClock
) -> None:
    services, client = service
    replies = _file(Resident(client), clock, "Officer Smith, badge 4471, pushed me.")
    assert "Oversight" in replies[-1][-1]
    report = _only_report(services)
    assert report.top_category != "praise"
    assert "oversight" in report.destinations
    assert "Officer Smith, badge 4471" in report.redacted_text


@pytest.mark.parametrize("noise", ["a" * 2000, "https://example.org/watch?v=x1", "🙂🙂🙂"])
def test_noise_alone_gets_the_welcome_and_files_nothing(
    service: tuple[Services, TestClient], noise: str
) -> None:
    services, client = service
    replies = Resident(client).text(noise)
    assert "NOT 911" in replies[0]  # the English welcome, not the Spanish one
    with services.store.reading() as session:
        assert session.exec(select(Report)).first() is None


def test_a_funding_opinion_is_not_asked_where_or_when(
    service: tuple[Services, TestClient], clock: FixedClock
) -> None:
    services, client = service
    replies = _file(
        Resident(client),
        clock,
        "The city should move money from the police overtime budget to youth programs and "
        "mental health workers.",
    )
    asked = " ".join(" ".join(r) for r in replies)
    assert "Where did it happen" not in asked and "When did it happen" not in asked
    assert "budget" in _only_report(services).destinations


def test_a_domestic_violence_confirmation_gives_the_hotline(
    service: tuple[Services, TestClient], clock: FixedClock
) -> None:
    services, client = service
    replies = _file(
        Resident(client),
        clock,
        "My husband hit me again last night and threw my phone. I am scared to go home.",
    )
    hotline = services.city.destination("family-violence").confirmation_note
    assert hotline["en"] and hotline["en"] in replies[-1][-1]
