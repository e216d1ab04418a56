"""The whole service, as a resident and a moderator use it: SMS report → card → question → SMS
answer in the thread → resolve → the resident's SMS; and a resident filing through a Slack DM.

Everything is real except the vendors: `build_services` and `create_app`, signed Twilio webhooks,
signed Slack requests, the fake Twilio and Slack APIs over HTTP, both databases, and the shipped
NLP (loaded once per session).
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from bot.wiring import Services
from flows.city import load_city_config
from flows.reports.refs import find_ref
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.service_harness import Resident
from tests.slack import signing
from tests.slack.privacy import phone_numbers_sent_to_slack
from tests.slack.service import click, eventually, slack_post, submit
from tests.support.slack_bench import MODERATOR, channel_ids
from tests.support.sms_replies import (
    ASK_ANONYMITY,
    ASK_CONSENT,
    ASK_PLACE,
    ASK_WHEN,
    openings,
)

PHONE = "+15558675309"
RESIDENT_SLACK_ID = "URESIDENT9"


def test_sms_report_to_resolution_round_trip(
    service: tuple[Services, TestClient], vendor_apis: tuple[FakeSlackAPI, FakeTwilioAPI]
) -> None:
    services, client = service
    slack_api, twilio_api = vendor_apis
    resident = Resident(client, phone=PHONE)

    # The resident reports by SMS, anonymously, giving away a name and another number.
    story = (
        "An officer pushed me to the ground on Water Street, badge 4471. "
        "My name is Ana Lopez, my sister's cell is (555) 201-7788."
    )
    assert openings(resident.text(story), ASK_ANONYMITY)
    assert openings(resident.text("1"), ASK_PLACE)  # stay anonymous
    assert openings(resident.text("Water Street"), ASK_WHEN)
    assert openings(resident.text("SKIP"), ASK_CONSENT)
    [filed] = resident.text("2")  # no check-ins
    ref = find_ref(filed)
    assert ref is not None

    # The card is in the oversight council's channel.
    [card] = slack_api.cards("cpps-oversight")
    assert ref in card["text"]
    shown = str(card["blocks"])
    assert "[NAME]" in shown and "Ana" not in shown and "badge 4471" in shown
    assert "Anonymous" in shown

    # A moderator asks a question; it reaches the resident by SMS.
    click(client, slack_api, card, "cpps_ask")
    [view] = eventually(lambda: slack_api.views)
    submit(client, view["callback_id"], view["private_metadata"], "What time was it?", "VASK1")
    question_line = eventually(lambda: slack_api.thread("cpps-oversight", card["ts"]))
    assert "Question relayed" in question_line[0]["text"]
    services.dispatcher.dispatch_due()
    [question] = twilio_api.created
    assert question["To"] == PHONE and "What time was it?" in question["Body"]
    assert ref in question["Body"]

    # The resident's SMS answer lands in the card's thread, redacted.
    [thanks] = resident.text("Around 9pm. Call me at 555-333-1212 if needed")
    assert thanks == f"Thank you. We passed your answer on to the council (report {ref})."
    thread = slack_api.thread("cpps-oversight", card["ts"])
    answer = thread[-1]["text"]
    assert "The reporter answered" in answer and "Around 9pm" in answer
    assert "333" not in answer

    # Thread chatter is not relayed.
    chatter = signing.event_body(
        {
            "type": "message",
            "channel": channel_ids(load_city_config())["cpps-oversight"],
            "channel_type": "channel",
            "user": MODERATOR,
            "text": "Same officer as last month I think",
            "ts": "1772461000.000001",
            "thread_ts": card["ts"],
        },
        event_id="Ev0CHATTER",
    )
    assert slack_post(client, chatter, "application/json").status_code == 200

    # The moderator resolves; the note reaches the resident by SMS; the card shows it.
    click(client, slack_api, card, "cpps_resolve")
    eventually(lambda: len(slack_api.views) == 2)
    view = slack_api.views[-1]
    submit(
        client,
        view["callback_id"],
        view["private_metadata"],
        "The officer's supervisor reviewed the video. Thank you.",
        "VRES1",
    )
    eventually(lambda: "Resolved" in str(slack_api.cards("cpps-oversight")[0]["blocks"]))
    services.dispatcher.dispatch_due()
    bodies = [m["Body"] for m in twilio_api.created]
    assert len(bodies) == 2 and "supervisor reviewed the video" in bodies[1]
    assert not any("Same officer" in b for b in bodies)
    report = services.store.reports.by_ref(ref)
    assert report is not None and report.status == "resolved"
    actions = [e.action for e in services.store.reports.events(report.id or 0)]
    assert "asked" in actions and "answered" in actions

    assert slack_api.raw_payloads()
    assert phone_numbers_sent_to_slack(slack_api, PHONE, "+15552017788", "+15553331212") == []
    contact = services.store.contacts.get(report.contact_id or 0)
    assert contact is not None
    for raw in slack_api.raw_payloads():
        assert contact.pseudonym not in raw


def test_a_resident_files_a_report_in_a_slack_dm(
    service: tuple[Services, TestClient], vendor_apis: tuple[FakeSlackAPI, FakeTwilioAPI]
) -> None:
    services, client = service
    slack_api, _ = vendor_apis
    texts = [
        "Officers were rude and searched my car near Millbrook Park for no reason",
        "2",
        "Millbrook Park",
        "last night",
        "2",
    ]
    for index, text in enumerate(texts):
        body = signing.event_body(
            {
                "type": "message",
                "channel": "D0RESIDNT9",
                "channel_type": "im",
                "user": RESIDENT_SLACK_ID,
                "text": text,
                "ts": f"1772462000.{index:06d}",
            },
            event_id=f"Ev0DM{index:04d}",
        )
        assert slack_post(client, body, "application/json").status_code == 200
        eventually(lambda n=index: len(slack_api.dm_messages(RESIDENT_SLACK_ID)) > n)
    replies = [m["text"] for m in slack_api.dm_messages(RESIDENT_SLACK_ID)]
    expected = [ASK_ANONYMITY, ASK_PLACE, ASK_WHEN, ASK_CONSENT, "Thank you. Your report R-"]
    assert [openings([r], e) for r, e in zip(replies, expected, strict=True)] == [True] * 5
    ref = find_ref(replies[-1])
    assert ref is not None, replies
    report = services.store.reports.by_ref(ref)
    assert report is not None and report.channel == "slack"
    [card] = eventually(lambda: slack_api.cards("cpps-oversight"))
    assert ref in card["text"]
    # The resident's Slack ID is used only to open their DM, never on a card or in a thread.
    for call in slack_api.calls():
        if call.method != "conversations.open":
            assert RESIDENT_SLACK_ID not in call.raw
    assert phone_numbers_sent_to_slack(slack_api) == []


def test_more_words_from_the_reporter_update_the_card(
    service: tuple[Services, TestClient], vendor_apis: tuple[FakeSlackAPI, FakeTwilioAPI]
) -> None:
    _services, client = service
    slack_api, _ = vendor_apis
    resident = Resident(client, phone=PHONE)
    story = "An officer pushed me to the ground on Water Street last night"
    assert openings(resident.text(story), ASK_ANONYMITY)
    for answer, opening in (("1", ASK_PLACE), ("SKIP", ASK_WHEN), ("SKIP", ASK_CONSENT)):
        assert openings(resident.text(answer), opening), answer
    [filed] = resident.text("2")
    ref = find_ref(filed)
    [card] = slack_api.cards("cpps-oversight")
    assert "He was in car 12" not in str(card["blocks"])
    more = "He was in car 12 and did not give his name"  # within the append window
    assert resident.text(more) == [
        f"Added to your report {ref}. To start a separate report, text NEW."
    ]
    [card] = slack_api.cards("cpps-oversight")
    assert "He was in car 12" in str(card["blocks"])
    assert len(slack_api.cards("cpps-oversight")) == 1


def test_the_reporter_is_answered_while_slack_is_slow(
    service: tuple[Services, TestClient], vendor_apis: tuple[FakeSlackAPI, FakeTwilioAPI]
) -> None:
    """Posting the card must not hold up the SMS reply (Twilio waits for it, then retries)."""
    services, client = service
    slack_api, _ = vendor_apis
    held = slack_api.hold("chat.postMessage")
    resident = Resident(client, phone=PHONE, settle_after=False)
    story = "An officer pushed me to the ground on Water Street, badge 4471."
    assert openings(resident.text(story), ASK_ANONYMITY)
    assert openings(resident.text("1"), ASK_PLACE)
    assert openings(resident.text("Water Street"), ASK_WHEN)
    assert openings(resident.text("SKIP"), ASK_CONSENT)
    [filed] = resident.text("2")  # answered with Slack still holding the card
    ref = find_ref(filed)
    assert ref is not None
    assert slack_api.cards("cpps-oversight") == []
    held.set()
    assert services.background.drain(timeout=30)
    [card] = slack_api.cards("cpps-oversight")
    assert ref in card["text"]
