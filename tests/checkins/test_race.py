"""Two clock processes started by mistake: each check-in is sent exactly once.

Each "process" is a thread with its own Store (own engine and connection pool) running the real
check-in dispatcher and the real OutboxDispatcher + TwilioSender against the fake Twilio API.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.outbox import OutboxDispatcher, TwilioSender
from flows.city import CityConfig
from flows.clocks import FixedClock
from flows.store import Store, make_engine
from tests.fakes.notifier import RecordingNotifier
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.support.checkins import file_report, make_followups

ACCOUNT = "AC" + "2" * 32
TOKEN = "race-token"
REPORTS = 60


@pytest.fixture
def twilio_api() -> Iterator[FakeTwilioAPI]:
    with FakeTwilioAPI(account_sid=ACCOUNT, auth_token=TOKEN) as api:
        yield api


def test_two_dispatchers_racing_send_each_check_in_once(
    store: Store, database_url: str, city: CityConfig, twilio_api: FakeTwilioAPI
) -> None:
    setup = make_followups(store, city, RecordingNotifier())
    refs = [file_report(store, setup).ref for _ in range(REPORTS)]
    due = FixedClock(store.clock.now() + timedelta(days=14))  # both check-ins of each are due
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    queued: list[int] = []

    def clock_process() -> None:
        engine = make_engine(database_url, pool_size=2)
        try:
            process_store = Store(engine=engine, vault=store.vault, clock=due)
            # Small batches so the two processes interleave many times.
            followups = make_followups(process_store, city, RecordingNotifier(), batch_size=7)
            sender = TwilioSender(
                account_sid=ACCOUNT,
                auth_token=TOKEN,
                from_number="+15550001111",
                api_base_url=twilio_api.base_url,
            )
            outbox = OutboxDispatcher(store=process_store, senders={"sms": sender})
            barrier.wait()
            for _ in range(50):
                count = followups.dispatch_due()
                queued.append(count)
                sent = outbox.dispatch_due(limit=10).sent
                if count == 0 and sent == 0:
                    break
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=clock_process) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sum(queued) == 2 * REPORTS
    bodies = [m["Body"] for m in twilio_api.created]
    assert len(bodies) == 2 * REPORTS
    per_ref = Counter(ref for body in bodies for ref in refs if ref in body)
    assert set(per_ref.values()) == {2} and len(per_ref) == REPORTS
    assert len(set(bodies)) == len(bodies)
