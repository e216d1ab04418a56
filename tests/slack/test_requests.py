"""The endpoint: signatures checked by Bolt, Slack's retries taken once, residents' DMs answered."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import pytest

from tests.slack import signing
from tests.support.slack_bench import MODERATOR, Harness

RESIDENT = "URESIDENT7"


def _dm(text: str, *, user: str = RESIDENT) -> dict[str, object]:
    return {
        "type": "message",
        "channel": "D0RESIDENT",
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": "1772460200.000100",
    }


def test_an_unsigned_request_is_rejected(bench: Harness) -> None:
    body = signing.event_body(_dm("hello"), event_id="Ev0UNSIGNED")
    response = bench.http.post(
        "/slack/events", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 401
    assert bench.dms == []


def test_a_wrongly_signed_request_is_rejected(bench: Harness) -> None:
    body = signing.event_body(_dm("hello"), event_id="Ev0BADSIG")
    _, headers = signing.signed("not-the-secret", body, content_type="application/json")
    assert bench.http.post("/slack/events", content=body, headers=headers).status_code == 401
    assert bench.dms == []


def test_a_six_minute_old_request_is_rejected_and_not_logged(
    bench: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = signing.event_body(_dm("my number is +1 555 222 3333"), event_id="Ev0STALE")
    response = bench.send(body, content_type="application/json", age_seconds=6 * 60)
    assert response.status_code == 401
    assert bench.dms == []
    # Bolt would log the rejected body at INFO: neither the words nor the sender may be logged.
    assert "222 3333" not in caplog.text and RESIDENT not in caplog.text


def test_a_freshly_signed_request_is_accepted(bench: Harness) -> None:
    response = bench.event(_dm("hello"), event_id="Ev0FRESH")
    assert response.status_code == 200
    assert len(bench.dms) == 1


def test_url_verification_is_answered(bench: Harness) -> None:
    body = '{"token": "x", "challenge": "c-123", "type": "url_verification"}'
    response = bench.send(body, content_type="application/json")
    assert response.status_code == 200 and "c-123" in response.text


def test_a_slack_retry_is_processed_once(bench: Harness) -> None:
    first = bench.event(_dm("An officer pushed me"), event_id="Ev0RETRY1")
    again = bench.event(_dm("An officer pushed me"), event_id="Ev0RETRY1", retry_num=1)
    third = bench.event(_dm("An officer pushed me"), event_id="Ev0RETRY1", retry_num=2)
    assert [r.status_code for r in (first, again, third)] == [200, 200, 200]
    assert len(bench.dms) == 1
    assert len(bench.api.dm_messages(RESIDENT)) == 1  # one reply, not three


def test_a_resident_dm_goes_to_intake_and_is_answered_in_the_dm(bench: Harness) -> None:
    bench.event(_dm("Hi"), event_id="Ev0DM0001")
    [message] = bench.dms
    assert (message.channel, message.sender, message.body) == ("slack", RESIDENT, "Hi")
    assert message.provider_id == "Ev0DM0001"
    [reply] = bench.api.dm_messages(RESIDENT)
    assert reply["text"] == "Thanks. Tell us what happened."
    [opened] = bench.api.calls("conversations.open")
    assert opened.params["users"] == RESIDENT


def test_the_bot_ignores_its_own_and_edited_messages(bench: Harness) -> None:
    bench.event({**_dm("echo"), "bot_id": "BCPPS0001"}, event_id="Ev0BOT")
    bench.event({**_dm("edited"), "subtype": "message_changed"}, event_id="Ev0EDIT")
    assert bench.dms == []


def test_a_button_is_acknowledged_before_its_slow_work(threaded_bench: Harness) -> None:
    """The HTTP answer does not wait for the Slack API: the card update is still in flight."""
    bench = threaded_bench
    report = bench.file("An officer pushed me on Water Street.")
    held = bench.api.hold("chat.update")
    response = bench.click("cpps_ack", report, "oversight", user=MODERATOR)
    assert response.status_code == 200
    assert bench.api.calls("chat.update") == []  # not answered yet: the work goes on after ack
    held.set()
    for _ in range(200):
        if bench.api.calls("chat.update"):
            break
        time.sleep(0.02)
    assert len(bench.api.calls("chat.update")) == 1


def test_a_failed_card_update_is_retried_by_the_clock(bench: Harness) -> None:
    report = bench.file("An officer pushed me on Water Street.")
    bench.api.fail_next("chat.update", status=500, error="internal_error")
    assert bench.click("cpps_ack", report, "oversight").status_code == 200
    assert bench.reload(report).status == "acknowledged"
    assert "Acknowledged" not in str(bench.card(report, "oversight")["blocks"])
    bench.store.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    assert bench.core.poster.run_due().updated == 1
    assert "Acknowledged" in str(bench.card(report, "oversight")["blocks"])
