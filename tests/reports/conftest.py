"""Moderators' services (flows/reports) on both databases, without Slack: reports are filed
straight into the store (tests/support/reports.py), and what the services do is read back from
it."""

from __future__ import annotations

import pytest

from flows.city import CityConfig, load_city_config
from flows.conversation.catalog import load_catalog
from flows.reports.desk import ModeratorDesk
from flows.reports.moderation import Moderation
from flows.store import Store


@pytest.fixture(scope="session")
def city() -> CityConfig:
    return load_city_config()


@pytest.fixture
def changed() -> list[int]:
    """The report ids Moderation's after-commit hook was called with."""
    return []


@pytest.fixture
def moderation(store: Store, city: CityConfig, changed: list[int]) -> Moderation:
    return Moderation(store=store, city=city, catalog=load_catalog(), on_changed=[changed.append])


@pytest.fixture
def desk(store: Store) -> ModeratorDesk:
    return ModeratorDesk(store=store)
