"""The anonymity guarantees, checked where they could break: the scan itself, and what Slack sees
of an anonymous reporter."""

from __future__ import annotations

from slack_sdk import WebClient

from tests.fakes.slack_api import FakeSlackAPI
from tests.slack.privacy import phone_numbers_sent_to_slack
from tests.slack.signing import text_value
from tests.support.slack_bench import REPORTER_PHONE, TOKEN, Harness


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


def test_nothing_on_an_anonymous_card_identifies_the_reporter(bench: Harness) -> None:
    report = bench.file(
        "Officer was rude to me at Union Station. My name is Sam Reyes, text me at "
        "+1 555 123 4567 or 555-444-9999."
    )
    assert report.contact_id is not None
    contact = bench.store.contact(report.contact_id)
    assert contact is not None
    bench.click("cpps_ack", report, "oversight")
    bench.click("cpps_ask", report, "oversight")
    bench.submit("cpps_ask_submit", report, "oversight", {"text": text_value("Which day?")})
    everything = " ".join(bench.api.raw_payloads())
    for secret in (contact.pseudonym, contact.address_enc or "", contact.wrapped_key or "", "Sam"):
        assert secret and secret not in everything
    assert phone_numbers_sent_to_slack(bench.api, REPORTER_PHONE, "+15554449999") == []


def test_a_resident_cannot_ping_a_channel_or_fake_a_link(bench: Harness) -> None:
    report = bench.file("<!channel> officer was rude <https://evil.example|click> & left")
    text = str(bench.card(report, "oversight")["blocks"])
    assert "<!channel>" not in text and "<https://evil" not in text
    assert "&lt;!channel&gt;" in text and "&amp; left" in text
