"""Each card button and modal: its effect on the report, the audit trail, the reporter, the card."""

from __future__ import annotations

import json
from typing import Any

from bot.slack.modals import VIEW_ASK, VIEW_REROUTE, VIEW_RESOLVE
from flows.models import OutboundMessage
from tests.slack.signing import select_value, text_value
from tests.support.slack_bench import MODERATOR, REPORTER_PHONE, Harness

FORCE = "An officer pushed me to the ground on Water Street."


def _actions(message: dict[str, Any]) -> list[str]:
    return [
        e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]


def _outbound(bench: Harness) -> list[OutboundMessage]:
    from sqlmodel import select

    with bench.store.transaction() as session:
        return list(session.exec(select(OutboundMessage)).all())


def test_acknowledge_updates_the_card_in_place_and_the_trail(bench: Harness) -> None:
    report = bench.file("The officer was racist to me in Millbrook Park.")
    card = bench.card(report, "oversight")
    response = bench.click("cpps_ack", report, "oversight")
    assert response.status_code == 200
    assert bench.reload(report).status == "acknowledged"
    events = bench.store.reports.events(report.id or 0)
    assert (events[-1].actor, events[-1].action, events[-1].detail["to"]) == (
        MODERATOR,
        "status",
        "acknowledged",
    )
    updates = bench.api.calls("chat.update")
    assert {u.params["ts"] for u in updates} == {
        card["ts"],
        bench.card(report, "council-d1")["ts"],
    }  # both cards of the report, each in place
    updated = bench.card(report, "oversight")
    assert updated["ts"] == card["ts"]
    assert f"*Acknowledged* by <@{MODERATOR}>" in str(updated["blocks"])
    assert "cpps_ack" not in _actions(updated) and "cpps_resolve" in _actions(updated)
    assert len(bench.api.cards("cpps-oversight")) == 1  # updated, not reposted


def test_reroute_moves_the_report_and_keeps_a_labelled_example(bench: Harness) -> None:
    report = bench.file("Officers searched my brother during a mental health crisis.")
    assert report.destinations == ["oversight"]
    bench.click("cpps_reroute", report, "oversight")
    [view] = bench.api.views
    assert view["callback_id"] == VIEW_REROUTE
    assert view["private_metadata"] == f"{report.id}:oversight"
    offered = [o["value"] for o in view["blocks"][1]["element"]["options"]]
    assert "crisis-team" in offered and "oversight" not in offered

    response = bench.submit(
        VIEW_REROUTE,
        report,
        "oversight",
        {"destination": select_value("crisis-team"), "category": select_value("mental_health")},
    )
    assert response.status_code == 200
    fresh = bench.reload(report)
    assert fresh.destinations == ["crisis-team"]
    assert fresh.top_category == "mental_health"
    [new_card] = bench.api.cards("cpps-crisis-team")
    assert "mental health" in new_card["blocks"][0]["text"]["text"]
    old = bench.card(report, "oversight")
    assert "Rerouted to Mental Health Crisis Team" in str(old["blocks"])
    assert _actions(old) == []
    assert bench.store.reports.corrections() == [(fresh.redacted_text, "mental_health")]
    assert any(
        e.action == "rerouted" and e.actor == MODERATOR
        for e in bench.store.reports.events(report.id or 0)
    )


def test_ask_relays_the_question_by_sms_and_notes_it_in_the_thread(bench: Harness) -> None:
    report = bench.file(FORCE)
    bench.click("cpps_ask", report, "oversight")
    [view] = bench.api.views
    assert view["callback_id"] == VIEW_ASK
    assert "stay anonymous" in json.dumps(view)

    response = bench.submit(
        VIEW_ASK, report, "oversight", {"text": text_value("What time did this happen?")}
    )
    assert response.status_code == 200
    bench.dispatcher.dispatch_due()
    [sms] = bench.twilio.created
    assert sms["To"] == REPORTER_PHONE
    assert "What time did this happen?" in sms["Body"] and report.ref in sms["Body"]
    card = bench.card(report, "oversight")
    [line] = bench.api.thread("cpps-oversight", card["ts"])
    assert "Question relayed to the reporter" in line["text"]
    assert "What time did this happen?" in line["text"]
    assert bench.reload(report).status == "in_progress"
    assert any(e.action == "asked" for e in bench.store.reports.events(report.id or 0))


def test_a_question_overtaken_by_stop_is_not_said_to_be_relayed(bench: Harness) -> None:
    """Ask, then the reporter texts STOP before the outbox sends it: nothing is sent and the
    thread tells the truth."""
    report = bench.file(FORCE)
    assert report.contact_id is not None
    bench.submit(VIEW_ASK, report, "oversight", {"text": text_value("What time was it?")})
    bench.store.contacts.set_opted_out(report.contact_id, opted_out=True)  # STOP arrives
    assert bench.dispatcher.dispatch_due().skipped == 1
    assert bench.twilio.created == []
    card = bench.card(report, "oversight")
    relayed, not_sent = bench.api.thread("cpps-oversight", card["ts"])
    assert "Question relayed to the reporter" in relayed["text"]
    assert "Not sent." in not_sent["text"] and "texted STOP" in not_sent["text"]
    assert "What time" not in not_sent["text"]
    bench.dispatcher.dispatch_due()  # told once
    assert len(bench.api.thread("cpps-oversight", card["ts"])) == 2


def test_an_empty_question_is_refused_in_the_modal(bench: Harness) -> None:
    report = bench.file(FORCE)
    response = bench.submit(VIEW_ASK, report, "oversight", {"text": text_value("   ")})
    assert response.json()["response_action"] == "errors"
    assert _outbound(bench) == []


def test_resolve_sends_the_note_and_closes_the_card(bench: Harness) -> None:
    report = bench.file(FORCE, anonymous=False, contact_ok=True)
    bench.click("cpps_resolve", report, "oversight")
    assert bench.api.views[-1]["callback_id"] == VIEW_RESOLVE
    bench.submit(
        VIEW_RESOLVE,
        report,
        "oversight",
        {"text": text_value("The officer was retrained; thank you for telling us.")},
    )
    assert bench.reload(report).status == "resolved"
    bench.dispatcher.dispatch_due()
    [sms] = bench.twilio.created
    assert "retrained" in sms["Body"]
    card = bench.card(report, "oversight")
    assert f"*Resolved* by <@{MODERATOR}>" in str(card["blocks"])
    assert _actions(card) == ["cpps_decision"]  # a decision often comes after the resolution


def test_spam_closes_without_texting_the_reporter(bench: Harness) -> None:
    report = bench.file(FORCE)
    bench.click("cpps_spam", report, "oversight")
    assert bench.reload(report).status == "spam"
    assert _outbound(bench) == []
    assert "Marked as spam" in str(bench.card(report, "oversight")["blocks"])


def test_acting_on_a_closed_report_is_refused_and_explained(bench: Harness) -> None:
    report = bench.file(FORCE)
    bench.click("cpps_spam", report, "oversight")
    bench.click("cpps_ack", report, "oversight")
    assert bench.reload(report).status == "spam"
    assert "already spam" in bench.api.responses[-1]["text"]
    assert bench.api.responses[-1]["response_type"] == "ephemeral"


def test_an_opted_out_reporter_cannot_be_asked(bench: Harness) -> None:
    report = bench.file(FORCE)
    assert report.contact_id is not None
    bench.store.contacts.set_opted_out(report.contact_id, opted_out=True)
    bench.click("cpps_ack", report, "oversight")  # refreshes the card
    card = bench.card(report, "oversight")
    assert "cpps_ask" not in _actions(card)
    assert "opted out" in str(card["blocks"])


def test_a_message_in_a_card_thread_is_never_relayed(bench: Harness) -> None:
    report = bench.file(FORCE)
    card = bench.card(report, "oversight")
    posts_before = len(bench.api.calls("chat.postMessage"))
    response = bench.event(
        {
            "type": "message",
            "channel": "C00000001",
            "channel_type": "channel",
            "user": MODERATOR,
            "text": "I think this is the same officer as last week, let's ask her where exactly",
            "ts": "1772460100.000100",
            "thread_ts": card["ts"],
        },
        event_id="Ev0THREAD1",
    )
    assert response.status_code == 200
    assert _outbound(bench) == []
    bench.dispatcher.dispatch_due()
    assert bench.twilio.created == []
    assert len(bench.api.calls("chat.postMessage")) == posts_before
    assert bench.dms == []


def test_a_report_rerouted_twice_is_one_example_with_the_last_label(bench: Harness) -> None:
    report = bench.file("Officers searched my brother during a mental health crisis.")
    bench.submit(
        VIEW_REROUTE,
        report,
        "oversight",
        {"destination": select_value("crisis-team"), "category": select_value("mental_health")},
    )
    bench.submit(
        VIEW_REROUTE,
        report,
        "crisis-team",
        {
            "destination": select_value("social-services"),
            "category": select_value("social_services"),
        },
        view_id="V000SECOND",
    )
    fresh = bench.reload(report)
    assert fresh.destinations == ["social-services"]
    assert bench.store.reports.corrections() == [(fresh.redacted_text, "social_services")]
