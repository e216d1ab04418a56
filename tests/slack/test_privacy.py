"""The anonymity guarantees, checked where they could break: the scans themselves, and what Slack
sees of a reporter, with the shipped NLP doing the redaction (not a stand-in): no phone number,
no name, none of the reporter's raw words, no Slack ID of theirs, in any request Slack receives
(except the reporter's own DM)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from slack_sdk import WebClient

from bot.wiring import Services
from flows.reports.refs import find_ref
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.slack import signing
from tests.slack.privacy import moderators_view, phone_numbers_sent_to_slack
from tests.slack.service import click, eventually, slack_post, submit
from tests.slack.signing import text_value
from tests.support.slack_bench import REPORTER_PHONE, TOKEN, Harness

REPORTER_SLACK_ID = "UREPORTER7"
STORY = (
    "Officer Daniels was rude to me at Union Station and pushed my bag away. "
    "My name is Sam Reyes, text me at +1 555 123 4567 or 555-444-9999."
)
ANSWER = "It was about 9pm. This is Sam Reyes again, my other number is 555-777-2121."


def test_the_scan_finds_numbers_however_they_are_written(slack_api: FakeSlackAPI) -> None:
    client = WebClient(token=TOKEN, base_url=slack_api.api_url)
    assert phone_numbers_sent_to_slack(slack_api) == []
    client.chat_postMessage(channel="cpps-triage", text="harmless, posted at 1772460000.000001")
    assert phone_numbers_sent_to_slack(slack_api) == []
    for written in ("(555) 201-7788", "555.201.7788", "+1 555 201 7788"):
        slack_api.state.calls.clear()
        client.chat_postMessage(channel="cpps-triage", text=f"call {written}")
        assert phone_numbers_sent_to_slack(slack_api), written
    slack_api.state.calls.clear()
    client.chat_postMessage(channel="cpps-triage", text="digits 1-555-123-4567 hidden")
    assert phone_numbers_sent_to_slack(slack_api, REPORTER_PHONE)
    slack_api.state.calls.clear()


def test_the_moderators_view_leaves_out_only_the_reporters_own_dm(slack_api: FakeSlackAPI) -> None:
    client = WebClient(token=TOKEN, base_url=slack_api.api_url)
    dm = client.conversations_open(users=REPORTER_SLACK_ID)["channel"]["id"]
    client.chat_postMessage(channel=dm, text="a reply to the reporter")
    client.chat_postMessage(channel="cpps-triage", text=f"card about <@{REPORTER_SLACK_ID}>")
    seen = moderators_view(slack_api, reporter=REPORTER_SLACK_ID)
    assert "a reply to the reporter" not in seen
    assert f"card about <@{REPORTER_SLACK_ID}>" in seen


def test_nothing_on_an_anonymous_card_identifies_the_reporter(nlp_bench: Harness) -> None:
    bench = nlp_bench
    report = bench.file(STORY)
    assert report.contact_id is not None
    contact = bench.store.contacts.get(report.contact_id)
    assert contact is not None
    destination = report.destinations[0]  # wherever the shipped classifier sent it
    bench.click("cpps_ack", report, destination)
    bench.click("cpps_ask", report, destination)
    bench.submit("cpps_ask_submit", report, destination, {"text": text_value("Which day?")})
    seen = moderators_view(bench.api)
    assert "Union Station" in seen and "Which day?" in seen  # the scan sees the card and thread
    for secret in (
        contact.pseudonym,
        contact.address_enc or "",
        contact.wrapped_key or "",
        "Sam",
        "Reyes",
        STORY,
    ):
        assert secret and secret not in seen, secret
    assert phone_numbers_sent_to_slack(bench.api, REPORTER_PHONE, "+15554449999") == []


def _dm(client: TestClient, api: FakeSlackAPI, text: str, index: int) -> list[str]:
    """The reporter writes in their DM with the bot; the replies they get there."""
    before = len(api.dm_messages(REPORTER_SLACK_ID))
    body = signing.event_body(
        {
            "type": "message",
            "channel": "D0REPORTR7",
            "channel_type": "im",
            "user": REPORTER_SLACK_ID,
            "text": text,
            "ts": f"1772463000.{index:06d}",
        },
        event_id=f"Ev0PRIV{index:04d}",
    )
    assert slack_post(client, body, "application/json").status_code == 200
    eventually(lambda: len(api.dm_messages(REPORTER_SLACK_ID)) > before)
    return [m["text"] for m in api.dm_messages(REPORTER_SLACK_ID)[before:]]


def test_a_slack_reporter_is_never_identified_to_moderators(
    service: tuple[Services, TestClient], vendor_apis: tuple[FakeSlackAPI, FakeTwilioAPI]
) -> None:
    services, client = service
    slack_api, _ = vendor_apis
    replies = [_dm(client, slack_api, text, i) for i, text in enumerate([STORY, "1", "SKIP"])]
    replies.append(_dm(client, slack_api, "SKIP", 3))
    [filed] = _dm(client, slack_api, "2", 4)
    assert all(len(r) == 1 for r in replies), replies
    ref = find_ref(filed)
    assert ref is not None, filed
    assert services.background.drain(timeout=30)
    [card] = eventually(lambda: slack_api.cards("cpps-oversight"))
    assert ref in card["text"]

    # A moderator asks; the question reaches the reporter's DM; their answer goes to the thread.
    click(client, slack_api, card, "cpps_ask")
    [view] = eventually(lambda: slack_api.views)
    submit(client, view["callback_id"], view["private_metadata"], "What time was it?", "VASK7")

    def question_delivered() -> bool:
        services.dispatcher.dispatch_due()  # the question goes out through the outbox
        dms = slack_api.dm_messages(REPORTER_SLACK_ID)
        return any("What time was it?" in m["text"] for m in dms)

    assert eventually(question_delivered)
    # The relay then marks the reporter's next text as the answer: wait for that too (a person
    # never answers within those milliseconds; a test does).
    contact = services.store.contacts.get_or_create(channel="slack", address=REPORTER_SLACK_ID)
    assert eventually(
        lambda: services.store.conversations.load(contact).state.get("awaiting_answer") == ref
    )
    [thanks] = _dm(client, slack_api, ANSWER, 5)
    assert ref in thanks
    assert services.background.drain(timeout=30)
    thread = eventually(lambda: len(slack_api.thread("cpps-oversight", card["ts"])) >= 2)
    assert thread

    seen = moderators_view(slack_api, reporter=REPORTER_SLACK_ID)
    # The scan sees the card and the answer in the thread (redacted)...
    assert "Union Station" in seen and "about 9pm" in seen
    # ...and nothing that identifies the reporter, nor their words as they wrote them.
    for secret in (REPORTER_SLACK_ID, "Sam", "Reyes", STORY, ANSWER):
        assert secret not in seen, secret
    assert phone_numbers_sent_to_slack(slack_api, "+15551234567", "+15554449999") == []
    assert "+15557772121"[-10:] not in "".join(c for c in seen if c.isdigit())
