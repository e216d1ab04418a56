"""Check-ins meet moderation: shown on the card, answers in the thread, and a resolution note
reaching a consenting reporter once (through the resolution check-in), never twice."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from bot.wiring import Services
from flows.reports.refs import find_ref
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.service_harness import Resident
from tests.slack.service import click, eventually, submit
from tests.support.sms_replies import ASK_ANONYMITY, ASK_CONSENT, ASK_PLACE, ASK_WHEN, openings

PHONE = "+15558675309"


def _file_with_consent(client: TestClient, consent: str) -> str:
    resident = Resident(client, phone=PHONE)
    story = "An officer pushed me to the ground on Water Street last night"
    assert openings(resident.text(story), ASK_ANONYMITY)
    for answer, opening in (("2", ASK_PLACE), ("SKIP", ASK_WHEN), ("SKIP", ASK_CONSENT)):
        assert openings(resident.text(answer), opening), answer
    [filed] = resident.text(consent)
    ref = find_ref(filed)
    assert ref is not None
    return ref


def _resolve(client: TestClient, api: FakeSlackAPI, note: str) -> None:
    [card] = api.cards("cpps-oversight")
    click(client, api, card, "cpps_resolve")
    [view] = eventually(lambda: api.views)
    submit(client, view["callback_id"], view["private_metadata"], note, "VRESOLVE")
    eventually(lambda: "Resolved" in str(api.cards("cpps-oversight")[0]["blocks"]))


def test_the_card_shows_the_check_ins(
    service: tuple[Services, TestClient], vendor_apis: tuple[FakeSlackAPI, FakeTwilioAPI]
) -> None:
    _, client = service
    slack_api, _ = vendor_apis
    _file_with_consent(client, "1")
    [card] = slack_api.cards("cpps-oversight")
    shown = str(card["blocks"])
    assert "Check-in *contacted*: pending" in shown
    assert "Check-in *satisfaction*: pending" in shown


def test_a_check_in_answer_is_posted_in_the_thread(
    service: tuple[Services, TestClient], vendor_apis: tuple[FakeSlackAPI, FakeTwilioAPI]
) -> None:
    services, client = service
    slack_api, twilio_api = vendor_apis
    _file_with_consent(client, "1")
    services.store.clock.advance(timedelta(days=3, hours=1))  # type: ignore[attr-defined]
    assert services.followups.dispatch_due() == 1
    services.dispatcher.dispatch_due()
    assert "contacted you" in twilio_api.created[-1]["Body"]
    assert Resident(client, phone=PHONE).text("2") == ["Thank you for your answer."]
    [card] = slack_api.cards("cpps-oversight")
    thread = eventually(lambda: slack_api.thread("cpps-oversight", card["ts"]))
    assert any("contacted" in m["text"].lower() for m in thread), thread


def test_resolution_reaches_a_consenting_reporter_once(
    service: tuple[Services, TestClient], vendor_apis: tuple[FakeSlackAPI, FakeTwilioAPI]
) -> None:
    services, client = service
    slack_api, twilio_api = vendor_apis
    _file_with_consent(client, "1")
    _resolve(client, slack_api, "The supervisor reviewed the video.")
    services.followups.dispatch_due()
    services.dispatcher.dispatch_due()
    with_note = [m["Body"] for m in twilio_api.created if "reviewed the video" in m["Body"]]
    assert len(with_note) == 1
    assert "Did this resolve it?" in " ".join(m["Body"] for m in twilio_api.created)


def test_resolution_reaches_a_reporter_without_check_ins_by_relay(
    service: tuple[Services, TestClient], vendor_apis: tuple[FakeSlackAPI, FakeTwilioAPI]
) -> None:
    services, client = service
    slack_api, twilio_api = vendor_apis
    _file_with_consent(client, "2")
    _resolve(client, slack_api, "The supervisor reviewed the video.")
    services.followups.dispatch_due()
    services.dispatcher.dispatch_due()
    bodies = [m["Body"] for m in twilio_api.created]
    assert len([b for b in bodies if "reviewed the video" in b]) == 1
    assert not any("Did this resolve" in b for b in bodies)
