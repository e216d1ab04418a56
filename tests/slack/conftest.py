"""Fixtures of the Slack test bench (built by tests/support/slack_bench.py) on both databases,
and of the whole service for end-to-end tests. `city`, `slack_api`, `twilio_api` and `bench` are
shared with tests/faults: tests/support/vendor_fixtures.py."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.wiring import Services
from flows.city import CityConfig, load_city_config
from flows.clocks import FixedClock
from flows.handling.effect_prep import Analyser
from flows.store import Store
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.service_harness import ACCOUNT_SID, AUTH_TOKEN, make_settings, start_service
from tests.slack.privacy import phone_numbers_sent_to_slack
from tests.support.slack_bench import (
    REPORTER_PHONE,
    Harness,
    InlineExecutor,
    channel_ids,
    slack_bench,
)


@pytest.fixture
def nlp_bench(
    store: Store,
    city: CityConfig,
    slack_api: FakeSlackAPI,
    twilio_api: FakeTwilioAPI,
    analyser: Analyser,
) -> Iterator[Harness]:
    """The bench filing reports with the shipped NLP (the session's one instance)."""
    with slack_bench(
        store, city, slack_api, twilio_api, executor=InlineExecutor(), analyser=analyser
    ) as harness:
        yield harness
    assert phone_numbers_sent_to_slack(slack_api, REPORTER_PHONE) == []


@pytest.fixture
def threaded_bench(
    store: Store, city: CityConfig, slack_api: FakeSlackAPI, twilio_api: FakeTwilioAPI
) -> Iterator[Harness]:
    """As in production: Bolt runs listeners on its thread pool after acknowledging."""
    with (
        ThreadPoolExecutor(max_workers=2) as executor,
        slack_bench(store, city, slack_api, twilio_api, executor=executor) as harness,
    ):
        yield harness


# -- the whole service (build_services + create_app) for end-to-end tests ----------------------

E2E_SLACK_TOKEN = "xoxb-e2e-token"


@pytest.fixture
def e2e_analyser(analyser: Analyser) -> Analyser:
    """End to end means the shipped NLP (loaded once per test session)."""
    return analyser


@pytest.fixture
def vendor_apis(clock: FixedClock) -> Iterator[tuple[FakeSlackAPI, FakeTwilioAPI]]:
    channels = channel_ids(load_city_config())
    with (
        FakeSlackAPI(token=E2E_SLACK_TOKEN, channels=channels, clock=clock.now) as slack_api,
        FakeTwilioAPI(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN) as twilio_api,
    ):
        yield slack_api, twilio_api


@pytest.fixture
def service(
    database_url: str,
    tmp_path: Path,
    master_key: str,
    clock: FixedClock,
    e2e_analyser: Analyser,
    vendor_apis: tuple[FakeSlackAPI, FakeTwilioAPI],
) -> Iterator[tuple[Services, TestClient]]:
    slack_api, twilio_api = vendor_apis
    settings = make_settings(
        database_url=database_url,
        data_dir=tmp_path,
        master_key=master_key,
        twilio_api_url=twilio_api.base_url,
        slack_bot_token=E2E_SLACK_TOKEN,
        slack_api_url=slack_api.api_url,
    )
    services, client = start_service(settings=settings, clock=clock, analyser=e2e_analyser)
    with client:
        yield services, client
