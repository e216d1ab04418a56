"""Cards reach their destinations' channels once, survive Slack's failures, and surface problems."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.slack_bench import Harness, channel_ids

FORCE = "An officer pushed me to the ground on Water Street, badge 4471."


def test_a_filed_report_is_posted_as_a_card_in_each_destination(bench: Harness) -> None:
    report = bench.file("The officer was racist to me in Millbrook Park.")
    assert report.destinations == ["oversight", "council-d1"]
    for destination in report.destinations:
        card = bench.card(report, destination)
        blocks = card["blocks"]
        text = str(blocks)
        assert report.ref in blocks[0]["text"]["text"]
        assert "bias discrimination 80%" in text
        assert "Northside" in text
        assert "Anonymous" in text
        actions = next(b for b in blocks if b["type"] == "actions")
        assert [e["action_id"] for e in actions["elements"]] == [
            "cpps_ack",
            "cpps_reroute",
            "cpps_ask",
            "cpps_resolve",
            "cpps_decision",
            "cpps_spam",
        ]
    posts = bench.store.slack_posts.of_report(report.id or 0)
    assert {p.status for p in posts} == {"posted"}
    assert {p.channel_id for p in posts} == {
        channel_ids(bench.city)["cpps-oversight"],
        channel_ids(bench.city)["cpps-council-northside"],
    }


def test_card_shows_redacted_text_officers_and_local_time(bench: Harness) -> None:
    report = bench.file(FORCE + " My name is Ana Lopez, call me at 555-987-6543.")
    text = str(bench.card(report, "oversight")["blocks"])
    assert "[NAME]" in text and "[PHONE]" in text
    assert "Ana" not in text and "987" not in text
    assert "badge 4471" in text
    # 15:00 UTC on 2 March 2026 is 09:00 in Riverton (America/Chicago, CST).
    assert "Mon 02 Mar 2026, 09:00 CST" in text


def test_a_card_is_never_posted_twice(bench: Harness) -> None:
    report = bench.file(FORCE)
    assert report.id is not None
    bench.core.poster.report_filed(report.id)  # the hook running again (a retried commit, say)
    bench.core.poster.run_due()
    assert len(bench.api.cards("cpps-oversight")) == 1
    assert len(bench.api.calls("chat.postMessage")) == 1


def test_a_report_whose_cards_were_never_queued_is_swept_up(bench: Harness) -> None:
    # The process died between committing the report and its (background) card hook.
    report = bench.file(FORCE, announce=False)
    assert bench.api.cards("cpps-oversight") == []
    assert bench.core.poster.queue_missing_cards() == 1
    [card] = bench.api.cards("cpps-oversight")
    assert report.ref in str(card["blocks"])
    assert bench.core.poster.queue_missing_cards() == 0
    assert len(bench.api.cards("cpps-oversight")) == 1


def test_the_sweep_leaves_older_reports_alone(bench: Harness) -> None:
    bench.file(FORCE, announce=False)
    bench.store.clock.advance(timedelta(days=2))  # type: ignore[attr-defined]
    assert bench.core.poster.queue_missing_cards() == 0
    assert bench.api.cards("cpps-oversight") == []


def test_rate_limit_waits_for_retry_after(bench: Harness) -> None:
    bench.api.fail_next("chat.postMessage", status=429, error="ratelimited", retry_after=30)
    report = bench.file(FORCE)
    assert bench.api.cards("cpps-oversight") == []
    [post] = bench.store.slack_posts.of_report(report.id or 0)
    assert post.status == "pending" and post.last_error == "ratelimited"
    bench.store.clock.advance(timedelta(seconds=29))  # type: ignore[attr-defined]
    assert bench.core.poster.run_due().posted == 0
    bench.store.clock.advance(timedelta(seconds=1))  # type: ignore[attr-defined]
    assert bench.core.poster.run_due().posted == 1
    assert len(bench.api.cards("cpps-oversight")) == 1


def test_a_rate_limit_of_an_hour_keeps_each_card_for_its_own_channel(bench: Harness) -> None:
    """Slack rate-limits every post for an hour (Retry-After 60 s): the cards wait and then go
    to their own channels, once each; nothing is given up and triage gets no fallback."""
    for _ in range(200):
        bench.api.fail_next("chat.postMessage", status=429, error="ratelimited", retry_after=60)
    report = bench.file("The officer was racist to me in Millbrook Park.")
    for _ in range(60):
        bench.store.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
        bench.core.poster.run_due()
    bench.api.state.failures.clear()  # the limit lifts
    bench.store.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    bench.core.poster.run_due()
    assert len(bench.api.cards("cpps-oversight")) == 1
    assert len(bench.api.cards("cpps-council-northside")) == 1
    assert bench.api.cards("cpps-triage") == []
    posts = bench.store.slack_posts.of_report(report.id or 0)
    assert {p.status for p in posts} == {"posted"} and len(posts) == 2


def test_a_post_is_given_up_only_after_a_day(bench: Harness) -> None:
    for _ in range(400):
        bench.api.fail_next("chat.postMessage", status=503, error="service_unavailable")
    report = bench.file(FORCE)
    for _ in range(23 * 12):  # 23 hours, the clock's job every 5 minutes
        bench.store.clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]
        bench.core.poster.run_due()
    [post] = bench.store.slack_posts.of_report(report.id or 0)
    assert post.status == "pending"
    for _ in range(2 * 12):
        bench.store.clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]
        bench.core.poster.run_due()
    post = next(p for p in bench.store.slack_posts.of_report(report.id or 0) if p.id == post.id)
    assert post.status == "failed" and post.last_error == "service_unavailable"


def test_a_card_claimed_by_a_process_that_died_reaches_its_channel_within_a_minute(
    bench: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = bench.file(FORCE, announce=False)
    # The web process queues the card and claims it, then dies before posting.
    monkeypatch.setattr(bench.core.poster, "run_due", lambda **_: None)
    bench.core.poster.report_filed(report.id or 0)
    monkeypatch.undo()
    assert len(bench.store.slack_posts.claim_due(report_id=report.id)) == 1
    assert bench.api.cards("cpps-oversight") == []
    bench.store.clock.advance(timedelta(seconds=15))  # type: ignore[attr-defined]
    assert bench.core.poster.run_due().posted == 0  # it may still be posting
    bench.store.clock.advance(timedelta(seconds=30))  # type: ignore[attr-defined]
    assert bench.core.poster.run_due().posted == 1
    assert len(bench.api.cards("cpps-oversight")) == 1


def test_server_errors_back_off_then_post(bench: Harness) -> None:
    bench.api.fail_next("chat.postMessage", status=500, error="internal_error")
    bench.api.fail_next("chat.postMessage", status=503, error="service_unavailable")
    report = bench.file(FORCE)
    bench.store.clock.advance(timedelta(seconds=15))  # type: ignore[attr-defined]
    assert bench.core.poster.run_due().retried == 1  # the 503
    assert bench.core.poster.run_due().posted == 0  # backing off
    bench.store.clock.advance(timedelta(seconds=30))  # type: ignore[attr-defined]
    assert bench.core.poster.run_due().posted == 1
    [post] = bench.store.slack_posts.of_report(report.id or 0)
    assert post.status == "posted" and post.attempts == 3
    assert bench.api.calls("conversations.history") == []  # Slack answered: nothing to look up


def test_missing_channel_is_surfaced_in_triage_and_retried(bench: Harness) -> None:
    # The budget committee's channel does not exist yet.
    del bench.api.state.channels["cpps-budget"]
    report = bench.file("Why does the police budget grow while the library closes?")
    assert report.destinations == ["budget"]
    [notice] = bench.api.cards("cpps-triage")
    text = str(notice["blocks"])
    assert "channel_not_found" in text and "#cpps-budget" in text
    assert report.ref in notice["text"]
    # Someone creates the channel: the next retry posts the card there, once.
    bench.api.state.channels["cpps-budget"] = "CNEWBUDGT"
    bench.store.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    bench.core.poster.run_due()
    bench.core.poster.run_due()
    assert len(bench.api.cards("cpps-budget")) == 1
    assert len(bench.api.cards("cpps-triage")) == 1


def test_not_in_channel_is_surfaced_in_triage(bench: Harness) -> None:
    bench.api.fail_next("chat.postMessage", error="not_in_channel")
    report = bench.file(FORCE)
    [notice] = bench.api.cards("cpps-triage")
    assert "not_in_channel" in str(notice["blocks"])
    [failed] = [
        p for p in bench.store.slack_posts.of_report(report.id or 0) if p.destination == "oversight"
    ]
    assert failed.status == "pending" and failed.last_error == "not_in_channel"


def test_a_permanent_error_fails_the_post_but_not_the_report(bench: Harness) -> None:
    bench.api.fail_next("chat.postMessage", error="invalid_blocks")
    report = bench.file(FORCE)
    posts = {p.destination: p for p in bench.store.slack_posts.of_report(report.id or 0)}
    assert posts["oversight"].status == "failed"
    assert posts["triage:fallback:oversight"].status == "posted"
    assert [r.ref for r in bench.store.reports.open()] == [report.ref]


def test_two_clocks_racing_post_each_card_once(bench: Harness) -> None:
    """Two clock processes started by mistake: each card is claimed by one of them only."""
    import threading

    for _ in range(4):
        bench.api.fail_next("chat.postMessage", status=503, error="service_unavailable")
    reports = [
        bench.file(text) for text in (FORCE, "A racist cop in Millbrook Park", "My husband hits me")
    ]
    # Slack was down: every card waits for the clock.
    assert all(
        p.status == "pending" for r in reports for p in bench.store.slack_posts.of_report(r.id or 0)
    )
    bench.store.clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]
    start = threading.Barrier(2)

    def clock_process() -> None:
        start.wait()
        bench.core.poster.run_due()

    threads = [threading.Thread(target=clock_process) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cards = [
        c
        for ch in ("cpps-oversight", "cpps-council-northside", "cpps-family-violence")
        for c in bench.api.cards(ch)
    ]
    assert len(cards) == 4  # force, bias (x2: oversight and Northside), family violence
    assert len({c["text"] for c in cards}) == 4
