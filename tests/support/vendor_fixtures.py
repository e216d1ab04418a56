"""The fixtures of the Slack test bench shared by tests/slack and tests/faults (registered for the
whole suite in tests/conftest.py): the demo city, the fake Slack and Twilio APIs, and the bench
built on them (tests/support/slack_bench.py) on both databases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from flows.city import CityConfig, load_city_config
from flows.clocks import FixedClock
from flows.store import Store
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.slack.privacy import phone_numbers_sent_to_slack
from tests.support.slack_bench import (
    ACCOUNT,
    REPORTER_PHONE,
    TOKEN,
    TWILIO_TOKEN,
    Harness,
    InlineExecutor,
    channel_ids,
    slack_bench,
)


@pytest.fixture
def city() -> CityConfig:
    return load_city_config()


@pytest.fixture
def slack_api(city: CityConfig, clock: FixedClock) -> Iterator[FakeSlackAPI]:
    # Slack stamps messages with its own time: the test's clock, as the store's.
    with FakeSlackAPI(token=TOKEN, channels=channel_ids(city), clock=clock.now) as api:
        yield api


@pytest.fixture
def twilio_api() -> Iterator[FakeTwilioAPI]:
    with FakeTwilioAPI(account_sid=ACCOUNT, auth_token=TWILIO_TOKEN) as api:
        yield api


@pytest.fixture
def bench(
    store: Store, city: CityConfig, slack_api: FakeSlackAPI, twilio_api: FakeTwilioAPI
) -> Iterator[Harness]:
    with slack_bench(store, city, slack_api, twilio_api, executor=InlineExecutor()) as harness:
        yield harness
    # Whatever the test did, no phone number may have reached Slack.
    assert phone_numbers_sent_to_slack(slack_api, REPORTER_PHONE) == []
