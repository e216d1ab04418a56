"""A moderator's relay reaches the reporter once, however often its signed request is delivered
(Slack's redeliveries, or anyone replaying a captured request within the five minutes its
signature holds); two actions of moderators are two relays, even with the same words
(issue 13, finding 4)."""

from __future__ import annotations

from typing import Any

import httpx

from bot.slack.modals import VIEW_ASK, VIEW_RESOLVE, metadata
from tests.slack import signing
from tests.support.slack_bench import MODERATOR, SECRET, Harness, channel_ids

FORCE = "An officer pushed me to the ground on Water Street."
FORM = "application/x-www-form-urlencoded"


def deliver(bench: Harness, body: str, times: int) -> list[httpx.Response]:
    """The same signed request, sent `times` times (the signature and timestamp unchanged)."""
    payload, headers = signing.signed(SECRET, body, content_type=FORM)
    return [
        bench.http.post("/slack/events", content=payload, headers=headers) for _ in range(times)
    ]


def ask_submission(report_id: int, text: str, *, view_id: str, callback_id: str = VIEW_ASK) -> str:
    return signing.interactive_body(
        signing.view_submission(
            callback_id=callback_id,
            private_metadata=metadata(report_id, "oversight"),
            values={"text": signing.text_value(text)},
            user=MODERATOR,
            view_id=view_id,
        )
    )


def reply_command(bench: Harness, text: str, *, trigger_id: str) -> str:
    return signing.command_body(
        text=text,
        user=MODERATOR,
        channel_id=channel_ids(bench.city)["cpps-oversight"],
        channel_name="cpps-oversight",
        response_url=bench.api.response_url("command"),
        trigger_id=trigger_id,
    )


def texts_sent(bench: Harness) -> list[str]:
    bench.dispatcher.dispatch_due()
    return [sms["Body"] for sms in bench.twilio.created]


def _events(bench: Harness, report_id: int, action: str) -> list[Any]:
    return [e for e in bench.store.reports.events(report_id) if e.action == action]


def test_an_ask_submission_delivered_four_times_texts_the_question_once(bench: Harness) -> None:
    report = bench.file(FORCE)
    assert report.id is not None
    body = ask_submission(report.id, "What time did this happen?", view_id="V0ASKONCE")
    assert [r.status_code for r in deliver(bench, body, 4)] == [200] * 4
    assert len([t for t in texts_sent(bench) if "What time" in t]) == 1
    assert len(_events(bench, report.id, "asked")) == 1
    card = bench.card(report, "oversight")
    assert len(bench.api.thread("cpps-oversight", card["ts"])) == 1


def test_two_ask_modals_with_the_same_words_are_two_questions(bench: Harness) -> None:
    report = bench.file(FORCE)
    assert report.id is not None
    for view_id in ("V0ASKFIRST", "V0ASKAGAIN"):
        deliver(bench, ask_submission(report.id, "Are you safe?", view_id=view_id), 1)
    assert len([t for t in texts_sent(bench) if "Are you safe?" in t]) == 2


def test_a_reply_command_delivered_four_times_texts_once(bench: Harness) -> None:
    report = bench.file(FORCE)
    assert report.id is not None
    body = reply_command(bench, f"reply {report.ref} We opened a review.", trigger_id="111.222.aaa")
    assert [r.status_code for r in deliver(bench, body, 4)] == [200] * 4
    assert len([t for t in texts_sent(bench) if "opened a review" in t]) == 1
    assert len(_events(bench, report.id, "replied")) == 1


def test_two_reply_commands_with_the_same_words_are_two_texts(bench: Harness) -> None:
    report = bench.file(FORCE)
    for trigger_id in ("111.222.first", "111.222.second"):
        deliver(
            bench, reply_command(bench, f"reply {report.ref} Thank you.", trigger_id=trigger_id), 1
        )
    assert len([t for t in texts_sent(bench) if "Thank you." in t]) == 2


def test_a_resolve_submission_delivered_four_times_sends_the_note_once(bench: Harness) -> None:
    report = bench.file(FORCE, anonymous=False, contact_ok=True)
    assert report.id is not None
    body = ask_submission(
        report.id, "The officer was retrained.", view_id="V0RESOLVE", callback_id=VIEW_RESOLVE
    )
    deliver(bench, body, 4)
    assert len([t for t in texts_sent(bench) if "retrained" in t]) == 1
    assert bench.reload(report).status == "resolved"
