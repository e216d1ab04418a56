"""The replay probes of benchmarks/hardening_probes.py (issue #13): the same signed request
delivered again (Twilio's webhook, a Slack modal submission, a slash command), and sends that
Twilio carries out but answers after the client's timeout."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from benchmarks.probe_requests import Row
from bot.outbox import OutboxDispatcher, TwilioSender
from bot.wiring import Services
from flows.city import load_city_config
from flows.clocks import FixedClock
from flows.privacy import Vault
from flows.store import Store, make_engine
from tests.fakes.notifier import RecordingNotifier
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.service_harness import (
    Resident,
    settle,
    signed_form,
)
from tests.slack.test_replays import FORCE, ask_submission, deliver, reply_command, texts_sent
from tests.support.checkins import file_report, make_followups
from tests.support.databases import migrated_sqlite
from tests.support.rows import count
from tests.support.slack_bench import ACCOUNT, TOKEN, TWILIO_TOKEN, InlineExecutor, channel_ids
from tests.support.slack_bench import slack_bench as build_bench

# The send timeout probe: the client gives up after CLIENT_TIMEOUT; Twilio answers after HANG.
CLIENT_TIMEOUT = 0.3
HANG = 0.6


# -- 3. replays and duplicates ------------------------------------------------------------------


def probe_sms_replays(
    services: Services, client: TestClient, twilio_api: FakeTwilioAPI, *, messages: int
) -> Row:
    """Each text of an intake delivered 4 times with its signature: stored and taken once."""
    resident = Resident(client, phone="+15556660001", settle_after=True)
    answers = ["An officer took my phone at the bus station on Main Street.", "1", "SKIP", "SKIP"]
    extra = 0
    api_before = len(twilio_api.created)
    for n in range(messages):
        form = resident.form(answers[n % len(answers)])
        headers = signed_form(form)
        before = count(services.store.engine, "inboundmessage")
        for _ in range(4):
            client.post("/sms", data=form, headers=headers)
            settle(client)
        extra += count(services.store.engine, "inboundmessage") - before - 1
    sent = [m for m in twilio_api.created[api_before:] if m["To"] == resident.phone]
    return Row(
        "replays: the same signed Twilio message x4",
        messages,
        extra + len(sent),
        f"extra rows stored {extra}, texts sent by the API {len(sent)}",
    )


def probe_slack_replays(tmp: Path, master_key: str, *, actions: int) -> list[Row]:
    """The same signed Ask submission, and `/cpps reply`, delivered 4 times: one text each."""
    clock = FixedClock(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    store = Store(
        engine=make_engine(migrated_sqlite(tmp / "slack.db"), pool_size=5),
        vault=Vault(keys=[master_key]),
        clock=clock,
    )
    city = load_city_config()
    rows: list[Row] = []
    with (
        FakeSlackAPI(token=TOKEN, channels=channel_ids(city), clock=clock.now) as slack_api,
        FakeTwilioAPI(account_sid=ACCOUNT, auth_token=TWILIO_TOKEN) as twilio_api,
        build_bench(store, city, slack_api, twilio_api, executor=InlineExecutor()) as bench,
    ):
        report = bench.file(FORCE)
        assert report.id is not None
        for kind in ("Ask modal submission", "/cpps reply"):
            per_action: list[int] = []
            for n in range(actions):
                words = f"Question {n} of the {kind} probe?"
                if kind == "Ask modal submission":
                    body = ask_submission(report.id, words, view_id=f"V0PROBE{n:04d}")
                else:
                    body = reply_command(
                        bench, f"reply {report.ref} {words}", trigger_id=f"111.222.{n}"
                    )
                deliver(bench, body, 4)
                per_action.append(sum(words in text for text in texts_sent(bench)))
            rows.append(
                Row(
                    f"replays: the same signed {kind} x4",
                    actions,
                    sum(abs(n - 1) for n in per_action),
                    f"texts per action: {dict(sorted(Counter(per_action).items()))}",
                    "4 texts per action",
                )
            )
    store.engine.dispose()
    return rows


def probe_send_timeouts(tmp: Path, master_key: str, *, checkins: int) -> Row:
    """Check-ins whose create Twilio carries out but answers after the client's timeout."""
    clock = FixedClock(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    store = Store(
        engine=make_engine(migrated_sqlite(tmp / "checkins.db"), pool_size=5),
        vault=Vault(keys=[master_key]),
        clock=clock,
    )
    followups = make_followups(store, load_city_config(), RecordingNotifier())
    for n in range(checkins):
        file_report(store, followups, phone=f"+1555444{n:04d}", ref=f"R-P{n:03d}")
    queued = 0
    for _ in range(60):  # the first check-in of each report falls due within days
        clock.advance(timedelta(hours=6))
        queued += followups.dispatch_due()
        if queued >= checkins:
            break
    with FakeTwilioAPI(account_sid=ACCOUNT, auth_token=TWILIO_TOKEN) as twilio_api:
        sender = TwilioSender(
            account_sid=ACCOUNT,
            auth_token=TWILIO_TOKEN,
            from_number="+15550001111",
            api_base_url=twilio_api.base_url,
            timeout_seconds=CLIENT_TIMEOUT,
        )
        dispatcher = OutboxDispatcher(store=store, senders={"sms": sender})
        twilio_api.answer_slowly(*[HANG] * queued)
        for _ in range(30):
            result = dispatcher.dispatch_due(limit=1000)
            clock.advance(timedelta(minutes=1))
            if not (result.sent or result.retried) and not twilio_api.state.slow_next:
                break
        time.sleep(HANG)  # the last slow answers
        created = Counter((m["To"], m["Body"]) for m in twilio_api.created)
    store.engine.dispose()
    twice = sum(n - 1 for n in created.values() if n > 1)
    unsent = queued - len(created)
    return Row(
        "send timeout after Twilio accepted: check-ins",
        queued,
        twice + unsent,
        f"sent twice {twice}, never sent {unsent}",
        "80 of 100 sent twice",
    )
