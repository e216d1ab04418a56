"""Vendor APIs failing: Twilio and Slack answering 500, 429 and not at all, briefly and for longer
than the retry budget (issue #13).

The real outbox dispatcher (bot/outbox.py, with the official Twilio client) and the real card
poster (bot/slack/poster.py, with the official Slack client) run against the local fakes of both
APIs, on both databases, with simulated time: the injected clock is advanced as the clock
process's jobs would see it. Each test asserts that nothing acknowledged is lost, nothing is sent
twice, and every card reaches its own channel; past the budget, what the code promises then.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.outbox import DEFAULT_RETRY_FOR, OutboxDispatcher, TwilioSender
from bot.slack.post_recovery import RETRY_FOR
from flows.city import load_city_config
from flows.clocks import FixedClock
from flows.models import OutboundMessage, Report
from flows.store import Store
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.service_harness import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    FROM_NUMBER,
    Resident,
    make_settings,
    start_service,
)
from tests.support.analyser import KeywordAnalyser
from tests.support.slack_bench import (
    ACCOUNT,
    TWILIO_TOKEN,
    Harness,
)

# Short client timeouts, so that "no answer" costs a second of the test's time, not ten.
CLIENT_TIMEOUT = 1.0
HANG = 1.5

RESIDENTS = [f"+1555010{n:04d}" for n in range(4)]
REPLIES = ["Has anyone contacted you since?", "Thank you. Your report is with the board."]


@pytest.fixture
def bench(bench: Harness) -> Harness:
    """The Slack bench (tests/support/vendor_fixtures.py) with the client timeout of production's
    10 s made shorter: the fake's hang outlasts it either way."""
    assert bench.core.client is not None
    bench.core.client.timeout = int(CLIENT_TIMEOUT)
    return bench


def _dispatcher(store: Store, api: FakeTwilioAPI) -> OutboxDispatcher:
    sender = TwilioSender(
        account_sid=ACCOUNT,
        auth_token=TWILIO_TOKEN,
        from_number="+15550001111",
        api_base_url=api.base_url,
        timeout_seconds=CLIENT_TIMEOUT,
    )
    # The shipped budget and backoff: only the clock is simulated.
    return OutboxDispatcher(store=store, senders={"sms": sender})


def _queue_replies(store: Store) -> list[int]:
    """What the conversation runner queues for replies no webhook carries (`_send_later`)."""
    ids: list[int] = []
    for phone in RESIDENTS:
        contact = store.contacts.get_or_create(channel="sms", address=phone)
        with store.transaction() as session:
            for body in REPLIES:
                row = store.outbox.enqueue(
                    session=session, contact=contact, body=body, purpose="reply"
                )
                assert row is not None and row.id is not None
                ids.append(row.id)
    return ids


def _clock(store: Store) -> FixedClock:
    assert isinstance(store.clock, FixedClock)
    return store.clock


def test_twilio_failing_and_hanging_delivers_every_reply_exactly_once(
    store: Store, twilio_api: FakeTwilioAPI
) -> None:
    ids = _queue_replies(store)
    # A 500, a rate limit, then two creates Twilio carries out but answers too late to hear,
    # then the lookups of those uncertain sends failing once too.
    twilio_api.fail_next(500, 429)
    twilio_api.answer_slowly(HANG, HANG)
    dispatcher = _dispatcher(store, twilio_api)
    rounds = 0
    while rounds < 40 and any(
        (row := store.outbox.get(i)) is not None and row.status != "sent" for i in ids
    ):
        dispatcher.dispatch_due()
        if rounds == 0:
            twilio_api.fail_next(503)  # hits the first lookup of an uncertain send
        _clock(store).advance(timedelta(minutes=1))
        rounds += 1

    created = Counter((m["To"], m["Body"]) for m in twilio_api.created)
    assert created == Counter({(phone, body): 1 for phone in RESIDENTS for body in REPLIES})
    rows = [store.outbox.get(i) for i in ids]
    assert all(row is not None and row.status == "sent" for row in rows)
    sids = [row.provider_id for row in rows if row is not None]
    assert sorted(sids) == sorted(m["Sid"] for m in twilio_api.created)  # each its own
    assert any(row is not None and row.attempts > 1 for row in rows)  # the faults did hit
    # Nothing goes out again later.
    _clock(store).advance(timedelta(hours=1))
    assert dispatcher.dispatch_due().sent == 0
    assert len(twilio_api.created) == len(RESIDENTS) * len(REPLIES)


FORCE = "An officer pushed me to the ground on Water Street, badge 4471."
BIAS = "The officer was racist to me in Millbrook Park."


def _cards_by_channel(bench: Harness) -> Counter[tuple[str, str]]:
    """(channel name, report ref) of every card Slack holds."""
    names = {v: k for k, v in bench.api.state.channels.items()}
    found: Counter[tuple[str, str]] = Counter()
    with bench.api.state.lock:
        for channel_id, messages in bench.api.state.messages.items():
            for message in messages:
                if message.get("thread_ts") is None and message.get("blocks"):
                    found[(names.get(channel_id, channel_id), message["text"])] += 1
    return found


def _run_slack_clock(bench: Harness, *, minutes: int) -> None:
    for _ in range(minutes):
        _clock(bench.store).advance(timedelta(minutes=1))
        bench.core.poster.run_due()


def _assert_each_card_once_in_its_own_channel(bench: Harness, reports: list[Report]) -> None:
    expected: Counter[str] = Counter()
    for report in reports:
        for destination in report.destinations:
            channel = bench.city.destination(destination).slack_channel
            mine = [m for m in bench.api.cards(channel) if report.ref in m["text"]]
            assert len(mine) == 1, f"{report.ref}: {len(mine)} cards in #{channel}"
            expected[channel] += 1
        posts = bench.store.slack_posts.of_report(report.id or 0)
        assert {p.status for p in posts} == {"posted"}
    for channel, count in expected.items():
        assert len(bench.api.cards(channel)) == count, f"#{channel}: a stray card"
    assert bench.api.cards("cpps-triage") == []  # no fallback: each channel was there


def test_slack_failing_posts_every_card_once_in_its_own_channel(bench: Harness) -> None:
    bench.api.fail_next("chat.postMessage", status=500, error="internal_error")
    bench.api.fail_next("chat.postMessage", status=429, error="ratelimited", retry_after=30)
    bench.api.fail_next("chat.postMessage", status=503, error="service_unavailable")
    bench.api.fail_next("chat.postMessage", status=429, error="ratelimited", retry_after=120)
    reports = [bench.file(FORCE), bench.file(BIAS), bench.file(FORCE)]
    assert any(
        p.status == "pending" for r in reports for p in bench.store.slack_posts.of_report(r.id or 0)
    )
    _run_slack_clock(bench, minutes=10)
    _assert_each_card_once_in_its_own_channel(bench, reports)


def test_slack_hanging_past_the_client_timeout_does_not_post_a_card_twice(
    bench: Harness,
) -> None:
    bench.api.answer_slowly("chat.postMessage", HANG)
    reports = [bench.file(FORCE), bench.file(BIAS)]
    _run_slack_clock(bench, minutes=10)
    _assert_each_card_once_in_its_own_channel(bench, reports)


def test_twilio_down_past_the_budget_expires_the_reply_and_sends_nothing_after(
    store: Store, twilio_api: FakeTwilioAPI
) -> None:
    ids = _queue_replies(store)[:2]
    dispatcher = _dispatcher(store, twilio_api)
    start = _clock(store).now()
    while _clock(store).now() - start < DEFAULT_RETRY_FOR + timedelta(hours=1):
        twilio_api.fail_next(*[503] * 8)
        dispatcher.dispatch_due()
        _clock(store).advance(timedelta(minutes=5))
    rows = [store.outbox.get(i) for i in ids]
    for row in rows:
        assert row is not None and row.status == "failed"
        assert row.last_error is not None and row.last_error.startswith(
            "expired: not sent within 24 h"
        )
    twilio_api.state.fail_next.clear()  # Twilio is back: an expired text stays unsent
    _clock(store).advance(timedelta(hours=1))
    dispatcher.dispatch_due()
    assert twilio_api.created == []
    assert all((r := store.outbox.get(i)) is not None and r.status == "failed" for i in ids)


def test_slack_down_past_a_day_gives_cards_up_and_surfaces_them_in_triage(
    bench: Harness,
) -> None:
    for _ in range(2000):
        bench.api.fail_next("chat.postMessage", status=503, error="service_unavailable")
    report = bench.file(FORCE)
    for _ in range(int(RETRY_FOR / timedelta(minutes=5)) + 12):
        _clock(bench.store).advance(timedelta(minutes=5))
        bench.core.poster.run_due()
    posts = bench.store.slack_posts.of_report(report.id or 0)
    own = [p for p in posts if p.destination in report.destinations]
    assert own and {p.status for p in own} == {"failed"}
    # Slack is back: the card given up is put before the triage desk, once; nothing else goes.
    bench.api.state.failures.clear()
    _run_slack_clock(bench, minutes=30)
    triage = [m for m in bench.api.cards("cpps-triage") if report.ref in m["text"]]
    assert len(triage) == 1
    assert bench.api.cards("cpps-oversight") == []


def test_a_relayed_question_expiring_in_an_outage_is_said_not_sent_in_its_thread(
    bench: Harness,
) -> None:
    """The dispatcher promises to tell whoever waits on a text about a report that will not go
    out: a moderator's relayed question that expires must not stay "relayed" in silence."""
    report = bench.file(FORCE)
    assert report.id is not None
    bench.moderation.ask(report.id, question="Which day was it?", actor="U0MODERATR")
    start = _clock(bench.store).now()
    while _clock(bench.store).now() - start < DEFAULT_RETRY_FOR + timedelta(hours=1):
        bench.twilio.fail_next(503)
        bench.dispatcher.dispatch_due()
        bench.core.poster.run_due()
        _clock(bench.store).advance(timedelta(minutes=5))
    bench.twilio.state.fail_next.clear()
    bench.dispatcher.dispatch_due()
    bench.core.poster.run_due()
    assert bench.twilio.created == []  # never sent, not even once Twilio is back
    card = bench.card(report, "oversight")
    lines = [m["text"] for m in bench.api.thread("cpps-oversight", card["ts"])]
    assert any("Not sent" in line and "retry budget" in line for line in lines), lines


def test_intakes_finished_by_the_idle_timeout_reach_residents_once_through_twilio_faults(
    tmp_path: Path, master_key: str, database_url: str, clock: FixedClock
) -> None:
    """The whole service: residents start intakes through the signed webhook and go quiet; the
    conversation runner files each report after the idle timeout and queues its confirmation,
    which the outbox delivers while Twilio answers 500, 429 and (after accepting) nothing."""
    with FakeTwilioAPI(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN) as api:
        services, client = start_service(
            settings=make_settings(
                database_url=database_url,
                data_dir=tmp_path,
                master_key=master_key,
                twilio_api_url=api.base_url,
            ),
            clock=clock,
            analyser=KeywordAnalyser(city=load_city_config()),
        )
        # As production's sender, with a 1 s timeout instead of 10 s: the hang outlasts both.
        services.senders["sms"] = TwilioSender(
            account_sid=ACCOUNT_SID,
            auth_token=AUTH_TOKEN,
            from_number=FROM_NUMBER,
            api_base_url=api.base_url,
            timeout_seconds=CLIENT_TIMEOUT,
        )
        for phone in RESIDENTS:
            replies = Resident(client, phone=phone).text(FORCE)
            assert replies and replies[0].startswith("Thank you."), replies
            clock.advance(timedelta(minutes=1))
        clock.advance(timedelta(hours=25))
        assert services.wake_conversations() == len(RESIDENTS)  # each intake finishes
        api.fail_next(500, 429, 503)
        api.answer_slowly(HANG, HANG)
        for _ in range(30):
            services.dispatcher.dispatch_due()
            clock.advance(timedelta(minutes=1))
        created = Counter(m["To"] for m in api.created)
        assert created == Counter(dict.fromkeys(RESIDENTS, 1))  # once each, none lost
        with services.store.transaction() as session:
            reports = session.exec(select(Report)).all()
            rows = session.exec(select(OutboundMessage)).all()
        assert len(reports) == len(RESIDENTS)
        for message in api.created:  # each resident told their own reference
            mine = [r for r in reports if r.ref in message["Body"]]
            assert len(mine) == 1, message["Body"]
        assert sorted(r.status for r in rows) == ["sent"] * len(RESIDENTS)
        assert sorted(r.provider_id or "" for r in rows) == sorted(m["Sid"] for m in api.created)
        assert sum(r.attempts for r in rows) > len(RESIDENTS)  # the faults did hit
