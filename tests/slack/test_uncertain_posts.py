"""A card post whose outcome is unknown (the connection dropped before Slack's answer, or the
process died mid-post) is looked for in its channel before any second post, so the card shows
once whatever happened; while Slack cannot say, nothing is posted (issue #13)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.slack.post_recovery import CHANNEL_RETRY
from flows.models import Report
from tests.support.slack_bench import Harness, channel_ids

FORCE = "An officer pushed me to the ground on Water Street, badge 4471."


class _Died(Exception):
    """The process ends here."""


def _advance(bench: Harness, delta: timedelta) -> None:
    bench.store.clock.advance(delta)  # type: ignore[attr-defined]


def _left_by_a_dead_process(
    bench: Harness, monkeypatch: pytest.MonkeyPatch, *, after_posting: bool
) -> Report:
    """A card claimed by a process that died after Slack posted it, or before it asked; then
    the time after which another pass takes the claim over."""
    report = bench.file(FORCE, announce=False)
    assert report.destinations == ["oversight"]
    if after_posting:

        def die(**_: object) -> None:
            raise _Died

        monkeypatch.setattr(bench.store.slack_posts, "record_result", die)
        with pytest.raises(_Died):
            bench.core.poster.report_filed(report.id or 0)
    else:
        monkeypatch.setattr(bench.core.poster, "run_due", lambda **_: None)
        bench.core.poster.report_filed(report.id or 0)
        assert len(bench.store.slack_posts.claim_due(report_id=report.id)) == 1
    monkeypatch.undo()
    _advance(bench, timedelta(seconds=45))
    return report


def test_a_card_carries_its_key_as_message_metadata_and_nothing_else(bench: Harness) -> None:
    report = bench.file(FORCE)
    [call] = bench.api.calls("chat.postMessage")
    assert call.params["metadata"] == {
        "event_type": "cpps_card",
        "event_payload": {"key": f"card:{report.id}:oversight"},
    }
    assert bench.api.calls("conversations.history") == []  # nothing was uncertain


def test_a_card_slack_posted_before_its_process_died_is_taken_not_posted_again(
    bench: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = _left_by_a_dead_process(bench, monkeypatch, after_posting=True)
    [card] = bench.api.cards("cpps-oversight")
    assert bench.core.poster.run_due().posted == 1
    assert bench.api.cards("cpps-oversight") == [card]
    assert len(bench.api.calls("chat.postMessage")) == 1
    [lookup] = bench.api.calls("conversations.history")
    oversight = channel_ids(bench.city)["cpps-oversight"]
    assert lookup.params["channel"] == oversight
    assert lookup.params["include_all_metadata"] in ("1", "true", True)
    [post] = bench.store.slack_posts.of_report(report.id or 0)
    assert (post.status, post.channel_id, post.ts) == ("posted", oversight, card["ts"])


def test_a_card_whose_lookup_fails_is_not_posted_until_slack_can_tell(
    bench: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = _left_by_a_dead_process(bench, monkeypatch, after_posting=False)
    bench.api.fail_next("conversations.history", status=500, error="internal_error")
    assert bench.core.poster.run_due().retried == 1
    assert bench.api.calls("chat.postMessage") == []  # not posted blind
    [post] = bench.store.slack_posts.of_report(report.id or 0)
    assert post.status == "uncertain" and post.last_error == "lookup internal_error"
    _advance(bench, timedelta(minutes=1))
    assert bench.core.poster.run_due().posted == 1  # Slack says it is not there: posted now
    assert len(bench.api.cards("cpps-oversight")) == 1
    assert len(bench.api.calls("conversations.history")) == 2


def test_a_connection_dropped_after_the_post_went_out_does_not_post_the_card_twice(
    bench: Harness,
) -> None:
    bench.api.hang_up("chat.postMessage")
    report = bench.file(FORCE)
    [card] = bench.api.cards("cpps-oversight")  # Slack posted it; nobody heard
    assert len(bench.api.calls("chat.postMessage")) == 1  # the client did not send it again
    [post] = bench.store.slack_posts.of_report(report.id or 0)
    assert post.status == "uncertain" and post.last_error == "no_answer"
    _advance(bench, timedelta(minutes=1))
    assert bench.core.poster.run_due().posted == 1
    assert bench.api.cards("cpps-oversight") == [card]
    [post] = bench.store.slack_posts.of_report(report.id or 0)
    assert post.status == "posted" and post.ts == card["ts"]


def test_an_uncertain_card_in_a_channel_the_bot_cannot_read_waits_and_shows_in_triage(
    bench: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """chat:write.public posts to a public channel the bot is not in, but reading the channel
    needs the bot in it: a person must invite it, as for a channel it cannot post to."""
    bench.api.remove_bot("cpps-oversight")
    report = _left_by_a_dead_process(bench, monkeypatch, after_posting=False)
    bench.core.poster.run_due()
    assert bench.api.cards("cpps-oversight") == []
    [notice] = bench.api.cards("cpps-triage")
    assert "not_in_channel" in str(notice["blocks"]) and report.ref in notice["text"]
    bench.api.state.bot_left.clear()  # the bot is invited
    _advance(bench, CHANNEL_RETRY)
    bench.core.poster.run_due()
    assert len(bench.api.cards("cpps-oversight")) == 1
    assert len(bench.api.cards("cpps-triage")) == 1
