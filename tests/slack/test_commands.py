"""`/cpps status`, `/cpps queue`, `/cpps stats` and `/cpps reply`, answered to the moderator."""

from __future__ import annotations

from datetime import timedelta

from tests.support.slack_bench import MODERATOR, REPORTER_PHONE, Harness

FORCE = "An officer pushed me to the ground on Water Street."
CRISIS = "My son was having a mental health crisis and nobody came."
BUDGET = "Why does the police budget grow while the library closes?"


def test_status_shows_the_report_and_its_trail(bench: Harness) -> None:
    report = bench.file(FORCE)
    bench.click("cpps_ack", report, "oversight")
    answer = bench.command(f"status {report.ref.lower()}")
    assert answer["response_type"] == "ephemeral"
    text = str(answer["blocks"])
    assert report.ref in text and "pushed me to the ground" in text
    assert "Community Police Oversight Council" in text
    assert f"<@{MODERATOR}> · status → acknowledged" in text
    assert "cpps_ack" not in text  # no buttons in a status answer


def test_status_of_an_unknown_reference(bench: Harness) -> None:
    assert bench.command("status R-ZZZZ")["text"] == "No report R-ZZZZ."


def test_queue_lists_open_reports_of_my_channels_oldest_first(bench: Harness) -> None:
    force = bench.file(FORCE)
    bench.store.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    crisis = bench.file(CRISIS)
    budget = bench.file(BUDGET)
    spam = bench.file(FORCE + " (again)")
    bench.click("cpps_spam", spam, "oversight")
    bench.api.set_member(MODERATOR, "cpps-oversight", "cpps-crisis-team")
    text = bench.command("queue", channel="general")["text"]
    assert text.index(force.ref) < text.index(crisis.ref)
    assert budget.ref not in text and spam.ref not in text
    assert text.startswith("*2 open report(s)")


def test_queue_falls_back_to_this_channel_when_slack_cannot_say(bench: Harness) -> None:
    force = bench.file(FORCE)
    budget = bench.file(BUDGET)
    bench.api.fail_next("users.conversations", error="missing_scope")
    text = bench.command("queue", channel="cpps-budget")["text"]
    assert budget.ref in text and force.ref not in text


def test_queue_outside_any_council_channel(bench: Harness) -> None:
    bench.file(FORCE)
    assert "None of your channels" in bench.command("queue", channel="general")["text"]


def test_stats_counts_by_category_district_and_status(bench: Harness) -> None:
    old = bench.file(BUDGET)
    assert old.id is not None
    bench.store.clock.advance(timedelta(days=10))  # type: ignore[attr-defined]
    bench.file("The officer was racist to me in Millbrook Park.")
    bench.file(FORCE)
    text = bench.command("stats 7")["text"]
    assert "*Reports in the last 7 day(s): 2*" in text
    assert "bias discrimination 1" in text and "use of force 1" in text
    assert "funding" not in text
    assert "Northside 1" in text and "Riverside 1" in text
    assert "Routed 2" in text
    assert "*Reports in the last 30 day(s): 3*" in bench.command("stats")["text"]
    assert "Usage" in bench.command("stats lots")["text"]


def test_reply_relays_to_the_reporter_and_notes_it_in_the_thread(bench: Harness) -> None:
    report = bench.file(FORCE)
    answer = bench.command(f"reply {report.ref} We have opened a review of this stop.")
    assert answer["text"].startswith("Sent to the reporter")
    bench.dispatcher.dispatch_due()
    [sms] = bench.twilio.created
    assert sms["To"] == REPORTER_PHONE and "opened a review" in sms["Body"]
    card = bench.card(report, "oversight")
    [line] = bench.api.thread("cpps-oversight", card["ts"])
    assert "Message relayed to the reporter" in line["text"] and "opened a review" in line["text"]
    assert any(e.action == "replied" for e in bench.store.reports.events(report.id or 0))


def test_reply_needs_a_reference_and_text(bench: Harness) -> None:
    assert "Usage" in bench.command("reply R-ABCD")["text"]
    assert bench.command("reply R-ZZZZ hello")["text"] == "No report R-ZZZZ."
    bench.dispatcher.dispatch_due()
    assert bench.twilio.created == []


def test_unknown_subcommand_shows_usage(bench: Harness) -> None:
    assert bench.command("")["text"].startswith("Usage")
    assert bench.command("delete everything")["text"].startswith("Usage")
