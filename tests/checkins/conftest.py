"""Check-in fixtures: the demo city, a recording notifier, and FollowUps on the test store.
(The helpers they use are in tests/support/checkins.py.)"""

from __future__ import annotations

import pytest

from flows.checkins.jobs import FollowUps
from flows.city import CityConfig, load_city_config
from flows.store import Store
from tests.fakes.notifier import RecordingNotifier
from tests.support.checkins import make_followups


@pytest.fixture(scope="session")
def city() -> CityConfig:
    return load_city_config()


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def followups(store: Store, city: CityConfig, notifier: RecordingNotifier) -> FollowUps:
    return make_followups(store, city, notifier)
