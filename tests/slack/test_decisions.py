"""Decisions from a report's card (issue 14): signed Slack requests to the real endpoint, the fake
Slack and Twilio APIs, the real store on both databases. A moderator records a decision, reads it
as the redactor left it, publishes it; corrects it; the reporter who consented hears it once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bot.slack.decision_modals import VIEW_DECISION, VIEW_DECISION_PUBLISH
from flows.clocks import FixedClock
from flows.models import OutboundMessage, Report
from tests.slack import signing
from tests.support.reports import outbound
from tests.support.slack_bench import MODERATOR, SECRET, Harness

FORCE = "An officer pushed me to the ground on Water Street."
FORM = "application/x-www-form-urlencoded"
TYPED = "Officer met with Maria Gonzalez at 555-201-7788"


def _parties(*keys: str) -> dict[str, Any]:
    return {
        "value": {
            "type": "checkboxes",
            "selected_options": [
                {"text": {"type": "plain_text", "text": k}, "value": k} for k in keys
            ],
        }
    }


def _body(report: Report, callback_id: str, values: dict[str, Any], view_id: str) -> str:
    return signing.interactive_body(
        signing.view_submission(
            callback_id=callback_id,
            private_metadata=f"{report.id}:oversight",
            values=values,
            user=MODERATOR,
            view_id=view_id,
        )
    )


def _deliver(bench: Harness, body: str, times: int = 1) -> list[httpx.Response]:
    """The same signed request `times` times (Slack's redeliveries, or a replay)."""
    payload, headers = signing.signed(SECRET, body, content_type=FORM)
    return [
        bench.http.post("/slack/events", content=payload, headers=headers) for _ in range(times)
    ]


def _record(
    bench: Harness, report: Report, text: str, *, view_id: str, times: int = 1
) -> dict[str, Any]:
    values = {"text": signing.text_value(text), "parties": _parties("council-members")}
    responses = _deliver(bench, _body(report, VIEW_DECISION, values, view_id), times)
    assert {r.status_code for r in responses} == {200}
    answer: dict[str, Any] = responses[-1].json()
    return answer


def _publish(bench: Harness, report: Report, *, view_id: str, times: int = 1) -> None:
    responses = _deliver(bench, _body(report, VIEW_DECISION_PUBLISH, {}, view_id), times)
    assert {r.status_code for r in responses} == {200}


def _decision_texts(bench: Harness) -> list[OutboundMessage]:
    return [m for m in outbound(bench.store) if m.purpose == "decision"]


def test_the_button_opens_the_modal_with_the_destinations_parties(bench: Harness) -> None:
    report = bench.file(FORCE)
    bench.click("cpps_decision", report, "oversight")
    [view] = bench.api.views
    assert view["callback_id"] == VIEW_DECISION
    assert view["private_metadata"] == f"{report.id}:oversight"
    [checkboxes] = [b["element"] for b in view["blocks"] if b.get("block_id") == "parties"]
    assert [o["value"] for o in checkboxes["options"]] == [
        "council-members",
        "police-liaison",
        "police-department",
    ]


def test_a_name_a_moderator_types_is_redacted_before_it_is_stored_or_shown(
    nlp_bench: Harness,
) -> None:
    bench = nlp_bench
    report = bench.file(FORCE)
    answer = _record(bench, report, TYPED, view_id="V0NAMED")
    # The modal turns into the review step, showing what the redactor left.
    assert answer["response_action"] == "update"
    review = answer["view"]
    assert review["callback_id"] == VIEW_DECISION_PUBLISH
    shown = json.dumps(review)
    assert "Officer met with [NAME] at [PHONE]" in shown
    assert "Gonzalez" not in shown and "7788" not in shown
    [decision] = bench.store.decisions.history(report.id or 0)
    assert decision.summary == "Officer met with [NAME] at [PHONE]"
    assert (decision.published, decision.parties, decision.actor) == (
        False,
        ["council-members"],
        MODERATOR,
    )
    _publish(bench, report, view_id="V0NAMED")
    assert bench.store.decisions.history(report.id or 0)[0].published
    card = bench.card(report, "oversight")
    assert "*Decision* (published)" in str(card["blocks"])
    [line] = bench.api.thread("cpps-oversight", card["ts"])
    assert "Decision published" in line["text"] and "[NAME]" in line["text"]
    assert not any("Gonzalez" in raw or "201-7788" in raw for raw in bench.api.raw_payloads())


def test_a_correction_keeps_the_first_version_and_says_so(bench: Harness) -> None:
    report = bench.file(FORCE)
    _record(bench, report, "The council asked for body camera footage.", view_id="V0FIRST")
    _publish(bench, report, view_id="V0FIRST")
    # The button now corrects: its modal starts from the latest version.
    assert "Correct decision" in str(bench.card(report, "oversight")["blocks"])
    bench.click("cpps_decision", report, "oversight")
    modal = bench.api.views[-1]
    assert modal["title"]["text"] == "Correct decision"
    assert "body camera footage" in json.dumps(modal)
    _record(bench, report, "The council reviewed the body camera footage.", view_id="V0SECOND")
    _publish(bench, report, view_id="V0SECOND")

    first, second = bench.store.decisions.history(report.id or 0)
    assert first.summary == "The council asked for body camera footage."  # kept as it was
    assert second.corrects_id == first.id and second.published
    assert "published · corrected" in str(bench.card(report, "oversight")["blocks"])
    [public] = bench.store.decisions.published_decisions()
    assert public.summary == "The council reviewed the body camera footage." and public.corrected
    trail = [e for e in bench.store.reports.events(report.id or 0) if "decision" in e.action]
    assert [(e.action, e.detail.get("corrects")) for e in trail] == [
        ("decision", None),
        ("decision_published", None),
        ("decision", first.id),
        ("decision_published", first.id),
    ]


def test_a_replayed_submission_records_one_decision_and_texts_once(bench: Harness) -> None:
    report = bench.file(FORCE, consent_checkins=True)
    _record(bench, report, "The officer will be retrained.", view_id="V0REPLAY", times=3)
    _publish(bench, report, view_id="V0REPLAY", times=3)
    assert len(bench.store.decisions.history(report.id or 0)) == 1
    events = bench.store.reports.events(report.id or 0)
    assert [e.action for e in events].count("decision_published") == 1
    bench.dispatcher.dispatch_due()
    [sms] = bench.twilio.created
    assert sms["Body"].startswith(f"Decision on {report.ref} (2026-03-02): The officer will")
    card = bench.card(report, "oversight")
    assert len(bench.api.thread("cpps-oversight", card["ts"])) == 1


def test_an_opted_out_reporter_gets_no_text(bench: Harness) -> None:
    report = bench.file(FORCE, consent_checkins=True)
    assert report.contact_id is not None
    bench.store.contacts.set_opted_out(report.contact_id, opted_out=True)
    _record(bench, report, "A meeting was held with the precinct.", view_id="V0STOPPED")
    _publish(bench, report, view_id="V0STOPPED")
    bench.dispatcher.dispatch_due()
    assert bench.store.decisions.history(report.id or 0)[0].published
    assert _decision_texts(bench) == [] and bench.twilio.created == []


def test_a_reporter_who_did_not_consent_gets_no_text(bench: Harness) -> None:
    report = bench.file(FORCE, consent_checkins=False)
    _record(bench, report, "A meeting was held with the precinct.", view_id="V0NOCONSENT")
    _publish(bench, report, view_id="V0NOCONSENT")
    assert _decision_texts(bench) == []


def test_a_decision_published_at_night_is_texted_in_the_morning(
    bench: Harness, clock: FixedClock
) -> None:
    clock.advance(timedelta(hours=13))  # 04:00 UTC: 22:00 in Riverton, in the quiet hours
    report = bench.file(FORCE, consent_checkins=True)
    _record(bench, report, "The council met the police liaison.", view_id="V0NIGHT")
    _publish(bench, report, view_id="V0NIGHT")
    [queued] = _decision_texts(bench)
    assert queued.next_attempt_at == datetime(2026, 3, 3, 14, 0, tzinfo=UTC)  # 08:00 local
    bench.dispatcher.dispatch_due()
    assert bench.twilio.created == []
    clock.advance(timedelta(hours=10))
    bench.dispatcher.dispatch_due()
    assert len(bench.twilio.created) == 1


def test_a_spam_report_takes_no_decision(bench: Harness) -> None:
    report = bench.file(FORCE)
    bench.click("cpps_spam", report, "oversight")
    answer = _record(bench, report, "Nothing to decide.", view_id="V0SPAM")
    assert answer["response_action"] == "errors"
    assert "spam" in answer["errors"]["text"]
    assert bench.store.decisions.history(report.id or 0) == []


def test_an_empty_summary_or_a_party_of_another_body_is_refused(bench: Harness) -> None:
    report = bench.file(FORCE)
    empty = _record(bench, report, "   ", view_id="V0EMPTY")
    assert empty["errors"]["text"] == "Write what was decided and done."
    values = {"text": signing.text_value("Met."), "parties": _parties("crisis-team")}
    [response] = _deliver(bench, _body(report, VIEW_DECISION, values, "V0PARTY"))
    assert "Unknown parties ['crisis-team']" in response.json()["errors"]["text"]
    assert bench.store.decisions.history(report.id or 0) == []


def test_a_text_overtaken_by_stop_is_not_sent_and_the_thread_says_so(bench: Harness) -> None:
    report = bench.file(FORCE, consent_checkins=True)
    assert report.contact_id is not None
    _record(bench, report, "A meeting was held with the precinct.", view_id="V0OVERTAKEN")
    _publish(bench, report, view_id="V0OVERTAKEN")
    assert len(_decision_texts(bench)) == 1
    bench.store.contacts.set_opted_out(report.contact_id, opted_out=True)  # STOP arrives
    bench.dispatcher.dispatch_due()
    assert bench.twilio.created == []
    card = bench.card(report, "oversight")
    published, not_sent = bench.api.thread("cpps-oversight", card["ts"])
    assert "Decision published" in published["text"]
    assert "The text about the published decision did not reach" in not_sent["text"]
