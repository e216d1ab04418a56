"""Fixtures for the conversation tests: the shipped flow, catalogues and city, and a resident
texting the real ConversationRunner on a SQLite store."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from bot.outbox import OutboxDispatcher
from flows.checkins.jobs import FollowUps
from flows.city import CityConfig, load_city_config
from flows.clocks import FixedClock
from flows.conversation.catalog import Catalog, load_catalog
from flows.conversation.flowdef import Flow, load_flow
from flows.handling.runner import ConversationRunner
from flows.handling.sender_limits import SenderGate
from flows.privacy import Vault
from flows.store import Store, make_engine
from tests.fakes.notifier import RecordingNotifier
from tests.flows.resident import START, Resident
from tests.recording_analyser import RecordingAnalyser
from tests.support.analyser import KeywordAnalyser
from tests.support.checkins import RecordingSender


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="session")
def flow(catalog: Catalog) -> Flow:
    return load_flow(catalog=catalog)


@pytest.fixture(scope="session")
def city() -> CityConfig:
    return load_city_config()


@pytest.fixture
def clock() -> FixedClock:
    """The conversations' clock (overrides the shared one): an afternoon in Riverton."""
    return FixedClock(START)


@pytest.fixture
def sqlite_store(
    sqlite_template: Path, tmp_path: Path, vault: Vault, clock: FixedClock
) -> Iterator[Store]:
    path = tmp_path / "conversations.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield Store(engine=engine, vault=vault, clock=clock)
    engine.dispose()


@pytest.fixture
def resident(
    sqlite_store: Store, clock: FixedClock, city: CityConfig, flow: Flow, catalog: Catalog
) -> Resident:
    store = sqlite_store
    screening = KeywordAnalyser(city=city)
    analyser = RecordingAnalyser(screening)
    notifier = RecordingNotifier()
    followups = FollowUps(store=store, city=city, catalog=catalog, notifier=notifier)
    sender = RecordingSender()
    prefetched: list[tuple[str, ...]] = []

    def prefetch(texts: Sequence[str], *, categorise: bool = True) -> None:
        prefetched.append(tuple(texts))

    runner = ConversationRunner(
        store=store,
        city=city,
        flow=flow,
        catalog=catalog,
        analyser=analyser,
        followups=followups,
        prefetch=prefetch,
        gate=SenderGate(
            store=store,
            limits=city.limits,
            catalog=catalog,
            on_limited=[lambda line: notifier.post_notice("triage", line)],
        ),
    )
    return Resident(
        runner=runner,
        store=store,
        clock=clock,
        flow=flow,
        catalog=catalog,
        screening=screening,
        analyser=analyser,
        followups=followups,
        dispatcher=OutboxDispatcher(store=store, senders={"sms": sender}),
        sender=sender,
        prefetched=prefetched,
        notifier=notifier,
    )
