"""What a moderator's action does, whatever tool they press it in (Slack only translates)."""

from __future__ import annotations

import pytest

from flows.reports.moderation import Moderation, ModerationError
from flows.store import Store
from tests.support.reports import file_report, outbound

MOD = "UMODERATR1"


def test_why_not_says_why_an_action_cannot_be_taken(store: Store, moderation: Moderation) -> None:
    report = file_report(store)
    assert report.id is not None
    assert moderation.why_not(report.id) is None
    moderation.mark_spam(report.id, actor=MOD)
    assert moderation.why_not(report.id) == f"Report {report.ref} is already spam."
    assert moderation.why_not(report.id + 1000) == "This report no longer exists."


def test_reroute_moves_the_report_queues_its_new_card_and_keeps_the_label(
    store: Store, moderation: Moderation, changed: list[int]
) -> None:
    report = file_report(store, destinations=("oversight", "council-d1"))
    assert report.id is not None
    moderation.reroute(
        report.id,
        from_destination="oversight",
        to_destination="crisis-team",
        category="mental_health",
        actor=MOD,
    )
    fresh = store.reports.get(report.id)
    assert fresh is not None
    assert fresh.destinations == ["council-d1", "crisis-team"]
    assert (fresh.top_category, fresh.triage, fresh.status) == ("mental_health", False, "routed")
    assert store.reports.corrections() == [(fresh.redacted_text, "mental_health")]
    [moved] = [e for e in store.reports.events(report.id) if e.action == "rerouted"]
    assert (moved.actor, moved.detail["from"], moved.detail["to"]) == (
        MOD,
        "oversight",
        "crisis-team",
    )
    assert [(p.kind, p.destination) for p in store.slack_posts.of_report(report.id)] == [
        ("card", "crisis-team")
    ]
    assert changed == [report.id]


def test_a_refused_reroute_changes_nothing(store: Store, moderation: Moderation) -> None:
    report = file_report(store)
    assert report.id is not None
    with pytest.raises(ModerationError, match="Unknown destination"):
        moderation.reroute(
            report.id,
            from_destination="oversight",
            to_destination="nowhere",
            category=None,
            actor=MOD,
        )
    moderation.resolve(report.id, note="Spoke to the officer's supervisor.", actor=MOD)
    with pytest.raises(ModerationError, match="already resolved"):
        moderation.reroute(
            report.id,
            from_destination="oversight",
            to_destination="crisis-team",
            category=None,
            actor=MOD,
        )
    fresh = store.reports.get(report.id)
    assert fresh is not None and fresh.destinations == ["oversight"]
    assert store.slack_posts.of_report(report.id) == []


def test_a_question_is_queued_for_the_reporter_and_moves_the_report_on(
    store: Store, moderation: Moderation
) -> None:
    report = file_report(store)
    assert report.id is not None
    moderation.ask(report.id, question="Which day was it?\x07", actor=MOD)
    [message] = outbound(store)
    assert (message.contact_id, message.purpose, message.report_id) == (
        report.contact_id,
        "asked",
        report.id,
    )
    fresh = store.reports.get(report.id)
    assert fresh is not None and fresh.status == "in_progress"
    [asked] = [e for e in store.reports.events(report.id) if e.action == "asked"]
    assert asked.detail == {"text": "Which day was it?"}  # control characters dropped


def test_nothing_is_relayed_to_a_reporter_who_opted_out_or_erased(
    store: Store, moderation: Moderation
) -> None:
    opted, erased = file_report(store), file_report(store)
    assert opted.id and opted.contact_id and erased.id and erased.contact_id
    store.contacts.set_opted_out(opted.contact_id, opted_out=True)
    with store.transaction() as session:
        store.contacts.erase(erased.contact_id, session=session)
    with pytest.raises(ModerationError, match="opted out"):
        moderation.reply(opted.id, text="Thank you.", actor=MOD)
    with pytest.raises(ModerationError, match="erased their data"):
        moderation.ask(erased.id, question="Which day?", actor=MOD)
    assert outbound(store) == []
    assert [e.action for e in store.reports.events(opted.id)] == ["filed", "status"]


def test_resolving_reaches_only_a_reachable_reporter(store: Store, moderation: Moderation) -> None:
    reachable, opted = file_report(store), file_report(store)
    assert reachable.id and opted.id and opted.contact_id
    store.contacts.set_opted_out(opted.contact_id, opted_out=True)
    moderation.resolve(reachable.id, note="An officer was spoken to.", actor=MOD)
    moderation.resolve(opted.id, note="An officer was spoken to.", actor=MOD)
    assert [(m.report_id, m.purpose) for m in outbound(store)] == [(reachable.id, "resolution")]
    for report in (reachable, opted):
        assert report.id is not None
        fresh = store.reports.get(report.id)
        assert fresh is not None and fresh.status == "resolved"
